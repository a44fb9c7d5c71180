#!/usr/bin/env bats
# Faults: every write-path system call of every writing applet fails in
# turn (strace fault injection), writers are killed at random moments, and
# writers and readers run at once.  The store is never left half-written
# and nothing in it is lost.
# (It runs side by side with the other files: nothing here waits on a
# clock; the kills' moments are random anyway, and the crowd of writers
# waits for the lock up to 60 s; it passed in both passes at a load of 18
# on two processors.)

load helper

# make check: short bounded runs; make stress (EDGECERT_STRESS=1): every
# errno, and many more kills and writers.
if [ -n "${EDGECERT_STRESS:-}" ]; then
	ERRNOS="ENOSPC EIO" KILLS=200 WRITERS=48
else
	ERRNOS="ENOSPC" KILLS=12 WRITERS=16
fi

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	command -v strace >/dev/null || fail "strace missing (scripts/deps)"
}

# a pending request for NAME.example.test and the CA's answer NAME.p7b
answered() {
	ecj request --cn "$1.example.test" --key-type ecdsa --out "$1.csr"
	assert_success
	ca_sign "$CA" "$1.csr" "$1.p7b" p7b
}

@test "faults: request, on a full disk and on a failing one" {
	ecj request --cn first.example.test --key-type ecdsa
	for err in $ERRNOS; do
		fault_sweep "$err" edgecert request --cn "b-$err.example.test" --key-type ecdsa
		assert_equal "$(jf .pending)" true
		echo "# request $err: $faults failed runs" >&3
	done
	ecj list --section pending
	assert_equal "$(jf .count)" $((1 + $(wc -w <<<"$ERRNOS")))
}

@test "faults: accept, on a full disk and on a failing one" {
	for err in $ERRNOS; do
		answered "a-$err"
		fault_sweep "$err" edgecert accept --in "a-$err.p7b" --trust-root
		assert_equal "$(jf .changed)" true
		assert_equal "$(jf .trusted)" true
		echo "# accept $err: $faults failed runs" >&3
	done
	ecj list --section personal
	assert_equal "$(jf .count)" "$(wc -w <<<"$ERRNOS")"
	ecj list --section pending
	assert_equal "$(jf .count)" 0
}

@test "faults: import-chain, on a full disk and on a failing one" {
	ecj import-chain --in "$CA/root.pem"
	fault_sweep ENOSPC edgecert import-chain --in "$CA/chain.p7b"
	assert_equal "$(jf .imported)" 1
	ecj list --section root
	assert_equal "$(jf .count)" 1
	# a CRL of the issuing CA, into the store that has it
	answered r
	ca_sign "$CA" r.csr r.pem pem
	"$EC_ROOT/scripts/test-ca" revoke "$CA" r.pem r.crl >/dev/null
	fault_sweep "${ERRNOS##* }" edgecert import-chain --in r.crl
	assert_equal "$(jf .imported)" 1
	ecj list --section crl
	assert_equal "$(jf .count)" 1
}

@test "faults: a writer killed at any moment leaves the old state or the new" {
	answered k
	pending=$(store_snapshot)
	for c in $(seq 1 "$KILLS"); do
		rm -rf "store.$c"
		cp -a "$EDGECERT_STORE" "store.$c"
		delay=$(printf '0.%03d' $((RANDOM % 60)))
		EDGECERT_STORE="$BATS_TEST_TMPDIR/store.$c" \
			timeout -s KILL "$delay" edgecert accept --in k.p7b --trust-root \
			>/dev/null 2>&1 || true
		# the next run of any applet sees a whole state: completed or not begun
		EDGECERT_STORE="$BATS_TEST_TMPDIR/store.$c" run edgecert list --format json
		assert_success
		EDGECERT_STORE="$BATS_TEST_TMPDIR/store.$c" store_consistent
		n=$(EDGECERT_STORE="$BATS_TEST_TMPDIR/store.$c" edgecert list --section personal --format json | jq .count)
		p=$(EDGECERT_STORE="$BATS_TEST_TMPDIR/store.$c" edgecert list --section pending --format json | jq .count)
		# either accepted (no request left) or not (the request whole)
		[ "$n$p" = 10 ] || [ "$n$p" = 01 ] || fail "run $c (after $delay s): personal $n, pending $p"
		if [ "$p" = 1 ]; then
			now=$(EDGECERT_STORE="$BATS_TEST_TMPDIR/store.$c" store_snapshot)
			assert_equal "$now" "$pending"
		fi
	done
}

