#!/usr/bin/env bats
# --profile webpki (core/check/webpki.c; edgecert-verify-root(1), The web PKI
# profile): the CA/Browser Forum's baseline rules on top of RFC 5280, each
# failure a reason of its own, on verify-root, accept and assign.  Each
# certificate is refused under webpki for one reason and trusted under the
# default profile; where a third-party tool decides the same (pyca
# cryptography's web PKI verifier, openssl verify -auth_level), its
# verdict is checked beside edgecert's.  Fixtures: a root and leaves made
# once by openssl with x509v3 configurations (setup_file).

bats_require_minimum_version 1.5.0
load helper

# ca NAME SUBJECT [openssl req options]: a self-signed root $D/NAME.pem.
ca() {
	local n=$1 s=$2
	shift 2
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$D/$n.key" -out "$D/$n.pem" -subj "$s" -days 60 \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign "$@" 2>/dev/null
}

# leaf NAME ISSUER KEY EXTENSIONS: $D/NAME.pem (CN www.example.test) and
# its key, KEY ec, dsa or rsaBITS, with the x509v3 configuration lines
# EXTENSIONS (printf %b).
leaf() {
	case $3 in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$D/$1.key" 2>/dev/null ;;
	rsa*) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${3#rsa}" \
		-out "$D/$1.key" 2>/dev/null ;;
	dsa) openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
		-out "$D/dsa.param" 2>/dev/null
		openssl genpkey -paramfile "$D/dsa.param" -out "$D/$1.key" 2>/dev/null ;;
	esac
	openssl req -new -key "$D/$1.key" -out "$D/$1.csr" -subj /CN=www.example.test 2>/dev/null
	printf '%b\n' "$4" > "$D/$1.ext"
	openssl x509 -req -in "$D/$1.csr" -CA "$D/$2.pem" -CAkey "$D/$2.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 30 -extfile "$D/$1.ext" \
		-out "$D/$1.pem" 2>/dev/null
}

setup_file() {
	export D="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$D"
	local base san good
	base='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n'
	base+='authorityKeyIdentifier=keyid\n'
	san="${base}extendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.example.test"
	good="$san\nauthorityInfoAccess=OCSP;URI:http://ocsp.example.test,"
	good+='caIssuers;URI:http://ca.example.test/root.cer'
	ca root "/CN=WebPKI Test Root"
	ca ekuroot "/CN=WebPKI Test Root with EKU" -addext extendedKeyUsage=serverAuth
	leaf good root ec "$good"
	leaf nosan root ec "${base}extendedKeyUsage=serverAuth"
	leaf noeku root ec "${base}subjectAltName=DNS:www.example.test"
	leaf anyeku root ec "${base}extendedKeyUsage=serverAuth,anyExtendedKeyUsage\n\
subjectAltName=DNS:www.example.test"
	leaf underekuroot ekuroot ec "$good"
	leaf dsa root dsa "$good"
	leaf rsa2048 root rsa2048 "$good"
	leaf rsa2052 root rsa2052 "$good"
	leaf rsa1024 root rsa1024 "$good"
	local w
	for w in co.uk com xn--p1ai foo.ck www.ck example.co.uk github.io; do
		leaf "wc-$w" root ec "${base}extendedKeyUsage=serverAuth\nsubjectAltName=\
DNS:www.example.test,DNS:*.$w"
	done
	leaf aia-critical root ec "$san\nauthorityInfoAccess=critical,OCSP;URI:http://ocsp.example.test"
	leaf aia-ldap root ec "$san\nauthorityInfoAccess=caIssuers;URI:ldap://ca.example.test/cn=root"
	leaf aia-dns root ec "$san\nauthorityInfoAccess=OCSP;DNS:ocsp.example.test"
	leaf aia-nohost root ec "$san\nauthorityInfoAccess=OCSP;URI:http:///ocsp"
	# an empty SEQUENCE: openssl's configuration has no other way to say it
	leaf aia-empty root ec "$san\n1.3.6.1.5.5.7.1.1=DER:3000"
	export EDGECERT_STORE="$BATS_FILE_TMPDIR/store"
	edgecert import-chain --in "$D/root.pem" -q > /dev/null
	edgecert import-chain --in "$D/ekuroot.pem" -q > /dev/null
}

setup() {
	unset EDGECERT_FORMAT XDG_DATA_HOME
	cd "$BATS_TEST_TMPDIR"
}

