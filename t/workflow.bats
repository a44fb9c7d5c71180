#!/usr/bin/env bats
# The seed's two procedures on an array of three edge servers, each its
# own store, the CA run by openssl (scripts/test-ca).  Every step runs
# with --format json and the next step is decided from the records, as a
# configuration run decides; a second run of each procedure changes
# nothing; TLS clients that trust only the root shake hands with each
# server's live files.

load helper

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
	# a Windows-shaped PFX writer (GnuTLS only; see the file)
	# shellcheck disable=SC2046
	cc -std=c11 -o "$BATS_FILE_TMPDIR/winpfx" "$BATS_TEST_DIRNAME/../scripts/winpfx.c" \
		$(pkg-config --cflags --libs gnutls)
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'array pfx password\n' > pw
	CHANGES=0
	# how the old proxy's PFX opens; the form of the CA's answer
	PFX_OPTS=(--password-file pw)
	ANSWER_FORM=p7b
}

teardown() {
	tls_server_stop
}

# on EDGE APPLET ARGS...: one step on an edge server; its record is
# $output; every step must end ok; $CHANGES counts the steps that changed
on() {
	local e=$1
	shift
	ecj --store "$BATS_TEST_TMPDIR/$e" "$@"
	[ "$status" -eq 0 ] || fail "$e $1: exit $status: $output"
	[ "$(jf .code)" = ok ] || fail "$e $1: $output"
	[ "$(jf .changed)" = false ] || CHANGES=$((CHANGES + 1))
}

# handshake EDGE FQDN: gnutls-serv on the live files of EDGE's internal
# interface; openssl s_client trusting only the root checks the chain and
# the name
handshake() {
	tls_server_start serv.log gnutls-serv --port @PORT@ \
		--x509certfile "$BATS_TEST_TMPDIR/$1/live/internal/fullchain.pem" \
		--x509keyfile "$BATS_TEST_TMPDIR/$1/live/internal/privkey.pem"
	run openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CA/root.pem" \
		-verify_return_error -verify_hostname "$2" -servername "$2" </dev/null
	kill "$SPID" 2>/dev/null || true
	wait "$SPID" 2>/dev/null || true
	assert_success
	assert_output --partial "Verify return code: 0 (ok)"
}

# procedure 4.1, scripted: echoes nothing, fails on any unexpected record
procedure_41() {
	local fqdn=$1 t e
	on edge1 import-pfx --in old-proxy.pfx "${PFX_OPTS[@]}"
	t=$(jf '.certificates[] | select(.section == "personal") | .thumbprint')
	assert_equal "$(jf '.certificates[] | select(.section == "personal") | .exportable')" false
	# import-chain the root until verify-root says the CA is trusted
	for _round in 1 2; do
		ecj --store "$BATS_TEST_TMPDIR/edge1" verify-root --thumbprint "$t" --hostname "$fqdn"
		[ "$(jf .trusted)" = true ] && break
		assert_equal "$(jf .code)" untrusted
		on edge1 import-chain --in "$CA/root.pem"
	done
	assert_equal "$(jf .trusted)" true
	for e in edge2 edge3; do
		on "$e" import-pfx --in old-proxy.pfx "${PFX_OPTS[@]}"
		on "$e" import-chain --in "$CA/root.pem"
		on "$e" verify-root --thumbprint "$t" --hostname "$fqdn"
	done
	for e in edge1 edge2 edge3; do
		on "$e" assign --interface internal --thumbprint "$t" --fqdn "$fqdn"
	done
}

@test "workflow 4.1: the old access proxy's certificate, from a Windows Server 2003 style PFX" {
	fqdn=edge-int.corp.example.test
	openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj "/CN=$fqdn/O=Example Ltd" \
		-addext "subjectAltName=DNS:$fqdn" -addext "extendedKeyUsage=serverAuth,clientAuth" \
		-out old.csr 2>/dev/null
	ca_sign "$CA" old.csr old.pem pem
	cat "$CA/sub.pem" "$CA/root.pem" > chain.pem
	openssl pkcs12 -export -legacy -in old.pem -inkey old.key -certfile chain.pem \
		-name "Access proxy internal" -passout file:pw -out old-proxy.pfx
	procedure_41 "$fqdn"
	for e in edge1 edge2 edge3; do
		handshake "$e" "$fqdn"
	done
	# the whole procedure again: nothing changes
	CHANGES=0
	procedure_41 "$fqdn"
	assert_equal "$CHANGES" 0
}

