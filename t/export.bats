#!/usr/bin/env bats
# edgecert export: PKCS#12 files read back by openssl, certtool, Java's
# keytool and NSS' pk12util, and imported again.  The stores are filled by
# hand (edgecert(1), FILES) from the fixtures of scripts/test-pki and
# scripts/test-ca.

load helper

setup_file() {
	pfx_setup
	CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
	# an RSA key and its certificate from the openssl two-tier CA
	openssl req -new -newkey rsa:2048 -nodes -keyout "$CA/rsa.key" \
		-out "$CA/rsa.csr" -subj "/CN=vip.example.test" \
		-addext "subjectAltName=DNS:vip.example.test,DNS:edge1.example.test" 2>/dev/null
	ca_sign "$CA" "$CA/rsa.csr" "$CA/rsa.pem" pem
}

setup() {
	ec_setup
	pfx_setup
	CA="$BATS_FILE_TMPDIR/ca"
	cd "$BATS_TEST_TMPDIR"
	ROOT=$(store_put root "$PKI/root.pem")
	SUB=$(store_put ca "$PKI/sub.pem")
	SRV=$(store_put personal "$PKI/server.pem" "$PKI/server.key")
	meta "$SRV" "friendly_name=edge srv" exportable=true
}

# meta THUMBPRINT LINE...: the personal certificate's metadata file
meta() {
	local t=$1
	shift
	printf '%s\n' "$@" > "$EDGECERT_STORE/personal/$t.meta"
}

# exp ARGS...: export with the password of $PW
exp() {
	ecj export --password-file "$PW" "$@"
}

# subjects FILE.pfx [openssl options]: the certificates' subjects in the
# file's order
subjects() {
	local f=$1
	shift
	openssl pkcs12 -in "$f" -passin "file:$PW" -nokeys "$@" 2>/dev/null |
		sed -n 's/^subject=//p' | paste -sd '|'
}

@test "export: modern profile: openssl reads AES-256-CBC, PBKDF2-SHA256, a SHA-256 MAC, the key and the chain in order" {
	exp --name "edge srv" --out srv.pfx
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf -c '[.chain[].thumbprint]')" "[\"$SRV\",\"$SUB\",\"$ROOT\"]"
	assert_equal "$(jf .chain_mode)/$(jf .profile)/$(jf .mac)/$(jf .password_used)" full/modern/SHA256/given
	assert_equal "$(jf .output)" srv.pfx
	assert_equal "$(jf .certificate.thumbprint)/$(jf .certificate.exportable)" "$SRV/true"
	assert_equal "$(jf .message)" "exported $SRV with 3 certificates to 'srv.pfx'"
	run openssl pkcs12 -info -noout -in srv.pfx -passin "file:$PW"
	assert_success
	assert_line "MAC: sha256, Iteration 600000"
	assert_line "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256"
	assert_line "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256"
	refute_output --partial RC2
	assert_equal "$(subjects srv.pfx)" \
		"O = edgecert tests, CN = edge.example.test|O = edgecert tests, CN = Edge Test Issuing CA|O = edgecert tests, CN = Edge Test Root CA"
	openssl pkcs12 -in srv.pfx -passin "file:$PW" -nocerts -nodes -out key.pem 2>/dev/null
	assert_key_of key.pem "$PKI/server.pem"
	# the end entity is the one with the key's localKeyID (-clcerts)
	assert_equal "$(subjects srv.pfx -clcerts)" "O = edgecert tests, CN = edge.example.test"
	run openssl pkcs12 -in srv.pfx -passin "file:$PW" -nodes
	id=$(echo "$SRV" | tr a-f A-F | sed 's/../& /g; s/ $//')
	assert_equal "$(grep -c "localKeyID: $id" <<<"$output")" 2
	assert_equal "$(grep -c "friendlyName: edge srv" <<<"$output")" 2
	# the path verifies as openssl builds it
	openssl pkcs12 -in srv.pfx -passin "file:$PW" -nokeys -cacerts -out cas.pem 2>/dev/null
	openssl pkcs12 -in srv.pfx -passin "file:$PW" -nokeys -clcerts -out ee.pem 2>/dev/null
	run openssl verify -CAfile "$PKI/root.pem" -untrusted cas.pem ee.pem
	assert_output "ee.pem: OK"
	assert_equal "$(stat -c %a srv.pfx)" 600
}

