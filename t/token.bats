#!/usr/bin/env bats
# Keys in a PKCS#11 token: a SoftHSM2 token made for each test in its own
# directory (SOFTHSM2_CONF, softhsm2-util --init-token through
# scripts/softhsm-init), found through p11-kit's registration of SoftHSM2
# (or --token-module), with the CA of scripts/test-ca (openssl), the
# token's view through p11tool and a TLS handshake with gnutls-serv
# loading the key by its pkcs11: URL.  PINs are in files, never in argv.

bats_require_minimum_version 1.5.0
load helper

MODULE=/usr/lib/softhsm/libsofthsm2.so
TOKEN=pkcs11:token=edge

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	mkdir tokens
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$BATS_TEST_TMPDIR" > softhsm2.conf
	export SOFTHSM2_CONF="$BATS_TEST_TMPDIR/softhsm2.conf"
	echo 246810 > pin
	echo 13579111 > so-pin
	echo 999999 > bad-pin
	printf 246810 > pin.raw		# for pin-source: no line break
	export TOKEN_PIN_FILE="$BATS_TEST_TMPDIR/pin"
	"$EC_ROOT/scripts/softhsm-init" edge pin so-pin
	: > pids
}

teardown() {
	tls_server_stop
}

# p11 ARGS...: p11tool logged in to the token with the PIN of ./pin
p11() {
	GNUTLS_PIN=$(cat "$BATS_TEST_TMPDIR/pin") p11tool --login "$@"
}

# treq NAME [ARGS]: a request for NAME.example.test, its key in the token
treq() {
	local n=$1
	shift
	ecj request --token "$TOKEN" --pin-file pin --cn "$n.example.test" \
		--out "$n.csr" "$@"
}

# issue NAME [ARGS]: treq, the CA signs, accept; sets ID, T (thumbprint), URL
issue() {
	local n=$1
	shift
	treq "$n" "$@"
	assert_success
	ID=$(jf .id) URL=$(jf .key_url)
	ca_sign "$CA" "$n.csr" "$n.cer" der
	ecj accept --in "$n.cer" --pin-file pin
	assert_success
	T=$(jf .certificate.thumbprint)
}

# trust: the test CA's chain into the store
trust() {
	ecj import-chain --in "$CA/chain.p7b"
	assert_success
}

@test "token: request makes the key in the token, sensitive, not extractable; the request is signed by it" {
	treq vip --name "Edge VIP" --dns edge1.example.test
	assert_code 0 ok
	assert_equal "$(jf .key_store)" pkcs11
	assert_equal "$(jf .exportable)" false
	url=$(jf .key_url)
	[[ "$url" == pkcs11:*"token=edge"*";type=private" ]] || fail "key_url: $url"
	id=$(jf .id)
	# no key file: the pending request records the key's URL
	assert_file_not_exists "$EDGECERT_STORE/pending/$id.key"
	assert_equal "$(sed -n 's/^key_url=//p' "$EDGECERT_STORE/pending/$id.meta")" "$url"
	assert_equal "$(sed -n 's/^key_store=//p' "$EDGECERT_STORE/pending/$id.meta")" pkcs11
	# the token's own view (p11tool): a private key, sensitive, never extractable
	run p11 --list-all-privkeys "$TOKEN"
	assert_success
	assert_output --partial "Label: Edge VIP"
	assert_output --partial "CKA_SENSITIVE"
	assert_output --partial "CKA_NEVER_EXTRACTABLE"
	refute_output --partial "CKA_EXTRACTABLE;"
	assert_equal "$(echo "$output" | grep -c 'Type: Private key')" 1
	# the request verifies and carries the token's public key
	run openssl req -in vip.csr -noout -verify
	assert_success
	assert_equal "$(openssl req -in vip.csr -noout -pubkey)" "$(token_pubkey "$url")"
	ecj list --section pending
	assert_equal "$(jf '.items[0].key_store')" pkcs11
	assert_equal "$(jf '.items[0].key_url')" "$url"
	store_consistent
}

