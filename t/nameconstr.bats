#!/usr/bin/env bats
# nameconstr: name constraints as edgecert evaluates them (core/nameconstr.c,
# RFC 5280 4.2.1.10), each verdict stated with its reason, and compared
# with openssl verify where openssl is right, and with certtool --verify
# (GnuTLS 3.7, whose verdict edgecert used to give) where GnuTLS misses a
# violation or refuses a valid path.  The CAs are made by openssl x509 with
# x509v3 configuration (nameConstraints = critical,permitted;DNS:..., an
# empty extension as DER:30:00), once for the file in setup_file.

bats_require_minimum_version 1.5.0
load helper

# nc_key NAME: an EC P-256 key (quick to make).
nc_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1.key" 2>/dev/null
}

# nc_cert NAME ISSUER SUBJECT EXTFILE: NAME.pem signed by ISSUER.
nc_cert() {
	nc_key "$1"
	openssl req -new -key "$1.key" -subj "$3" 2>/dev/null |
		openssl x509 -req -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
			-days 3000 -extfile "$4" -out "$1.pem" 2>/dev/null
}

# nc_ca NAME ISSUER SUBJECT EXTENSION-LINES...: a CA.
nc_ca() {
	local n=$1 p=$2 s=$3
	shift 3
	{ echo "basicConstraints=critical,CA:TRUE"
	  echo "keyUsage=critical,keyCertSign,cRLSign"
	  printf '%s\n' "$@"; } > "$n.ext"
	nc_cert "$n" "$p" "$s" "$n.ext"
}

# nc_leaf NAME ISSUER SUBJECT EXTENSION-LINES...: an end entity.
nc_leaf() {
	local n=$1 p=$2 s=$3
	shift 3
	{ echo "basicConstraints=critical,CA:FALSE"; printf '%s\n' "$@"; } > "$n.ext"
	nc_cert "$n" "$p" "$s" "$n.ext"
}

# nc_names PREFIX COUNT FORMAT: COUNT names by FORMAT, comma-separated.
nc_names() {
	local k
	for ((k = 1; k <= $2; k++)); do
		# shellcheck disable=SC2059 # the format is the caller's
		printf "$3" "$k"
	done | paste -sd, | sed "s/^/$1/"
}

