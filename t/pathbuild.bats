#!/usr/bin/env bats
# pathbuild: verify-root builds every path as RFC 4158 says and trusts a
# certificate when any path validates (edgecert-verify-root(1),
# DESCRIPTION): cross-signed roots, a CA's certificate expired at --at
# beside a valid one, a revoked intermediate beside a good one, SHA-1
# beside SHA-256, a pathLenConstraint or name constraints that fail on one
# path and pass on another; and a pathological topology (5 levels of 3
# certificates each, two of them revoked, with cross-signs that loop and
# that lead nowhere) that the bounded search still gets right.  The
# certificates are made once, in setup_file, by openssl (x509v3
# extension files) and the CRLs by certtool; openssl verify, which also
# tries other paths, agrees where it can say.  The time the pathological
# case takes is a row of scripts/bench (path-search), not a test.

bats_require_minimum_version 1.5.0
load helper

# key NAME: an EC P-256 key NAME.key (fast to sign with).
key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1.key" 2>/dev/null
}

# root NAME CN: a self-signed CA certificate NAME.pem of NAME.key.
root() {
	openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 3650 -sha256 \
		-subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-addext subjectKeyIdentifier=hash 2>/dev/null
}

# issue OUT KEY CN ISSUER ISSUER_KEY SERIAL EXT [DAYS [DIGEST]]: a
# certificate OUT.pem for KEY.key named CN, signed by ISSUER's key with
# the extensions of EXT.ext.
issue() {
	openssl req -new -key "$2.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$5.key" \
		-set_serial "$6" -extfile "$7.ext" -days "${8:-3650}" \
		"-${9:-sha256}" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr"
}

# crl OUT ISSUER ISSUER_KEY REVOKED...: ISSUER's CRL OUT.crl listing the
# certificates REVOKED (PEM files), made by certtool.
crl() {
	local out=$1 ca=$2 cakey=$3
	shift 3
	printf 'crl_next_update = 365\ncrl_number = 1\n' > crl.tmpl
	cat "$@" > revoked.pem
	certtool --generate-crl --load-ca-privkey "$cakey.key" \
		--load-ca-certificate "$ca.pem" --load-certificate revoked.pem \
		--template crl.tmpl --outfile "$out.crl" 2>/dev/null
}

setup_file() {
	export PB="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$PB"
	cd "$PB"
	cat > ca.ext <<-'X'
	basicConstraints=critical,CA:TRUE
	keyUsage=critical,keyCertSign,cRLSign
	subjectKeyIdentifier=hash
	authorityKeyIdentifier=keyid
	X
	{ cat ca.ext; echo 'basicConstraints=critical,CA:TRUE,pathlen:0'; } |
		grep -v '^basicConstraints=critical,CA:TRUE$' > ca-pl0.ext
	{ cat ca.ext; echo 'nameConstraints=critical,permitted;DNS:other.test'; } > ca-nc.ext
	cat > leaf.ext <<-'X'
	basicConstraints=critical,CA:FALSE
	keyUsage=critical,digitalSignature
	extendedKeyUsage=serverAuth
	subjectAltName=DNS:www.example.test
	subjectKeyIdentifier=hash
	authorityKeyIdentifier=keyid
	X
	local k
	for k in r1 r2 ro i c s p q k0 k1 k2 k3 k4 k5 lf; do key "$k"; done
	root r1 "PB Root One"
	root r2 "PB Root Two"
	root ro "PB Other Root"
	# cross-signed roots: Root Two by Root One, for good and for a day
	issue x2 r2 "PB Root Two" r1 r1 0x20 ca
	issue x2day r2 "PB Root Two" r1 r1 0x21 ca 1
	issue i i "PB Issuing" r2 r2 0x30 ca
	issue leaf lf "leaf one" i i 0x31 leaf
	# one CA, two certificates from Root One: the first revoked, and
	# signed with SHA-512 so that it ranks first
	issue ca-bad c "PB Revocable" r1 r1 0x40 ca 3650 sha512
	issue ca-good c "PB Revocable" r1 r1 0x41 ca
	crl r1 r1 r1 ca-bad.pem
	issue leaf-c lf "leaf c" ca-good c 0x42 leaf
	# SHA-1 beside SHA-256
	issue s-sha1 s "PB Signed" r1 r1 0x50 ca 3650 sha1
	issue s-sha256 s "PB Signed" r1 r1 0x51 ca
	issue leaf-s lf "leaf s" s-sha256 s 0x52 leaf
	# constraints: pathlen 0, or names elsewhere, beside none; below, a
	# second CA
	issue p-pl0 p "PB Policy" r1 r1 0x60 ca-pl0
	issue p-nc p "PB Policy" r1 r1 0x61 ca-nc 3650 sha512
	issue p-free p "PB Policy" r1 r1 0x62 ca
	issue q q "PB Sub" p-free p 0x63 ca
	issue leaf-q lf "leaf q" q q 0x64 leaf
	# the pathological one: levels 1 (issues the leaf) to 5 (issued by
	# the store's root) of three certificates each, the first two revoked
	# by their issuer's CRL; level i+1 cross-signed by level i (a loop)
	# and level i by the Other Root (a dead end)
	root k0 "PB Deep Root"
	local lv up upk n
	for lv in 5 4 3 2 1; do
		if [ "$lv" = 5 ]; then up=k0 upk=k0; else up=L$((lv + 1))c upk=k$((lv + 1)); fi
		for n in a b c; do
			if [ "$n" = c ]; then
				issue "L$lv$n" "k$lv" "PB Level $lv" "$up" "$upk" "0x$lv${n/c/3}" ca
			else
				issue "L$lv$n" "k$lv" "PB Level $lv" "$up" "$upk" \
					"0x$lv${n/a/1}" ca 3650 sha512
			fi
		done
		issue "L${lv}o" "k$lv" "PB Level $lv" ro ro "0x${lv}9" ca
		crl "L$lv" "$up" "$upk" "L${lv}a.pem" "L${lv}b.pem"
	done
	for lv in 1 2 3 4; do
		issue "L$((lv + 1))x" "k$((lv + 1))" "PB Level $((lv + 1))" \
			"L${lv}c" "k$lv" "0x$((lv + 1))8" ca
	done
	issue deep lf "leaf deep" L1c k1 0x77 leaf
	cat L?[abox].pem L?c.pem > deep-chain.pem
	cat L?[abx].pem L1c.pem L2c.pem L4c.pem L5c.pem L?o.pem > deep-no3.pem
	cat L?.crl > deep.crl
}

