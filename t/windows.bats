#!/usr/bin/env bats
# Real files made by Windows and AD CS (t/data/windows, sources and
# passwords in its README): what edgecert does with each, as the README
# says; then the text encodings Windows tools write, made from them.

bats_require_minimum_version 1.5.0
load helper

W="$BATS_TEST_DIRNAME/data/windows"

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR" || return 1
}

# pw TEXT: a password file holding TEXT (no newline); prints its name
pw() {
	printf '%s' "$1" > "pw.$#.${#1}"
	echo "$BATS_TEST_TMPDIR/pw.$#.${#1}"
}

# chain FILE: import-chain's record
chain() {
	ecj import-chain --in "$@"
}

# the certificates of the last record as "section/action/thumbprint" lines
placed() {
	jf '.certificates[] | "\(.section // "-")/\(.action)/\(.thumbprint)"'
}

# ossl_certs FILE: the SHA-1 thumbprints of every certificate openssl
# finds in FILE (PKCS#7 in base64 or DER, or PEM certificates), sorted
ossl_certs() {
	local f=$1 c
	{ openssl pkcs7 -in "$f" -print_certs 2>/dev/null ||
		openssl pkcs7 -inform DER -in "$f" -print_certs 2>/dev/null ||
		cat "$f"; } | awk '/BEGIN CERT/{n++} n{print > ("ossl." n ".pem")}'
	for c in ossl.*.pem; do
		sha1 "$c"
	done | sort
	rm -f ossl.*.pem
}

# the record's thumbprints, sorted
got_certs() {
	jf '.certificates[].thumbprint' | sort
}

# the store's files, for "nothing was written"
tree() {
	find "$EDGECERT_STORE" -type f ! -name .lock ! -name .commit 2>/dev/null | sort
}

@test "windows: dotnet-My.pfx (RC2-40 cert bag, CSP name): imported, named from the cert bag" {
	# the fixture is what the README says: certificates under RC2-40
	openssl pkcs12 -in "$W/dotnet-My.pfx" -info -noout -legacy -passin pass:12345 2>&1 |
		grep -q 'pbeWithSHA1And40BitRC2-CBC'
	ecj import-pfx --in "$W/dotnet-My.pfx" --password-file "$(pw 12345)"
	assert_success
	assert_equal "$(jf '[.password_used, .certificates[0].section, .certificates[0].friendly_name, .certificates[0].has_private_key] | join("/")')" \
		given/personal/MyName/true
	assert_equal "$(jf '.certificates[0].key_provider')" "Microsoft Strong Cryptographic Provider"
	assert_equal "$(jf '.certificates[0].thumbprint')" 71cb4e2b02738ad44f8b382c93bd17ba665f9914
	assert_file_exists "$EDGECERT_STORE/personal/71cb4e2b02738ad44f8b382c93bd17ba665f9914.key"
}

@test "windows: dotnet-My.noRC2.pfx: the key container's GUID is kept as key_container, not taken for the name" {
	ecj import-pfx --in "$W/dotnet-My.noRC2.pfx" --password-file "$(pw 12345)"
	assert_success
	assert_equal "$(jf '.certificates[0].friendly_name')" MyName
	assert_equal "$(jf '.certificates[0].key_container')" "{B8966AE4-4AA5-4280-B154-0CC6F0FE9843}"
	assert_equal "$(jf '.certificates[0].key_provider')" "Microsoft Strong Cryptographic Provider"
	# in the metadata, so list shows them too
	ecj list
	assert_success
	assert_equal "$(jf '.items[0] | [.friendly_name, .key_container, .key_provider] | join("|")')" \
		"MyName|{B8966AE4-4AA5-4280-B154-0CC6F0FE9843}|Microsoft Strong Cryptographic Provider"
	# the no-op re-import says the same
	ecj import-pfx --in "$W/dotnet-My.noRC2.pfx" --password-file "$(pw 12345)"
	assert_success
	assert_equal "$(jf '[.changed, .certificates[0].friendly_name, .certificates[0].key_container] | join("|")')" \
		"false|MyName|{B8966AE4-4AA5-4280-B154-0CC6F0FE9843}"
	# and the same certificate is "MyName" both ways
	rm -rf "$EDGECERT_STORE"
	ecj import-pfx --in "$W/dotnet-My.pfx" --password-file "$(pw 12345)"
	assert_equal "$(jf '.certificates[0].friendly_name')/$(jf '.certificates[0].key_container')" MyName/null
}