# both CERT REASONS [options]: trusted under the default profile, and
# untrusted under webpki with exactly REASONS (comma-separated, sorted).
both() {
	local c=$1 want=$2
	shift 2
	ecj verify-root --cert "$D/$c.pem" "$@"
	assert_equal "$c rfc5280: $status $(jf .code)" "$c rfc5280: 0 ok"
	ecj verify-root --cert "$D/$c.pem" --profile webpki "$@"
	if [ -z "$want" ]; then
		assert_equal "$c webpki: $status $(jf .code)" "$c webpki: 0 ok"
	else
		assert_equal "$c webpki: $status $(jf .code)" "$c webpki: 1 untrusted"
		assert_equal "$c webpki: $(jf .trusted)" "$c webpki: false"
	fi
	assert_equal "$c webpki: $(jf '.reasons | sort | join(",")')" "$c webpki: $want"
}

# cry CERT ROOT: pyca cryptography's web PKI verifier (PolicyBuilder,
# a server verifier for www.example.test): ok, or fail and why.
cry() {
	python3 - "$D/$1.pem" "$D/$2.pem" <<'PY'
import sys
from cryptography import x509
from cryptography.x509.verification import (DNSName, PolicyBuilder, Store,
                                            VerificationError)
load = lambda f: x509.load_pem_x509_certificate(open(f, "rb").read())
v = PolicyBuilder().store(Store([load(sys.argv[2])])).build_server_verifier(
    DNSName("www.example.test"))
try:
    v.verify(load(sys.argv[1]), [])
    print("ok")
except VerificationError as e:
    print("fail", e)
PY
}

@test "webpki: a leaf that meets the baseline is trusted under both, as cryptography's verifier says" {
	both good ""
	ecj verify-root --cert "$D/good.pem" --profile webpki --hostname www.example.test
	assert_code 0 ok
	run cry good root
	assert_output ok
}

@test "webpki: a leaf without a subjectAltName is webpki-no-san, and never matched on its CN" {
	both nosan webpki-no-san
	run cry nosan root
	assert_output --partial "fail"
	assert_output --partial "no subjectAltName"
	ecj verify-root --cert "$D/nosan.pem" --hostname www.example.test
	assert_code 0 ok
	ecj verify-root --cert "$D/nosan.pem" --hostname www.example.test --profile webpki
	assert_code 1 name-mismatch
	assert_equal "$(jf '.reasons | sort | join(",")')" name-mismatch,webpki-no-san
}

@test "webpki: a leaf without an extended key usage is webpki-no-eku (cryptography takes it)" {
	both noeku webpki-no-eku --purpose any
	run cry noeku root
	assert_output ok
}

@test "webpki: an extended key usage in the root is webpki-eku-in-root" {
	both underekuroot webpki-eku-in-root
}

@test "webpki: anyExtendedKeyUsage is webpki-any-eku" {
	both anyeku webpki-any-eku
}

@test "webpki: a DSA key is webpki-dsa" {
	run openssl x509 -in "$D/dsa.pem" -noout -text
	assert_output --partial "Public Key Algorithm: dsaEncryption"
	both dsa webpki-dsa
}

@test "webpki: an RSA modulus of 2052 bits is webpki-rsa-not-octets, 2048 is trusted" {
	run openssl x509 -in "$D/rsa2052.pem" -noout -text
	assert_output --partial "(2052 bit)"
	both rsa2052 webpki-rsa-not-octets
	both rsa2048 ""
}

@test "webpki: RSA-1024 is webpki-rsa-too-small even where --verify-profile low lets GnuTLS take it" {
	# GnuTLS' medium profile refuses it first, under either --profile
	ecj verify-root --cert "$D/rsa1024.pem"
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" insecure-algorithm
	ecj verify-root --cert "$D/rsa1024.pem" --profile webpki
	assert_equal "$(jf '.reasons | sort | join(",")')" insecure-algorithm,webpki-rsa-too-small
	both rsa1024 webpki-rsa-too-small --verify-profile low
	# openssl's security level 2 (112 bits) refuses it too, level 1 takes it
	run openssl verify -auth_level 2 -CAfile "$D/root.pem" "$D/rsa1024.pem"
	assert_failure
	assert_output --partial "EE certificate key too weak"
	run openssl verify -auth_level 1 -CAfile "$D/root.pem" "$D/rsa1024.pem"
	assert_success
}

