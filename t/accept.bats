#!/usr/bin/env bats
# edgecert accept: the answer of a CA that nobody here wrote (openssl, run
# by scripts/test-ca) to a pending request, in every form a CA hands out.

load helper

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
}

sign() {
	ca_sign "$CA" "$@"
}

# request NAME [ARGS]: a pending request for NAME.example.test in NAME.csr
request() {
	local n=$1
	shift
	ecj request --cn "$n.example.test" --out "$n.csr" "$@"
	assert_success
}

@test "accept: a DER .cer brings the certificate to its key; the request is gone" {
	request vip --dns edge1.example.test --name "Edge VIP" --exportable
	id=$(jf .id)
	sign vip.csr vip.cer der
	ecj accept --in vip.cer
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .id)" "$id"
	t=$(jf .certificate.thumbprint)
	assert_equal "$t" "$(openssl x509 -inform DER -in vip.cer -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g' | tr A-F a-f)"
	assert_equal "$(jf .certificate.section)" personal
	assert_equal "$(jf .certificate.friendly_name)" "Edge VIP"
	assert_equal "$(jf .certificate.exportable)" true
	assert_equal "$(jf .certificate.has_private_key)" true
	assert_equal "$(jf -c .certificate.dns_names)" '["edge1.example.test","vip.example.test"]'
	assert_equal "$(jf -c .differences)" '[]'
	# the chain is not in the answer nor the store: not trusted, said so
	assert_equal "$(jf .trusted)" false
	[[ "$(jf '.warnings[0]')" == *"does not verify to a trusted root"* ]]
	# the key moved with mode 0600 and belongs to the certificate
	assert_equal "$(stat -c %a "$EDGECERT_STORE/personal/$t.key")" 600
	assert_equal "$(openssl pkey -in "$EDGECERT_STORE/personal/$t.key" -pubout)" \
		"$(openssl x509 -inform DER -in vip.cer -noout -pubkey)"
	assert_equal "$(ls "$EDGECERT_STORE/pending")" ""
	ecj list --section pending
	assert_equal "$(jf .count)" 0
}

@test "accept: a .p7b puts the intermediate in place; the root only with --trust-root" {
	request vip
	sign vip.csr vip.p7b p7b
	ecj accept --in vip.p7b
	assert_success
	assert_equal "$(jf '.certificates[] | select(.subject | startswith("CN=Test Issuing")) | .action')" added
	assert_equal "$(jf '.certificates[] | select(.subject | startswith("CN=Test Offline")) | .action')" skipped
	assert_equal "$(jf .trusted)" false
	assert_equal "$(ls "$EDGECERT_STORE/root")" ""
	# again with --trust-root: the accept is done, the root joins
	ecj accept --in vip.p7b --trust-root
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .trusted)" true
	assert_equal "$(jf .chain[2].subject)" "CN=Test Offline Root CA,DC=example,DC=test"
	ecj verify-root --name vip.example.test
	assert_success
	# openssl agrees with the store's verdict
	t=$(jf .chain[0].thumbprint)
	run openssl verify -CAfile "$CA/root.pem" -untrusted "$CA/sub.pem" \
		"$EDGECERT_STORE/personal/$t.pem"
	assert_success
}

@test "accept: a second accept of the same answer changes nothing" {
	request vip
	sign vip.csr vip.p7b p7b
	ecj accept --in vip.p7b --trust-root
	assert_success
	before=$(store_snapshot)
	ecj accept --in vip.p7b --trust-root
	assert_success
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .certificate.has_private_key)" true
	assert_equal "$(store_snapshot)" "$before"
}

@test "accept: --check says what would happen and writes nothing" {
	request vip
	sign vip.csr vip.pem pem
	before=$(store_snapshot)
	ecj accept --in vip.pem --check
	assert_success
	assert_equal "$(jf .changed)" true
	[[ "$(jf .message)" == "would accept"* ]]
	assert_equal "$(store_snapshot)" "$before"
}

@test "accept: the certificate in the middle of a base64 .p7b labelled CERTIFICATE" {
	request vip
	sign vip.csr vip.p7b p7b-pem
	head -1 vip.p7b | grep -q "BEGIN CERTIFICATE"
	# test-ca puts the root first, the issued certificate second
	ecj accept --in vip.p7b --trust-root
	assert_success
	assert_equal "$(jf .certificate.subject)" "CN=vip.example.test"
	assert_equal "$(jf .trusted)" true
}