@test "windows: dotnet-test.pfx: leaf to personal, its CAs to ca; the root to root with --trust-root" {
	ecj import-pfx --in "$W/dotnet-test.pfx" --password-file "$(pw test)"
	assert_success
	assert_equal "$(placed | sort | tr '\n' ' ')" \
		"ca/added/32ce7ccad37c91786d830c57a78db97957bab54a ca/added/504767759fc52868ace9fbf093c5467963ab27f9 personal/added/daf5acd663545f1ebb4622bce2fc306b73ccb9c8 "
	assert_equal "$(jf '.certificates[0].friendly_name')" test.local
	rm -rf "$EDGECERT_STORE"
	ecj import-pfx --in "$W/dotnet-test.pfx" --password-file "$(pw test)" --trust-root
	assert_success
	assert_equal "$(jf '[.certificates[] | select(.thumbprint == "504767759fc52868ace9fbf093c5467963ab27f9") | .section] | join(",")')" root
}

@test "windows: dotnet-DummyTcpServer.pfx (absent password): --no-password, an empty password file or variable" {
	ecj import-pfx --in "$W/dotnet-DummyTcpServer.pfx" --no-password
	assert_success
	assert_equal "$(jf .password_used)/$(jf '.certificates[0].friendly_name')" none/mycert
	rm -rf "$EDGECERT_STORE"
	: > empty
	ecj import-pfx --in "$W/dotnet-DummyTcpServer.pfx" --password-file empty
	assert_success
	assert_equal "$(jf .password_used)" none
	assert_equal "$(jf '.certificates[0].thumbprint')" 4ae557270c6c61ed8ec4cf62d2f92955533ac1c8
	rm -rf "$EDGECERT_STORE"
	EMPTY_PW='' ecj import-pfx --in "$W/dotnet-DummyTcpServer.pfx" --password-env EMPTY_PW
	assert_success
	assert_equal "$(jf .password_used)" none
	# a password it does not have is still wrong
	ecj import-pfx --in "$W/dotnet-DummyTcpServer.pfx" --password-file "$(pw x)"
	assert_code 3 bad-password
}

@test "windows: an empty password opens the empty-password file as empty, --no-password too" {
	# the other way round: openssl's -passout pass: is the empty password
	openssl pkcs12 -in "$W/dotnet-DummyTcpServer.pfx" -passin pass: -legacy -nodes -out all.pem 2>/dev/null
	openssl pkcs12 -export -in all.pem -passout pass: -out empty.pfx
	: > empty
	ecj import-pfx --in empty.pfx --password-file empty
	assert_success
	assert_equal "$(jf .password_used)" empty
	rm -rf "$EDGECERT_STORE"
	ecj import-pfx --in empty.pfx --no-password
	assert_success
	assert_equal "$(jf .password_used)" empty
}

@test "windows: dotnet-net-contoso.com.pfx: imported with its names" {
	ecj import-pfx --in "$W/dotnet-net-contoso.com.pfx" --password-file "$(pw testcertificate)"
	assert_success
	assert_equal "$(jf '.certificates[0] | [.section, .friendly_name, (.dns_names | join(","))] | join("/")')" \
		"personal/testserver.contoso.com/testserver.contoso.com,testserver2.contoso.com,testserver3.contoso.com"
	assert_equal "$(jf '[.certificates[1].section, .certificates[1].subject] | join("/")')" "ca/CN=NDX Test Root CA"
}

