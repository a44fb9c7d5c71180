#!/usr/bin/env bats
# pathbuild: verify-root builds every path as RFC 4158 says and trusts a
# certificate when any path validates (edgecert-verify-root(1),
# DESCRIPTION): cross-signed roots, a CA's certificate expired at --at
# beside a valid one, a revoked intermediate beside a good one, SHA-1
# beside SHA-256, a pathLenConstraint or name constraints that fail on one
# path and pass on another; which path is reported when none is valid;
# and a pathological topology (5 levels of 3 certificates each, two of
# them revoked, with cross-signs that loop and that lead nowhere) that the
# bounded search still gets right.  The
# certificates are made once, in setup_file, by scripts/test-paths
# (openssl with x509v3 extension files, the CRLs by certtool); openssl
# verify agrees where it can say.  The time the pathological case takes
# is a row of scripts/bench --hostile, not a test.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	export PB="$BATS_FILE_TMPDIR/pki"
	"$EC_ROOT/scripts/test-paths" "$PB"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	ln -s "$PB"/* .
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

@test "pathbuild: no path reaches an anchor: the longest is reported, a root rather than a gap" {
	rm -rf "$EDGECERT_STORE"
	ecj verify-root --cert leaf.pem --chain i.pem --chain x2.pem \
		--chain r2.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" signer-not-found
	assert_equal "$(path)" "$(thumb leaf.pem) $(thumb i.pem) $(thumb r2.pem)"
	assert_equal "$(jf .anchor)" null
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
	assert_equal "$(jf '.reasons | join(",")')" \
		signer-constraints-failure,name-constraints-violated
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
	# a host name the target is not valid for fails every path: the
	# search ends at the first, within its bound
	ecj verify-root --cert deep.pem --chain deep-chain.pem \
		--hostname other.example.test
	assert_code 1 name-mismatch
	assert_equal "$(jf '.reasons | join(",")')" name-mismatch
	# a single path is searched to its end
	cat L1c.pem L2c.pem L3c.pem L4c.pem L5c.pem > one.pem
	ecj verify-root --cert deep.pem --chain one.pem --purpose client
	assert_code 1 purpose-mismatch
	assert_equal "$(jf '.reasons | join(",")')" purpose-mismatch
}