@test "accept: a PEM bundle, certificate first, and standard input" {
	request vip
	sign vip.csr vip.bundle bundle
	ecj accept --in - --trust-root < vip.bundle
	assert_success
	assert_equal "$(jf .certificate.subject)" "CN=vip.example.test"
	assert_equal "$(jf .trusted)" true
}

@test "accept: of two pending requests the one with the certificate's key is taken" {
	request one --name One
	one=$(jf .id)
	request two --name Two
	two=$(jf .id)
	sign two.csr two.cer der
	ecj accept --in two.cer
	assert_success
	assert_equal "$(jf .id)" "$two"
	assert_equal "$(jf .certificate.friendly_name)" Two
	ecj list --section pending
	assert_equal "$(jf .count)" 1
	assert_equal "$(jf '.items[0].id')" "$one"
}

@test "accept: an answer to a cancelled request is no-pending-request and names what is pending" {
	request gone
	gone=$(jf .id)
	request stays --name Stays
	sign gone.csr gone.cer der
	ecj request --cancel "$gone" --force
	assert_success
	before=$(store_snapshot)
	ecj accept --in gone.cer
	assert_code 4 no-pending-request
	[[ "$(jf .message)" == *"pending: 'CN=stays.example.test'"* ]]
	assert_equal "$(store_snapshot)" "$before"
}

@test "accept: the match is by public key: a certificate of the pending subject with another key is no-pending-request" {
	request vip --name Mine
	id=$(jf .id)
	# the same subject and names, another key (made by openssl, not by us)
	openssl req -new -newkey rsa:2048 -nodes -keyout other.key -subj /CN=vip.example.test \
		-addext subjectAltName=DNS:vip.example.test -out other.csr 2>/dev/null
	sign other.csr other.cer der
	before=$(store_snapshot)
	ecj accept --in other.cer
	assert_code 4 no-pending-request
	[[ "$(jf .message)" == *"pending: 'CN=vip.example.test'"* ]]
	assert_equal "$(store_snapshot)" "$before"
	# the answer to the request itself, sitting after that one in a bundle
	sign vip.csr vip.pem pem
	openssl x509 -inform DER -in other.cer > both.pem
	cat vip.pem "$CA/sub.pem" >> both.pem
	ecj accept --in both.pem
	assert_success
	assert_equal "$(jf .id)" "$id"
	assert_equal "$(jf .certificate.thumbprint)" "$(sha1 vip.pem)"
	assert_equal "$(jf .certificate.friendly_name)" Mine
}

@test "accept: with nothing pending the message says so" {
	ec_fixture pki test-pki
	ecj accept --in pki/server.pem
	assert_code 4 no-pending-request
	[[ "$(jf .message)" == *"none is pending"* ]]
}

@test "accept: garbage, an empty file, a request and a CRL alone are bad input" {
	request vip
	before=$(store_snapshot)
	head -c 700 /dev/urandom > garbage
	: > empty
	for f in garbage empty vip.csr; do
		ecj accept --in "$f"
		assert_code 3 bad-input
	done
	sign vip.csr leaf.pem pem
	"$EC_ROOT/scripts/test-ca" revoke "$CA" leaf.pem crl.pem >/dev/null
	grep -q "BEGIN X509 CRL" crl.pem
	ecj accept --in crl.pem
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "'crl.pem' holds no certificate"
	ecj accept --in /nonexistent/answer.cer
	assert_code 3 bad-input
	ecj accept --in "$BATS_TEST_TMPDIR"
	assert_code 3 bad-input
	assert_equal "$(store_snapshot)" "$before"
	ecj accept
	assert_code 2 usage
}

@test "accept: what the CA changed is reported, and does not block" {
	request vip --dns edge1.example.test --name Changed
	# a CA that sets its own subject and drops the names
	openssl x509 -req -in vip.csr -CA "$CA/sub.pem" -CAkey "$CA/sub.key" \
		-set_serial 77 -days 30 -subj "/CN=other.example.test" -out vip.pem 2>/dev/null
	ecj accept --in vip.pem
	assert_success
	assert_equal "$(jf '.differences[0].field')" subject
	assert_equal "$(jf '.differences[0].requested')" "CN=vip.example.test"
	assert_equal "$(jf '.differences[0].issued')" "CN=other.example.test"
	assert_equal "$(jf '.differences[1].field')" subject_alt_name
	assert_equal "$(jf '.differences[1].requested')" "DNS:edge1.example.test,DNS:vip.example.test"
	assert_equal "$(jf '.differences[1].issued')" ""
	assert_equal "$(jf .certificate.friendly_name)" Changed
}

