#!/usr/bin/env bats
# verify-root: path validation, each verdict compared with certtool --verify
# or openssl verify on the same files.  Fixtures: scripts/test-pki and
# scripts/test-pki-extra (certtool and openssl).

bats_require_minimum_version 1.5.0
load helper

setup() {
	ec_setup
	pki_setup extra
	cd "$BATS_TEST_TMPDIR"
	cat "$PKI/sub.pem" "$PKI/root.pem" > chain.pem
}

# ct_verify CA-FILE CHAIN-FILE [certtool options]: certtool's verdict.
ct_verify() {
	local ca=$1 in=$2
	shift 2
	run certtool --verify --load-ca-certificate "$ca" --infile "$in" "$@"
}

import_chain() {
	edgecert import-chain --in chain.pem -q > /dev/null
}

@test "verify-root: a server certificate whose chain is in the store is trusted" {
	import_chain
	ecj verify-root --cert "$PKI/server.pem" --hostname edge.example.test
	assert_code 0 ok
	assert_equal "$(jf .trusted)" true
	assert_equal "$(jf '.reasons | length')" 0
	assert_equal "$(jf '.chain | length')" 3
	assert_equal "$(jf '[.chain[1:][].section] | join(",")')" "ca,root"
	assert_equal "$(jf .anchor.thumbprint)" "$(sha1 "$PKI/root.pem")"
	cat "$PKI/server.pem" "$PKI/sub.pem" > s.pem
	ct_verify "$PKI/root.pem" s.pem --verify-hostname edge.example.test
	assert_success
	assert_output --partial "Chain verification output: Verified"
}

@test "verify-root: a certificate of the store is named by --thumbprint" {
	import_chain
	local t
	t=$(store_put personal "$PKI/server.pem" "$PKI/server.key")
	ecj verify-root --thumbprint "${t:0:12}"
	assert_code 0 ok
	assert_equal "$(jf '.chain[0].section')" personal
	assert_equal "$(jf '.chain[0].has_private_key')" true
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_success
	ecj verify-root --thumbprint 0000000000
	assert_code 4 not-found
}

@test "verify-root: without the root in the store the path is untrusted" {
	store_put ca "$PKI/sub.pem" > /dev/null
	ecj verify-root --cert "$PKI/server.pem"
	assert_code 1 untrusted
	assert_equal "$(jf .trusted)" false
	assert_equal "$(jf .anchor)" null
	assert_equal "$(jf '.reasons | join(",")')" signer-not-found
	cat "$PKI/server.pem" "$PKI/sub.pem" > s.pem
	ct_verify "$PKI/ossl-root.pem" s.pem
	assert_failure
	assert_output --partial "NOT trusted"
}

@test "verify-root: a missing intermediate is untrusted until import-chain brings it" {
	store_put root "$PKI/root.pem" > /dev/null
	ecj verify-root --cert "$PKI/server.pem"
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" signer-not-found
	run openssl verify -CAfile "$PKI/root.pem" "$PKI/server.pem"
	assert_failure
	openssl crl2pkcs7 -nocrl -certfile "$PKI/sub.pem" -outform DER -out sub.p7b
	ecj import-chain --in sub.p7b
	assert_code 0 ok
	ecj verify-root --cert "$PKI/server.pem"
	assert_code 0 ok
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_success
}

@test "verify-root: --chain and the rest of --cert give untrusted intermediates" {
	store_put root "$PKI/root.pem" > /dev/null
	ecj verify-root --cert "$PKI/server.pem" --chain "$PKI/sub.pem"
	assert_code 0 ok
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_success
	cat "$PKI/server.pem" "$PKI/sub.pem" > s.pem
	ecj verify-root --cert s.pem
	assert_code 0 ok
	assert_equal "$(jf '.chain[1].section')" null
	assert_not_exists "$EDGECERT_STORE/ca"
	ct_verify "$PKI/root.pem" s.pem
	assert_success
	assert_output --partial "Chain verification output: Verified"
}