@test "export: compat profile: 3DES and a SHA-1 MAC, read with openssl -legacy; never RC2" {
	exp --thumbprint "$SRV" --out srv.pfx --profile compat
	assert_success
	assert_equal "$(jf .profile)/$(jf .mac)" compat/SHA1
	run openssl pkcs12 -info -noout -legacy -in srv.pfx -passin "file:$PW"
	assert_success
	assert_line "MAC: sha1, Iteration 600000"
	assert_line "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 600000"
	assert_line "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 600000"
	refute_output --partial RC2
	refute_output --partial PBES2
	assert_equal "$(subjects srv.pfx -legacy)" \
		"O = edgecert tests, CN = edge.example.test|O = edgecert tests, CN = Edge Test Issuing CA|O = edgecert tests, CN = Edge Test Root CA"
	openssl pkcs12 -legacy -in srv.pfx -passin "file:$PW" -nocerts -nodes -out key.pem 2>/dev/null
	assert_key_of key.pem "$PKI/server.pem"
}

@test "export: certtool --p12-info reads both profiles with friendly name and key ID" {
	id=$(echo "$SRV" | tr a-f A-F | sed 's/../&:/g; s/:$//')
	for p in modern:SHA256:PBES2-AES256-CBC compat:SHA1:PKCS12-3DES-SHA1; do
		IFS=: read -r prof mac schema <<<"$p"
		exp --name "edge srv" --out "$prof.pfx" --profile "$prof"
		assert_success
		run certtool --p12-info --inder --infile "$prof.pfx" --password "$PASS"
		assert_success
		assert_line --regexp "^	MAC: $mac \("
		assert_line --regexp "^	Schema: $schema \("
		assert_equal "$(grep -c "Friendly name: edge srv" <<<"$output")" 2
		assert_equal "$(grep -c "Key ID: $id" <<<"$output")" 2
		assert_equal "$(grep -c "BEGIN CERTIFICATE" <<<"$output")" 3
		assert_equal "$(grep -c "BEGIN ENCRYPTED PRIVATE KEY" <<<"$output")" 1
		iter=$(sed -n 's/^	Iteration count: //p' <<<"$output" | head -1)
		[ "$iter" -le 600000 ]
	done
}

