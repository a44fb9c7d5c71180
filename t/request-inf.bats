#!/usr/bin/env bats
# edgecert request --inf: certreq's INF files.  The request must carry what
# certreq -new makes of the same INF (Microsoft's certreq reference): the
# subject, the SANs exactly as given, the EKU (not critical), the key usage
# (critical), the template; read back by openssl req and certtool.
# t/data/windows/: bondr007_request.inf is the corpus' (a real INF for an
# LDAPS certificate, ../shared/corpus/windows/README.md); the ms-*.inf are
# the examples of Microsoft's certreq reference and of its "Diagnose
# certificate requests" training page, with their placeholders filled in
# (ms-strings-eku-cert.inf as printed: RequestType = Cert); edge-vip.inf
# is written for the README's edge VIP with the value syntaxes the
# reference allows (flag names, a quoted X.500 subject, [Strings]).

load helper

D="$BATS_TEST_DIRNAME/data/windows"

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR" || return 1
}

# req INF [ARGS]: request --inf INF into r.csr; its text in $TXT, the
# record in $output.
req() {
	local inf=$1
	shift
	ecj request --inf "$inf" --out r.csr "$@"
	assert_success
	TXT=$(openssl req -in r.csr -noout -text -nameopt RFC2253)
	CRQ=$(certtool --crq-info --infile r.csr)
}

# ext NAME: the lines under the extension NAME in $TXT (openssl's words)
ext() {
	printf '%s\n' "$TXT" | sed -n "/$1/,/^ *[A-Z0-9][A-Za-z0-9 .]*:/p" |
		sed -n '2p' | sed 's/^ *//'
}

@test "request-inf: the corpus' LDAPS INF: subject, SANs, key usage, EKU, key as certreq makes them" {
	req "$D/bondr007_request.inf"
	openssl req -in r.csr -noout -verify
	assert_equal "$(jf .subject)" "CN=example.com"
	[[ "$TXT" == *"Subject: CN=example.com"* ]]
	# the SANs of the INF, nothing added
	assert_equal "$(ext 'Subject Alternative Name')" "DNS:*.example.com, DNS:example.com"
	# KeyUsage = 0xa0, critical
	[[ "$TXT" == *"X509v3 Key Usage: critical"* ]]
	assert_equal "$(ext 'X509v3 Key Usage')" "Digital Signature, Key Encipherment"
	# [EnhancedKeyUsageExtension] OID = serverAuth, not critical
	[[ "$TXT" == *"X509v3 Extended Key Usage: "* ]]
	[[ "$TXT" != *"Extended Key Usage: critical"* ]]
	assert_equal "$(ext 'Extended Key Usage')" "TLS Web Server Authentication"
	[[ "$CRQ" == *"Key Purpose (not critical):"* ]]
	[[ "$TXT" == *"Public-Key: (4096 bit)"* ]]
	[[ "$TXT" == *"sha256WithRSAEncryption"* ]]
	assert_equal "$(jf .exportable)" true
	assert_equal "$(jf .key_bits)" 4096
	# the CSP is Windows' business: said so, with the lines
	assert_equal "$(jf '.warnings | length')" 2
	[[ "$(jf '.warnings[0]')" == "INF line 16: ProviderName = Microsoft RSA SChannel"* ]]
	[[ "$(jf '.warnings[1]')" == "INF line 17: ProviderType = 12"* ]]
	# the same INF again: the same request, pending already
	ecj request --inf "$D/bondr007_request.inf" --out r.csr
	assert_success
	assert_equal "$(jf .changed)" false
}