setup() {
	ec_setup
	cd "$PB"
	edgecert import-chain --in r1.pem -q > /dev/null
}

teardown_file() {
	ec_check_records
}

# thumb FILE: the SHA-1 thumbprint of a PEM certificate, as the record
# gives it.
thumb() {
	openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' |
		tr 'A-F' 'a-f'
}

# path: the record's chain as thumbprints, one line.
path() {
	jf '[.chain[].thumbprint] | join(" ")'
}

@test "pathbuild: a CA cross-signed by the store's root is trusted beside its own untrusted root" {
	# Root Two's self-signed certificate comes first and leads nowhere
	ecj verify-root --cert leaf.pem --chain i.pem --chain r2.pem \
		--chain x2.pem --hostname www.example.test
	assert_code 0 ok
	assert_equal "$(path)" "$(thumb leaf.pem) $(thumb i.pem) $(thumb x2.pem) $(thumb r1.pem)"
	assert_equal "$(jf .anchor.thumbprint)" "$(thumb r1.pem)"
	# openssl verify takes the first issuer valid now: it finds the path
	# when the cross-sign comes first only
	cat i.pem x2.pem r2.pem > untrusted.pem
	run openssl verify -CAfile r1.pem -untrusted untrusted.pem leaf.pem
	assert_success
	# with both roots in the store, the shorter path
	edgecert import-chain --in r2.pem -q > /dev/null
	ecj verify-root --cert leaf.pem --chain i.pem --chain x2.pem
	assert_code 0 ok
	assert_equal "$(path)" "$(thumb leaf.pem) $(thumb i.pem) $(thumb r2.pem)"
}

@test "pathbuild: a cross-sign expired at --at is passed over for a valid one" {
	local at
	at=$(date -u -d '+10 days' +%Y-%m-%dT%H:%M:%SZ)
	ecj verify-root --cert leaf.pem --chain i.pem --chain x2day.pem \
		--chain x2.pem --at "$at"
	assert_code 0 ok
	assert_equal "$(jf '.chain[2].thumbprint')" "$(thumb x2.pem)"
	# alone, it is the path there is: expired
	ecj verify-root --cert leaf.pem --chain i.pem --chain x2day.pem --at "$at"
	assert_code 1 expired
	assert_equal "$(jf '.chain[2].thumbprint')" "$(thumb x2day.pem)"
	# and now, both are valid
	ecj verify-root --cert leaf.pem --chain i.pem --chain x2day.pem
	assert_code 0 ok
}