@test "export: keytool -list reads both profiles: one PrivateKeyEntry with the whole chain" {
	for prof in modern compat; do
		exp --name "edge srv" --out "$prof.pfx" --profile "$prof"
		assert_success
		run keytool -list -v -keystore "$prof.pfx" -storetype pkcs12 -storepass "$PASS"
		assert_success
		assert_line "Alias name: edge srv"
		assert_line "Entry type: PrivateKeyEntry"
		assert_line "Certificate chain length: 3"
		assert_equal "$(sed -n 's/^Owner: //p' <<<"$output" | paste -sd '|')" \
			"CN=edge.example.test, O=edgecert tests|CN=Edge Test Issuing CA, O=edgecert tests|CN=Edge Test Root CA, O=edgecert tests"
		fp=$(openssl x509 -in "$PKI/server.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
		assert_equal "$(sed -n 's/^	 SHA256: //p' <<<"$output" | head -1)" "$fp"
	done
}

@test "export: pk12util -l reads both profiles, and pk12util -i puts key and chain into NSS" {
	for prof in modern compat; do
		exp --name "edge srv" --out "$prof.pfx" --profile "$prof"
		assert_success
		run pk12util -l "$prof.pfx" -W "$PASS"
		assert_success
		assert_equal "$(grep -c '^Certificate' <<<"$output")" 3
		assert_line "Certificate(has private key):"
		assert_equal "$(grep -c 'Friendly Name: edge srv' <<<"$output")" 2
		assert_equal "$(sed -n 's/^        Subject: //p' <<<"$output" | paste -sd '|')" \
			'"CN=edge.example.test,O=edgecert tests"|"CN=Edge Test Issuing CA,O=edgecert tests"|"CN=Edge Test Root CA,O=edgecert tests"'
		rm -rf nss && mkdir nss
		certutil -N -d sql:nss --empty-password
		run pk12util -i "$prof.pfx" -d sql:nss -W "$PASS"
		assert_success
		run certutil -K -d sql:nss
		assert_output --regexp "<[ 0-9]+> ec +[0-9a-f]+ +edge srv"
		run certutil -L -d sql:nss
		assert_output --regexp "edge srv +u,u,u"
		assert_equal "$(grep -c "Edge Test" <<<"$output")" 2
	done
}

@test "export: --chain no-root and end-entity" {
	exp --name "edge srv" --out nr.pfx --chain no-root
	assert_success
	assert_equal "$(jf -c '[.chain[].thumbprint]')/$(jf .chain_mode)" "[\"$SRV\",\"$SUB\"]/no-root"
	assert_equal "$(subjects nr.pfx)" \
		"O = edgecert tests, CN = edge.example.test|O = edgecert tests, CN = Edge Test Issuing CA"
	exp --name "edge srv" --out ee.pfx --chain end-entity
	assert_success
	assert_equal "$(jf -c '[.chain[].thumbprint]')" "[\"$SRV\"]"
	assert_equal "$(jf .message)" "exported $SRV with 1 certificate to 'ee.pfx'"
	assert_equal "$(subjects ee.pfx)" "O = edgecert tests, CN = edge.example.test"
}

@test "export: round trip: import, export, import into a second store gives the same thumbprints and key" {
	# an RSA certificate from the openssl CA, its chain and key
	cat "$CA/sub.pem" "$CA/root.pem" > cachain.pem
	openssl pkcs12 -export -in "$CA/rsa.pem" -inkey "$CA/rsa.key" \
		-certfile cachain.pem -name "Edge internal" \
		-passout "file:$PW" -out first.pfx
	A="$BATS_TEST_TMPDIR/a" B="$BATS_TEST_TMPDIR/b"
	ecj import-pfx --store "$A" --in first.pfx --password-file "$PW" --exportable --trust-root
	assert_success
	T=$(jf '.certificates[0].thumbprint')
	assert_equal "$T" "$(sha1 "$CA/rsa.pem")"
	for prof in modern compat; do
		rm -rf "$B"
		exp --store "$A" --thumbprint "$T" --out "$prof.pfx" --profile "$prof"
		assert_success
		assert_equal "$(jf -c '[.chain[].thumbprint]')" "[\"$T\",\"$(sha1 "$CA/sub.pem")\",\"$(sha1 "$CA/root.pem")\"]"
		ecj import-pfx --store "$B" --in "$prof.pfx" --password-file "$PW" --trust-root --exportable
		assert_success
		assert_equal "$(jf '[.certificates[] | .section + ":" + .thumbprint + ":" + .action] | join(",")')" \
			"personal:$T:added,ca:$(sha1 "$CA/sub.pem"):added,root:$(sha1 "$CA/root.pem"):added"
		assert_equal "$(jf '.certificates[0].friendly_name')" "Edge internal"
		for s in personal ca root; do
			assert_equal "$s: $(cd "$B/$s" && ls -- *.pem | paste -sd,)" "$s: $(cd "$A/$s" && ls -- *.pem | paste -sd,)"
		done
		cmp "$A/personal/$T.key" "$B/personal/$T.key"
		assert_key_of "$B/personal/$T.key" "$CA/rsa.pem"
		# and the second store exports what the first did
		exp --store "$B" --thumbprint "$T" --out again.pfx --profile "$prof" --force
		assert_success
		assert_equal "$(subjects again.pfx -legacy)" "$(subjects "$prof.pfx" -legacy)"
	done
}

@test "export: a key not marked exportable is not-exportable (exit 5) and nothing is written" {
	meta "$SRV" "friendly_name=edge srv" exportable=false
	exp --name "edge srv" --out srv.pfx
	assert_code 5 not-exportable
	assert_equal "$(jf .message)" "the private key of $SRV is not marked exportable (import it with --exportable)"
	assert_not_exist srv.pfx
	assert_equal "$(ls -A | grep -v -e '^store$' -e '^separate-stderr-')" ""
	# no metadata at all: not exportable either
	rm "$EDGECERT_STORE/personal/$SRV.meta"
	exp --thumbprint "$SRV" --out srv.pfx
	assert_code 5 not-exportable
	assert_not_exist srv.pfx
	# what import-pfx brings in without --exportable
	ossl_pfx in.pfx
	ecj import-pfx --store "$BATS_TEST_TMPDIR/s2" --in in.pfx --password-file "$PW"
	exp --store "$BATS_TEST_TMPDIR/s2" --thumbprint "$SRV" --out srv.pfx
	assert_code 5 not-exportable
	assert_not_exist srv.pfx
}

@test "export: a certificate without a key is no-private-key" {
	exp --thumbprint "$SUB" --out sub.pfx
	assert_code 1 no-private-key
	assert_equal "$(jf .message)" "certificate $SUB has no private key in the store"
	assert_not_exist sub.pfx
	# a key that is not the certificate's
	cp "$PKI/client.key" "$EDGECERT_STORE/personal/$SRV.key"
	exp --thumbprint "$SRV" --out srv.pfx
	assert_code 1 key-mismatch
	assert_not_exist srv.pfx
}

@test "export: an existing --out is exists unless --force; --check writes nothing" {
	echo keep > srv.pfx
	exp --name "edge srv" --out srv.pfx
	assert_code 5 exists
	assert_equal "$(cat srv.pfx)" keep
	exp --name "edge srv" --out srv.pfx --check
	assert_code 5 exists
	exp --name "edge srv" --out new.pfx --check
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .message)" "would export $SRV with 3 certificates to 'new.pfx'"
	assert_not_exist new.pfx
	exp --name "edge srv" --out srv.pfx --force
	assert_success
	run openssl pkcs12 -in srv.pfx -passin "file:$PW" -nokeys
	assert_success
	assert_equal "$(ls -A | grep -v -e '^store$' -e '^separate-stderr-' | paste -sd,)" srv.pfx
}