setup_file() {
	export NC="$BATS_FILE_TMPDIR/nc"
	mkdir -p "$NC"
	cd "$NC"
	nc_key root
	openssl req -x509 -new -key root.key -out root.pem -days 3650 \
		-subj "/O=NC Test/CN=NC Root" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null

	nc_key ncroot
	openssl req -x509 -new -key ncroot.key -out ncroot.pem -days 3650 \
		-subj "/O=NC Test/CN=NC Constrained Root" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-addext "nameConstraints=critical,permitted;DNS:example.com" 2>/dev/null
	nc_ca ncroot-sub ncroot "/CN=Sub of a constrained root"
	nc_leaf ncroot-in ncroot-sub "/CN=in" "subjectAltName=DNS:www.example.com"
	nc_leaf ncroot-out ncroot-sub "/CN=out" "subjectAltName=DNS:www.other.test"

	nc_ca plain root "/CN=Unconstrained CA"
	nc_leaf any plain "/CN=anything" "subjectAltName=DNS:www.anything.test"

	nc_ca dns root "/CN=DNS CA" \
		"nameConstraints=critical,permitted;DNS:example.com,excluded;DNS:bad.example.com"
	nc_leaf www dns "/CN=www" "subjectAltName=DNS:www.example.com,DNS:WWW.Example.COM"
	nc_leaf other dns "/CN=other" "subjectAltName=DNS:www.example.com,DNS:www.other.test"
	nc_leaf suffix dns "/CN=suffix" "subjectAltName=DNS:badexample.com"
	nc_leaf bad dns "/CN=bad" "subjectAltName=DNS:bad.example.com"
	nc_leaf wild dns "/CN=wild" "subjectAltName=DNS:*.example.com"
	nc_leaf cnhost dns "/CN=evil.test"
	nc_leaf cnemail dns "/CN=evil.test" "subjectAltName=email:a@example.com"

	nc_ca dns2 dns "/CN=DNS CA 2" "nameConstraints=critical,permitted;DNS:sub.example.com"
	nc_leaf deep dns2 "/CN=deep" "subjectAltName=DNS:a.sub.example.com"
	nc_leaf shallow dns2 "/CN=shallow" "subjectAltName=DNS:a.example.com"

	nc_ca dnsip root "/CN=DNS and IP CA" \
		"nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,permitted;IP:2001:db8::/ffff:ffff::"
	nc_leaf ipcn dnsip "/CN=10.1.1.1" "subjectAltName=IP:10.1.1.1"
	nc_leaf ip6only dnsip "/CN=edge array" "subjectAltName=IP:2001:db8::7"
	nc_leaf ipout dnsip "/CN=edge array" "subjectAltName=IP:10.1.1.1,IP:192.168.1.1"
	nc_leaf ip6out dnsip "/CN=edge array" "subjectAltName=IP:2001:db9::1"

	nc_ca orgA root "/CN=example.com CA" "nameConstraints=critical,permitted;DNS:example.com"
	nc_ca orgB orgA "/CN=example.org CA" "nameConstraints=critical,permitted;DNS:example.org"
	nc_leaf ipunder orgB "/CN=pool" "subjectAltName=IP:10.2.2.2"
	nc_leaf dnsunder orgB "/CN=pool" "subjectAltName=DNS:www.example.org"

	nc_ca ipx root "/CN=IP excluded CA" "nameConstraints=critical,excluded;IP:10.0.0.0/255.0.0.0"
	nc_leaf ipx-in ipx "/CN=ipx" "subjectAltName=IP:10.200.0.1"
	nc_leaf ipx-out ipx "/CN=ipx" "subjectAltName=IP:172.16.0.1"
	nc_ca badmask root "/CN=Bad mask CA" "nameConstraints=critical,permitted;IP:10.0.0.0/255.0.255.0"
	nc_leaf masked badmask "/CN=masked" "subjectAltName=IP:10.0.0.1"

	nc_ca noncrit root "/CN=Non-critical CA" "nameConstraints=permitted;DNS:example.com"
	nc_leaf nc-www noncrit "/CN=www" "subjectAltName=DNS:www.example.com"

	nc_ca mail root "/CN=Mail CA" \
		"nameConstraints=critical,permitted;email:example.com,permitted;email:.example.net,permitted;email:boss@example.org"
	nc_leaf mailok mail "/CN=mail" "subjectAltName=email:alice@example.com,email:bob@mx.example.net,email:boss@example.org"
	nc_leaf mailhost mail "/CN=mail" "subjectAltName=email:carol@mx.example.com"
	nc_leaf mailbox mail "/CN=mail" "subjectAltName=email:eve@example.org"
	nc_leaf maildn mail "/CN=mail/emailAddress=eve@evil.test"

	printf '%s\n' "basicConstraints=critical,CA:TRUE" \
		"keyUsage=critical,keyCertSign,cRLSign" \
		"nameConstraints=critical,permitted;dirName:dn_sect" \
		"[dn_sect]" "C=US" "O=Example Ltd" > dir.ext
	nc_cert dir root "/C=US/O=Example Ltd/CN=DN CA" dir.ext
	nc_leaf dnok dir "/C=US/O=example   LTD/CN=edge1"
	nc_leaf dnout dir "/C=US/O=Other Ltd/CN=edge1"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"subjectAltName=dirName:san_sect" "[san_sect]" "C=US" "O=Other Ltd" \
		"CN=edge1" > dnsan.ext
	nc_cert dnsan dir "/C=US/O=Example Ltd/CN=edge1" dnsan.ext
	nc_ca dirsub dir "/C=US/O=Other Ltd/CN=Rogue sub CA"
	nc_leaf dnsub dirsub "/C=US/O=Example Ltd/CN=edge1"

	nc_ca uri root "/CN=URI CA" "nameConstraints=critical,permitted;URI:.example.com,permitted;URI:example.net"
	nc_leaf uriok uri "/CN=uri" "subjectAltName=URI:https://www.example.com:8443/x,URI:sip://example.net"
	nc_leaf uriout uri "/CN=uri" "subjectAltName=URI:https://www.example.net/"
	nc_leaf urinohost uri "/CN=uri" "subjectAltName=URI:urn:example:edge"

	nc_ca rid root "/CN=RID CA" "nameConstraints=critical,permitted;RID:1.2.3.4"
	nc_leaf ridl rid "/CN=rid" "subjectAltName=RID:1.2.3.4"
	nc_leaf ridfree rid "/CN=rid" "subjectAltName=DNS:www.example.com"

	nc_ca empty root "/CN=Empty CA" "2.5.29.30=critical,DER:30:00"
	nc_leaf emptyl empty "/CN=e" "subjectAltName=DNS:www.example.com"
	nc_ca emptyp root "/CN=Empty permitted CA" "2.5.29.30=critical,DER:30:02:a0:00"
	nc_leaf emptypl emptyp "/CN=e" "subjectAltName=DNS:www.example.com"

	# many names: 1,000 SANs against 1,000 subtrees is evaluated; 2,100
	# against 2,100 is over EC_NC_MAX_PAIRS
	nc_ca many root "/CN=Many CA" \
		"nameConstraints=critical,permitted;DNS:example.com,$(nc_names "" 1000 'excluded;DNS:bad%d.example.org\n')"
	nc_leaf manyl many "/CN=many" "subjectAltName=$(nc_names "" 1000 'DNS:h%d.example.com\n')"
	nc_ca huge root "/CN=Huge CA" \
		"nameConstraints=critical,permitted;DNS:example.com,$(nc_names "" 2100 'excluded;DNS:bad%d.example.org\n')"
	nc_leaf hugel huge "/CN=huge" "subjectAltName=$(nc_names "" 2100 'DNS:h%d.example.com\n')"

	# a revoked certificate whose path GnuTLS refuses for its name
	# constraints: GnuTLS skips revocation then, edgecert does not
	printf '%s\n' "crl_next_update = 30" "crl_number = 1" > crl.tmpl
	certtool --generate-crl --load-ca-privkey dnsip.key \
		--load-ca-certificate dnsip.pem --load-certificate ipcn.pem \
		--template crl.tmpl --outfile revoked.crl 2>/dev/null
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	store_put root "$NC/root.pem" > /dev/null
}

