#!/usr/bin/env bats
# Hostile input: scripts/bad-corpus (truncations at every length, bit
# flips, the wrong kind of file, huge files, FIFOs, devices, odd paths) and
# hostile names, given to every applet that reads outside bytes.  Each
# case ends in a clear error with the right code and exit status, within
# a bounded time, and the store is left as it was.

load helper

# make check samples the larger sets; make stress takes every case
if [ -n "${EDGECERT_STRESS:-}" ]; then STEP=1; else STEP=5; fi

setup_file() {
	export BAD="$BATS_FILE_TMPDIR/bad"
	"$BATS_TEST_DIRNAME/../scripts/bad-corpus" "$BAD" >/dev/null 2>&1
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	# a store with something in it, to be left alone
	ecj request --cn keep.example.test --key-type ecdsa
	assert_success
	before=$(store_snapshot)
}

# expect EXIT CODE APPLET ARGS...: one run, bounded, its kv record checked
expect() {
	local want_exit=$1 want_code=$2 rec st
	shift 2
	rec=$(timeout 20 edgecert "$@" --format kv 2>/dev/null) && st=0 || st=$?
	[ "$st" = "$want_exit" ] || fail "$*: exit $st, not $want_exit: $rec"
	grep -qx "code='$want_code'" <<<"$rec" || fail "$*: $rec"
	grep -q "^message='.\+'" <<<"$rec" || fail "$*: no message: $rec"
}

@test "hostile: a certificate cut at every length is bad input to every reader" {
	n=$(wc -c < "$BAD/cert.der")
	for ((k = 0; k < n; k++)); do
		expect 3 bad-input import-chain --in "$BAD/trunc/$k.der"
	done
	# the same parser: every STEP-th length (all of them in make stress)
	for ((k = 0; k < n; k += STEP)); do
		expect 3 bad-input accept --in "$BAD/trunc/$k.der"
		expect 3 bad-input verify-root --cert "$BAD/trunc/$k.der"
	done
	# and the whole one is fine
	expect 0 ok import-chain --in "$BAD/cert.der"
	ecj import-chain --in "$BAD/cert.der" --check
	assert_equal "$(jf .changed)" false
}