@test "faults: many writers and readers at once on one store" {
	ecj import-chain --in "$CA/chain.p7b"
	for c in $(seq 1 "$WRITERS"); do
		ecj request --cn "w$c.example.test" --key-type ecdsa --out "w$c.csr"
		ca_sign "$CA" "w$c.csr" "w$c.cer" der
	done
	pids=()
	for c in $(seq 1 "$WRITERS"); do
		edgecert accept --in "w$c.cer" --wait 60 --format json > "w$c.json" 2>/dev/null &
		pids+=($!)
		edgecert request --cn "n$c.example.test" --key-type ecdsa --wait 60 --format json \
			> "n$c.json" 2>/dev/null &
		pids+=($!)
	done
	# readers alongside: never fail because of a writer, never see a
	# certificate without its key
	bad=0
	for c in $(seq 1 30); do
		edgecert list --format json > "r$c.json" || bad=$((bad + 1))
		jq -e '[.items[] | select(.section == "personal" and .has_private_key == false)] | length == 0' \
			"r$c.json" >/dev/null || bad=$((bad + 1))
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	assert_equal "$bad" 0
	for c in $(seq 1 "$WRITERS"); do
		assert_equal "$(jq -r .code "w$c.json")" ok
		assert_equal "$(jq -r .code "n$c.json")" ok
	done
	store_consistent
	ecj list --section personal
	assert_equal "$(jf .count)" "$WRITERS"
	ecj list --section pending
	assert_equal "$(jf .count)" "$WRITERS"
	assert_not_exist "$EDGECERT_STORE/.txn/journal"
}

# an issued certificate with its key and chain, as a PFX (openssl)
pfx_of() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-subj "/CN=$1.example.test" -addext "subjectAltName=DNS:$1.example.test" \
		-addext "extendedKeyUsage=serverAuth,clientAuth" -out "$1.csr" 2>/dev/null
	ca_sign "$CA" "$1.csr" "$1.pem" pem
	openssl pkcs12 -export -in "$1.pem" -inkey "$1.key" -certfile "$CA/sub.pem" \
		-passout file:pw -out "$1.pfx"
}

@test "faults: import-pfx, export's output file and assign" {
	printf 'pw\n' > pw
	ecj import-chain --in "$CA/chain.p7b"
	pfx_of f1
	fault_sweep "${ERRNOS%% *}" edgecert import-pfx --in f1.pfx --password-file pw --exportable
	assert_equal "$(jf .changed)" true
	t=$(jf '.certificates[0].thumbprint')
	# export: a failed run leaves no file, or the old one whole
	for n in $(seq 1 200); do
		rm -f out.pfx
		ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f -o strace.log \
			-e inject=write,openat,rename,renameat,renameat2,linkat,fsync,fdatasync:"error=ENOSPC:when=$n" \
			"$EC_STRACE_BIN/edgecert" export --thumbprint "$t" --out out.pfx --password-file pw --format json
		if [ "$status" -ne 0 ]; then
			assert_equal "$status" 6
			[ ! -e out.pfx ] || fail "export fault $n left out.pfx"
			left=$(ls -A . | grep -v -e '^f1' -e '^pw$' -e '^strace.log$' -e '^store$' -e separate-stderr || true)
			[ -z "$left" ] || fail "export fault $n left $(ls -A .)"
			continue
		fi
		grep -q INJECTED strace.log || break
	done
	run openssl pkcs12 -in out.pfx -passin file:pw -noout
	assert_success
	fault_sweep "${ERRNOS%% *}" edgecert assign --interface internal --thumbprint "$t" \
		--fqdn f1.example.test
	assert_equal "$(jf .changed)" true
	assert_equal "$(openssl x509 -in "$EDGECERT_STORE/live/internal/cert.pem" -noout -subject)" \
		"subject=CN = f1.example.test"
}