# nc_verify LEAF CA...: edgecert's verdict on LEAF by the CAs, from NC.
nc_verify() {
	local leaf=$1 c
	local -a args=(--cert "$NC/$leaf.pem" --purpose any)
	shift
	for c in "$@"; do
		args+=(--chain "$NC/$c.pem")
	done
	ecj verify-root "${args[@]}"
}

# ossl LEAF CA...: openssl verify's verdict.
ossl() {
	local leaf=$1 c
	local -a args=(-CAfile "$NC/root.pem")
	shift
	for c in "$@"; do
		args+=(-untrusted "$NC/$c.pem")
	done
	run openssl verify "${args[@]}" "$NC/$leaf.pem"
}

# gnutls LEAF CA...: certtool --verify's verdict (GnuTLS 3.7).
gnutls() {
	local leaf=$1 c
	cat "$NC/$leaf.pem" > path.pem
	shift
	for c in "$@"; do
		cat "$NC/$c.pem" >> path.pem
	done
	run certtool --verify --load-ca-certificate "$NC/root.pem" --infile path.pem
}

reasons() {
	jf '.reasons | join(",")'
}

@test "nameconstr: no name constraints: trusted" {
	nc_verify any plain
	assert_code 0 ok
	assert_equal "$(reasons)" ""
}

