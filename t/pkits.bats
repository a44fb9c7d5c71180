#!/usr/bin/env bats
# pkits: NIST's PKI path-validation test suite (PKITS, the 2011 reissue with
# RSA-2048 and SHA-256) as python3-cryptography-vectors ships it, for the
# sections that need no policy processing.  t/data/pkits.tsv (made by
# scripts/pkits-table) names each test's end entity, intermediates and CRLs;
# the expected outcome is in the test's name ("Valid ..." or "Invalid ...").
#
# Each test is run as
#	edgecert verify-root --cert EE --chain CA... --crl CRL... \
#		--purpose any --at 2020-01-01T00:00:00Z [options]
# with a store whose only content is the trust anchor, imported by
# import-chain.  The PKITS certificates are valid from 2010-01-01 to
# 2030-12-31 (the date tests aside).  The DSA tests (4.1.4 to 4.1.6) run with
# --verify-profile low: the DSA CA has a 1024-bit key and signs with SHA-1,
# which the default profile (medium) calls insecure; every other PKITS
# certificate is RSA-2048 with SHA-256 and runs at the default profile.
#
# A section's test fails when a verdict differs from PKITS's and the test
# is not in KNOWN below, and also when a test in KNOWN agrees (the list is
# then stale and must shrink).

bats_require_minimum_version 1.5.0
load helper

PKITS=/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data

# Where edgecert (GnuTLS 3.7.9) and PKITS disagree, and why.  certtool
# --verify gives the same verdicts on the same chains (CRLs aside).
declare -gA KNOWN=(
	# GnuTLS cannot verify with DSA parameters inherited from the issuer's
	# key (RFC 3279 2.3.2): insecure-algorithm, and the CA's CRL does not
	# verify either.
	[4.1.5]="DSA parameter inheritance"
	# GnuTLS chains names by their DER bytes; RFC 5280 7.1 compares them
	# case-insensitively after folding white space.  signer-not-found.
	[4.3.3]="name chaining: white space"
	[4.3.4]="name chaining: white space"
	[4.3.5]="name chaining: capitalization"
	[4.3.11]="name chaining: UTF8String case"
	# A CA without a CRL is no failure (edgecert-verify-root(1): revocation
	# is checked against the CRLs there are), and a CRL that names another
	# issuer is not that CA's CRL.  PKITS wants "status undetermined".
	[4.4.1]="no CRL for the CA"
	[4.4.5]="the only CRL names another issuer"
	[4.4.6]="the only CRL is the trust anchor's"
	# A CRL must verify under the key of the CA that issued the
	# certificate; a CA that signs CRLs with a second certificate (RFC 5280
	# 6.3.3 f) is not supported: revocation-data-invalid.  4.4.20 and
	# 4.4.21 agree, for that reason rather than PKITS's.
	[4.4.19]="CRL signed by a separate CRL signing key"
	# The same with self-issued certificates: the CRL is signed by the
	# CA's new key (4.5.4) or by its self-issued CRL signing certificate
	# (4.5.6), neither on the end entity's path: revocation-data-invalid.
	# 4.5.3, whose path holds the key that signs the CRL, agrees; 4.5.5
	# and 4.5.7 agree for that reason (revocation-data-invalid) rather
	# than PKITS's (revoked).
	[4.5.4]="self-issued: CRL signed by a key not on the path"
	[4.5.6]="self-issued: CRL signed by a CRL signing certificate"
	# A CA whose basicConstraints is not critical breaks RFC 5280 4.2.1.9
	# (a MUST on CAs), which edgecert enforces by choice, as OpenSSL's
	# -x509_strict does; PKITS wants the path valid (RFC 5280 6.1.4 k
	# only asks for the extension): ca-basic-constraints-not-critical.
	[4.6.4]="basicConstraints not critical: refused on purpose"
	# GnuTLS counts self-issued intermediates against pathLenConstraint,
	# which RFC 5280 6.1.4 (l) does not: signer-constraints-failure.
	[4.6.15]="self-issued certificate and pathLenConstraint"
	[4.6.17]="self-issued certificates and pathLenConstraint"
	# GnuTLS does not scope a CRL by its issuingDistributionPoint or by
	# the certificate's cRLDistributionPoints (distribution point names,
	# onlyContainsUserCerts/CACerts/AttributeCerts, onlySomeReasons,
	# indirect CRLs and cRLIssuer): a CRL of the issuer's name counts as
	# complete, one of another issuer not at all, and no CRL is no failure.
	[4.14.3]="distribution point name not matched"
	[4.14.8]="distribution point name not matched"
	[4.14.9]="distribution point name not matched"
	[4.14.11]="onlyContainsUserCerts not checked"
	[4.14.12]="onlyContainsCACerts not checked"
	[4.14.14]="onlyContainsAttributeCerts not checked"
	[4.14.15]="onlySomeReasons: reasons not covered"
	[4.14.17]="onlySomeReasons: reasons not covered"
	[4.14.21]="onlySomeReasons: reasons not covered"
	[4.14.26]="indirect CRL: no CRL covers the certificate"
	[4.14.27]="cRLIssuer: no CRL covers the certificate"
	[4.14.31]="cRLIssuer: indirect CRL not recognized"
	[4.14.32]="cRLIssuer: indirect CRL not recognized"
	[4.14.35]="cRLIssuer: indirect CRL not recognized"
	# A delta CRL is not used (a warning says so); the base CRL alone
	# counts: a CA whose only CRL is a delta has none (4.15.1), a
	# certificate revoked in the delta only is not revoked (4.15.4), and
	# one on hold in the base that the delta removes stays revoked
	# (4.15.5).
	[4.15.1]="delta CRL without a base CRL: no CRL"
	[4.15.4]="revoked in the delta CRL only"
	[4.15.5]="removeFromCRL in the delta CRL not applied"
)

