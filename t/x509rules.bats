#!/usr/bin/env bats
# x509rules: the RFC 5280 rules edgecert enforces beside GnuTLS 3.7
# (core/check/x509rules.c; edgecert-verify-root(1), REASONS and CONFORMANCE).
# Each rule: a certificate that breaks it, with the verdict and the reason,
# and a conforming control that passes.  Fixtures: scripts/test-pki-rules
# (openssl's x509v3 configuration), made once for the file.  Each test's
# store holds the anchor; the intermediate is given with --chain.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	export RULES="$BATS_FILE_TMPDIR/rules"
	"$EC_ROOT/scripts/test-pki-rules" "$RULES"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
}

# vr ROOT LEAF [CA] [options]: verify-root of RULES/LEAF.pem (with CA.pem
# as an untrusted intermediate, - for none) against a store whose only
# root is RULES/ROOT.pem.
vr() {
	local root=$1 leaf=$2 ca=${3:--}
	shift 3 || shift $#
	store_put root "$RULES/$root.pem" > /dev/null
	if [ "$ca" = - ]; then
		ecj verify-root --cert "$RULES/$leaf.pem" "$@"
	else
		ecj verify-root --cert "$RULES/$leaf.pem" --chain "$RULES/$ca.pem" "$@"
	fi
}

# trusted: the last run is trusted with no reason.
trusted() {
	assert_code 0 ok
	assert_equal "$(jf .trusted)" true
	assert_equal "$(jf '.reasons | join(",")')" ""
}

# untrusted REASONS: the last run is untrusted for exactly REASONS (comma-
# separated, in the record's order).
untrusted() {
	assert_code 1 untrusted
	assert_equal "$(jf .trusted)" false
	assert_equal "$(jf '.reasons | join(",")')" "$1"
}

@test "x509rules: a conforming path is trusted, as openssl says" {
	vr root leaf ca --hostname edge.example.test
	trusted
	assert_equal "$(jf '.chain | length')" 3
	run openssl verify -x509_strict -CAfile "$RULES/root.pem" \
		-untrusted "$RULES/ca.pem" "$RULES/leaf.pem"
	assert_success
}

@test "x509rules: serial number zero: untrusted, serial-number-invalid" {
	vr root leaf-serial0 ca
	untrusted serial-number-invalid
}

@test "x509rules: negative serial number: untrusted, serial-number-invalid" {
	[ "$(openssl x509 -in "$RULES/leaf-serialneg.pem" -noout -serial)" = serial=-05 ]
	vr root leaf-serialneg ca
	untrusted serial-number-invalid
}

@test "x509rules: serial number of 21 octets: untrusted, serial-number-invalid" {
	vr root leaf-serial21 ca
	untrusted serial-number-invalid
}

@test "x509rules: serial number of 20 octets, top bit set (21 in DER): trusted" {
	vr root leaf-serial20 ca
	trusted
}

@test "x509rules: a CA with an empty subject: untrusted, ca-subject-empty" {
	[ "$(openssl x509 -in "$RULES/ca-empty.pem" -noout -subject)" = "subject=" ]
	vr root leaf-empty ca-empty
	untrusted ca-subject-empty
}

@test "x509rules: a CA whose basicConstraints is not critical: untrusted, ca-basic-constraints-not-critical" {
	vr root leaf-bcnc ca-bcnc
	untrusted ca-basic-constraints-not-critical
	# openssl's strict mode refuses it too
	run openssl verify -x509_strict -CAfile "$RULES/root.pem" \
		-untrusted "$RULES/ca-bcnc.pem" "$RULES/leaf-bcnc.pem"
	assert_failure
	assert_output --partial "Basic Constraints of CA cert not marked critical"
}

@test "x509rules: keyCertSign in a leaf: untrusted, leaf-key-cert-sign" {
	vr root leaf-kcs ca --purpose any
	untrusted leaf-key-cert-sign
}

@test "x509rules: a critical AKI: untrusted, aki-critical" {
	vr root leaf-akicrit ca --purpose any
	untrusted aki-critical
}

@test "x509rules: no AKI: untrusted, aki-missing; the self-signed root without one is trusted" {
	vr root leaf-noaki ca --purpose any
	untrusted aki-missing
	[ -z "$(openssl x509 -in "$RULES/root.pem" -noout -ext authorityKeyIdentifier)" ]
	ecj verify-root --cert "$RULES/root.pem" --purpose any
	trusted
}

@test "x509rules: an AKI of issuer and serial only: untrusted, aki-missing" {
	vr root leaf-akiissuer ca --purpose any
	untrusted aki-missing
}

@test "x509rules: a root whose AKI is not its SKI: untrusted, aki-ski-mismatch" {
	vr root-mm leaf-mm - --purpose any
	untrusted aki-ski-mismatch
	# the control: root's AKI is its SKI (openssl req -x509 writes both)
	vr root leaf ca --purpose any
	trusted
}