@test "nameconstr: a trust anchor's own name constraints apply below it, as openssl and GnuTLS apply them" {
	store_put root "$NC/ncroot.pem" > /dev/null
	nc_verify ncroot-in ncroot-sub
	assert_code 0 ok
	nc_verify ncroot-out ncroot-sub
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	run openssl verify -CAfile "$NC/ncroot.pem" -untrusted "$NC/ncroot-sub.pem" \
		"$NC/ncroot-out.pem"
	assert_failure
	assert_output --partial "permitted subtree violation"
}

@test "nameconstr: dNSName within the permitted subtree (any case) is trusted, as openssl says" {
	nc_verify www dns
	assert_code 0 ok
	ossl www dns
	assert_success
}

@test "nameconstr: dNSName outside the permitted subtree is name-constraints-violated, as openssl says" {
	nc_verify other dns
	assert_code 1 untrusted
	assert_equal "$(reasons)" "signer-constraints-failure,name-constraints-violated"
	ossl other dns
	assert_failure
	assert_output --partial "permitted subtree violation"
	# a subtree is whole labels: badexample.com is not below example.com
	nc_verify suffix dns
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
}

@test "nameconstr: dNSName in an excluded subtree is name-constraints-violated, as openssl says" {
	nc_verify bad dns
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl bad dns
	assert_failure
	assert_output --partial "excluded subtree violation"
}

@test "nameconstr: a wildcard that covers an excluded name is name-constraints-violated (GnuTLS and openssl miss it)" {
	# *.example.com covers bad.example.com, excluded: the class of
	# CVE-2025-61727
	nc_verify wild dns
	assert_code 1 untrusted
	assert_equal "$(reasons)" name-constraints-violated
	gnutls wild dns
	assert_success
	assert_output --partial "Verified"
	ossl wild dns
	assert_success
}

@test "nameconstr: the CN of a certificate without a dNSName is checked as a host name, as openssl does" {
	nc_verify cnhost dns
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl cnhost dns
	assert_failure
	assert_output --partial "permitted subtree violation"
	# a SAN of another form does not make the CN safe: a client may
	# still match it
	nc_verify cnemail dns
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
}

@test "nameconstr: a CN that is an IPv4 address is no host name: the iPAddress SAN decides (GnuTLS and openssl refuse)" {
	nc_verify ipcn dnsip
	assert_code 0 ok
	gnutls ipcn dnsip
	assert_failure
	assert_output --partial "signer's constraints"
	ossl ipcn dnsip
	assert_failure
}

@test "nameconstr: iPAddress in both families within the permitted subtrees is trusted (GnuTLS refuses)" {
	# GnuTLS 3.7 takes the CN "edge array" for a host name
	nc_verify ip6only dnsip
	assert_code 0 ok
	gnutls ip6only dnsip
	assert_failure
	assert_output --partial "signer's constraints"
	ossl ip6only dnsip
	assert_success
}

@test "nameconstr: iPAddress outside the permitted subtrees is name-constraints-violated, in both families" {
	nc_verify ipout dnsip
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl ipout dnsip
	assert_failure
	assert_output --partial "permitted subtree violation"
	nc_verify ip6out dnsip
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl ip6out dnsip
	assert_failure
}

@test "nameconstr: excluded iPAddress subtree: inside violated, outside trusted, as openssl says" {
	nc_verify ipx-in ipx
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl ipx-in ipx
	assert_failure
	assert_output --partial "excluded subtree violation"
	nc_verify ipx-out ipx
	assert_code 0 ok
	ossl ipx-out ipx
	assert_success
}

@test "nameconstr: an iPAddress mask that is no prefix is name-constraints-malformed" {
	nc_verify masked badmask
	assert_code 1 untrusted
	assert_output --partial name-constraints-malformed
}

@test "nameconstr: subtrees intersect down the path" {
	# example.com, then sub.example.com below it
	nc_verify deep dns2 dns
	assert_code 0 ok
	ossl deep dns2 dns
	assert_success
	nc_verify shallow dns2 dns
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl shallow dns2 dns
	assert_failure
	# example.com and example.org: no dNSName can be valid, but a name of
	# another form is unconstrained (GnuTLS refuses, taking the CN)
	nc_verify dnsunder orgB orgA
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	nc_verify ipunder orgB orgA
	assert_code 0 ok
	gnutls ipunder orgB orgA
	assert_failure
	ossl ipunder orgB orgA
	assert_success
}