@test "workflow 4.1: from a Windows-shaped PFX (RC2 cert bag, no friendlyName on it, absent password, trailing bytes)" {
	fqdn=edge-win.corp.example.test
	openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj "/CN=$fqdn/O=Example Ltd" \
		-addext "subjectAltName=DNS:$fqdn" -addext "extendedKeyUsage=serverAuth,clientAuth" \
		-out old.csr 2>/dev/null
	ca_sign "$CA" old.csr old.pem pem
	cat old.pem "$CA/sub.pem" "$CA/root.pem" > full.pem
	"$BATS_FILE_TMPDIR/winpfx" old.key full.pem old-proxy.pfx
	# the shape, as openssl sees it: RC2-40 certificates, 8 bytes too many
	openssl pkcs12 -in old-proxy.pfx -info -noout -legacy -passin pass: 2>&1 |
		grep -q 'PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC'
	assert_equal "$(openssl asn1parse -inform DER -in old-proxy.pfx 2>/dev/null | head -1 | sed 's/.*l= *\([0-9]*\).*/\1/')" \
		"$(($(stat -c %s old-proxy.pfx) - 8 - 4))"
	PFX_OPTS=(--no-password)
	procedure_41 "$fqdn"
	ecj --store "$BATS_TEST_TMPDIR/edge2" import-pfx --in old-proxy.pfx --no-password
	assert_success
	assert_equal "$(jf '[.password_used, .certificates[0].friendly_name, .certificates[0].key_container] | join("|")')" \
		"none|$fqdn|{3F2504E0-4F89-41D3-9A0C-0305E82C3301}"
	assert_equal "$(jf '[.warnings[] | select(contains("8 bytes after its DER"))] | length')" 1
	for e in edge1 edge2 edge3; do
		handshake "$e" "$fqdn"
	done
	# the whole procedure again, with an empty password file this time
	: > pw
	PFX_OPTS=(--password-file pw)
	CHANGES=0
	procedure_41 "$fqdn"
	assert_equal "$CHANGES" 0
}

# procedure 4.2, scripted
procedure_42() {
	local vip=$1 e t
	for e in edge1 edge2 edge3; do
		on "$e" import-chain --in "$CA/chain.p7b"
		on "$e" verify-root --cert "$CA/sub.pem" --purpose any
		assert_equal "$(jf .trusted)" true
	done
	on edge1 request --cn "$vip" --name "Edge pool internal" --key-type rsa --bits 2048 \
		--exportable --org "Example Ltd" --ou "Unified Communications" \
		--locality Seattle --state WA --country US --template WebServer --out pool.req
	if [ "$(jf .pending)" = true ]; then
		# the CA's part, once per request
		[ -e pool.p7b ] || ca_sign "$CA" pool.req pool.p7b "$ANSWER_FORM"
		on edge1 accept --in pool.p7b
		t=$(jf .certificate.thumbprint)
	else
		t=$(jf .issued)
	fi
	{ [ -n "$t" ] && [ "$t" != null ]; } || fail "no certificate: $output"
	on edge1 verify-root --thumbprint "$t" --hostname "$vip"
	[ -e pool.pfx ] || on edge1 export --thumbprint "$t" --out pool.pfx --password-file pw
	for e in edge2 edge3; do
		on "$e" import-pfx --in pool.pfx --password-file pw
	done
	for e in edge1 edge2 edge3; do
		on "$e" assign --interface internal --thumbprint "$t" --fqdn "$vip"
	done
	THUMB=$t
}

@test "workflow 4.2: a new internal FQDN, requested from an offline CA, spread by PFX" {
	vip=edge-pool.corp.example.test
	procedure_42 "$vip"
	t=$THUMB
	for e in edge1 edge2 edge3; do
		handshake "$e" "$vip"
	done
	# only the first server may export: the others imported it not exportable
	ecj --store "$BATS_TEST_TMPDIR/edge2" export --thumbprint "$t" --out again.pfx --password-file pw
	assert_code 5 not-exportable
	assert_not_exist again.pfx
	# the request asked for this: read back by openssl
	run openssl x509 -in "edge1/live/internal/cert.pem" -noout -subject -nameopt RFC2253
	assert_output "subject=CN=$vip,OU=Unified Communications,O=Example Ltd,L=Seattle,ST=WA,C=US"
	# the whole procedure again: nothing changes
	CHANGES=0
	procedure_42 "$vip"
	assert_equal "$CHANGES" 0
	assert_equal "$THUMB" "$t"
}

@test "workflow 4.2: the AD CS answer carries the certificate as eContent" {
	vip=edge-adcs.corp.example.test
	ANSWER_FORM=adcs
	procedure_42 "$vip"
	t=$THUMB
	# the answer is what the test says: the certificate only in the content
	assert_equal "$(openssl pkcs7 -in pool.p7b -print_certs | grep -c 'BEGIN CERT')" 2
	for e in edge1 edge2 edge3; do
		handshake "$e" "$vip"
	done
	CHANGES=0
	procedure_42 "$vip"
	assert_equal "$CHANGES" 0
	assert_equal "$THUMB" "$t"
}
