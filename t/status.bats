#!/usr/bin/env bats
# The status record as a public API: one record, schema-valid JSON, kv that
# is safe to eval whatever a certificate holds, escaped text.

load helper

setup_file() {
	pki_setup
}

setup() {
	ec_setup
	pki_setup
	cd "$BATS_TEST_TMPDIR"
}

# A certificate whose subject is hostile to shells, made by openssl.
hostile_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$BATS_TEST_TMPDIR/h.key" -days 30 -out "$BATS_TEST_TMPDIR/h.pem" \
		-subj "/CN=a'b\"c\$(touch pwned-subj)\`touch pwned-tick\`;x" 2>/dev/null
	store_put personal "$BATS_TEST_TMPDIR/h.pem"
}

@test "status: kv is safe to eval with a hostile subject and friendly name" {
	t=$(hostile_cert)
	# the meta file escapes a newline as \n: a name with quotes, $(), `` and a line break
	printf '%s\n' "friendly_name=it's \$(touch pwned-name) \`touch pwned-name2\`\\nline2 \\\\ end" \
		> "$EDGECERT_STORE/personal/$t.meta"
	run --separate-stderr edgecert list --format kv
	assert_success
	eval "$output"
	assert_not_exist pwned-subj
	assert_not_exist pwned-tick
	assert_not_exist pwned-name
	assert_not_exist pwned-name2
	# RFC 4514 escapes the double quote and the semicolon
	assert_equal "$items_1_subject" "CN=a'b\\\"c\$(touch pwned-subj)\`touch pwned-tick\`\\;x"
	assert_equal "$items_1_friendly_name" "it's \$(touch pwned-name) \`touch pwned-name2\`
line2 \\ end"
	assert_equal "$status" ok
	assert_equal "$code" ok
	assert_equal "$items_count" 1
	# every line is key='value' (or a continuation inside quotes)
	printf '%s\n' "$output" | grep -E "^[a-z_][a-z0-9_]*='" >/dev/null
}

@test "status: json escapes control characters and invalid UTF-8" {
	t=$(hostile_cert)
	printf 'friendly_name=tab\\there\\x01bell\\x7f \xff\xfe caf\xc3\xa9 \xe2\x80\xa8\n' \
		> "$EDGECERT_STORE/personal/$t.meta"
	ecj list
	assert_success
	raw=$(jf '.items[0].friendly_name')
	assert_equal "$raw" "$(printf 'tab\there\001bell\177 \\xff\\xfe café \xe2\x80\xa8')"
	# on the wire: no raw control bytes, the invalid bytes spelled out
	[[ "$output" == *'tab\there\u0001bell\u007f \\xff\\xfe café \u2028'* ]]
	if printf '%s' "$output" | LC_ALL=C grep -q $'[\x01-\x08\x7f\xff]'; then
		fail "raw control or invalid bytes in the record: $output"
	fi
}

@test "status: text escapes control characters for the terminal" {
	t=$(hostile_cert)
	printf 'friendly_name=\\x1b[31mred\\x07\n' > "$EDGECERT_STORE/personal/$t.meta"
	run --separate-stderr edgecert list
	assert_success
	assert_output --partial '\x1b[31mred\x07'
	if printf '%s' "$output" | LC_ALL=C grep -q $'\x1b'; then
		fail "a raw escape reached the terminal: $output"
	fi
}

@test "status: diagnostics on stderr are escaped as the text form is" {
	# a subject with an escape sequence and a line break, by openssl
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout e.key -days 30 -out e.pem \
		-subj "/CN=$(printf 'red\033[31m\nline')" 2>/dev/null
	openssl x509 -in e.pem -noout -subject -nameopt RFC2253 | grep -q 'red\\1B'
	# --purpose any: openssl's self-signed certificate is a CA, no server
	# (leaf-is-ca)
	run --separate-stderr edgecert verify-root --cert e.pem --purpose any
	assert_failure 1
	assert_equal "$stderr" "edgecert verify-root: 'CN=red\x1b[31m\x0aline' is not trusted: signer-not-found"
	assert_output --partial "'CN=red\x1b[31m\x0aline' is not trusted"
	if printf '%s' "$output$stderr" | LC_ALL=C grep -q $'\x1b'; then
		fail "a raw escape in the record or on stderr: $output $stderr"
	fi
	# and a file name with a line break, in a warning's place too
	run --separate-stderr edgecert import-chain --in "$(printf 'no\nsuch')"
	assert_failure 3
	assert_equal "$stderr" "edgecert import-chain: cannot open 'no\x0asuch': No such file or directory"
}

@test "status: exactly one record per run, success or failure, in each form" {
	# shellcheck disable=SC2086 # $args is split into its words on purpose
	for args in "list" "list --frob" "list --thumbprint 00000000" "frob"; do
		run --separate-stderr edgecert $args --format json
		assert_equal "$(printf '%s\n' "$output" | wc -l)" 1
		assert_record
		run --separate-stderr edgecert $args --format kv
		assert_equal "$(printf '%s\n' "$output" | grep -c '^status=')" 1
		assert_equal "$(printf '%s\n' "$output" | grep -c '^command=')" 1
	done
}

@test "status: every code's exit status is the documented one" {
	# edgecert(1) EXIT STATUS is the reference: check the table against it
	page="$EC_ROOT/man/edgecert.1"
	assert_file_exists "$page"
	for pair in ok:0 untrusted:1 expired:1 not-yet-valid:1 revoked:1 \
		name-mismatch:1 purpose-mismatch:1 key-mismatch:1 no-private-key:1 \
		usage:2 bad-input:3 bad-password:3 crl-too-large:3 not-found:4 ambiguous:4 \
		no-pending-request:4 not-exportable:5 weak-key:5 exists:5 refused:5 \
		locked:6 io:6 store-corrupt:6 store-unsafe:6 hook-failed:6 interrupted:6 internal:70 \
		no-daemon-access:1 not-served:7; do
		code=${pair%:*} exit=${pair#*:}
		# ".IP "\fBcode\fR" 22" followed by "exit N: ..."
		got=$(grep -A1 -F ".IP \"\\fB$code\\fR\"" "$page" | sed -n 2p)
		[[ "$got" == "exit $exit:"* ]] ||
			fail "edgecert(1) gives code $code '$got', not exit $exit"
		jq -e --arg c "$code" '."$defs".code.enum | index($c)' \
			"$EC_ROOT/man/edgecert-status.schema.json" >/dev/null ||
			fail "code $code is not in the schema"
	done
	# and the binary agrees, for the codes this suite can reach from list
	ecj list --frob;                 assert_code 2 usage
	ecj list --thumbprint 00000000;  assert_code 4 not-found
	echo 9 > "$BATS_TEST_TMPDIR/VERSION"
	mkdir -m 700 "$EDGECERT_STORE"
	cp "$BATS_TEST_TMPDIR/VERSION" "$EDGECERT_STORE/"
	ecj list;                        assert_code 6 store-corrupt
	chmod 777 "$EDGECERT_STORE"
	ecj list;                        assert_code 6 store-unsafe
}
