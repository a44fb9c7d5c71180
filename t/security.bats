#!/usr/bin/env bats
# Security properties, each with a test: keys and passwords never group
# or world readable (temporary files too) whatever the umask, no symlink
# followed inside the store, passwords out of argv and the environment,
# the kv record safe to eval with hostile content from every applet.

load helper

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	printf 'S3cret pw\n' > pw
	PASS="S3cret pw"
}

# pfx_of NAME [SUBJECT]: a certificate of the CA with its key, as NAME.pfx
pfx_of() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-subj "${2:-/CN=$1.example.test}" -addext "subjectAltName=DNS:$1.example.test" \
		-addext "extendedKeyUsage=serverAuth,clientAuth" -out "$1.csr" 2>/dev/null
	ca_sign "$CA" "$1.csr" "$1.pem" pem
	openssl pkcs12 -export -in "$1.pem" -inkey "$1.key" -certfile "$CA/sub.pem" \
		-passout file:pw -name "${3:-$1}" -out "$1.pfx"
}

# hold_lock: the store's writer lock held (flock(1), pid $HOLDER) until
# release_lock
hold_lock() {
	rm -f "$BATS_TEST_TMPDIR/held" "$BATS_TEST_TMPDIR/release"
	flock "$EDGECERT_STORE/.lock" -c "touch '$BATS_TEST_TMPDIR/held'
		while [ ! -e '$BATS_TEST_TMPDIR/release' ]; do sleep 0.05; done" &
	HOLDER=$!
	for _ in $(seq 1 400); do [ -e "$BATS_TEST_TMPDIR/held" ] && return 0; sleep 0.05; done
	fail "the lock was not taken"
}

release_lock() {
	touch "$BATS_TEST_TMPDIR/release"
}

# waits_on_lock PID: until the run PID has the lock file open, waiting
# for it (so past reading its options and password)
waits_on_lock() {
	for _ in $(seq 1 400); do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q '/\.lock$' && return 0
		sleep 0.05
	done
	fail "run $1 never waited on the lock"
}

# traced CMD...: run an edgecert command line under strace, logging every
# file it creates and the first bytes of every write, paths resolved (-y)
# (LeakSanitizer cannot run under strace: off for make check's san stage)
traced() {
	[ "$1" != edgecert ] || set -- "$EC_STRACE_BIN/edgecert" "${@:2}"
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f -y -s 64 -o "$BATS_TEST_TMPDIR/trace.log" \
		-e trace=openat,creat,write,pwrite64 "$@"
}