setup_file() {
	export EDGECERT_STORE="$BATS_FILE_TMPDIR/store"
	unset EDGECERT_FORMAT XDG_DATA_HOME
	edgecert import-chain --in "$PKITS/certs/TrustAnchorRootCertificate.crt" \
		-q > /dev/null
}

setup() {
	export EDGECERT_STORE="$BATS_FILE_TMPDIR/store"
	unset EDGECERT_FORMAT XDG_DATA_HOME
	cd "$BATS_TEST_TMPDIR"
}

# pkits_section SECTION: run the section's rows; print one line per test
# and a summary; fail on a disagreement not in KNOWN or a KNOWN that agrees.
pkits_section() {
	local sec=$1 id expect name ee chain crls opts got rc out
	local n=0 agree=0 bad=()
	local -a args
	while IFS=$'\t' read -r id expect name ee chain crls opts; do
		[[ $id == "$sec".* ]] || continue
		args=(--cert "$PKITS/certs/$ee" --purpose any
		      --at 2020-01-01T00:00:00Z --format json)
		[ "$chain" = - ] || for f in ${chain//,/ }; do
			args+=(--chain "$PKITS/certs/$f")
		done
		[ "$crls" = - ] || for f in ${crls//,/ }; do
			args+=(--crl "$PKITS/crls/$f")
		done
		# shellcheck disable=SC2206 # the table's options, split into words
		[ "$opts" = - ] || args+=($opts)
		out=$(edgecert verify-root "${args[@]}" 2>/dev/null) && rc=0 || rc=$?
		ec_log_record "$out" || bad+=("$id: not one record: $out")
		case $rc in
		0) got=valid ;;
		1) got=invalid ;;
		*) bad+=("$id: exit $rc: $out"); continue ;;
		esac
		n=$((n + 1))
		if [ "$got" = "$expect" ]; then
			agree=$((agree + 1))
			[ -z "${KNOWN[$id]:-}" ] ||
				bad+=("$id $name: agrees now; drop it from KNOWN")
		elif [ -n "${KNOWN[$id]:-}" ]; then
			echo "# $id $name: $got, PKITS says $expect (known: ${KNOWN[$id]})"
		else
			bad+=("$id $name: $got, PKITS says $expect: $(printf '%s' "$out" |
				jq -c '{code, reasons, warnings}')")
		fi
	done < "$EC_ROOT/t/data/pkits.tsv"
	echo "# section $sec: $n tests, $agree agree"
	[ "$n" -gt 0 ] || bad+=("no tests for section $sec")
	if [ ${#bad[@]} -gt 0 ]; then
		printf 'unexpected: %s\n' "${bad[@]}"
		return 1
	fi
}

@test "pkits: the data are there and the table names existing files" {
	[ -d "$PKITS/certs" ] && [ -d "$PKITS/crls" ]
	run awk -F'\t' '!/^#/ { print $4; if ($5 != "-") print $5; if ($6 != "-") print $6 }' \
		"$EC_ROOT/t/data/pkits.tsv"
	assert_success
	local f missing=0
	for f in $(printf '%s\n' "$output" | tr ',' '\n'); do
		[ -e "$PKITS/certs/$f" ] || [ -e "$PKITS/crls/$f" ] || {
			echo "missing: $f"; missing=1; }
	done
	assert_equal "$missing" 0
	# verify-root(1) CONFORMANCE gives the counts: keep them true
	local total
	total=$(grep -vc '^#' "$EC_ROOT/t/data/pkits.tsv")
	man -l "$EC_ROOT/man/edgecert-verify-root.1" 2>/dev/null | tr -s ' \n' ' ' |
		grep -q "$total tests, of which $((total - ${#KNOWN[@]})) agree" ||
		fail "verify-root(1) does not say '$total tests, of which $((total - ${#KNOWN[@]})) agree'"
	# and the verdict "valid" is possible at all: 4.1.1 is trusted, as
	# certtool says
	openssl x509 -inform DER -in "$PKITS/certs/ValidCertificatePathTest1EE.crt" > c.pem
	openssl x509 -inform DER -in "$PKITS/certs/GoodCACert.crt" >> c.pem
	openssl x509 -inform DER -in "$PKITS/certs/TrustAnchorRootCertificate.crt" > ta.pem
	ecj verify-root --cert c.pem --purpose any --at 2020-01-01T00:00:00Z \
		--crl "$PKITS/crls/GoodCACRL.crl"
	assert_code 0 ok
	assert_equal "$(jf '.chain | length')" 3
	run certtool --verify --load-ca-certificate ta.pem --infile c.pem
	assert_success
	assert_output --partial "Chain verification output: Verified"
}

@test "pkits: 4.1 signature verification" {
	pkits_section 4.1
}

@test "pkits: 4.2 validity periods" {
	pkits_section 4.2
}

@test "pkits: 4.3 verifying name chaining" {
	pkits_section 4.3
}

@test "pkits: 4.4 basic certificate revocation" {
	pkits_section 4.4
}

@test "pkits: 4.5 verifying paths with self-issued certificates" {
	pkits_section 4.5
}

@test "pkits: 4.6 verifying basic constraints" {
	pkits_section 4.6
}

@test "pkits: 4.7 key usage" {
	pkits_section 4.7
}

@test "pkits: 4.13 name constraints" {
	pkits_section 4.13
}

@test "pkits: 4.14 distribution points" {
	pkits_section 4.14
}

@test "pkits: 4.15 delta-CRLs" {
	pkits_section 4.15
}

@test "pkits: 4.16 private certificate extensions" {
	pkits_section 4.16
}