@test "verify-root: --thumbprint with one --chain certificate takes it as an intermediate" {
	store_put root "$PKI/root.pem" > /dev/null
	t=$(store_put personal "$PKI/server.pem")
	# a single --chain certificate with a store's target once crashed
	# (clang-tidy: the array of extra certificates was not allocated)
	ecj verify-root --thumbprint "$t" --chain "$PKI/sub.pem"
	assert_code 0 ok
	assert_equal "$(jf '.chain[1].section')" null
	ecj verify-root --thumbprint "$t"
	assert_code 1 untrusted
}

@test "verify-root: a self-signed certificate in the file is no anchor" {
	ecj verify-root --cert "$PKI/server.pem" --chain chain.pem
	assert_code 1 untrusted
	assert_equal "$(jf .anchor)" null
	run openssl verify -CAfile /dev/null -untrusted chain.pem "$PKI/server.pem"
	assert_failure
}

@test "verify-root: an expired certificate is expired" {
	import_chain
	ecj verify-root --cert "$PKI/expired.pem"
	assert_code 1 expired
	assert_equal "$(jf '.reasons | join(",")')" expired
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" "$PKI/expired.pem"
	assert_failure
	assert_output --partial "certificate has expired"
}

@test "verify-root: --at before not_before is not-yet-valid, after not_after expired" {
	import_chain
	ecj verify-root --cert "$PKI/server.pem" --at 2020-01-01
	assert_code 1 not-yet-valid
	assert_equal "$(jf .verified_at)" 2020-01-01T00:00:00Z
	assert_equal "$(jf '.reasons | join(",")')" not-activated
	run openssl verify -attime 1577836800 -CAfile "$PKI/root.pem" \
		-untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_failure
	assert_output --partial "not yet valid"
	ecj verify-root --cert "$PKI/server.pem" --at @4102444800
	assert_code 1 expired
	assert_equal "$(jf .verified_at)" 2100-01-01T00:00:00Z
	run openssl verify -attime 4102444800 -CAfile "$PKI/root.pem" \
		-untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_failure
	assert_output --partial "expired"
}

@test "verify-root: --at accepts ISO 8601 forms and the expired certificate was valid in 2020" {
	import_chain
	ecj verify-root --cert "$PKI/expired.pem" --at 2020-06-01T12:00:00Z --hostname expired.example.test
	# the CAs are younger than 2020: not-activated on them, expired not
	assert_code 1 not-yet-valid
	assert_equal "$(jf '.reasons | index("expired")')" null
	run openssl verify -attime "$(date -u -d 2020-06-01T12:00:00Z +%s)" \
		-CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" "$PKI/expired.pem"
	assert_failure
	assert_output --partial "not yet valid"
	ecj verify-root --cert "$PKI/server.pem" --at "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%S+00:00)"
	assert_code 0 ok
	run openssl verify -attime "$(date -u -d '+1 day' +%s)" \
		-CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_success
	ecj verify-root --cert "$PKI/server.pem" --at yesterday
	assert_code 2 usage
}

@test "verify-root: --at @0 is 1970, not now; a fraction of a second is taken" {
	import_chain
	ecj verify-root --cert "$PKI/server.pem" --at @0
	assert_code 1 not-yet-valid
	assert_equal "$(jf .verified_at)" 1970-01-01T00:00:00Z
	run openssl verify -attime 0 -CAfile "$PKI/root.pem" \
		-untrusted "$PKI/sub.pem" "$PKI/server.pem"
	assert_failure
	assert_output --partial "not yet valid"
	# as JavaScript's toISOString writes it, and with a comma and a zone
	t=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%S)
	ecj verify-root --cert "$PKI/server.pem" --at "$t.250Z"
	assert_code 0 ok
	assert_equal "$(jf .verified_at)" "${t}Z"
	ecj verify-root --cert "$PKI/server.pem" --at 2020-01-01T02:00:00,5+02:00
	assert_code 1 not-yet-valid
	assert_equal "$(jf .verified_at)" 2020-01-01T00:00:00Z
	ecj verify-root --cert "$PKI/server.pem" --at 2020-01-01T00:00:00.Z
	assert_code 2 usage
}