@test "x509rules: a CA without SKI: untrusted, ca-ski-missing" {
	vr root leaf-noski ca-noski --purpose any
	untrusted ca-ski-missing
}

@test "x509rules: an empty extended key usage: untrusted, eku-empty" {
	vr root leaf-ekuempty ca --purpose any
	untrusted eku-empty
}

@test "x509rules: policyConstraints not critical: untrusted, policy-constraints-not-critical" {
	vr root leaf-pc ca-pc --purpose any
	untrusted policy-constraints-not-critical
	# a critical one is no reason of this rule: GnuTLS 3.7 does not
	# process policies and refuses it as unknown (CONFORMANCE)
	vr root leaf-pccrit ca-pccrit --purpose any
	untrusted unknown-critical-extension
}

@test "x509rules: a critical extension that does not decode: untrusted, critical-extension-malformed" {
	vr root leaf-kubad ca --purpose any
	untrusted critical-extension-malformed
	# GnuTLS alone takes it
	cat "$RULES/leaf-kubad.pem" "$RULES/ca.pem" > c.pem
	run certtool --verify --load-ca-certificate "$RULES/root.pem" --infile c.pem
	assert_success
	assert_output --partial "Chain verification output: Verified"
	# the control: a critical subjectAltName that decodes
	vr root leaf-sancrit ca --hostname edge.example.test
	trusted
}

@test "x509rules: a version 1 intermediate: untrusted, ca-version-1" {
	[ "$(openssl x509 -in "$RULES/ca-v1.pem" -noout -text | grep -c 'Version: 1')" = 1 ]
	vr root leaf-v1 ca-v1 --purpose any
	# GnuTLS refuses it as no CA; a version 1 certificate has no AKI
	untrusted signer-not-ca,ca-version-1,aki-missing
}

@test "x509rules: a version 1 trust anchor of the store: trusted" {
	vr root-v1 leaf-v1root - --hostname edge.example.test
	trusted
	assert_equal "$(jf '.chain | length')" 2
}

@test "x509rules: a self-signed leaf as its own anchor: untrusted, anchor-is-leaf" {
	vr selfleaf selfleaf - --purpose any
	untrusted anchor-is-leaf
}

@test "x509rules: an issued leaf put among the roots: untrusted, anchor-is-leaf; a root alone is trusted" {
	vr leaf leaf - --purpose any
	untrusted anchor-is-leaf
	assert_equal "$(jf '.chain | length')" 1
	store_put root "$RULES/root.pem" > /dev/null
	ecj verify-root --cert "$RULES/root.pem" --chain "$RULES/ca.pem" --purpose any
	trusted
}

@test "x509rules: a leaf with CA:TRUE to serve: untrusted, leaf-is-ca; for --purpose any: trusted" {
	vr root leaf-ca ca --purpose server --hostname edge.example.test
	untrusted leaf-is-ca
	ecj verify-root --cert "$RULES/leaf-ca.pem" --chain "$RULES/ca.pem" --purpose any
	trusted
	# the default purpose is server
	ecj verify-root --cert "$RULES/leaf-ca.pem" --chain "$RULES/ca.pem"
	untrusted leaf-is-ca
}

@test "x509rules: assign refuses a leaf with CA:TRUE (leaf-is-ca) and takes a conforming one" {
	store_put root "$RULES/root.pem" > /dev/null
	store_put ca "$RULES/ca.pem" > /dev/null
	local bad good
	bad=$(store_put personal "$RULES/leaf-ca.pem" "$RULES/leaf.key")
	good=$(store_put personal "$RULES/leaf.pem" "$RULES/leaf.key")
	ecj assign --interface internal --thumbprint "$bad"
	assert_code 1 untrusted
	assert_output --partial leaf-is-ca
	ecj assign --interface internal --thumbprint "$good"
	assert_code 0 ok
}

@test "x509rules: accept warns of a CA certificate as the answer (leaf-is-ca), not of a conforming one" {
	store_put root "$RULES/root.pem" > /dev/null
	store_put ca "$RULES/ca.pem" > /dev/null
	local s
	for s in leaf-ca leaf; do
		ecj request --cn "$s.example.test" --out "$s.csr"
		assert_success
		openssl x509 -req -in "$s.csr" -CA "$RULES/ca.pem" -CAkey "$RULES/ca.key" \
			-set_serial 200 -days 30 -extfile "$RULES/rules.cnf" -extensions "$s" \
			-out "$s.pem" 2>/dev/null
	done
	ecj accept --in leaf-ca.pem
	assert_success
	assert_equal "$(jf .trusted)" false
	assert_equal "$(jf '.reasons | join(",")')" leaf-is-ca
	assert_equal "$(jf '[.warnings[] | select(endswith("does not verify to a trusted root: leaf-is-ca"))] | length')" 1
	ecj accept --in leaf.pem
	assert_success
	assert_equal "$(jf .trusted)" true
	assert_equal "$(jf '.reasons | join(",")')" ""
}