@test "faults: 16 PFX imports and 16 assigns at once, with list, verify-root and export alongside" {
	printf 'pw\n' > pw
	ecj import-chain --in "$CA/chain.p7b"
	# two certificates the interfaces switch between
	for c in a b; do
		pfx_of "as-$c"
		ecj import-pfx --in "as-$c.pfx" --password-file pw --exportable
		assert_success
		declare "t_$c=$(jf '.certificates[0].thumbprint')"
	done
	for c in $(seq 1 "$WRITERS"); do pfx_of "p$c"; done
	pids=()
	for c in $(seq 1 "$WRITERS"); do
		edgecert import-pfx --in "p$c.pfx" --password-file pw --wait 120 \
			--format json > "i$c.json" 2>/dev/null &
		pids+=($!)
		if [ $((c % 2)) = 0 ]; then x=a t=$t_a; else x=b t=$t_b; fi
		edgecert assign --interface "if$((c % 4))" --thumbprint "$t" \
			--fqdn "as-$x.example.test" --wait 120 --format json > "a$c.json" 2>/dev/null &
		pids+=($!)
	done
	# readers alongside: never fail because of a writer
	bad=
	for c in $(seq 1 10); do
		edgecert list --format json > "r$c.json" || bad="$bad list($c)"
		edgecert verify-root --thumbprint "$t_a" --format json > "v$c.json" ||
			bad="$bad verify-root($c): $(cat "v$c.json")"
		edgecert export --thumbprint "$t_b" --out "e$c.pfx" --password-file pw \
			--format json > "e$c.json" || bad="$bad export($c): $(cat "e$c.json")"
		openssl pkcs12 -in "e$c.pfx" -passin file:pw -noout || bad="$bad export($c) unreadable"
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	[ -z "$bad" ] || fail "readers failed:$bad"
	# every writer got through, or was told locked after its wait
	for f in i*.json a*.json; do
		code=$(jq -r .code "$f")
		[ "$code" = ok ] || { [ "$code" = locked ] &&
			[[ "$(jq -r .message "$f")" == *"locked by another writer"* ]]; } ||
			fail "$f: $(cat "$f")"
	done
	store_consistent
	assert_not_exist "$EDGECERT_STORE/.txn/journal"
	# every import is there with its key (and, of one told locked, nothing)
	imported=0
	for c in $(seq 1 "$WRITERS"); do
		t=$(sha1 "p$c.pem")
		if [ "$(jq -r .code "i$c.json")" != ok ]; then
			assert_file_not_exist "$EDGECERT_STORE/personal/$t.pem"
			continue
		fi
		imported=$((imported + 1))
		assert_file_exist "$EDGECERT_STORE/personal/$t.pem"
		assert_file_exist "$EDGECERT_STORE/personal/$t.key"
	done
	ecj list --section personal
	assert_equal "$(jf .count)" $((imported + 2))
	[ "$imported" -eq "$WRITERS" ] ||
		echo "# $((WRITERS - imported)) imports told locked after their wait" >&3
	# each interface ends on one of the two, its live files whole
	for n in 0 1 2 3; do
		cert=$(openssl x509 -in "$EDGECERT_STORE/live/if$n/cert.pem" -noout -fingerprint -sha1 |
			sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
		[ "$cert" = "$t_a" ] || [ "$cert" = "$t_b" ] || fail "if$n: $cert"
	done
}

# live_of STORE: the SHA-1 of live/internal's certificate
live_of() {
	openssl x509 -in "$1/live/internal/cert.pem" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

@test "faults: import-pfx and assign killed at any moment leave the old state or the new" {
	printf 'pw\n' > pw
	ecj import-chain --in "$CA/chain.p7b"
	pfx_of ka
	pfx_of kb
	ecj import-pfx --in ka.pfx --password-file pw
	ta=$(jf '.certificates[0].thumbprint')
	ecj assign --interface internal --thumbprint "$ta" --fqdn ka.example.test
	assert_success
	tb=$(sha1 kb.pem)
	old=$(store_snapshot)
	torn=0
	for c in $(seq 1 "$KILLS"); do
		for what in import assign; do
			s="$BATS_TEST_TMPDIR/store.$what.$c"
			rm -rf "$s"
			cp -a "$EDGECERT_STORE" "$s"
			delay=$(printf '0.%03d' $((RANDOM % 80)))
			if [ "$what" = import ]; then
				EDGECERT_STORE=$s timeout -s KILL "$delay" edgecert import-pfx \
					--in kb.pfx --password-file pw >/dev/null 2>&1 || true
			else
				# kb in the store first, then the switch to it
				EDGECERT_STORE=$s edgecert import-pfx --in kb.pfx --password-file pw -q
				old_a=$(EDGECERT_STORE=$s store_snapshot)
				EDGECERT_STORE=$s timeout -s KILL "$delay" edgecert assign \
					--interface internal --thumbprint "$tb" --fqdn kb.example.test \
					>/dev/null 2>&1 || true
			fi
			EDGECERT_STORE=$s run edgecert list --format json
			assert_success
			EDGECERT_STORE=$s store_consistent
			if [ "$what" = import ]; then
				# kb whole with its key, or not there and the rest as it was
				if [ -e "$s/personal/$tb.pem" ]; then
					assert_file_exist "$s/personal/$tb.key"
				else
					assert_equal "$(EDGECERT_STORE=$s store_snapshot)" "$old"
				fi
			else
				live=$(live_of "$s")
				rec=$(sed -n 's/^thumbprint=//p' "$s/assigned/internal.meta")
				[ "$live" = "$ta" ] || [ "$live" = "$tb" ] || fail "run $c: live $live"
				[ "$rec" = "$ta" ] || [ "$rec" = "$tb" ] || fail "run $c: record $rec"
				[ "$live$rec" != "$ta$tb" ] || fail "run $c ($delay s): recorded before switched"
				if [ "$live$rec" = "$ta$ta" ]; then
					# as before, but for a generation written and
					# never switched to (pruned by the next assign)
					assert_equal "$(EDGECERT_STORE=$s store_snapshot | grep -v ' ./live/.gen/')" \
						"$(grep -v ' ./live/.gen/' <<<"$old_a")"
				elif [ "$live" != "$rec" ]; then
					# killed between the switch and its record: the
					# next assign puts the link back as recorded
					torn=$((torn + 1))
					EDGECERT_STORE=$s ecj assign --interface internal --thumbprint "$ta" \
						--fqdn ka.example.test
					assert_success
					[[ "$(jf -c .warnings)" == *"put back as recorded"* ]]
					assert_equal "$(jf .changed)" false
					assert_equal "$(live_of "$s")" "$ta"
					EDGECERT_STORE=$s store_consistent
				fi
			fi
		done
	done
	echo "# assign: $torn of $KILLS kills between switch and record, mended" >&3
}

teardown() {
	if [ -f "$BATS_TEST_TMPDIR/mounted" ]; then
		umount "$(cat "$BATS_TEST_TMPDIR/mounted")" || true
	fi
}

@test "faults: on a read-only file system a run that changes nothing succeeds, a change is io" {
	[ "$(id -u)" -eq 0 ] || fail "needs root (a read-only bind mount)"
	answered a
	ecj accept --in a.p7b
	assert_success
	ecj import-chain --in "$CA/chain.p7b"
	assert_success
	t=$(jf '.certificates[0].thumbprint')
	ecj list --section personal
	t=$(jf '.items[0].thumbprint')
	ecj assign --interface internal --thumbprint "$t" --fqdn a.example.test --force
	assert_success
	mount --bind "$EDGECERT_STORE" "$EDGECERT_STORE"
	echo "$EDGECERT_STORE" > mounted
	mount -o remount,bind,ro "$EDGECERT_STORE"
	before=$(store_snapshot)
	ecj assign --interface internal --thumbprint "$t" --fqdn a.example.test --force
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	ecj import-chain --in "$CA/chain.p7b"
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	ecj list
	assert_success
	ecj assign --interface external --thumbprint "$t" --fqdn a.example.test --force
	assert_code 6 io
	[[ "$(jf .message)" == *"ead-only file system"* ]] || fail "$(jf .message)"
	assert_equal "$(store_snapshot)" "$before"
}

@test "faults: a reader reads the committed state of a writer that died, waiting for the writer that holds the lock" {
	ecj import-chain --in "$CA/root.pem"
	assert_success
	# what a writer killed after its commit point leaves: the root moved
	# in already, the issuing CA still staged, the journal naming both
	s=$(sha1 "$CA/sub.pem")
	r=$(sha1 "$CA/root.pem")
	mkdir -p "$EDGECERT_STORE/.txn"
	cp "$CA/sub.pem" "$EDGECERT_STORE/.txn/1.new"
	printf 'put root %s.pem 0 0\nput ca %s.pem 1 0\n' "$r" "$s" > "$EDGECERT_STORE/.txn/journal"
	# another writer holds the writers' lock for a moment
	flock -x "$EDGECERT_STORE/.lock" -c "touch '$BATS_TEST_TMPDIR/held'; sleep 1" &
	pid=$!
	for _ in $(seq 1 100); do [ -e held ] && break; sleep 0.02; done
	ecj list
	assert_success
	assert_equal "$(jf '[.items[].thumbprint] | sort | join(" ")')" "$(printf '%s\n' "$r" "$s" | sort | paste -sd' ')"
	wait "$pid"
	assert_equal "$(ls -A "$EDGECERT_STORE/.txn")" ""
}

# wait_for COND...: until the command succeeds, at most 20 s
wait_for() {
	local n
	for n in $(seq 1 200); do
		"$@" && return 0
		sleep 0.1
	done
	fail "timed out waiting for: $* ($n)"
}

# holds_lock PID: the run has the store's lock file open (it waits on it)
holds_lock() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q '/\.lock$'
}

@test "faults: SIGTERM or SIGHUP before the commit abandons the run, with a record: interrupted" {
	printf 'pw\n' > pw
	ecj import-chain --in "$CA/chain.p7b"
	pfx_of s1
	before=$(store_snapshot)
	for sig in TERM HUP; do
		# the test holds the writer's lock (its descriptor not passed on)
		exec {lk}> "$EDGECERT_STORE/.lock"
		flock "$lk"
		# (EDGECERT_NO_VALGRIND: the pid signalled is edgecert's own)
		EDGECERT_NO_VALGRIND=1 edgecert import-pfx --in s1.pfx --password-file pw --wait 25 \
			--format json > rec.json 2> err.txt {lk}>&- &
		p=$!
		wait_for holds_lock "$p"
		kill "-$sig" "$p"
		st=0
		wait "$p" || st=$?
		exec {lk}>&-
		assert_equal "$st" 6
		assert_equal "$(jq -r .code rec.json)" interrupted
		[[ "$(jq -r .message rec.json)" == *"interrupted by SIG$sig"*"nothing changed"* ]] ||
			fail "$(cat rec.json)"
		assert_equal "$(store_snapshot)" "$before"
	done
	store_consistent
}

@test "faults: a signal after the commit lets the run finish, its hook too, and the record says so" {
	printf 'pw\n' > pw
	ecj import-chain --in "$CA/chain.p7b"
	pfx_of s2
	ecj import-pfx --in s2.pfx --password-file pw
	assert_success
	t=$(jf '.certificates[0].thumbprint')
	# the hook marks its start, then takes a moment
	EDGECERT_NO_VALGRIND=1 edgecert assign --interface internal --thumbprint "$t" --fqdn s2.example.test \
		--deploy-hook "touch '$BATS_TEST_TMPDIR/started'; sleep 1; echo hook-done" \
		--format json > rec.json 2> err.txt &
	p=$!
	wait_for [ -e started ]
	kill -TERM "$p"
	st=0
	wait "$p" || st=$?
	assert_equal "$st:$(jq -r .code rec.json)" 0:ok
	assert_equal "$(jq -r .hook.output rec.json)" hook-done
	assert_equal "$(jq -r '.warnings[0]' rec.json)" "SIGTERM came too late to stop the run: it finished"
	assert_equal "$(openssl x509 -in "$EDGECERT_STORE/live/internal/cert.pem" -noout -subject)" \
		"subject=CN = s2.example.test"
}

@test "faults: a record that cannot be written is exit 8, and says the change was made" {
	printf 'pw\n' > pw
	ecj import-chain --in "$CA/chain.p7b"
	pfx_of s3
	ecj import-pfx --in s3.pfx --password-file pw
	assert_success
	t=$(jf '.certificates[0].thumbprint')
	# a reader gone before the record (SIGPIPE as a shell leaves it)
	run --separate-stderr python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w)
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)' \
		edgecert assign --interface internal --thumbprint "$t" --fqdn s3.example.test --format json
	assert_equal "$status" 8
	[[ "$stderr" == *"cannot write the status record: Broken pipe; the run ended with code ok and changed the store"* ]] ||
		fail "$stderr"
	assert_equal "$(openssl x509 -in "$EDGECERT_STORE/live/internal/cert.pem" -noout -subject)" \
		"subject=CN = s3.example.test"
	# a closed standard output, and an unwritable --status-fd
	run --separate-stderr bash -c 'exec edgecert "$@" >&-' - assign --interface internal --clear
	assert_equal "$status" 8
	[[ "$stderr" == *"cannot write the status record: "*"; the run ended with code ok and changed the store"* ]] ||
		fail "$stderr"
	assert_not_exist "$EDGECERT_STORE/live/internal"
	run --separate-stderr edgecert list --status-fd 5 5< pw
	assert_equal "$status" 8
	[[ "$stderr" == *"cannot write the status record: Bad file descriptor; the run ended with code ok"* ]] ||
		fail "$stderr"
	store_consistent
}