@test "verify-root: --at takes a zone of digits only, and reports the time in UTC" {
	import_chain
	for z in +02:00 -0130 +05 Z ''; do
		ecj verify-root --cert "$PKI/server.pem" --at "2030-01-01T12:00:00$z"
		assert_equal "$(jf .verified_at)" \
			"$(date -u -d "2030-01-01T12:00:00${z:-Z}" +%Y-%m-%dT%H:%M:%SZ)"
	done
	# sscanf's %2d once took a sign for a digit: "+-1:-5" was 13:05Z
	for z in +-1:-5 '+ 1:30' +1:30 +5 +02:0 +24:00 +02:60 +02:00x -; do
		ecj verify-root --cert "$PKI/server.pem" --at "2030-01-01T12:00:00$z"
		assert_code 2 usage
	done
}

@test "verify-root: a wrong host name is name-mismatch, the IP address in the SAN matches" {
	import_chain
	cat "$PKI/server.pem" "$PKI/sub.pem" > s.pem
	ecj verify-root --cert "$PKI/server.pem" --hostname www.example.test
	assert_code 1 name-mismatch
	assert_equal "$(jf '.reasons | join(",")')" name-mismatch
	ct_verify "$PKI/root.pem" s.pem --verify-hostname www.example.test
	assert_failure
	assert_output --partial "does not match"
	ecj verify-root --cert "$PKI/server.pem" --hostname 127.0.0.1
	assert_code 0 ok
	ct_verify "$PKI/root.pem" s.pem --verify-hostname 127.0.0.1
	assert_success
	ecj verify-root --cert "$PKI/server.pem" --hostname 127.0.0.2
	assert_code 1 name-mismatch
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" \
		-verify_ip 127.0.0.2 "$PKI/server.pem"
	assert_failure
}

@test "verify-root: wildcards and IPv6 addresses as GnuTLS and openssl match them" {
	edgecert import-chain --in "$PKI/ossl-root.pem" -q > /dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout wc.key -out wc.csr -subj "/CN=pool.example.test" 2>/dev/null
	printf 'subjectAltName=DNS:*.pool.example.test,IP:::1\nextendedKeyUsage=serverAuth\n' > wc.ext
	openssl x509 -req -in wc.csr -CA "$PKI/ossl-root.pem" -CAkey "$PKI/ossl-root.key" \
		-set_serial 50 -days 30 -extfile wc.ext -out wc.pem 2>/dev/null
	# name, edgecert's code, openssl's verdict (the CN is not looked at:
	# there is a SAN)
	while read -r h want ossl; do
		ecj verify-root --cert wc.pem --hostname "$h"
		assert_equal "$h: $(jf .code)" "$h: $want"
		case $h in *:*|127.*) o=-verify_ip ;; *) o=-verify_hostname ;; esac
		if openssl verify -CAfile "$PKI/ossl-root.pem" $o "$h" wc.pem >/dev/null 2>&1; then
			got=ok
		else
			got=fail
		fi
		assert_equal "$h: openssl $got" "$h: openssl $ossl"
	done <<'T'
a.pool.example.test ok ok
A.POOL.Example.Test ok ok
a.b.pool.example.test name-mismatch fail
pool.example.test name-mismatch fail
::1 ok ok
0:0:0:0:0:0:0:1 usage ok
127.0.0.1 name-mismatch fail
T
}

@test "verify-root: a client certificate is purpose-mismatch for server, trusted for client" {
	import_chain
	cat "$PKI/client.pem" "$PKI/sub.pem" > c.pem
	ecj verify-root --cert "$PKI/client.pem"
	assert_code 1 purpose-mismatch
	assert_equal "$(jf '.reasons | join(",")')" purpose-mismatch
	ct_verify "$PKI/root.pem" c.pem --verify-purpose 1.3.6.1.5.5.7.3.1
	assert_failure
	ecj verify-root --cert "$PKI/client.pem" --purpose client
	assert_code 0 ok
	ct_verify "$PKI/root.pem" c.pem --verify-purpose 1.3.6.1.5.5.7.3.2
	assert_success
	ecj verify-root --cert "$PKI/client.pem" --purpose any
	assert_code 0 ok
	ct_verify "$PKI/root.pem" c.pem
	assert_success
	ecj verify-root --cert "$PKI/client.pem" --purpose 1.3.6.1.5.5.7.3.1
	assert_code 1 purpose-mismatch
	run openssl verify -purpose sslserver -CAfile "$PKI/root.pem" \
		-untrusted "$PKI/sub.pem" "$PKI/client.pem"
	assert_failure
	ecj verify-root --cert "$PKI/client.pem" --purpose tls
	assert_code 2 usage
}