@test "windows: dotnet-net-testservereku.noRC2.pfx (8 NUL bytes after the DER): imported with a warning" {
	ecj import-pfx --in "$W/dotnet-net-testservereku.noRC2.pfx" --password-file "$(pw testcertificate)"
	assert_success
	assert_equal "$(jf '.certificates[0] | [.section, .thumbprint] | join("/")')" personal/3d68c9db575e6fdb56a81ae43b014e129349e024
	assert_equal "$(jf '[.warnings[] | select(contains("after its DER"))] | join("")')" \
		"'$W/dotnet-net-testservereku.noRC2.pfx' has 8 bytes after its DER: ignored"
	# openssl reads the same file and finds the same certificate
	openssl pkcs12 -in "$W/dotnet-net-testservereku.noRC2.pfx" -passin pass:testcertificate \
		-nokeys -clcerts -out leaf.pem 2>/dev/null
	assert_equal "$(sha1 leaf.pem)" 3d68c9db575e6fdb56a81ae43b014e129349e024
	# the no-op re-import warns as well
	ecj import-pfx --in "$W/dotnet-net-testservereku.noRC2.pfx" --password-file "$(pw testcertificate)"
	assert_success
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf '[.warnings[] | select(contains("8 bytes after its DER"))] | length')" 1
}

@test "windows: a PFX whose DER itself is damaged stays bad-input, trailing bytes or not" {
	size=$(stat -c %s "$W/dotnet-net-testservereku.noRC2.pfx")
	head -c $((size - 9)) "$W/dotnet-net-testservereku.noRC2.pfx" > cut.pfx
	ecj import-pfx --in cut.pfx --password-file "$(pw testcertificate)"
	assert_code 3 bad-input
	head -c $((size - 200)) "$W/dotnet-net-testservereku.noRC2.pfx" > cut.pfx
	head -c 8 /dev/zero >> cut.pfx
	ecj import-pfx --in cut.pfx --password-file "$(pw testcertificate)"
	assert_code 3 bad-input
	assert_not_exist "$EDGECERT_STORE"
}

@test "windows: dotnet-net-testservereku.p7b (certs-only): import-chain places the root, skips the leaf" {
	chain "$W/dotnet-net-testservereku.p7b"
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/dotnet-net-testservereku.p7b")"
	assert_equal "$(placed | tr '\n' ' ')" \
		"-/skipped/3d68c9db575e6fdb56a81ae43b014e129349e024 root/added/3b279ad43d6dd459268d3f3a3d72daad4bf4d9c6 "
}

@test "windows: dotnet-certchain.p7b and .p7c (DER certs-only): the same chain placed" {
	for f in dotnet-certchain.p7b dotnet-certchain.p7c; do
		rm -rf "$EDGECERT_STORE"
		chain "$W/$f"
		assert_success
		assert_equal "$(jf .complete)" true
		assert_equal "$(placed | tr '\n' ' ')" \
			"-/skipped/daf5acd663545f1ebb4622bce2fc306b73ccb9c8 root/added/504767759fc52868ace9fbf093c5467963ab27f9 ca/added/32ce7ccad37c91786d830c57a78db97957bab54a "
	done
	assert_equal "$(got_certs)" "$(ossl_certs "$W/dotnet-certchain.p7c")"
}

@test "windows: dotnet-singlecert.p7b (one end-entity certificate): read, skipped as no CA" {
	chain "$W/dotnet-singlecert.p7b"
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/dotnet-singlecert.p7b")"
	assert_equal "$(placed)" "-/skipped/71cb4e2b02738ad44f8b382c93bd17ba665f9914"
	assert_equal "$(jf '.certificates[0].reason')" "not a CA certificate (no basicConstraints CA:TRUE)"
}

@test "windows: dotnet-empty.p7b (no certificate): bad-input, nothing written" {
	chain "$W/dotnet-empty.p7b"
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "'$W/dotnet-empty.p7b' holds no certificate or CRL"
	ecj accept --in "$W/dotnet-empty.p7b"
	assert_code 3 bad-input
	assert_not_exist "$EDGECERT_STORE"
}

@test "windows: hvasudeva_certnew.p7b (AD CS answer, certificate as eContent): CAs placed, leaf skipped" {
	# openssl lists the certificates of both places; so does edgecert
	chain "$W/hvasudeva_certnew.p7b"
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/hvasudeva_certnew.p7b")"
	assert_equal "$(jf '.certificates | length')" 3
	# the issued certificate (the content) first, skipped; its CAs placed
	assert_equal "$(jf '[.certificates[0].action, .certificates[0].subject] | join("/")')" \
		"skipped/EMAIL=dl_sdh_leads.in@capgemini.com,CN=www.sdhonaz.capgemini.com,OU=I&D,O=Capgemini,O=Capgemini,L=Hyderabad,ST=Telangana,C=IN"
	assert_equal "$(jf '[.certificates[1:][] | .section + ":" + .subject] | join("|")')" \
		"ca:CN=CapgeminiPKIIssuingCA1,DC=corp,DC=capgemini,DC=com|root:CN=CapgeminiPKIRootCA"
	# accept reads the leaf too: no pending request has its key here
	ecj accept --in "$W/hvasudeva_certnew.p7b"
	assert_code 4 no-pending-request
}