# secrets_private: in trace.log, every file a private key, a PKCS#12 or
# the password went to was created by edgecert (O_CREAT|O_EXCL) with no
# group or world bits; nothing written anywhere holds the password.
secrets_private() {
	local log=$BATS_TEST_TMPDIR/trace.log path mode n=0
	! grep -E '^[0-9]+ +p?write(64)?\(' "$log" | grep -F -q "$PASS" ||
		fail "the password was written: $(grep -F "$PASS" "$log")"
	while read -r path; do
		n=$((n + 1))
		mode=$(grep -E "O_CREAT.*= [0-9]+<$path>\$" "$log" | grep -o ', 0[0-7]*)' | tail -1 | tr -d ',) ')
		[ -n "$mode" ] || fail "$path: written, never created by edgecert"
		grep -E "O_CREAT.*= [0-9]+<$path>\$" "$log" | grep -q O_EXCL ||
			fail "$path: created without O_EXCL"
		[ $((8#$mode & 8#077)) -eq 0 ] || fail "$path: created mode $mode"
	done < <(grep -E '^[0-9]+ +p?write(64)?\([0-9]+<[^>]*>, "(-----BEGIN (ENCRYPTED )?PRIVATE KEY|0\\[0-3][0-7][0-7])' "$log" |
		sed 's/^[0-9]* *p\{0,1\}write[0-9]*([0-9]*<\([^>]*\)>.*/\1/' | sort -u)
	[ "$n" -gt 0 ] || fail "no secret written: the check saw nothing"
	echo "# $n files with a secret, each created private" >&3
}

# no_open_bits DIR: no key or live privkey.pem in DIR open to group/world
no_open_bits() {
	run find "$1" \( -name '*.key' -o -name privkey.pem -o -name '*.pfx' \) -perm /077
	assert_success
	assert_output ""
}

@test "security: keys, PFX files and their temporary files are private whatever the umask" {
	umask 000
	ecj import-chain --in "$CA/chain.p7b"
	# request: the new key, staged and placed
	traced edgecert request --cn r.example.test --key-type ecdsa --out r.csr
	assert_success
	secrets_private
	# accept: the key moves to personal
	ca_sign "$CA" r.csr r.p7b p7b
	traced edgecert accept --in r.p7b
	assert_success
	secrets_private
	# import-pfx: the key from the file, under the password
	(umask 077; pfx_of p)
	traced edgecert import-pfx --in p.pfx --password-file pw --exportable
	assert_success
	secrets_private
	# export: the PFX written out
	traced edgecert export --name p --out out.pfx --password-file pw
	assert_success
	secrets_private
	assert_equal "$(stat -c %a out.pfx)" 600
	# assign: the live key
	traced edgecert assign --interface internal --name p --fqdn p.example.test
	assert_success
	secrets_private
	no_open_bits "$EDGECERT_STORE"
	no_open_bits .
	[ -z "$(find "$EDGECERT_STORE" ! -type l -perm /022)" ] ||
		fail "writable by others: $(find "$EDGECERT_STORE" ! -type l -perm /022)"
}

@test "security: a key planted as a symlink in the store is never followed" {
	(umask 077; pfx_of s)
	ecj import-pfx --in s.pfx --password-file pw --exportable
	t=$(jf '.certificates[0].thumbprint')
	# the key moved out of the store, a symlink to it in its place
	mv "$EDGECERT_STORE/personal/$t.key" outside.key
	ln -s "$BATS_TEST_TMPDIR/outside.key" "$EDGECERT_STORE/personal/$t.key"
	traced edgecert export --thumbprint "$t" --out s-out.pfx --password-file pw --format json
	[ "$status" -ne 0 ] || fail "exported through a symlink: $output"
	assert_not_exist s-out.pfx
	traced edgecert assign --interface internal --thumbprint "$t" --fqdn s.example.test --format json
	[ "$status" -ne 0 ] || fail "assigned through a symlink: $output"
	# the outside file was never opened
	! grep -q 'outside.key' trace.log || fail "followed: $(grep outside.key trace.log)"
	# a symlink where a writer will write: replaced, never written through
	ecj import-chain --in "$CA/chain.p7b"
	r=$(ls "$EDGECERT_STORE/root/" | grep '\.pem$')
	rm "$EDGECERT_STORE/root/$r"
	echo "do not touch" > outside.txt
	ln -s "$BATS_TEST_TMPDIR/outside.txt" "$EDGECERT_STORE/root/$r"
	run edgecert import-chain --in "$CA/chain.p7b" --format json
	assert_equal "$(cat outside.txt)" "do not touch"
	# every open of the store's objects refuses a symlink
	traced edgecert list --format json
	grep -E 'openat\([0-9]+</[^>]*/(personal|ca|root|crl|pending|assigned)>' trace.log |
		grep -v O_NOFOLLOW && fail "an object opened without O_NOFOLLOW" || true
}

@test "security: --password warns and is wiped from argv; --password-env is wiped from the environment" {
	(umask 077; pfx_of w)
	ecj request --cn hold.example.test --key-type ecdsa
	# a held lock keeps the run waiting after it read the password
	hold_lock
	# (EDGECERT_NO_VALGRIND: make valgrind's wrapper runs edgecert itself,
	# whose argv /proc shows; under valgrind it shows valgrind's)
	EDGECERT_NO_VALGRIND=1 edgecert import-pfx --in w.pfx --password "$PASS" --wait 8 \
		--format json > arg.json 2> arg.err &
	p=$!
	waits_on_lock "$p"
	args=$(tr '\0' ' ' < "/proc/$p/cmdline")
	[[ "$args" == *"--password "* ]] || fail "not the run: $args"
	[[ "$args" != *"S3cret"* ]] || fail "the password in argv: $args"
	release_lock
	wait "$p"
	assert_equal "$(jq -r .code arg.json)" ok
	assert_equal "$(jq -r '.warnings[0]' arg.json)" "--password is visible to other users of this machine; prefer --password-file, --password-env or --password-fd"
	grep -q 'warning: --password is visible' arg.err
	wait "$HOLDER"
	edgecert list -q > /dev/null
	rm -rf "$EDGECERT_STORE/personal"/*
	hold_lock
	EDGECERT_NO_VALGRIND=1 EC_TEST_PW=$PASS edgecert import-pfx --in w.pfx --password-env EC_TEST_PW --wait 8 \
		--format json > env.json 2>/dev/null &
	p=$!
	waits_on_lock "$p"
	env=$(tr '\0' '\n' < "/proc/$p/environ")
	grep -q '^EC_TEST_PW=' <<<"$env" || fail "not the run"
	! grep -q 'S3cret' <<<"$env" || fail "the password in the environment: $(grep EC_TEST_PW <<<"$env")"
	release_lock
	wait "$p"
	assert_equal "$(jq -r .code env.json)" ok
	assert_equal "$(jq -r '.warnings | length' env.json)" 0
	wait "$HOLDER"
}

@test "security: the password never reaches a hook's argv or environment" {
	(umask 077; pfx_of h)
	ecj import-chain --in "$CA/chain.p7b"
	# the hook records its whole environment and argv
	cat > hook.sh <<'H'
#!/bin/sh
env > "$HOOK_DIR/hook.env"
printf '%s\n' "$0" "$@" > "$HOOK_DIR/hook.argv"
H
	chmod +x hook.sh
	export HOOK_DIR=$BATS_TEST_TMPDIR
	EC_TEST_PW=$PASS run edgecert import-pfx --in h.pfx --password-env EC_TEST_PW -q
	assert_success
	EC_TEST_PW=$PASS ecj assign --interface internal --name h --fqdn h.example.test \
		--deploy-hook "$BATS_TEST_TMPDIR/hook.sh"
	assert_success
	assert_file_exist hook.env
	# the hook's environment is the caller's (assign reads no password);
	# what edgecert adds is the interface's, never a secret
	! grep -h 'EDGECERT' hook.env | grep -F -q "$PASS" || fail "a secret in the hook's environment"
	! grep -F -q "$PASS" hook.argv || fail "a secret in the hook's argv"
}

@test "security: an unused --pin-env and --pin-fd never reach the deploy hook" {
	(umask 077; pfx_of k)
	ecj import-chain --in "$CA/chain.p7b"
	run edgecert import-pfx --in k.pfx --password-file pw -q
	assert_success
	printf '1234\n' > pin
	# the hook shows its environment and whether descriptor 7 is open
	# shellcheck disable=SC2016 # expanded by the hook's shell
	hook='env | grep "^EC_TEST_PIN" || true; [ -e /proc/$$/fd/7 ] && echo fd7-open || echo fd7-closed'
	EC_TEST_PIN=1234 ecj assign --interface internal --name k --fqdn k.example.test \
		--pin-env EC_TEST_PIN --deploy-hook "$hook"
	assert_code 0 ok
	assert_equal "$(jf .hook.output)" fd7-closed
	ecj assign --interface internal --clear --pin-fd 7 --deploy-hook "$hook" 7< pin
	assert_code 0 ok
	assert_equal "$(jf .hook.output)" fd7-closed
	# the control: a descriptor 7 that is not the PIN's reaches the hook
	ecj assign --interface internal --name k --fqdn k.example.test --deploy-hook "$hook" 7< pin
	assert_code 0 ok
	assert_equal "$(jf .hook.output)" fd7-open
}

@test "security: export and request --force replace regular files only" {
	(umask 077; pfx_of d)
	run edgecert import-pfx --in d.pfx --password-file pw --exportable -q
	assert_success
	mkfifo fifo
	mkdir dir
	echo keep > target
	ln -s target link
	outs=(fifo dir link)
	# a character device as the issue's attack had it (mknod is root's)
	if [ "$(id -u)" = 0 ]; then
		mknod chardev c 1 3
		outs+=(chardev)
	fi
	for out in "${outs[@]}"; do
		before=$(stat -c %F "$out")
		for check in "" --check; do
			# shellcheck disable=SC2086 # $check: one word or none
			timeout 20 edgecert export --name d --out "$out" --password-file pw --force $check \
				--format json > rec.json 2>/dev/null && st=0 || st=$?
			assert_equal "$st:$(jq -r .code rec.json)" "5:exists"
			[[ "$(jq -r .message rec.json)" == *"--force replaces regular files only"* ]] ||
				fail "$out: $(jq -r .message rec.json)"
			assert_equal "$(stat -c %F "$out")" "$before"
		done
		ecj request --cn "r$out.example.test" --key-type ecdsa --out "$out" --force
		assert_code 5 exists
		assert_equal "$(stat -c %F "$out")" "$before"
	done
	assert_equal "$(cat target)" keep
	# a regular file is replaced, as before
	ecj export --name d --out target --password-file pw --force
	assert_code 0 ok
	openssl pkcs12 -in target -passin file:pw -nokeys > /dev/null 2>&1 || fail "not a PFX"
	run ls -A
	refute_output --partial ".edgecert-"
}

@test "security: every applet's kv record is safe to eval with hostile content" {
	evil="\$(touch pwned1)\`touch pwned2\`'; touch pwned3; '\"\\ \$HOME
line"
	check_kv() {
		local rec
		rec=$(cat)
		code=
		eval "$rec"
		[ -n "$code" ] || fail "no code in: $rec"
		assert_not_exist pwned1
		assert_not_exist pwned2
		assert_not_exist pwned3
	}
	ecj import-chain --in "$CA/chain.p7b"
	check_kv < <(edgecert request --cn e.example.test --key-type ecdsa --org "$evil" \
		--name "$evil" --out e.csr --format kv)
	assert_equal "$friendly_name" "$evil"
	ca_sign "$CA" e.csr e.p7b p7b
	check_kv < <(edgecert accept --in e.p7b --format kv)
	assert_equal "$code" ok
	(umask 077; pfx_of x "/CN=x.example.test/O=$(printf '%s' "$evil" | head -1 | tr '/' '_')" "$evil")
	check_kv < <(edgecert import-pfx --in x.pfx --password-file pw --exportable --format kv)
	assert_equal "$code" ok
	assert_equal "$certificates_1_friendly_name" "$evil"
	t=$certificates_1_thumbprint
	check_kv < <(edgecert export --thumbprint "$t" --out x-out.pfx --password-file pw --format kv)
	assert_equal "$code" ok
	check_kv < <(edgecert verify-root --thumbprint "$t" --format kv)
	check_kv < <(edgecert assign --interface internal --thumbprint "$t" --fqdn x.example.test --format kv)
	assert_equal "$code" ok
	check_kv < <(edgecert assign --interface internal --thumbprint "$t" --fqdn "$evil" --format kv)
	[ "$code" != ok ]
	check_kv < <(edgecert list --format kv)
	assert_equal "$code" ok
	check_kv < <(edgecert list --name "$evil" --format kv)
	check_kv < <(edgecert import-pfx --in "$evil" --password-file pw --format kv)
	assert_equal "$code" bad-input
}

# as_nobody CMD...: run CMD as uid/gid 65534, another user than the tests'
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "security: a store under another user's directory loses every time to that user swapping it" {
	[ "$(id -u)" -eq 0 ] || fail "needs root (the attacker is another user)"
	command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
	# /tmp/edgecert-attack.X belongs to the attacker; root's store is
	# a/store in it, and b/store another root-owned store that trusts the
	# CA (one root made there earlier, say)
	atk=$(mktemp -d /tmp/edgecert-attack.XXXXXX)
	echo "$atk" > attack-dir
	ecj import-chain --in "$CA/root.pem" --store "$BATS_TEST_TMPDIR/other"
	assert_success
	mkdir -m 700 "$atk/a" "$atk/b"
	cp -a "$BATS_TEST_TMPDIR/other" "$atk/b/store"
	mkdir -m 700 "$atk/a/store"
	echo 1 > "$atk/a/store/VERSION"
	chown 65534:65534 "$atk"
	chmod 755 "$atk"
	# renameat2(RENAME_EXCHANGE) of a and b in a loop, as the attacker,
	# until told to stop
	cat > "$atk/swap.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
d, n = sys.argv[1], 0
while not os.path.exists(d + "/stop"):
    if libc.renameat2(-100, (d + "/a").encode(), -100, (d + "/b").encode(), 2):
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
    n += 1
print(n)
PY
	as_nobody /usr/bin/python3 "$atk/swap.py" "$atk" > swaps 2> swap.err &
	pid=$!
	for _ in $(seq 1 30); do
		ecj verify-root --cert "$CA/sub.pem" --purpose any --store "$atk/a/store"
		assert_code 6 store-unsafe
		[[ "$(jf .message)" == *"is owned by uid 65534, neither root nor this user"* ]] ||
			fail "$(jf .message)"
	done
	touch "$atk/stop"
	wait "$pid"
	[ "$(cat swaps)" -gt 0 ] || fail "the attacker never swapped: $(cat swap.err)"
	# and with no attacker at all: the same refusal, for readers and writers
	ecj import-chain --in "$CA/root.pem" --store "$atk/a/store"
	assert_code 6 store-unsafe
	ecj list --store "$atk/a/new/store"
	assert_code 6 store-unsafe
	assert_not_exist "$atk/a/new"
}

teardown() {
	if [ -f "$BATS_TEST_TMPDIR/attack-dir" ]; then
		d=$(cat "$BATS_TEST_TMPDIR/attack-dir")
		touch "$d/stop"
		exec 9>&-
		wait || true
		rm -rf "$d"
	fi
}

@test "security: every directory above the store is checked as ssh's StrictModes does" {
	# writable by others, not sticky: anyone could swap the store
	mkdir -m 777 pub
	ecj list --store "$BATS_TEST_TMPDIR/pub/store"
	assert_code 6 store-unsafe
	[[ "$(jf .message)" == *"/pub' is writable by group or others (mode 0777)"* ]]
	chmod 775 pub
	ecj import-chain --in "$CA/root.pem" --store "$BATS_TEST_TMPDIR/pub/store"
	assert_code 6 store-unsafe
	assert_not_exist pub/store
	# sticky (as /tmp): fine for an entry of this user's ...
	chmod 1777 pub
	ecj import-chain --in "$CA/root.pem" --store "$BATS_TEST_TMPDIR/pub/store"
	assert_success
	ecj list --store "$BATS_TEST_TMPDIR/pub/store"
	assert_success
	# ... not for another user's
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -m 755 pub/theirs
		chown 65534 pub/theirs
		ecj list --store "$BATS_TEST_TMPDIR/pub/theirs/store"
		assert_code 6 store-unsafe
		[[ "$(jf .message)" == *"entry 'theirs' is owned by uid 65534"* ]]
	fi
	# a symlink on the way is followed, under the same rule
	mkdir -m 700 real
	ln -s real via
	ecj import-chain --in "$CA/root.pem" --store "$BATS_TEST_TMPDIR/via/store"
	assert_success
	assert_exist real/store/VERSION
	ln -s pub/store pubstore
	ecj list --store "$BATS_TEST_TMPDIR/pubstore"
	assert_code 6 store-corrupt
	[[ "$(jf .message)" == *"is a symlink"* ]]
	ln -s "$BATS_TEST_TMPDIR/pub" via-pub
	chmod 0777 pub
	ecj list --store "$BATS_TEST_TMPDIR/via-pub/store"
	assert_code 6 store-unsafe
	# a relative store is walked from the current directory
	(cd real && ecj list --store store && assert_success)
}

@test "security: a section, a root or a key another user could change is refused" {
	(umask 077; pfx_of k)
	ecj import-pfx --in k.pfx --password-file pw --exportable
	assert_success
	t=$(jf '.certificates[0].thumbprint')
	ecj import-chain --in "$CA/chain.p7b"
	assert_success
	r=$(cd "$EDGECERT_STORE/root" && echo ./*.pem)
	r=${r#./}
	# a section writable by others, under a 0700 store
	chmod 777 "$EDGECERT_STORE/root"
	ecj verify-root --thumbprint "$t" --purpose any
	assert_code 6 store-unsafe
	[[ "$(jf .message)" == *"/root' is writable by group or others (mode 0777)"* ]]
	ecj list
	assert_code 6 store-unsafe
	chmod 700 "$EDGECERT_STORE/root"
	ecj verify-root --thumbprint "$t" --purpose any
	assert_success
	# a root owned by another user is not this user's trust
	if [ "$(id -u)" -eq 0 ]; then
		chown 65534 "$EDGECERT_STORE/root/$r"
		ecj verify-root --thumbprint "$t" --purpose any
		assert_code 6 store-unsafe
		chown 0 "$EDGECERT_STORE/root/$r"
		chown 65534 "$EDGECERT_STORE/personal/$t.key"
		ecj export --thumbprint "$t" --out k2.pfx --password-file pw
		assert_code 6 store-unsafe
		chown 0 "$EDGECERT_STORE/personal/$t.key"
	fi
	# a key readable by others
	chmod 644 "$EDGECERT_STORE/personal/$t.key"
	ecj export --thumbprint "$t" --out k2.pfx --password-file pw
	assert_code 6 store-unsafe
	[[ "$(jf .message)" == *"$t.key' in the store has mode 0644"* ]]
	assert_not_exist k2.pfx
	ecj assign --interface internal --thumbprint "$t" --fqdn k.example.test
	assert_code 6 store-unsafe
	chmod 600 "$EDGECERT_STORE/personal/$t.key"
	ecj export --thumbprint "$t" --out k2.pfx --password-file pw
	assert_success
}

@test "security: no core dump and no same-user reading of a run's memory" {
	[ "$(id -u)" -eq 0 ] || fail "needs root (to look at another user's run)"
	command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
	(umask 077; pfx_of c)
	# a run of another user, stopped while it reads the password
	h=$(mktemp -d /tmp/edgecert-home.XXXXXX)
	echo "$h" > attack-dir
	chown 65534:65534 "$h"
	cp c.pfx "$h/"
	chown 65534 "$h/c.pfx"
	mkfifo "$h/pw"
	chown 65534 "$h/pw"
	exec 9<>"$h/pw"		# a writer that has not written yet
	# (setpriv itself, not a function: $! is the pid edgecert runs as)
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$h" EDGECERT_STORE="$h/store" "$EC_BIN/edgecert" import-pfx --in "$h/c.pfx" \
		--password-file "$h/pw" --format json > out.json 9>&- &
	pid=$!
	for _ in $(seq 1 200); do
		grep -q "$h/pw" <(ls -l "/proc/$pid/fd" 2>/dev/null) && break
		sleep 0.05
	done
	# RLIMIT_CORE 0, and not dumpable: its /proc files are root's, not its
	# user's, so that nobody else of that user may read its memory
	grep -E '^Max core file size +0 +0 ' "/proc/$pid/limits"
	assert_equal "$(stat -c %u "/proc/$pid/status")" 0
	printf '%s\n' "$PASS" >&9
	exec 9>&-
	wait "$pid"
	run jq -r .code out.json
	assert_output ok
}

# revoked_setup: r (with its key, friendly name r) imported, the CA's
# chain trusted, r revoked by the CRL in the store; sets CRLF, that file.
revoked_setup() {
	(umask 077; pfx_of r)
	run edgecert import-pfx --in r.pfx --password-file pw -q
	assert_success
	run edgecert import-chain --in "$CA/chain.p7b" -q
	assert_success
	"$EC_ROOT/scripts/test-ca" revoke "$CA" r.pem r.crl >/dev/null
	ecj import-chain --in r.crl
	assert_success
	CRLF=$(echo "$EDGECERT_STORE"/crl/*.pem)
	[ -f "$CRLF" ] || fail "no CRL in the store: $CRLF"
	cp "$CRLF" good.crl
	ecj verify-root --cert r.pem
	assert_code 1 revoked
}

# refused: verify-root says untrusted, crl-unusable, and assign refuses
refused() {
	ecj verify-root --cert r.pem
	assert_code 1 untrusted
	assert_equal "$(jf '.reasons | join(",")')" crl-unusable
	jf '.warnings[]' | grep -q "crl/.*cannot be used" || fail "no warning naming the file"
	ecj assign --interface internal --name r --fqdn r.example.test
	assert_code 1 untrusted
	assert_equal "$(jf '.checks[] | select(.name == "trust") | .code')" untrusted
	assert_not_exist "$EDGECERT_STORE/live/internal"
}

@test "security: a stored CRL that is damaged, cut, a symlink, a FIFO or too large never lets a revoked certificate through" {
	revoked_setup
	# damaged: a line of its base64 overwritten
	sed '3s/^..../!!!!/' good.crl > "$CRLF"
	refused
	# cut short
	head -c 300 good.crl > "$CRLF"
	refused
	# a symlink, even to the good CRL
	rm "$CRLF"
	ln -s "$BATS_TEST_TMPDIR/good.crl" "$CRLF"
	refused
	# a FIFO (and nobody hangs on it)
	rm "$CRLF"
	mkfifo "$CRLF"
	refused
	# the good CRL with 12 MB after it: over the stored limit
	rm "$CRLF"
	{ cat good.crl; head -c 12000000 /dev/zero | tr '\0' '\n'; } > "$CRLF"
	refused
	# another user's CRL, or one others may write, is no CRL of this
	# store's: store-unsafe, as any store object (not a verdict)
	rm "$CRLF"
	cp good.crl "$CRLF"
	chown nobody "$CRLF"
	ecj verify-root --cert r.pem
	assert_code 6 store-unsafe
	chown 0 "$CRLF"
	chmod 0666 "$CRLF"
	ecj assign --interface internal --name r --fqdn r.example.test
	assert_code 6 store-unsafe
	assert_not_exist "$EDGECERT_STORE/live/internal"
	chmod 0600 "$CRLF"
	# and the good one back: revoked again, and a good certificate of
	# the same CA fine
	cp good.crl "$CRLF"
	ecj verify-root --cert r.pem
	assert_code 1 revoked
	ecj assign --interface internal --name r --fqdn r.example.test
	assert_code 1 revoked
	(umask 077; pfx_of g)
	ecj verify-root --cert g.pem
	assert_code 0 ok
}