@test "token: accept links the certificate to the token's key and writes it into the token with the friendly name" {
	issue vip --name "Edge VIP"
	assert_equal "$(jf .id)" "$ID"
	assert_equal "$(jf .certificate.has_private_key)" true
	assert_equal "$(jf .certificate.key_store)" pkcs11
	assert_equal "$(jf .certificate.key_url)" "$URL"
	assert_equal "$(jf .certificate.friendly_name)" "Edge VIP"
	assert_equal "$(jf .token_certificate_written)" true
	assert_file_not_exists "$EDGECERT_STORE/personal/$T.key"
	assert_equal "$(ls "$EDGECERT_STORE/pending")" ""
	# the token holds the certificate, labelled, with the key's CKA_ID
	run p11 --list-all-certs "$TOKEN"
	assert_success
	assert_output --partial "Label: Edge VIP"
	kid=$(p11 --list-all-privkeys "$TOKEN" | sed -n 's/^[[:space:]]*ID: //p')
	assert_equal "$(echo "$output" | sed -n 's/^[[:space:]]*ID: //p')" "$kid"
	run p11 --export "$(echo "$output" | sed -n 's/^[[:space:]]*URL: //p')"
	assert_success
	assert_equal "$(echo "$output" | openssl x509 -noout -fingerprint -sha1)" \
		"$(openssl x509 -inform DER -in vip.cer -noout -fingerprint -sha1)"
	ecj list --section personal
	assert_equal "$(jf '.items[0].key_store')" pkcs11
	assert_equal "$(jf '.items[0].key_url')" "$URL"
	run edgecert list --section personal
	assert_success
	assert_output --partial "Edge VIP [key: pkcs11]"
	store_consistent
	# a second accept changes nothing, not even in the token
	ecj accept --in vip.cer --pin-file pin
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	assert_equal "$(p11 --list-all-certs "$TOKEN" | grep -c 'Type: X.509')" 1
}

@test "token: verify-root, assign with privkey.uri, and gnutls-serv serves the key by its pkcs11: URL" {
	issue vip --name "Edge VIP"
	trust
	ecj verify-root --name "Edge VIP" --hostname vip.example.test
	assert_code 0 ok
	assert_equal "$(jf .trusted)" true
	ecj assign --interface internal --name "Edge VIP" --fqdn vip.example.test --pin-file pin
	assert_code 0 ok
	assert_equal "$(jf .certificate.key_store)" pkcs11
	assert_equal "$(jf '.checks[] | select(.name == "private-key") | .outcome')" pass
	assert_equal "$(jf '.checks[] | select(.name == "key-match") | .outcome')" pass
	live=$EDGECERT_STORE/live/internal
	assert_file_not_exists "$live/privkey.pem"
	assert_equal "$(cat "$live/privkey.uri")" "$URL"
	assert_equal "$(stat -c %a "$live/privkey.uri")" 600
	store_consistent
	# a real handshake: gnutls-serv signs with the key in the token, its PIN
	# from a pin-source file (no PIN in argv or the environment)
	tls_server_start serv.log env -u GNUTLS_PIN gnutls-serv --echo -p @PORT@ \
		--x509certfile "$live/fullchain.pem" \
		--x509keyfile "$(cat "$live/privkey.uri")?pin-source=$BATS_TEST_TMPDIR/pin.raw"
	run bash -c 'timeout 20 gnutls-cli --x509cafile "$1" -p "$0" --verify-hostname vip.example.test \
		127.0.0.1 < /dev/null 2>&1' "$PORT" "$CA/root.pem"
	assert_success
	assert_output --partial "Handshake was completed"
	assert_output --partial "The certificate is trusted"
}

@test "token: export of a key the token keeps is refused by the token: not-exportable" {
	issue vip --name "Edge VIP"
	echo "pfx pass" > pw
	ecj export --name "Edge VIP" --out vip.pfx --password-file pw --pin-file pin
	assert_code 5 not-exportable
	[[ "$(jf .message)" == *"the token refuses to let the key"*"CKA_EXTRACTABLE false"* ]] ||
		fail "message: $(jf .message)"
	[[ "$stderr" == *"the token refuses"* ]] || fail "stderr: $stderr"
	assert_file_not_exists vip.pfx
	# the token says so too
	run p11 --list-all-privkeys "$TOKEN"
	refute_output --partial "CKA_EXTRACTABLE;"
}

@test "token: an exportable key in the token exports, the pfx holding that key" {
	issue vip --name "Edge VIP" --exportable
	run p11 --list-all-privkeys "$TOKEN"
	assert_output --partial "CKA_EXTRACTABLE;"
	assert_output --partial "CKA_SENSITIVE"
	echo "pfx pass" > pw
	ecj export --name "Edge VIP" --out vip.pfx --password-file pw --pin-file pin
	assert_code 0 ok
	assert_equal "$(jf .certificate.key_store)" pkcs11
	assert_equal "$(jf .certificate.exportable)" true
	openssl pkcs12 -in vip.pfx -passin file:pw -nodes -nocerts -out key.pem 2>/dev/null
	assert_equal "$(openssl pkey -in key.pem -pubout)" \
		"$(openssl x509 -inform DER -in vip.cer -noout -pubkey)"
}