@test "verify-root: a certificate revoked by a CRL imported with import-chain is revoked" {
	cat chain.pem "$PKI/sub.crl" > withcrl.pem
	edgecert import-chain --in withcrl.pem -q > /dev/null
	ecj verify-root --cert "$PKI/revoked.pem"
	assert_code 1 revoked
	assert_equal "$(jf '.reasons | join(",")')" revoked
	cat "$PKI/revoked.pem" "$PKI/sub.pem" > r.pem
	ct_verify "$PKI/root.pem" r.pem --load-crl "$PKI/sub.crl"
	assert_failure
	assert_output --partial "revoked"
	# the server certificate of the same CA is not on the list
	ecj verify-root --cert "$PKI/server.pem"
	assert_code 0 ok
	cat "$PKI/server.pem" "$PKI/sub.pem" > s.pem
	ct_verify "$PKI/root.pem" s.pem --load-crl "$PKI/sub.crl"
	assert_success
}

@test "verify-root: --crl FILE revokes without importing" {
	import_chain
	ecj verify-root --cert "$PKI/revoked.pem" --crl "$PKI/sub.crl"
	assert_code 1 revoked
	run openssl verify -crl_check -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" \
		-CRLfile "$PKI/sub.crl" "$PKI/revoked.pem"
	assert_failure
	assert_output --partial "revoked"
	ecj verify-root --cert "$PKI/revoked.pem" --crl "$PKI/sub-empty.crl"
	assert_code 0 ok
	run openssl verify -crl_check -CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" \
		-CRLfile "$PKI/sub-empty.crl" "$PKI/revoked.pem"
	assert_success
	assert_equal "$(ls "$EDGECERT_STORE/crl" | wc -l)" 0
}

@test "verify-root: a CRL past its next update is revocation-data-superseded" {
	import_chain
	ecj verify-root --cert "$PKI/server.pem" --crl "$PKI/sub-empty.crl" \
		--at "$(date -u -d '+60 days' +%Y-%m-%d)"
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" revocation-data-superseded
	run openssl verify -crl_check -attime "$(date -u -d '+60 days' +%s)" \
		-CAfile "$PKI/root.pem" -untrusted "$PKI/sub.pem" \
		-CRLfile "$PKI/sub-empty.crl" "$PKI/server.pem"
	assert_failure
	assert_output --partial "CRL has expired"
}

@test "verify-root: a path longer than the issuing CA's path length is untrusted" {
	import_chain
	ecj verify-root --cert "$PKI/deep.pem" --chain "$PKI/subsub.pem"
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" signer-constraints-failure
	cat "$PKI/deep.pem" "$PKI/subsub.pem" "$PKI/sub.pem" > d.pem
	ct_verify "$PKI/root.pem" d.pem
	assert_failure
	assert_output --partial "constraints"
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/subsub.pem" \
		-untrusted "$PKI/sub.pem" "$PKI/deep.pem"
	assert_failure
	assert_output --partial "path length"
}

@test "verify-root: a name outside the CA's name constraints is untrusted" {
	store_put root "$PKI/root.pem" > /dev/null
	ecj verify-root --cert "$PKI/nc-good.pem" --chain "$PKI/nc-ca.pem"
	assert_code 0 ok
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/nc-ca.pem" "$PKI/nc-good.pem"
	assert_success
	ecj verify-root --cert "$PKI/nc-bad.pem" --chain "$PKI/nc-ca.pem"
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" signer-constraints-failure,name-constraints-violated
	cat "$PKI/nc-bad.pem" "$PKI/nc-ca.pem" > n.pem
	ct_verify "$PKI/root.pem" n.pem
	assert_failure
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$PKI/nc-ca.pem" "$PKI/nc-bad.pem"
	assert_failure
	assert_output --partial "permitted subtree violation"
}