@test "export: an --out that cannot be created is named in the message, not its temporary file" {
	exp --name "edge srv" --out /proc/edgecert-test.pfx
	assert_code 4 not-found
	assert_equal "$(jf .message)" "cannot write '/proc/edgecert-test.pfx': No such file or directory"
	exp --name "edge srv" --out "$BATS_TEST_TMPDIR/no/such/dir/x.pfx"
	assert_code 4 not-found
	assert_equal "$(jf .message)" "cannot open the directory of '$BATS_TEST_TMPDIR/no/such/dir/x.pfx': No such file or directory"
	run ls -A "$BATS_TEST_TMPDIR"
	refute_output --partial ".edgecert-"
}

@test "export: the file is 0600 whatever the umask" {
	umask 000
	exp --name "edge srv" --out srv.pfx
	assert_success
	assert_equal "$(stat -c %a srv.pfx)" 600
	chmod 644 srv.pfx
	exp --name "edge srv" --out srv.pfx --force
	assert_equal "$(stat -c %a srv.pfx)" 600
}

@test "export: a password is required; --no-password writes the empty one every reader takes" {
	ecj export --name "edge srv" --out srv.pfx
	assert_code 2 usage
	assert_equal "$(jf .message)" "a password is required: give --password-file, --password-env, --password-fd or, for none, --no-password"
	assert_not_exist srv.pfx
	ecj export --name "edge srv" --out srv.pfx --no-password
	assert_success
	assert_equal "$(jf .password_used)/$(jf .mac)" empty/SHA256
	run openssl pkcs12 -in srv.pfx -passin pass: -nocerts -nodes -out key.pem
	assert_success
	assert_key_of key.pem "$PKI/server.pem"
	run certtool --p12-info --inder --infile srv.pfx --empty-password
	assert_success
	run keytool -list -keystore srv.pfx -storetype pkcs12 -storepass ""
	assert_output --partial "PrivateKeyEntry"
	run pk12util -l srv.pfx -W ""
	assert_success
	ecj import-pfx --store "$BATS_TEST_TMPDIR/b" --in srv.pfx --no-password
	assert_success
	assert_equal "$(jf .password_used)/$(jf '.certificates[0].thumbprint')" "empty/$SRV"
	# the password from the environment and from a descriptor
	EC_PW="$PASS" ecj export --name "edge srv" --out env.pfx --password-env EC_PW
	assert_success
	openssl pkcs12 -in env.pfx -passin "file:$PW" -nokeys -out /dev/null
	run --separate-stderr bash -c 'edgecert export --name "edge srv" --out fd.pfx --password-fd 4 --format json 4<"$1"' _ "$PW"
	assert_record
	assert_success
	openssl pkcs12 -in fd.pfx -passin "file:$PW" -nokeys -out /dev/null
	# a password file that cannot be read is bad-input, and nothing is written
	ecj export --name "edge srv" --out nopw.pfx --password-file missing
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot open 'missing': No such file or directory"
	assert_not_exist nopw.pfx
}

