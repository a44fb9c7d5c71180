#!/usr/bin/env bats
# import-chain: a CA's certification path into the store.  Every input is
# made by certtool or openssl (scripts/test-pki, scripts/test-pki-extra) or
# comes from python3-cryptography-vectors.

bats_require_minimum_version 1.5.0
load helper

VECTORS=/usr/lib/python3/dist-packages/cryptography_vectors

setup() {
	ec_setup
	pki_setup extra
	cd "$BATS_TEST_TMPDIR"
	cat "$PKI/sub.pem" "$PKI/root.pem" > chain.pem
	ROOT=$(sha1 "$PKI/root.pem")
	SUB=$(sha1 "$PKI/sub.pem")
}

# crl_id FILE.crl: the SHA-1 of the CRL's DER, per openssl.
crl_id() {
	openssl crl -in "$1" -outform DER | sha1sum | cut -d' ' -f1
}

@test "import-chain: a DER .p7b from openssl places the root and the intermediate" {
	openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out chain.p7b
	ecj import-chain --in chain.p7b
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .imported)" 2
	assert_file_exists "$EDGECERT_STORE/root/$ROOT.pem"
	assert_file_exists "$EDGECERT_STORE/ca/$SUB.pem"
	assert_equal "$(jf '.paths | length')" 1
	assert_equal "$(jf '.paths[0].complete')" true
	assert_equal "$(jf '.paths[0].anchored')" true
	assert_equal "$(jf '[.paths[0].certificates[].thumbprint] | join(" ")')" "$SUB $ROOT"
	# openssl trusts the server with exactly what the store now holds
	run openssl verify -CAfile "$EDGECERT_STORE/root/$ROOT.pem" \
		-untrusted "$EDGECERT_STORE/ca/$SUB.pem" "$PKI/server.pem"
	assert_success
}

@test "import-chain: a second import changes nothing" {
	openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out chain.p7b
	ecj import-chain --in chain.p7b
	assert_code 0 ok
	ecj import-chain --in chain.p7b
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .imported)" 0
	assert_equal "$(jf '[.certificates[].action] | unique | join(",")')" present
}

@test "import-chain: --check writes nothing and says what would change" {
	ecj import-chain --in chain.pem --check
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .imported)" 2
	assert_not_exists "$EDGECERT_STORE"
}

@test "import-chain: certtool --p7-generate bundles, PEM and DER, give the same placement" {
	certtool --p7-generate --load-certificate chain.pem --outfile c.p7b
	certtool --p7-generate --load-certificate chain.pem --outder --outfile c.p7c
	grep -q "BEGIN PKCS7" c.p7b
	ecj import-chain --in c.p7c --check
	assert_code 0 ok
	assert_equal "$(jf '[.certificates[] | .section + "/" + .thumbprint] | sort | join(" ")')" \
		"ca/$SUB root/$ROOT"
	ecj import-chain --in c.p7b
	assert_code 0 ok
	assert_equal "$(jf '[.certificates[] | .section + "/" + .thumbprint] | sort | join(" ")')" \
		"ca/$SUB root/$ROOT"
	assert_file_exists "$EDGECERT_STORE/ca/$SUB.pem"
}

@test "import-chain: a base64 .p7b labelled BEGIN CERTIFICATE (the Windows CA's) is read as PKCS#7" {
	openssl crl2pkcs7 -nocrl -certfile chain.pem |
		sed 's/PKCS7-----/CERTIFICATE-----/' > certnew.p7b
	grep -q "BEGIN CERTIFICATE" certnew.p7b
	ecj import-chain --in certnew.p7b
	assert_code 0 ok
	assert_equal "$(jf '.certificates | length')" 2
	assert_file_exists "$EDGECERT_STORE/root/$ROOT.pem"
}

@test "import-chain: a bundle without its root is an incomplete path" {
	openssl crl2pkcs7 -nocrl -certfile "$PKI/sub.pem" -out sub.p7b
	ecj import-chain --in sub.p7b
	assert_code 0 ok
	assert_equal "$(jf .complete)" false
	assert_equal "$(jf '.paths[0].complete')" false
	assert_equal "$(jf '.warnings | length')" 1
	assert_file_exists "$EDGECERT_STORE/ca/$SUB.pem"
}

@test "import-chain: --require-complete refuses an incomplete path and imports nothing" {
	openssl crl2pkcs7 -nocrl -certfile "$PKI/sub.pem" -out sub.p7b
	ecj import-chain --in sub.p7b --require-complete
	assert_code 1 untrusted
	assert_equal "$(jf '.paths[0].complete')" false
	assert_not_exists "$EDGECERT_STORE/ca/$SUB.pem"
	# not even an empty store is made
	assert_not_exists "$EDGECERT_STORE"
}

@test "import-chain: a run with nothing to import makes no store; one with something does" {
	ecj import-chain --in "$PKI/server.pem"
	assert_code 0 ok
	assert_equal "$(jf .changed)/$(jf '.certificates[0].action')" false/skipped
	assert_not_exists "$EDGECERT_STORE"
	ecj import-chain --in chain.pem
	assert_code 0 ok
	assert_equal "$(jf .changed)/$(jf .imported)" true/2
	assert_equal "$(stat -c %a "$EDGECERT_STORE")" 700
	assert_file_exists "$EDGECERT_STORE/root/$ROOT.pem"
	store_consistent
}