@test "token: ECDSA keys, made in the token or (exportable) written into it, sign requests the CA takes; ed25519 is usage" {
	issue ec --key-type ecdsa --curve p384 --name "EC 384"
	assert_equal "$(jf .certificate.key_store)" pkcs11
	run openssl x509 -inform DER -in ec.cer -noout -text
	assert_output --partial "NIST CURVE: P-384"
	run p11 --list-all-privkeys "$TOKEN"
	assert_output --partial "EC/ECDSA-SECP384R1"
	assert_output --partial "CKA_NEVER_EXTRACTABLE"
	issue ecx --key-type ecdsa --exportable --name "EC export"
	echo pw > pw
	ecj export --name "EC export" --out ecx.pfx --password-file pw --pin-file pin
	assert_code 0 ok
	openssl pkcs12 -in ecx.pfx -passin file:pw -nodes -nocerts -out k.pem 2>/dev/null
	assert_equal "$(openssl pkey -in k.pem -pubout)" \
		"$(openssl x509 -inform DER -in ecx.cer -noout -pubkey)"
	store_consistent
	treq ed --key-type ed25519
	assert_code 2 usage
	[[ "$(jf .message)" == *"ed25519 key cannot be made in a token"* ]] || fail "$(jf .message)"
}

@test "token: a wrong PIN is bad-password (exit 3), and nothing is made" {
	ecj request --token "$TOKEN" --pin-file bad-pin --cn vip.example.test --out vip.csr
	assert_code 3 bad-password
	[[ "$(jf .message)" == *"refused the PIN"* ]] || fail "message: $(jf .message)"
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null)" ""
	run p11 --list-all-privkeys "$TOKEN"
	refute_output --partial "Type: Private key"
	# later applets too: accept and export with a wrong PIN
	issue vip
	echo pw > pw
	ecj export --thumbprint "$T" --out vip.pfx --password-file pw --pin-file bad-pin
	assert_code 3 bad-password
}

@test "token: no PIN is a usage error; a token that is not there is not-found; a bad URL is usage" {
	ecj request --token "$TOKEN" --cn vip.example.test
	assert_code 2 usage
	[[ "$(jf .message)" == *"asks for its PIN"* ]] || fail "message: $(jf .message)"
	ecj request --token pkcs11:token=absent --pin-file pin --cn vip.example.test
	assert_code 4 not-found
	ecj request --token https://edge --pin-file pin --cn vip.example.test
	assert_code 2 usage
	ecj request --token 'pkcs11:token=edge?pin-value=1' --cn vip.example.test
	assert_code 2 usage
	ecj request --token "$TOKEN" --pin-file pin --pin-env X --cn vip.example.test
	assert_code 2 usage
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null)" ""
}

@test "token: --token-module loads the module itself, --pin-env and --pin-fd give the PIN" {
	EC_PIN=$(cat pin) ecj request --token "$TOKEN" --token-module "$MODULE" \
		--pin-env EC_PIN --cn a.example.test
	assert_code 0 ok
	assert_equal "$(jf .key_store)" pkcs11
	EDGECERT_PKCS11_MODULE=$MODULE ecj request --token "$TOKEN" --pin-fd 3 \
		--cn b.example.test 3< pin
	assert_code 0 ok
	assert_equal "$(jf .key_store)" pkcs11
	ecj request --token "$TOKEN" --token-module "$BATS_TEST_TMPDIR/none.so" \
		--pin-file pin --cn c.example.test
	assert_code 4 not-found
	assert_equal "$(p11 --list-all-privkeys "$TOKEN" | grep -c 'Type: Private key')" 2
	store_consistent
}

@test "token: --check makes nothing in the token or the store" {
	before=$(p11 --list-all "$TOKEN" 2>&1 || true)
	treq vip --check
	assert_code 0 ok
	assert_equal "$(jf .key_store)" pkcs11
	assert_equal "$(jf .key_url)" null
	assert_file_not_exists vip.csr
	assert_equal "$(p11 --list-all "$TOKEN" 2>&1 || true)" "$before"
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null)" ""
}

@test "token: request --cancel takes the key out of the token" {
	treq vip
	assert_success
	id=$(jf .id)
	ecj request --cancel "$id" --force --pin-file pin
	assert_code 0 ok
	assert_equal "$(jf -c .warnings)" '[]'
	run p11 --list-all "$TOKEN"
	refute_output --partial "Type: Private key"
	refute_output --partial "Type: Public key"
	assert_equal "$(ls "$EDGECERT_STORE/pending")" ""
}