@test "export: the certificate by thumbprint as Windows shows it, by name; unknown is not-found" {
	spaced=$(echo "$SRV" | tr a-f A-F | sed 's/../& /g; s/ $//')
	exp --thumbprint $'\u200e'"$spaced" --out a.pfx
	assert_success
	assert_equal "$(jf .certificate.thumbprint)" "$SRV"
	exp --thumbprint "${SRV:0:8}" --out b.pfx
	assert_success
	exp --name "nobody" --out c.pfx
	assert_code 4 not-found
	assert_not_exist c.pfx
}

@test "export: an incomplete chain is written with a warning" {
	rm "$EDGECERT_STORE/root/$ROOT.pem"
	exp --name "edge srv" --out srv.pfx
	assert_success
	assert_equal "$(jf -c '[.chain[].thumbprint]')" "[\"$SRV\",\"$SUB\"]"
	assert_equal "$(jf -c .warnings)" "[\"the chain of $SRV is incomplete: the issuer of its last certificate is not in the store\"]"
	assert_equal "$(subjects srv.pfx | tr '|' '\n' | wc -l)" 2
}

@test "export: usage errors" {
	exp --out x.pfx
	assert_code 2 usage
	assert_equal "$(jf .message)" "name a certificate with --thumbprint, --name or --interface"
	exp --name "edge srv"
	assert_code 2 usage
	assert_equal "$(jf .message)" "--out FILE is required"
	exp --name "edge srv" --out x.pfx --chain some
	assert_code 2 usage
	assert_equal "$(jf .message)" "--chain wants full, no-root or end-entity, not 'some'"
	exp --name "edge srv" --out x.pfx --profile legacy
	assert_code 2 usage
	assert_equal "$(jf .message)" "--profile wants modern or compat, not 'legacy'"
	assert_not_exist x.pfx
	run edgecert export --help
	assert_success
	assert_line --index 0 "usage: edgecert export (--thumbprint T | --name N | --interface I) --out FILE"
}