@test "accept: --name overrides the request's friendly name, and the CN stands in for none" {
	request a
	sign a.csr a.cer der
	ecj accept --in a.cer --name "Array cert"
	assert_success
	assert_equal "$(jf .certificate.friendly_name)" "Array cert"
	request b
	sign b.csr b.cer der
	ecj accept --in b.cer
	assert_equal "$(jf .certificate.friendly_name)" b.example.test
	assert_equal "$(jf .certificate.exportable)" false
}

@test "accept: every key type the CA signs is accepted and trusted" {
	ecj import-chain --in "$CA/chain.p7b"
	assert_success
	for kt in "rsa --bits 3072" "rsa --bits 4096" "ecdsa --curve p256" \
		  "ecdsa --curve p384" "ed25519"; do
		n=k$RANDOM
		# shellcheck disable=SC2086
		request "$n" --key-type $kt
		sign "$n.csr" "$n.cer" der
		ecj accept --in "$n.cer"
		assert_success
		assert_equal "$(jf .trusted)" true
		t=$(jf .certificate.thumbprint)
		assert_equal "$(openssl pkey -in "$EDGECERT_STORE/personal/$t.key" -pubout)" \
			"$(openssl x509 -inform DER -in "$n.cer" -noout -pubkey)"
	done
}

@test "accept: concurrent requests in one store, then their answers" {
	ecj list
	pids=()
	for c in 1 2 3 4 5 6; do
		edgecert request --cn "c$c.example.test" --key-type ecdsa --out "c$c.csr" \
			--wait 30 --format json > "c$c.json" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	ecj list --section pending
	assert_equal "$(jf .count)" 6
	for c in 1 2 3 4 5 6; do
		sign "c$c.csr" "c$c.cer" pem
		ecj accept --in "c$c.cer" --wait 30
		assert_success
		assert_equal "$(jf .certificate.subject)" "CN=c$c.example.test"
		assert_equal "$(jf .id)" "$(jq -r .id "c$c.json")"
	done
	ecj list --section pending
	assert_equal "$(jf .count)" 0
	ecj list --section personal
	assert_equal "$(jf .count)" 6
}

@test "accept: request -> CA -> accept -> verify-root -> export (only when --exportable), as openssl sees it" {
	ecj import-chain --in "$CA/chain.p7b"
	assert_success
	request edge --exportable --template WebServer
	sign edge.csr edge.cer der
	ecj accept --in edge.cer
	assert_success
	assert_equal "$(jf .trusted)" true
	t=$(jf .certificate.thumbprint)
	ecj verify-root --thumbprint "$t" --hostname edge.example.test
	assert_success
	run openssl verify -CAfile "$CA/root.pem" -untrusted "$CA/sub.pem" \
		-verify_hostname edge.example.test "$EDGECERT_STORE/personal/$t.pem"
	assert_success
	# requested --exportable: export writes it out, and openssl reads it
	printf 'pfx pw\n' > pw
	ecj export --thumbprint "$t" --out edge.pfx --password-file pw
	assert_success
	run openssl pkcs12 -in edge.pfx -passin file:pw -nodes -nocerts
	assert_success
	assert_equal "$(printf '%s\n' "$output" | openssl pkey -pubout)" \
		"$(openssl x509 -inform DER -in edge.cer -noout -pubkey)"
	# requested without it: export is refused, nothing is written
	request plain
	sign plain.csr plain.cer der
	ecj accept --in plain.cer
	assert_success
	assert_equal "$(jf .certificate.exportable)" false
	p=$(jf .certificate.thumbprint)
	ecj export --thumbprint "$p" --out plain.pfx --password-file pw
	assert_code 5 not-exportable
	assert_not_exist plain.pfx
	# the request id leads to the issued certificate: a repeated request
	# says it is issued rather than making a new key
	ecj request --cn edge.example.test --out edge2.csr --exportable --template WebServer
	assert_success
	assert_equal "$(jf .issued)" "$t"
	assert_equal "$(jf .changed)" false
}