@test "windows: hvasudeva_certnew.cer and hvasudeva_interm.cer (AD CS, base64): import-chain" {
	chain "$W/hvasudeva_certnew.cer"
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/hvasudeva_certnew.cer")"
	assert_equal "$(jf '.certificates[0].action')" skipped
	assert_equal "$(jf .complete)" false
	chain "$W/hvasudeva_interm.cer"
	assert_success
	assert_equal "$(jf .complete)" true
	assert_equal "$(got_certs)" "$(ossl_certs "$W/hvasudeva_interm.cer")"
	assert_equal "$(jf '[.certificates[] | .section] | join(",")')" root,ca,ca
}

@test "windows: nwlterry_certnew.p7b (AD CS answer, DER): import-chain" {
	chain "$W/nwlterry_certnew.p7b"
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/nwlterry_certnew.p7b")"
	assert_equal "$(jf '[.certificates[] | .section + ":" + (.subject | split(",")[0])] | join("|")')" \
		"ca:CN=devops-LABDC01-CA|root:CN=LABROOTCA-CA"
}

@test "windows: simoncaio_certnew with a UTF-8 BOM and in UTF-16LE with BOM: the same root" {
	# openssl reads the UTF-8 one once the BOM is gone
	tail -c +4 "$W/simoncaio_certnew.utf8-bom.p7b" > nobom.p7b
	want=$(ossl_certs nobom.p7b)
	chain "$W/simoncaio_certnew.utf8-bom.p7b"
	assert_success
	assert_equal "$(got_certs)" "$want"
	assert_equal "$(jf '.certificates[0].section')" root
	rm -rf "$EDGECERT_STORE"
	chain "$W/simoncaio_certnew.utf16le-bom.p7b"
	assert_success
	assert_equal "$(got_certs)" "$want"
	assert_equal "$(jf '.certificates[0].section')" root
}

@test "windows: text as Windows tools write it: UTF-16BE, CRLF, text around the armour, bare base64" {
	want=$(ossl_certs "$W/hvasudeva_interm.cer")
	# UTF-16BE with a byte order mark
	{ printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE "$W/hvasudeva_interm.cer"; } > be.cer
	chain be.cer
	assert_success
	assert_equal "$(got_certs)" "$want"
	# CRLF, and text before and after the armour (certutil -dump, mail)
	{ printf 'Certificate for the edge array:\r\n\r\n'
	  sed 's/$/\r/' "$W/hvasudeva_interm.cer"
	  printf '\r\nRegards, the PKI team\r\n'; } > crlf.cer
	rm -rf "$EDGECERT_STORE"
	chain crlf.cer
	assert_success
	assert_equal "$(got_certs)" "$want"
	# bare base64 of a DER PKCS#7, as [Convert]::ToBase64String writes it
	base64 -w 0 "$W/nwlterry_certnew.p7b" > bare.p7b
	rm -rf "$EDGECERT_STORE"
	chain bare.p7b
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/nwlterry_certnew.p7b")"
	# UTF-16 of an odd length is bad-input, nothing written
	rm -rf "$EDGECERT_STORE"
	{ cat be.cer; printf 'x'; } > odd.cer
	chain odd.cer
	assert_code 3 bad-input
	assert_output --partial "odd number of bytes"
	assert_not_exist "$EDGECERT_STORE"
}