@test "token: import-pfx --token puts the key into the token, not extractable; --exportable lets it out again" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 30 \
		-subj /CN=pfx.example.test 2>/dev/null
	echo "pfx pass" > pw
	openssl pkcs12 -export -in c.pem -inkey k.pem -passout file:pw -out a.pfx -name "From PFX"
	t=$(sha1 c.pem)
	ecj import-pfx --in a.pfx --password-file pw --token "$TOKEN" --pin-file pin
	assert_code 0 ok
	assert_equal "$(jf '.certificates[0].thumbprint')" "$t"
	assert_equal "$(jf '.certificates[0].key_store')" pkcs11
	assert_equal "$(jf '.certificates[0].exportable')" false
	url=$(jf '.certificates[0].key_url')
	[[ "$url" == pkcs11:*";type=private" ]] || fail "key_url: $url"
	assert_file_not_exists "$EDGECERT_STORE/personal/$t.key"
	assert_equal "$(token_pubkey "$url")" "$(openssl pkey -in k.pem -pubout)"
	run p11 --list-all-privkeys "$TOKEN"
	assert_output --partial "Label: From PFX"
	refute_output --partial "CKA_EXTRACTABLE;"
	assert_output --partial "CKA_SENSITIVE"
	run p11 --list-all-certs "$TOKEN"
	assert_output --partial "Label: From PFX"
	store_consistent
	# again: the same key, nothing changes
	ecj import-pfx --in a.pfx --password-file pw --token "$TOKEN" --pin-file pin
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	assert_equal "$(p11 --list-all-privkeys "$TOKEN" | grep -c 'Type: Private key')" 1
	ecj export --thumbprint "$t" --out b.pfx --password-file pw --pin-file pin
	assert_code 5 not-exportable
	# an exportable one, in another store
	export EDGECERT_STORE=$BATS_TEST_TMPDIR/store2
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k2.pem -out c2.pem -days 30 \
		-subj /CN=pfx2.example.test 2>/dev/null
	openssl pkcs12 -export -in c2.pem -inkey k2.pem -passout file:pw -out c.pfx -name "PFX two"
	ecj import-pfx --in c.pfx --password-file pw --token "$TOKEN" --pin-file pin --exportable
	assert_code 0 ok
	assert_equal "$(jf '.certificates[0].exportable')" true
	ecj export --name "PFX two" --out d.pfx --password-file pw --pin-file pin
	assert_code 0 ok
	openssl pkcs12 -in d.pfx -passin file:pw -nodes -nocerts -out k3.pem 2>/dev/null
	assert_equal "$(openssl pkey -in k3.pem -pubout)" "$(openssl pkey -in k2.pem -pubout)"
	store_consistent
}

@test "token: import-pfx with a wrong PIN is bad-password and leaves store and token as they were" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 30 \
		-subj /CN=pfx.example.test 2>/dev/null
	echo "pfx pass" > pw
	openssl pkcs12 -export -in c.pem -inkey k.pem -passout file:pw -out a.pfx
	ecj import-pfx --in a.pfx --password-file pw --token "$TOKEN" --pin-file bad-pin
	assert_code 3 bad-password
	assert_equal "$(ls "$EDGECERT_STORE/personal" 2>/dev/null)" ""
	run p11 --list-all "$TOKEN"
	refute_output --partial "Type: Private key"
}

@test "token: assign refuses a certificate whose key the token does not hold" {
	issue vip --name "Edge VIP"
	trust
	# the key goes from the token behind edgecert's back
	p11 --delete --batch "$URL" >/dev/null 2>&1
	ecj assign --interface internal --name "Edge VIP" --fqdn vip.example.test --pin-file pin
	assert_code 1 no-private-key
	assert_equal "$(jf '.checks[] | select(.name == "private-key") | .outcome')" fail
	assert_file_not_exists "$EDGECERT_STORE/live/internal"
}

@test "token: a certificate whose metadata name another key in the token: key-mismatch, and store_consistent sees it" {
	issue one --name One
	one_t=$T one_url=$URL
	issue two --name Two
	trust
	store_consistent
	# point One at Two's key, by hand
	sed -i "s|^key_url=.*|key_url=$URL|" "$EDGECERT_STORE/personal/$one_t.meta"
	# (fail reports inside the helper's loop; under run its output tells)
	run store_consistent
	assert_output --partial "personal/$one_t.meta: the token's key"
	assert_output --partial "is not the certificate's"
	ecj assign --interface internal --name One --fqdn one.example.test --pin-file pin
	assert_code 1 key-mismatch
	assert_equal "$(jf '.checks[] | select(.name == "key-match") | .outcome')" fail
	assert_file_not_exists "$EDGECERT_STORE/live/internal"
	# back to its own key: assigned
	sed -i "s|^key_url=.*|key_url=$one_url|" "$EDGECERT_STORE/personal/$one_t.meta"
	ecj assign --interface internal --name One --fqdn one.example.test --pin-file pin
	assert_code 0 ok
	store_consistent
}