@test "hostile: a .p7b cut anywhere is bad input, nothing imported" {
	for f in "$BAD"/p7b-trunc/*.p7b; do
		expect 3 bad-input import-chain --in "$f"
		expect 3 bad-input accept --in "$f"
	done
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: bit flips end in a verdict or bad input, never worse" {
	for f in "$BAD"/flip/*.der; do
		[ $(( $(basename "$f" .der) % (3 * STEP) )) -eq 0 ] || continue
		rec=$(timeout 20 edgecert import-chain --in "$f" --check --format kv 2>/dev/null) &&
			st=0 || st=$?
		case $st in
		0) grep -qx "code='ok'" <<<"$rec" || fail "$f: $rec" ;;
		3) grep -qx "code='bad-input'" <<<"$rec" || fail "$f: $rec" ;;
		*) fail "$f: exit $st: $rec" ;;
		esac
		rec=$(timeout 20 edgecert verify-root --cert "$f" --format kv 2>/dev/null) &&
			st=0 || st=$?
		case $st in
		1|3) grep -q "^code='[a-z-]*'$" <<<"$rec" || fail "$f: $rec" ;;
		*) fail "$f: verify-root exit $st: $rec" ;;
		esac
	done
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: the wrong kind of file is bad input that says what it is" {
	for a in import-chain accept; do
		expect 3 bad-input $a --in "$BAD/wrong/cert.pfx"
		expect 3 bad-input $a --in "$BAD/wrong/req.csr"
		expect 3 bad-input $a --in "$BAD/wrong/key.pem"
		expect 3 bad-input $a --in "$BAD/wrong/signed-content.p7m"
		expect 3 bad-input $a --in "$BAD/wrong/enveloped.p7m"
	done
	ecj import-chain --in "$BAD/wrong/signed-content.p7m"
	[[ "$(jf .message)" == *"signed data"* ]]
	ecj import-chain --in "$BAD/wrong/enveloped.p7m"
	[[ "$(jf .message)" == *"enveloped"* ]]
	ecj accept --in "$BAD/wrong/req.csr"
	[[ "$(jf .message)" == *"CERTIFICATE REQUEST"* ]]
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: huge files, FIFOs, devices and directories are refused at once" {
	for a in import-chain accept; do
		start=$SECONDS
		expect 3 bad-input $a --in "$BAD/big"
		expect 3 bad-input $a --in "$BAD/fifo"
		expect 3 bad-input $a --in "$BAD/zero"
		expect 3 bad-input $a --in "$BAD/dir"
		[ $((SECONDS - start)) -lt 10 ] || fail "$a took $((SECONDS - start)) s"
	done
	expect 3 bad-input verify-root --cert "$BAD/zero"
	expect 3 bad-input verify-root --cert "$BAD/fifo"
	ecj import-chain --in "$BAD/big"
	[[ "$(jf .message)" == *"too large"* ]]
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: a path with a line break is read, and reported escaped" {
	ecj import-chain --in "$BAD/new
line.pem" --check
	assert_success
	run --separate-stderr edgecert import-chain --in "$BAD/nothere
x.pem" --format kv
	assert_equal "$status" 3
	# kv keeps the line break inside the quotes: eval gives it back whole
	eval "$output"
	assert_equal "$code" bad-input
	[[ "$message" == *"nothere
x.pem'"* ]]
	# json escapes it
	ecj import-chain --in "$BAD/nothere
x.pem"
	[[ "$output" == *'nothere\nx.pem'* ]]
}

@test "hostile: friendly names with ../, /, NUL-like escapes and line breaks never become paths" {
	for n in "../../../etc/passwd" "a/b" "x
y" 'back\slash' '$(touch pwned)' "'; touch pwned; '" '\0' '%00' '\x00\u0000'; do
		ecj request --cn "n$RANDOM.example.test" --key-type ecdsa --name "$n"
		assert_success
		assert_equal "$(jf .friendly_name)" "$n"
	done
	# the store holds only objects named by their hashes
	run find "$EDGECERT_STORE" -mindepth 2 -path "$EDGECERT_STORE/.txn" -prune -o -type f -print
	assert_success
	[ "$(grep -c . <<<"$output")" -eq 30 ]
	refute_output --regexp '/[^/]*[^0-9a-f/][^/]*\.(pem|key|meta|csr)$'
	assert_not_exist "$BATS_TEST_TMPDIR/etc"
	store_consistent
	# list's kv form is safe to eval with all of them in it
	eval "$(edgecert list --section pending --format kv)"
	assert_equal "$code" ok
	assert_not_exist pwned
	assert_not_exist "$EDGECERT_STORE/pending/pwned"
}

@test "hostile: a friendly name with a line break forges no row in the text output" {
	fake="root      $(printf '%040d' 0) 2036-11-22 CN=Forged Root"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout f.key \
		-subj "/CN=f.example.test" -days 5 -out f.pem 2>/dev/null
	printf 'pw\n' > pw
	openssl pkcs12 -export -in f.pem -inkey f.key -passout file:pw -name "x
$fake" -out f.pfx
	run --separate-stderr edgecert import-pfx --in f.pfx --password-file pw
	assert_success
	assert_output --partial "x\\x0a$fake"
	refute_line --regexp '^root '
	run --separate-stderr edgecert list
	assert_success
	assert_output --partial "x\\x0a$fake"
	refute_line --regexp '^root '
	# the record keeps the name whole
	ecj list --section personal
	assert_equal "$(jf '.items[0].friendly_name')" "x
$fake"
}

@test "hostile: certificate content that looks like shell is inert in every kv record" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout k.pem \
		-subj "/CN=\$(touch pwned1)/O=\`touch pwned2\`/OU='; touch pwned3; '" \
		-addext basicConstraints=critical,CA:TRUE -days 5 -out evil.pem 2>/dev/null
	for cmd in "import-chain --in evil.pem" "verify-root --cert evil.pem" "list"; do
		# shellcheck disable=SC2086
		rec=$(edgecert $cmd --format kv 2>/dev/null) || true
		eval "$rec"
		[ -n "$code" ] || fail "$cmd: no code"
	done
	assert_not_exist pwned1
	assert_not_exist pwned2
	assert_not_exist pwned3
}

@test "hostile: a FIFO or a device in place of the store's lock files is refused at once" {
	for f in .commit .lock; do
		mv "$EDGECERT_STORE/$f" "$BATS_TEST_TMPDIR/saved"
		mkfifo "$EDGECERT_STORE/$f"
		start=$SECONDS
		if [ "$f" = .commit ]; then	# readers take no other lock
			expect 6 store-corrupt list
			expect 6 store-corrupt verify-root --cert "$BAD/zero"
		fi
		expect 6 store-corrupt request --cn fifo.example.test --key-type ecdsa
		[ $((SECONDS - start)) -lt 10 ] || fail "$f: took $((SECONDS - start)) s"
		rm "$EDGECERT_STORE/$f"
		mknod "$EDGECERT_STORE/$f" c 1 3	# /dev/null
		expect 6 store-corrupt request --cn dev.example.test --key-type ecdsa
		rm "$EDGECERT_STORE/$f"
		mv "$BATS_TEST_TMPDIR/saved" "$EDGECERT_STORE/$f"
	done
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: a symlink planted as the next live generation's staging directory is store-corrupt" {
	pki_setup assign
	cat "$PKI/sub.pem" "$PKI/root.pem" > chain.pem
	ecj import-chain --in chain.pem
	assert_success
	t=$(store_put personal "$PKI/server.pem" "$PKI/server.key")
	t2=$(store_put personal "$PKI/server2.pem" "$PKI/server2.key")
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.example.test
	assert_success
	mkdir -m 700 elsewhere
	echo "do not touch" > elsewhere/keep
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$EDGECERT_STORE/live/.gen/internal/2.tmp"
	ecj assign --interface internal --thumbprint "$t2" --fqdn edge.example.test
	assert_code 6 store-corrupt
	assert_equal "$(ls elsewhere)" keep
	assert_equal "$(readlink "$EDGECERT_STORE/live/internal")" .gen/internal/1
}

@test "hostile: a CRL over 8 MiB is crl-too-large in every form, never stored to be skipped later" {
	ca_setup ca
	ecj import-chain --in ca/chain.p7b
	assert_success
	before=$(store_snapshot)
	# 320,000 entries: 8.6 MB of DER, a valid CRL of the issuing CA
	ec_cached big.der "$EC_ROOT/scripts/hostile-gen" crl ca 320000 big.der
	[ "$(stat -c %s big.der)" -gt $((8 << 20)) ]
	openssl crl -inform DER -in big.der -noout -issuer | grep -q "Test Issuing CA"
	openssl crl -inform DER -in big.der -out big.pem
	openssl crl2pkcs7 -in big.pem -certfile ca/sub.pem -outform DER -out big.p7b
	for f in big.der big.pem big.p7b; do
		start=$SECONDS
		expect 3 crl-too-large import-chain --in "$f"
		[ $((SECONDS - start)) -lt 10 ] || fail "$f took $((SECONDS - start)) s"
		ecj import-chain --in "$f"
		[[ "$(jf .message)" == *"over the limit of 8388608 bytes"* ||
			"$(jf .message)" == *"too large for a CRL"* ]] || fail "$output"
	done
	expect 3 crl-too-large verify-root --cert ca/sub.pem --crl big.der
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: a bundle of 3,000 certificates is placed in linear work, each path reported" {
	ca_setup ca
	# one request signed 3,000 times (serials differ), the CA and the root
	ec_cached many.pem "$EC_ROOT/scripts/hostile-gen" bundle ca 3000 many.pem
	[ "$(grep -c 'BEGIN CERTIFICATE' many.pem)" -eq 3002 ]
	# pairwise placement took minutes here (600 certificates: 21 s)
	start=$SECONDS
	rec=$(timeout 60 edgecert import-chain --in many.pem --format json) ||
		fail "exit $?: ${rec:0:300}"
	echo "# 3,000 certificates placed in $((SECONDS - start)) s" >&3
	assert_equal "$(jq -r .code <<<"$rec")" ok
	assert_equal "$(jq -r .imported <<<"$rec")" 2
	assert_equal "$(jq -r '.paths | length' <<<"$rec")" 3000
	assert_equal "$(jq -r '[.paths[] | select(.complete) | .certificates | length] | unique | join(",")' <<<"$rec")" 3
	# and the same file again is a no-op
	rec=$(timeout 60 edgecert import-chain --in many.pem --format json)
	assert_equal "$(jq -r .changed <<<"$rec")" false
}

@test "hostile: a PFX that asks for unbounded work is bad-input before any key is derived" {
	hp="$EC_ROOT/scripts/hostile-pfx"
	"$hp" contentinfos ci.pfx 2000
	"$hp" bags bags.pfx 300
	"$hp" keys keys.pfx 20 600000
	for f in ci bags keys; do
		expect 3 bad-input import-pfx --in "$f.pfx" --no-password
	done
	ecj import-pfx --in ci.pfx --no-password
	assert_equal "$(jf .message)" "cannot read 'ci.pfx': the file holds 2000 ContentInfos (more than 64): refused"
	ecj import-pfx --in bags.pfx --no-password
	assert_equal "$(jf .message)" "cannot read 'bags.pfx': the file holds more than 256 bags: refused"
	# 20 x 600,000: each under the cap of one PBE, the sum over the file's
	ecj import-pfx --in keys.pfx --no-password
	assert_equal "$(jf .message)" "cannot read 'keys.pfx': the file asks for more than 10000000 key derivation iterations in all (MAC and encryptions): refused"
	assert_equal "$(store_snapshot)" "$before"
}

@test "hostile: odd MAC parameters and a doubled key bag get the right code and message" {
	hp="$EC_ROOT/scripts/hostile-pfx"
	"$hp" mac-iter neg.pfx -1
	ecj import-pfx --in neg.pfx --no-password
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'neg.pfx': the MAC asks for -1 iterations: not a positive count, damaged"
	# a long salt is no "unsupported MAC": the MAC is checked (and fails)
	"$hp" mac-salt salt.pfx 300
	ecj import-pfx --in salt.pfx --no-password
	assert_code 3 bad-password
	[[ "$(jf .message)" == *"the MAC does not verify"* ]] || fail "$(jf .message)"
	"$hp" mac-salt huge.pfx 2000
	ecj import-pfx --in huge.pfx --no-password
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'huge.pfx': the MAC's salt is longer than 1024 bytes: refused"
	assert_equal "$(store_snapshot)" "$before"
	# the same key in two bags: a copy, not a key of no certificate
	"$hp" dup-key dup.pfx
	ecj import-pfx --in dup.pfx --no-password
	assert_code 0 ok
	t=$(jf '.certificates[0].thumbprint')
	assert_equal "$(jf '.warnings[0]')" "the private key of certificate $t is in the file twice: the copy is ignored"
	assert_equal "$(jf '.certificates[0].has_private_key')" true
}