@test "windows: a PFX as base64 in UTF-16LE (PowerShell Out-File), and verify-root --cert in UTF-16LE" {
	{ printf '\xff\xfe'; base64 -w 76 "$W/dotnet-DummyTcpServer.pfx" | sed 's/$/\r/' |
		iconv -f UTF-8 -t UTF-16LE; } > ps.pfx.txt
	ecj import-pfx --in ps.pfx.txt --no-password
	assert_success
	assert_equal "$(jf '.certificates[0].thumbprint')" 4ae557270c6c61ed8ec4cf62d2f92955533ac1c8
	# the root of testservereku.p7b, saved by Out-File
	openssl pkcs7 -inform DER -in "$W/dotnet-net-testservereku.p7b" -print_certs |
		awk '/BEGIN CERT/{n++} n==2' > root.pem
	{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE root.pem; } > root16.cer
	ecj verify-root --cert root16.cer --purpose any
	assert_code 1 untrusted
	assert_equal "$(jf .message)" "'CN=NDX Test Root CA' is not trusted: signer-not-found"
	ecj import-chain --in "$W/dotnet-net-testservereku.p7b"
	ecj verify-root --cert root16.cer --purpose any
	assert_success
	assert_equal "$(jf .trusted)" true
}

@test "windows: accept takes the issued certificate from an AD CS answer's eContent (UTF-16LE, as saved by PowerShell)" {
	ca_setup ca
	ecj request --cn edge.example.test --name "Edge internal" --out edge.req
	assert_success
	ca_sign ca edge.req edge.p7b adcs
	# the issued certificate is only in the content: openssl's list is
	# the chain, its asn1parse finds the certificate in the OCTET STRING
	assert_equal "$(ossl_certs edge.p7b | wc -l)" 2
	off=$(openssl asn1parse -in edge.p7b | awk '/d=5 .*OCTET STRING/ { sub(":.*", ""); print $1 + 0; exit }')
	openssl asn1parse -in edge.p7b -strparse "$off" -noout -out issued.der
	openssl x509 -inform DER -in issued.der -out issued.pem
	{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE edge.p7b; } > edge16.p7b
	ecj import-chain --in ca/chain.p7b
	assert_success
	ecj accept --in edge16.p7b
	assert_success
	assert_equal "$(jf '.certificate.friendly_name')" "Edge internal"
	assert_equal "$(jf '.certificate.has_private_key')" true
	assert_equal "$(jf '.certificate.thumbprint')" "$(sha1 issued.pem)"
}

@test "windows: a DER certificate or .p7b padded with NUL bytes: read, with a warning that counts them" {
	openssl pkcs7 -inform DER -in "$W/dotnet-net-testservereku.p7b" -print_certs |
		awk '/BEGIN CERT/{n++} n==2' > root.pem
	openssl x509 -in root.pem -outform DER -out root.cer
	{ cat root.cer; head -c 5 /dev/zero; } > padded.cer
	ecj verify-root --cert padded.cer --purpose any
	assert_code 1 untrusted
	assert_equal "$(jf -c .warnings)" "[\"'padded.cer' has 5 bytes after its DER: ignored\"]"
	{ cat "$W/dotnet-certchain.p7b"; head -c 8 /dev/zero; } > padded.p7b
	chain padded.p7b
	assert_success
	assert_equal "$(got_certs)" "$(ossl_certs "$W/dotnet-certchain.p7b")"
	assert_equal "$(jf -c .warnings)" "[\"'padded.p7b' has 8 bytes after its DER: ignored\"]"
	# a DER cut short stays bad-input
	head -c 300 root.cer > cut.cer
	chain cut.cer
	assert_code 3 bad-input
}

@test "windows: certutil's request (BEGIN NEW CERTIFICATE REQUEST, UTF-16LE) is decoded and named, not taken for a bundle" {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout r.key \
		-subj "/CN=edge.example.test" -outform DER -out r.der 2>/dev/null
	{ printf '\xff\xfe'
	  { echo "-----BEGIN NEW CERTIFICATE REQUEST-----"; base64 -w 64 r.der
	    echo "-----END NEW CERTIFICATE REQUEST-----"; } | sed 's/$/\r/' |
		iconv -f UTF-8 -t UTF-16LE; } > edge.req
	chain edge.req
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "'edge.req': PEM block 1 (NEW CERTIFICATE REQUEST) is not a certificate, CRL or PKCS#7 bundle"
	assert_not_exist "$EDGECERT_STORE"
}