@test "import-chain: a path is complete when its root is already in the store" {
	store_put root "$PKI/root.pem" > /dev/null
	openssl crl2pkcs7 -nocrl -certfile "$PKI/sub.pem" -outform DER -out sub.p7b
	ecj import-chain --in sub.p7b --require-complete
	assert_code 0 ok
	assert_equal "$(jf '.paths[0].complete')" true
	assert_equal "$(jf '.paths[0].certificates[1].section')" root
	assert_equal "$(jf .imported)" 1
}

@test "import-chain: amazon-roots.p7b puts every root among the trusted roots" {
	local n
	n=$(openssl pkcs7 -inform DER -in "$VECTORS/pkcs7/amazon-roots.p7b" \
		-print_certs -noout | grep -c '^subject=')
	[ "$n" -ge 2 ]
	ecj import-chain --in "$VECTORS/pkcs7/amazon-roots.p7b"
	assert_code 0 ok
	assert_equal "$(jf '[.certificates[] | select(.section == "root")] | length')" "$n"
	assert_equal "$(jf '[.paths[] | select(.complete)] | length')" "$n"
	assert_equal "$(ls "$EDGECERT_STORE/root" | grep -c '\.pem$')" "$n"
}

@test "import-chain: a certificate without CA rights is reported and not imported" {
	cat "$PKI/server.pem" chain.pem > full.pem
	ecj import-chain --in full.pem
	assert_code 0 ok
	local srv
	srv=$(sha1 "$PKI/server.pem")
	assert_equal "$(jf ".certificates[] | select(.thumbprint == \"$srv\") | .action")" skipped
	assert_equal "$(jf ".certificates[] | select(.thumbprint == \"$srv\") | .reason")" \
		"not a CA certificate (no basicConstraints CA:TRUE)"
	assert_equal "$(jf '.paths | length')" 1
	assert_equal "$(jf '.paths[0].certificates | length')" 3
	assert_equal "$(jf '.paths[0].certificates[0].thumbprint')" "$srv"
	assert_not_exists "$EDGECERT_STORE/personal/$srv.pem"
	assert_not_exists "$EDGECERT_STORE/ca/$srv.pem"
}

@test "import-chain: --no-trust puts a self-signed certificate among the intermediates" {
	ecj import-chain --in chain.pem --no-trust
	assert_code 0 ok
	assert_file_exists "$EDGECERT_STORE/ca/$ROOT.pem"
	assert_not_exists "$EDGECERT_STORE/root/$ROOT.pem"
	assert_equal "$(jf '.paths[0].anchored')" false
}

@test "import-chain: --trust-all pins an intermediate, and verify-root trusts through it as openssl -partial_chain does" {
	ecj import-chain --in "$PKI/sub.pem" --trust-all
	assert_code 0 ok
	assert_file_exists "$EDGECERT_STORE/root/$SUB.pem"
	assert_equal "$(jf '.paths[0].complete')" true
	ecj verify-root --cert "$PKI/server.pem"
	assert_code 0 ok
	assert_equal "$(jf .anchor.thumbprint)" "$SUB"
	run openssl verify -partial_chain -CAfile "$PKI/sub.pem" "$PKI/server.pem"
	assert_success
}

@test "import-chain: a certificate in the other section is refused without --force and moved with it" {
	ecj import-chain --in chain.pem
	assert_code 0 ok
	ecj import-chain --in "$PKI/sub.pem" --trust-all
	assert_code 5 exists
	assert_output --partial "--force"
	assert_file_exists "$EDGECERT_STORE/ca/$SUB.pem"
	ecj import-chain --in "$PKI/sub.pem" --trust-all --force
	assert_code 0 ok
	assert_equal "$(jf '.certificates[0].action')" moved
	assert_file_exists "$EDGECERT_STORE/root/$SUB.pem"
	assert_not_exists "$EDGECERT_STORE/ca/$SUB.pem"
}

@test "import-chain: single DER certificates are read" {
	openssl x509 -in "$PKI/root.pem" -outform DER -out root.cer
	ecj import-chain --in root.cer
	assert_code 0 ok
	assert_file_exists "$EDGECERT_STORE/root/$ROOT.pem"
	run openssl x509 -in "$EDGECERT_STORE/root/$ROOT.pem" -noout -fingerprint -sha1
	assert_success
}

@test "import-chain: a CRL goes to crl/<sha1 of its DER>.pem once its CA is known" {
	cat chain.pem "$PKI/sub.crl" > withcrl.pem
	ecj import-chain --in withcrl.pem
	assert_code 0 ok
	local id
	id=$(crl_id "$PKI/sub.crl")
	assert_equal "$(jf '.crls[0].id')" "$id"
	assert_equal "$(jf '.crls[0].action')" added
	assert_equal "$(jf '.crls[0].revoked_count')" 1
	assert_file_exists "$EDGECERT_STORE/crl/$id.pem"
	run openssl crl -in "$EDGECERT_STORE/crl/$id.pem" -noout -CAfile "$PKI/sub.pem"
	assert_success
	ecj list --section crl
	assert_code 0 ok
	assert_equal "$(jf '.items[0].id')" "$id"
}