@test "verify-root: an MD5-signed certificate is insecure-algorithm at every profile" {
	store_put root "$PKI/md5-root.pem" > /dev/null
	ecj verify-root --cert "$PKI/md5-leaf.pem"
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ecj verify-root --cert "$PKI/md5-leaf.pem" --verify-profile low
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ct_verify "$PKI/md5-root.pem" "$PKI/md5-leaf.pem"
	assert_failure
	assert_output --partial "insecure algorithm"
	ct_verify "$PKI/md5-root.pem" "$PKI/md5-leaf.pem" --verify-profile low
	assert_failure
	assert_output --partial "insecure algorithm"
}

@test "verify-root: a SHA-1-signed certificate is insecure-algorithm unless --verify-profile low" {
	store_put root "$PKI/md5-root.pem" > /dev/null
	openssl req -new -newkey rsa:2048 -nodes -keyout l.key -out l.csr \
		-subj "/CN=sha1.example.test" 2>/dev/null
	printf 'subjectAltName=DNS:sha1.example.test\n' > l.ext
	openssl x509 -req -sha1 -in l.csr -CA "$PKI/md5-root.pem" \
		-CAkey "$PKI/md5-root.key" -set_serial 41 -days 30 -extfile l.ext \
		-out l.pem 2>/dev/null
	ecj verify-root --cert l.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	# GnuTLS refuses SHA-1 at every profile unless told (certtool has
	# no option for that alone); openssl's default level takes it
	ct_verify "$PKI/md5-root.pem" l.pem
	assert_failure
	assert_output --partial "insecure algorithm"
	ecj verify-root --cert l.pem --verify-profile low
	assert_code 0 ok
	run openssl verify -CAfile "$PKI/md5-root.pem" l.pem
	assert_success
}

@test "verify-root: an RSA key under 2048 bits is insecure-algorithm unless --verify-profile low" {
	store_put root "$PKI/md5-root.pem" > /dev/null
	# a leaf with RSA-1024 under the RSA-2048 root
	openssl req -new -newkey rsa:1024 -nodes -keyout w.key -out w.csr \
		-subj "/CN=weak.example.test" 2>/dev/null
	printf 'subjectAltName=DNS:weak.example.test\n' > w.ext
	openssl x509 -req -in w.csr -CA "$PKI/md5-root.pem" -CAkey "$PKI/md5-root.key" \
		-set_serial 41 -days 30 -extfile w.ext -out w.pem 2>/dev/null
	ecj verify-root --cert w.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ct_verify "$PKI/md5-root.pem" w.pem --verify-profile medium
	assert_failure
	assert_output --partial "insecure algorithm"
	ecj verify-root --cert w.pem --verify-profile low
	assert_code 0 ok
	ct_verify "$PKI/md5-root.pem" w.pem --verify-profile low
	assert_success
	# and an RSA-1024 root above a P-256 leaf
	openssl req -x509 -newkey rsa:1024 -nodes -keyout wr.key -out wr.pem -days 30 \
		-subj "/CN=Weak Root" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout l.key -out l.csr -subj "/CN=weak.example.test" 2>/dev/null
	openssl x509 -req -in l.csr -CA wr.pem -CAkey wr.key -set_serial 3 -days 30 \
		-extfile w.ext -out l.pem 2>/dev/null
	store_put root wr.pem > /dev/null
	ecj verify-root --cert l.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ct_verify wr.pem l.pem --verify-profile medium
	assert_failure
	assert_output --partial "insecure algorithm"
	ecj verify-root --cert l.pem --verify-profile low
	assert_code 0 ok
	ct_verify wr.pem l.pem --verify-profile low
	assert_success
}

@test "verify-root: an openssl-made chain is trusted as openssl says" {
	edgecert import-chain --in "$PKI/ossl-root.pem" -q > /dev/null
	ecj verify-root --cert "$PKI/ossl-leaf.pem" --chain "$PKI/ossl-sub.pem" \
		--hostname ossl-leaf.example.test
	assert_code 0 ok
	assert_equal "$(jf '.chain | length')" 3
	run openssl verify -CAfile "$PKI/ossl-root.pem" -untrusted "$PKI/ossl-sub.pem" \
		-verify_hostname ossl-leaf.example.test "$PKI/ossl-leaf.pem"
	assert_success
}