@test "nameconstr: a non-critical name constraints extension is name-constraints-not-critical (GnuTLS takes it)" {
	nc_verify nc-www noncrit
	assert_code 1 untrusted
	assert_equal "$(reasons)" name-constraints-not-critical
	gnutls nc-www noncrit
	assert_success
	assert_output --partial "Verified"
}

@test "nameconstr: rfc822Name: host, domain and mailbox subtrees, and the subject's emailAddress" {
	nc_verify mailok mail
	assert_code 0 ok
	ossl mailok mail
	assert_success
	# "example.com" is that host only, not mx.example.com
	nc_verify mailhost mail
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl mailhost mail
	assert_failure
	# "boss@example.org" is that mailbox only
	nc_verify mailbox mail
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl mailbox mail
	assert_failure
	# no SAN: the emailAddress of the subject DN
	nc_verify maildn mail
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl maildn mail
	assert_failure
}

@test "nameconstr: directoryName: a prefix of the subject, case and white space folded, also of a sub CA" {
	nc_verify dnok dir
	assert_code 0 ok
	ossl dnok dir
	assert_success
	nc_verify dnout dir
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl dnout dir
	assert_failure
	# a directoryName SAN is checked as the subject is
	nc_verify dnsan dir
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl dnsan dir
	assert_failure
	# the sub CA's own subject is outside: every path through it fails
	nc_verify dnsub dirsub dir
	assert_code 1 untrusted
	assert_equal "$(reasons)" name-constraints-violated
	gnutls dnsub dirsub dir
	assert_success
	ossl dnsub dirsub dir
	assert_failure
	assert_output --partial "permitted subtree violation"
}

@test "nameconstr: URI: the host part against host and domain subtrees" {
	nc_verify uriok uri
	assert_code 0 ok
	ossl uriok uri
	assert_success
	# "example.net" is that host only
	nc_verify uriout uri
	assert_code 1 untrusted
	assert_output --partial name-constraints-violated
	ossl uriout uri
	assert_failure
	# a URI without a host cannot be evaluated: refused
	nc_verify urinohost uri
	assert_code 1 untrusted
	assert_output --partial name-constraints-unsupported
}

@test "nameconstr: a constrained form edgecert does not evaluate is name-constraints-unsupported" {
	nc_verify ridl rid
	assert_code 1 untrusted
	assert_output --partial name-constraints-unsupported
	# no name of that form below: trusted (GnuTLS cannot read the
	# constraint and refuses)
	nc_verify ridfree rid
	assert_code 0 ok
	gnutls ridfree rid
	assert_failure
	ossl ridfree rid
	assert_success
}

@test "nameconstr: an empty extension or an empty subtree sequence is name-constraints-malformed" {
	nc_verify emptyl empty
	assert_code 1 untrusted
	assert_output --partial name-constraints-malformed
	nc_verify emptypl emptyp
	assert_code 1 untrusted
	assert_output --partial name-constraints-malformed
}

@test "nameconstr: revocation is checked on a path GnuTLS refuses for its name constraints" {
	nc_verify ipcn dnsip
	assert_code 0 ok
	ecj verify-root --cert "$NC/ipcn.pem" --chain "$NC/dnsip.pem" \
		--purpose any --crl "$NC/revoked.crl"
	assert_code 1 revoked
	assert_equal "$(reasons)" revoked
	run certtool --crl-info --infile "$NC/revoked.crl"
	assert_success
	assert_output --partial "Revoked certificates (1)"
}

@test "nameconstr: 1,000 names against 1,000 subtrees are evaluated; 2,100 by 2,100 are name-constraints-too-complex" {
	nc_verify manyl many
	assert_code 0 ok
	ossl manyl many
	assert_success
	nc_verify hugel huge
	assert_code 1 untrusted
	assert_output --partial name-constraints-too-complex
}