@test "webpki: a wildcard over a public suffix of the ICANN section is webpki-wildcard-public-suffix" {
	# *.co.uk, *.com: listed; *.xn--p1ai: a rule in U-labels (.рф);
	# *.foo.ck: under the rule *.ck; *.www.ck: the exception !www.ck;
	# *.github.io: the PRIVATE section, which the requirements leave out
	local w want
	while read -r w want; do
		both "wc-$w" "$want"
	done <<'T'
co.uk webpki-wildcard-public-suffix
com webpki-wildcard-public-suffix
xn--p1ai webpki-wildcard-public-suffix
foo.ck webpki-wildcard-public-suffix
www.ck
example.co.uk
github.io
T
	grep -qx 'co.uk' /usr/share/publicsuffix/public_suffix_list.dat
	grep -qx '!www.ck' /usr/share/publicsuffix/public_suffix_list.dat
}

# no_psl CERT: verify-root --profile webpki with the public suffix list's
# open refused (EACCES) by strace, and only that open; LeakSanitizer cannot
# run under ptrace (off, as in t/faults.bats).
no_psl() {
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f -o /dev/null \
		-P /usr/share/publicsuffix/public_suffix_list.dat -e trace=openat \
		-e inject=openat:error=EACCES "$EC_STRACE_BIN/edgecert" verify-root \
		--cert "$D/$1.pem" --profile webpki --format json
	ec_log_record "$output"
}

@test "webpki: a wildcard when the public suffix list cannot be read is webpki-psl-unavailable" {
	no_psl wc-example.co.uk
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" webpki-psl-unavailable
	# no wildcard, no need of the list
	no_psl good
	assert_code 0 ok
}

@test "webpki: an authorityInfoAccess not well-formed is webpki-aia-malformed" {
	local c
	for c in aia-critical aia-ldap aia-dns aia-nohost aia-empty; do
		both "$c" webpki-aia-malformed
	done
	# cryptography refuses the critical one too
	run cry aia-critical root
	assert_output --partial "incorrect criticality"
}

@test "webpki: --profile wants rfc5280 or webpki, on verify-root, accept and assign" {
	ecj verify-root --cert "$D/good.pem" --profile strict
	assert_code 2 usage
	ecj verify-root --cert "$D/good.pem" --profile rfc5280
	assert_code 0 ok
	ecj accept --in "$D/good.pem" --profile WEBPKI
	assert_code 2 usage
	ecj assign --interface internal --thumbprint 0123456789 --profile cab
	assert_code 2 usage
	ecj assign --interface internal --clear --profile webpki
	assert_code 2 usage
}

@test "webpki: assign --profile webpki refuses a certificate without a SAN: trust and name fail" {
	export EDGECERT_STORE="$BATS_TEST_TMPDIR/store"
	edgecert import-chain --in "$D/root.pem" -q > /dev/null
	t=$(store_put personal "$D/nosan.pem" "$D/nosan.key")
	ecj assign --interface internal --thumbprint "$t" --fqdn www.example.test --check
	assert_code 0 ok
	assert_equal "$(jf '.checks[] | select(.name == "name") | .outcome')" warn
	ecj assign --interface internal --thumbprint "$t" --fqdn www.example.test \
		--profile webpki --check
	assert_code 1 untrusted
	assert_equal "$(jf '.checks[] | select(.name == "trust") | .outcome')" fail
	[[ $(jf '.checks[] | select(.name == "trust") | .message') == *webpki-no-san* ]]
	assert_equal "$(jf '.checks[] | select(.name == "name") | .outcome')" fail
	t=$(store_put personal "$D/good.pem" "$D/good.key")
	ecj assign --interface internal --thumbprint "$t" --fqdn www.example.test \
		--profile webpki --check
	assert_code 0 ok
}

@test "webpki: accept --profile webpki reports the profile's reasons, and accepts" {
	export EDGECERT_STORE="$BATS_TEST_TMPDIR/store"
	edgecert import-chain --in "$D/root.pem" -q > /dev/null
	ecj request --cn www.example.test --out www.csr
	assert_success
	# the CA (the file's root) issues it without a SAN nor an EKU
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > www.ext
	openssl x509 -req -in www.csr -CA "$D/root.pem" -CAkey "$D/root.key" -set_serial 7 \
		-days 30 -extfile www.ext -out www.pem 2>/dev/null
	cp -r "$EDGECERT_STORE" store2
	ecj accept --in www.pem
	assert_code 0 ok
	assert_equal "$(jf .trusted)" true
	EDGECERT_STORE=$PWD/store2 ecj accept --in www.pem --profile webpki
	assert_code 0 ok
	assert_equal "$(jf .trusted)" false
	assert_equal "$(jf '.reasons | sort | join(",")')" webpki-no-eku,webpki-no-san
	[[ $(jf '.warnings | join(" ")') == *"does not verify to a trusted root: webpki-"* ]]
}