@test "verify-root: --system-trust uses the system's roots" {
	local amazon=/usr/lib/python3/dist-packages/cryptography_vectors/pkcs7/amazon-roots.p7b
	openssl pkcs7 -inform DER -in "$amazon" -print_certs |
		awk '/BEGIN/{n++} n==1' > a1.pem
	run openssl verify -CApath /etc/ssl/certs a1.pem
	assert_success
	ecj verify-root --cert a1.pem --purpose any
	assert_code 1 untrusted
	run openssl verify -no-CAfile -no-CApath -no-CAstore a1.pem
	assert_failure
	ecj verify-root --cert a1.pem --purpose any --system-trust
	assert_code 0 ok
	assert_equal "$(jf .anchor.thumbprint)" "$(sha1 a1.pem)"
}

@test "verify-root: --verify-profile high refuses what medium takes" {
	store_put root "$PKI/md5-root.pem" > /dev/null
	# an RSA-2048 root: 112 bits, under high's 128
	openssl req -new -newkey rsa:2048 -nodes -keyout l.key -out l.csr \
		-subj "/CN=rsa.example.test" 2>/dev/null
	printf 'subjectAltName=DNS:rsa.example.test\n' > l.ext
	openssl x509 -req -in l.csr -CA "$PKI/md5-root.pem" -CAkey "$PKI/md5-root.key" \
		-set_serial 40 -days 30 -extfile l.ext -out l.pem 2>/dev/null
	ecj verify-root --cert l.pem
	assert_code 0 ok
	ct_verify "$PKI/md5-root.pem" l.pem --verify-profile medium
	assert_success
	ecj verify-root --cert l.pem --verify-profile high
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ct_verify "$PKI/md5-root.pem" l.pem --verify-profile high
	assert_failure
	ecj verify-root --cert l.pem --verify-profile ultra
	assert_code 2 usage
}

@test "verify-root: one certificate must be named" {
	ecj verify-root
	assert_code 2 usage
	ecj verify-root --cert "$PKI/server.pem" --thumbprint abcdef01
	assert_code 2 usage
	ecj verify-root --cert nonexistent.pem
	assert_code 3 bad-input
}

@test "verify-root: the reasons of the man page, the schema and the binary are one vocabulary" {
	# GnuTLS' flags by name, and every reason edgecert's own checks add
	# (ec_reasons_add with a literal name, pathcheck.h)
	code=$( { sed -n '/reason_names\[\] = {/,/^};/p' "$EC_ROOT/core/check/verify.c" |
		grep -o '"[a-z-]*"' | tr -d '"'; echo invalid
		grep -rho --include='*.c' 'ec_reasons_add([^"]*"[a-z0-9-]*"' "$EC_ROOT/core" |
			grep -o '"[a-z0-9-]*"' | tr -d '"'; } | sort -u)
	page=$(sed -n '/^\.B reasons$/,/^\.RE$/p' "$EC_ROOT/man/edgecert-verify-root.1" |
		sed -n '/^\.TP$/{n;p}' | sed 's/^\.BR\? //; s/\\-/-/g; s/"//g; s/, / /g' |
		tr ' ' '\n' | grep -v '^$' | sort)
	schema=$(jq -r '."$defs".reason.enum[]' "$EC_ROOT/man/edgecert-status.schema.json" | sort)
	[ "$(printf '%s\n' "$code" | wc -l)" -ge 17 ]
	assert_equal "$page" "$code"
	assert_equal "$schema" "$code"
}

@test "verify-root: the man page SYNOPSIS agrees with --help" {
	run edgecert verify-root --help
	assert_success
	local syn use
	syn=$(MANWIDTH=200 man -l "$EC_ROOT/man/edgecert-verify-root.1" 2>/dev/null |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	use=$(printf '%s\n' "$output" | sed -n '1,/^$/p' | sed 's/^usage: //' |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	assert_equal "$syn" "$use"
}