@test "request-inf: Microsoft's requestconfig.inf: KeyUsage 0xf0, EKU OID lines, the WebServer template, no SAN" {
	req "$D/ms-requestconfig.inf"
	assert_equal "$(ext 'X509v3 Key Usage')" \
		"Digital Signature, Non Repudiation, Key Encipherment, Data Encipherment"
	assert_equal "$(ext 'Extended Key Usage')" \
		"TLS Web Server Authentication, TLS Web Client Authentication"
	# certreq adds no SAN the INF does not give
	[[ "$TXT" != *"Subject Alternative Name"* ]]
	assert_equal "$(jf -c .dns_names)" '[]'
	# the template name extension: a BMPString "WebServer"
	[[ "$CRQ" == *"Unknown extension 1.3.6.1.4.1.311.20.2 (not critical):"* ]]
	want=$(printf WebServer | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n')
	[[ "$CRQ" == *"Hexdump: 1e12$want"* ]]
	assert_equal "$(jf .template)" WebServer
	# and, as certreq writes [RequestAttributes], the attribute
	# 1.3.6.1.4.1.311.13.2.1 of one EnrollmentNameValuePair
	# { BMPString "CertificateTemplate", BMPString "WebServer" }
	u() { printf %s "$1" | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n'; }
	der=$(openssl req -in r.csr -outform DER | od -An -tx1 | tr -d ' \n')
	oid=060a2b0601040182370d0201
	[[ "$der" == *"${oid}313e303c1e26$(u CertificateTemplate)1e12$(u WebServer)"* ]]
	assert_equal "$(jf .exportable)" true
	assert_equal "$(jf .key_bits)" 2048
}

@test "request-inf: [Strings] substitution in keys and values; the EKU continued over lines" {
	req "$D/ms-strings-eku.inf"
	assert_equal "$(jf .subject)" "CN=test.contoso.com"
	assert_equal "$(ext 'Extended Key Usage')" \
		"TLS Web Server Authentication, TLS Web Client Authentication"
	assert_equal "$(jf -c .eku)" '["1.3.6.1.5.5.7.3.1","1.3.6.1.5.5.7.3.2"]'
	# no KeyUsage in the INF: edgecert's default for RSA
	assert_equal "$(ext 'X509v3 Key Usage')" "Digital Signature, Key Encipherment"
}

@test "request-inf: Microsoft's example as printed (RequestType = Cert) is usage with its line; nothing made" {
	ecj request --inf "$D/ms-strings-eku-cert.inf" --out r.csr
	assert_code 2 usage
	assert_equal "$(jf .message)" "INF line 11: [NewRequest] Requesttype: 'Cert' cannot be made here: edgecert makes PKCS10 requests"
	assert_not_exists r.csr
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null)" ""
}

@test "request-inf: Microsoft's SAN example: DNS names and an 'IP Address', one per _continue_ line, no EKU" {
	req "$D/ms-san.inf"
	assert_equal "$(ext 'Subject Alternative Name')" \
		"DNS:example.com, DNS:www.example.com, IP Address:192.168.1.1"
	[[ "$TXT" != *"Extended Key Usage"* ]]
	assert_equal "$(jf -c .eku)" '[]'
	assert_equal "$(jf -c .ip_addresses)" '["192.168.1.1"]'
}

@test "request-inf: the training page's INF: RSA 3072, SHA-256, not exportable, ContosoWebServer" {
	req "$D/ms-learn-tls.inf"
	[[ "$TXT" == *"Public-Key: (3072 bit)"* ]]
	[[ "$TXT" == *"Signature Algorithm: sha256WithRSAEncryption"* ]]
	assert_equal "$(ext 'X509v3 Key Usage')" "Digital Signature, Key Encipherment"
	assert_equal "$(ext 'Subject Alternative Name')" "DNS:pki.contoso.com"
	assert_equal "$(jf .template)" ContosoWebServer
	assert_equal "$(jf .exportable)" false
	[[ "$(jf '.warnings[0]')" == "INF line 11: ProviderName = Microsoft Software Key Storage Provider is ignored"* ]]
}

@test "request-inf: flag names, a quoted X.500 subject with S=, ECDSA P-384 with SHA-384, FriendlyName" {
	req "$D/edge-vip.inf"
	assert_equal "$(jf .subject)" 'CN=pool.corp.example.com,OU=UC,O=Example\, Ltd,L=Seattle,ST=WA,C=US'
	[[ "$TXT" == *'Subject: CN=pool.corp.example.com,OU=UC,O=Example\, Ltd,L=Seattle,ST=WA,C=US'* ]]
	assert_equal "$(openssl req -in r.csr -noout -subject -nameopt sep_comma_plus,sname | sed 's/^subject=//')" \
		'C=US,ST=WA,L=Seattle,O=Example, Ltd,OU=UC,CN=pool.corp.example.com'
	assert_equal "$(ext 'Subject Alternative Name')" \
		"DNS:pool.corp.example.com, DNS:edge1.corp.example.com, IP Address:10.0.0.10, IP Address:2001:DB8:0:0:0:0:0:10"
	assert_equal "$(ext 'X509v3 Key Usage')" "Digital Signature, Key Agreement"
	assert_equal "$(ext 'Extended Key Usage')" "TLS Web Server Authentication"
	[[ "$TXT" == *"NIST CURVE: P-384"* ]]
	[[ "$TXT" == *"Signature Algorithm: ecdsa-with-SHA384"* ]]
	assert_equal "$(jf .friendly_name)" "Edge internal"
	assert_equal "$(jf .key_type)" ecdsa
	assert_equal "$(jf .template)" WebServer
}

@test "request-inf: Subject as CertStrToName writes it: ';' separators, E=, S=, quotes, blanks kept in quotes" {
	printf '%s\r\n' '[NewRequest]' \
		'Subject = "E=admin@example.test; CN=a.example.test; OU="" lead""; S=WA; C=US"' > s.inf
	req s.inf
	assert_equal "$(jf .subject)" 'EMAIL=admin@example.test,CN=a.example.test,OU=\ lead,ST=WA,C=US'
	assert_equal "$(openssl req -in r.csr -noout -subject -nameopt sep_comma_plus,sname | sed 's/^subject=//')" \
		'C=US,ST=WA,OU= lead,CN=a.example.test,emailAddress=admin@example.test'
}

@test "request-inf: the SANs keep the INF's order, addresses and names mixed" {
	printf '%s\r\n' '[NewRequest]' 'Subject = "CN=a.example.test"' '[Extensions]' \
		'2.5.29.17 = "{text}ipaddress=10.0.0.1&dns=b.example.test&"' \
		'_continue_ = "IP Address=2001:db8::1&dns=a.example.test"' > o.inf
	req o.inf
	assert_equal "$(ext 'Subject Alternative Name')" \
		"IP Address:10.0.0.1, DNS:b.example.test, IP Address:2001:DB8:0:0:0:0:0:1, DNS:a.example.test"
}

@test "request-inf: UTF-16LE and UTF-8 with a BOM, LF line ends: the same request fields" {
	ecj request --inf "$D/bondr007_request.inf" --check
	assert_success
	want=$(jf -c '[.subject,.dns_names,.ip_addresses,.eku,.key_bits,.exportable]')
	{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$D/bondr007_request.inf"; } > u16.inf
	{ printf '\357\273\277'; cat "$D/bondr007_request.inf"; } > u8.inf
	tr -d '\r' < "$D/bondr007_request.inf" > lf.inf
	for f in u16.inf u8.inf lf.inf; do
		ecj request --inf "$f" --check
		assert_success
		assert_equal "$(jf -c '[.subject,.dns_names,.ip_addresses,.eku,.key_bits,.exportable]')" "$want"
	done
	# UTF-16 without its BOM is not guessed at
	iconv -f UTF-8 -t UTF-16LE "$D/bondr007_request.inf" > nobom.inf
	ecj request --inf nobom.inf --check
	assert_code 2 usage
	[[ "$(jf .message)" == *"line 1: the INF file is neither UTF-8 nor UTF-16 with a BOM"* ]]
}

@test "request-inf: the command line overrides the INF" {
	req "$D/bondr007_request.inf" --cn other.example.test --dns alt.example.test \
		--eku client --name "Other" --key-type ecdsa
	assert_equal "$(jf .subject)" "CN=other.example.test"
	# the SANs are those given, as with the INF alone
	assert_equal "$(ext 'Subject Alternative Name')" "DNS:alt.example.test"
	assert_equal "$(ext 'Extended Key Usage')" "TLS Web Client Authentication"
	assert_equal "$(jf .friendly_name)" Other
	assert_equal "$(jf .key_type)" ecdsa
	[[ "$TXT" == *"NIST CURVE: P-256"* ]]
	# what the command line does not name still comes from the INF
	assert_equal "$(ext 'X509v3 Key Usage')" "Digital Signature, Key Encipherment"
	assert_equal "$(jf .exportable)" true
	# --bits over KeyLength
	ecj request --inf "$D/bondr007_request.inf" --bits 3072 --check
	assert_equal "$(jf .key_bits)" 3072
}

# bad LINE EXPECT: an INF of a [NewRequest] header, then LINE (a line
# made of several with \n), is usage and the message says EXPECT.
bad() {
	printf '[NewRequest]\r\nSubject = "CN=x.example.test"\r\n%b\r\n' "$1" > bad.inf
	ecj request --inf bad.inf --out bad.csr
	assert_code 2 usage
	[[ "$(jf .message)" == *"$2"* ]] || fail "'$1': $(jf .message)"
	assert_not_exists bad.csr
}

@test "request-inf: what it cannot honour is usage, with the line" {
	bad 'Frobnicate = 1' "INF line 3: [NewRequest] Frobnicate: not a key edgecert can honour"
	bad 'RequestType = CMC' "INF line 3: [NewRequest] RequestType: 'CMC' cannot be made here"
	bad 'SMIME = TRUE' "INF line 3: [NewRequest] SMIME: 'TRUE' cannot be honoured here (only FALSE)"
	bad 'UseExistingKeySet = TRUE' "INF line 3:"
	bad 'KeyUsage = 0x10000' "INF line 3: [NewRequest] KeyUsage: '0x10000' is not a key usage"
	bad 'KeyUsage = "CERT_DIGITAL_SIGNATURE_KEY_USAGE | CERT_BOGUS"' "'CERT_BOGUS' is not a key usage"
	bad 'HashAlgorithm = sha1' "INF line 3: [NewRequest] HashAlgorithm: 'sha1' is not taken"
	bad 'KeyAlgorithm = ECDSA_P521' "INF line 3: [NewRequest] KeyAlgorithm: 'ECDSA_P521' cannot be made here"
	bad 'KeyAlgorithm = ECDSA_P256\nKeyLength = 2048' "INF line 4: [NewRequest] KeyLength: 2048 does not go with the ECDSA curve"
	bad 'KeyLength = lots' "INF line 3: [NewRequest] KeyLength: 'lots' is not a key length"
	bad 'Exportable = maybe' "INF line 3: [NewRequest] Exportable: 'maybe' is not TRUE or FALSE"
	bad '\n[PolicyStatementExtension]\nPolicies = x' "INF line 5: [PolicyStatementExtension] is not a section"
	bad '[Extensions]\n2.5.29.17 = "{text}dns=a.example.test&email=a@example.test"' "INF line 4: [Extensions] 2.5.29.17: a email name cannot be honoured"
	bad '[Extensions]\n2.5.29.19 = "{text}ca=0pathlength=3"' "INF line 4: [Extensions] 2.5.29.19: not an extension"
	bad '[Extensions]\n2.5.29.17 = "{hex}30 00"' "INF line 4: [Extensions] 2.5.29.17: only the {text} form is read"
	bad '[Extensions]\n_continue_ = "dns=a.example.test"' "INF line 4: [Extensions] _continue_: continues no extension"
	bad '[Extensions]\n2.5.29.37 = "{text}1.3.6.1.5.5.7.3.1,serverAuth"' "INF line 4: [Extensions] 2.5.29.37: 'serverAuth' is not a dotted OID"
	bad '[Extensions]\nOID = 5.7.3.2' "INF line 4: [Extensions] OID: '5.7.3.2' is not a dotted OID"
	bad '[Extensions]\nCritical = 2.5.29.17' "INF line 4: [Extensions] Critical: not an extension"
	bad '[RequestAttributes]\nSAN = "dns=a.example.test"' "INF line 4: [RequestAttributes] SAN: not an attribute"
	bad 'FriendlyName = "unclosed' "line 3: unclosed quote"
	bad 'Subject = "CN=%host%"' "line 3: %host% is not in [Strings]"
	bad 'Subject = "CN=a+OU=b"' "multi-valued RDNs"
	bad '[NewRequest' "line 3: section header without ']'"
	bad 'KeyLength 2048' "line 3: no '=' in 'KeyLength 2048'"
	bad 'FriendlyName = \377' "line 3: the INF file is neither UTF-8 nor UTF-16"
	# a key before any section, and no [NewRequest] at all
	printf 'Subject = CN=x\r\n[NewRequest]\r\n' > bad.inf
	ecj request --inf bad.inf
	assert_code 2 usage
	assert_equal "$(jf .message)" "INF line 1: a key outside any [section]"
	printf '[Version]\r\nSignature="$Windows NT$"\r\n' > bad.inf
	ecj request --inf bad.inf
	assert_code 2 usage
	assert_equal "$(jf .message)" "the INF file has no [NewRequest] section"
	printf '[NewRequest]\r\nKeyLength = 2048\r\n' > bad.inf
	ecj request --inf bad.inf
	assert_code 2 usage
	assert_equal "$(jf .message)" "give --cn (the FQDN) or --subject (the INF file has no Subject)"
	ecj request --inf missing.inf
	assert_code 3 bad-input
	[[ "$(jf .message)" == "cannot open 'missing.inf'"* ]]
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null)" ""
}

@test "request-inf: the INF's request through a CA (scripts/test-ca) and accept: FriendlyName and SANs arrive" {
	ca_setup ca
	req "$D/edge-vip.inf"
	ca_sign ca r.csr vip.p7b p7b
	ecj accept --in vip.p7b
	assert_success
	assert_equal "$(jf .certificate.friendly_name)" "Edge internal"
	assert_equal "$(jf .certificate.exportable)" true
	assert_equal "$(jf -c .certificate.dns_names)" '["pool.corp.example.com","edge1.corp.example.com"]'
	ecj list --name "Edge internal"
	assert_success
	assert_equal "$(jf .items[0].has_private_key)" true
}