@test "import-chain: a DER CRL alone is imported when the store knows its CA" {
	store_put ca "$PKI/sub.pem" > /dev/null
	openssl crl -in "$PKI/sub.crl" -outform DER -out sub.crl.der
	ecj import-chain --in sub.crl.der
	assert_code 0 ok
	assert_equal "$(jf '.crls[0].action')" added
	assert_file_exists "$EDGECERT_STORE/crl/$(crl_id "$PKI/sub.crl").pem"
}

@test "import-chain: a CRL whose CA is unknown is skipped" {
	ecj import-chain --in "$PKI/sub.crl"
	assert_code 0 ok
	assert_equal "$(jf '.crls[0].action')" skipped
	assert_equal "$(jf .changed)" false
	assert_not_exists "$EDGECERT_STORE/crl/$(crl_id "$PKI/sub.crl").pem"
}

@test "import-chain: CRLs inside a PKCS#7 are imported" {
	openssl crl2pkcs7 -in "$PKI/sub.crl" -certfile chain.pem -outform DER -out withcrl.p7b
	ecj import-chain --in withcrl.p7b
	assert_code 0 ok
	assert_equal "$(jf '.crls | length')" 1
	assert_file_exists "$EDGECERT_STORE/crl/$(crl_id "$PKI/sub.crl").pem"
}

@test "import-chain: a CRL with the CA's name but another key's signature is bad input" {
	certtool --generate-privkey --key-type ecdsa --outfile other.key 2>/dev/null
	printf 'crl_next_update = 30\ncrl_number = 9\n' > crl.tmpl
	certtool --generate-crl --load-ca-certificate "$PKI/sub.pem" \
		--load-ca-privkey other.key --template crl.tmpl --outfile forged.crl 2>/dev/null
	run openssl crl -in forged.crl -noout -CAfile "$PKI/sub.pem"
	assert_output --partial "verify failure"
	cat chain.pem forged.crl > forged.pem
	ecj import-chain --in forged.pem
	assert_code 3 bad-input
	assert_output --partial "signature does not verify"
	assert_not_exists "$EDGECERT_STORE/root/$ROOT.pem"
}

@test "import-chain: an empty file is bad input" {
	: > empty.p7b
	ecj import-chain --in empty.p7b
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "'empty.p7b' is empty"
}

@test "import-chain: garbage is bad input" {
	head -c 600 /dev/urandom | tr '\0' x > junk.p7b
	printf '\001' | cat - junk.p7b > junk2.p7b
	ecj import-chain --in junk2.p7b
	assert_code 3 bad-input
	assert_output --partial "junk2.p7b"
}

@test "import-chain: enveloped data is bad input that says so" {
	ecj import-chain --in "$VECTORS/pkcs7/enveloped.pem"
	assert_code 3 bad-input
	assert_output --partial "enveloped data"
}

@test "import-chain: signed data with content is bad input" {
	echo hello > msg.txt
	openssl smime -sign -in msg.txt -signer "$PKI/server.pem" -inkey "$PKI/server.key" \
		-certfile chain.pem -nodetach -outform PEM -out signed.p7
	ecj import-chain --in signed.p7
	assert_code 3 bad-input
	assert_output --partial "signed data with"
	assert_not_exists "$EDGECERT_STORE/root/$ROOT.pem"
}

@test "import-chain: a certificate GnuTLS cannot parse fails the whole file" {
	# a good root, then the sub CA with its DER cut short
	openssl x509 -in "$PKI/sub.pem" -outform DER | head -c 200 |
		openssl base64 | { echo "-----BEGIN CERTIFICATE-----"; cat;
			echo "-----END CERTIFICATE-----"; } > cut.pem
	cat "$PKI/root.pem" cut.pem > bad.pem
	ecj import-chain --in bad.pem
	assert_code 3 bad-input
	assert_output --partial "PEM block 2 (CERTIFICATE)"
	assert_not_exists "$EDGECERT_STORE/root/$ROOT.pem"
}

@test "import-chain: a directory is bad input" {
	mkdir dir.p7b
	ecj import-chain --in dir.p7b
	assert_code 3 bad-input
}

@test "import-chain: --in is required and --trust-all excludes --no-trust" {
	ecj import-chain
	assert_code 2 usage
	ecj import-chain --in chain.pem --trust-all --no-trust
	assert_code 2 usage
}

@test "import-chain: the man page SYNOPSIS agrees with --help" {
	run edgecert import-chain --help
	assert_success
	local syn
	syn=$(MANWIDTH=200 man -l "$EC_ROOT/man/edgecert-import-chain.1" 2>/dev/null |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	local use
	use=$(printf '%s\n' "$output" | sed -n '1,/^$/p' | sed 's/^usage: //' |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	assert_equal "$syn" "$use"
}