@test "pathbuild: a revoked intermediate beside a good one: the good path is trusted" {
	ecj verify-root --cert leaf-c.pem --chain ca-bad.pem --chain ca-good.pem \
		--crl r1.crl
	assert_code 0 ok
	assert_equal "$(path)" "$(thumb leaf-c.pem) $(thumb ca-good.pem) $(thumb r1.pem)"
	# the CRL in the store counts the same
	edgecert import-chain --in r1.crl -q > /dev/null
	ecj verify-root --cert leaf-c.pem --chain ca-bad.pem --chain ca-good.pem
	assert_code 0 ok
	assert_equal "$(jf '.chain[1].thumbprint')" "$(thumb ca-good.pem)"
	ecj verify-root --cert leaf-c.pem --chain ca-bad.pem
	assert_code 1 revoked
	assert_equal "$(jf '.reasons | join(",")')" revoked
	cat r1.pem r1.crl > ca-crl.pem
	run openssl verify -crl_check -CAfile ca-crl.pem ca-bad.pem
	assert_failure
	assert_output --partial "certificate revoked"
	run openssl verify -crl_check -CAfile ca-crl.pem ca-good.pem
	assert_success
}

@test "pathbuild: a SHA-1 path beside a SHA-256 path: trusted at the profile medium" {
	ecj verify-root --cert leaf-s.pem --chain s-sha1.pem --chain s-sha256.pem
	assert_code 0 ok
	assert_equal "$(jf '.chain[1].thumbprint')" "$(thumb s-sha256.pem)"
	ecj verify-root --cert leaf-s.pem --chain s-sha1.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ecj verify-root --cert leaf-s.pem --chain s-sha1.pem --verify-profile low
	assert_code 0 ok
}

@test "pathbuild: a pathLenConstraint that fails on one path and not on another" {
	ecj verify-root --cert leaf-q.pem --chain q.pem --chain p-pl0.pem \
		--chain p-free.pem
	assert_code 0 ok
	assert_equal "$(jf '.chain[2].thumbprint')" "$(thumb p-free.pem)"
	ecj verify-root --cert leaf-q.pem --chain q.pem --chain p-pl0.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" signer-constraints-failure
	cat q.pem p-pl0.pem > pl0.pem
	run openssl verify -CAfile r1.pem -untrusted pl0.pem leaf-q.pem
	assert_failure
	assert_output --partial "path length constraint exceeded"
}

@test "pathbuild: name constraints that fail on one path and pass on another" {
	# the constrained CA ranks first (SHA-512): it is tried and refused
	ecj verify-root --cert leaf-q.pem --chain q.pem --chain p-nc.pem \
		--chain p-free.pem --hostname www.example.test
	assert_code 0 ok
	assert_equal "$(jf '.chain[2].thumbprint')" "$(thumb p-free.pem)"
	ecj verify-root --cert leaf-q.pem --chain q.pem --chain p-nc.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" signer-constraints-failure
	cat q.pem p-nc.pem > nc.pem
	run openssl verify -CAfile r1.pem -untrusted nc.pem leaf-q.pem
	assert_failure
	assert_output --partial "permitted subtree violation"
}

@test "pathbuild: 5 levels of 3 candidates with loops and dead ends: the one good path" {
	edgecert import-chain --in k0.pem -q > /dev/null
	ecj verify-root --cert deep.pem --chain deep-chain.pem --crl deep.crl
	assert_code 0 ok
	assert_equal "$(path)" "$(thumb deep.pem) $(thumb L1c.pem) $(thumb L2c.pem) $(thumb L3c.pem) $(thumb L4c.pem) $(thumb L5c.pem) $(thumb k0.pem)"
	# level 3's good certificate missing: every path has a revoked one
	ecj verify-root --cert deep.pem --chain deep-no3.pem --crl deep.crl
	assert_code 1 revoked
	assert_equal "$(jf '.anchor.thumbprint')" "$(thumb k0.pem)"
	assert_equal "$(jf '.reasons | join(",")')" revoked
}

@test "pathbuild: over its bound the search stops and says so (path-search-exhausted)" {
	edgecert import-chain --in k0.pem -q > /dev/null
	# no CRL: 3^5 paths reach the root, each for a server only
	ecj verify-root --cert deep.pem --chain deep-chain.pem --purpose client
	assert_code 1 purpose-mismatch
	assert_equal "$(jf '.reasons | join(",")')" purpose-mismatch,path-search-exhausted
	assert_equal "$(jf '.chain | length')" 7
	# a single path is searched to its end
	cat L1c.pem L2c.pem L3c.pem L4c.pem L5c.pem > one.pem
	ecj verify-root --cert deep.pem --chain one.pem --purpose client
	assert_code 1 purpose-mismatch
	assert_equal "$(jf '.reasons | join(",")')" purpose-mismatch
}
