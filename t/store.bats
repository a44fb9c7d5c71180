#!/usr/bin/env bats
# The store: refusal of unsafe stores, format versions, layout.

load helper

setup() {
	ec_setup
}

@test "store: a world-writable store is refused as store-unsafe" {
	mkdir -m 700 "$EDGECERT_STORE"
	chmod 777 "$EDGECERT_STORE"
	ecj list
	assert_code 6 store-unsafe
	[[ "$(jf .message)" == *"writable by group or others (mode 0777)"* ]]
	chmod 770 "$EDGECERT_STORE"
	ecj list
	assert_code 6 store-unsafe
	chmod 750 "$EDGECERT_STORE"
	ecj list
	assert_success
}

@test "store: a store reached through a symlink is refused" {
	mkdir -m 700 "$BATS_TEST_TMPDIR/real"
	ln -s real "$EDGECERT_STORE"
	ecj list
	assert_code 6 store-corrupt
	[[ "$(jf .message)" == *"is a symlink"* ]]
}

@test "store: a store owned by another user is refused" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to chown"
	mkdir -m 700 "$EDGECERT_STORE"
	chown 65534 "$EDGECERT_STORE"
	ecj list
	assert_code 6 store-unsafe
	[[ "$(jf .message)" == *"owned by uid 65534"* ]]
}

@test "store: a directory with files but no VERSION is not a store" {
	mkdir -m 700 "$EDGECERT_STORE"
	echo hello > "$EDGECERT_STORE/notes.txt"
	ecj list
	assert_code 6 store-corrupt
	[[ "$(jf .message)" == *"is not an edgecert store"* ]]
}

@test "store: a newer or malformed format version is refused" {
	mkdir -m 700 "$EDGECERT_STORE"
	echo 2 > "$EDGECERT_STORE/VERSION"
	ecj list
	assert_code 6 store-corrupt
	[[ "$(jf .message)" == *"format version 2"* ]]
	echo banana > "$EDGECERT_STORE/VERSION"
	ecj list
	assert_code 6 store-corrupt
	[[ "$(jf .message)" == *"malformed VERSION"* ]]
}

@test "store: a section that is a symlink is refused" {
	mkdir -m 700 "$EDGECERT_STORE" "$BATS_TEST_TMPDIR/elsewhere"
	echo 1 > "$EDGECERT_STORE/VERSION"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$EDGECERT_STORE/root"
	ecj list --section root
	assert_code 6 store-corrupt
}

@test "store: an object that is a symlink planted in the store is not followed" {
	pki_setup
	t=$(store_put root "$PKI/root.pem")
	mv "$EDGECERT_STORE/root/$t.pem" "$BATS_TEST_TMPDIR/outside.pem"
	ln -s "$BATS_TEST_TMPDIR/outside.pem" "$EDGECERT_STORE/root/$t.pem"
	ecj list
	assert_success
	assert_equal "$(jf .count)" 0
	[[ "$(jf .warnings[0])" == *"is a symlink"* ]]
}

@test "store: the first writer creates it 0700 with its sections, whatever the umask" {
	umask 000
	ecj request --cn a.example.test --key-type ecdsa
	assert_success
	assert_equal "$(stat -c %a "$EDGECERT_STORE")" 700
	for s in personal ca root crl pending assigned; do
		assert_equal "$(stat -c %a "$EDGECERT_STORE/$s")" 700
	done
	assert_equal "$(cat "$EDGECERT_STORE/VERSION")" 1
	assert_equal "$(stat -c %a "$EDGECERT_STORE/.lock")" 600
	# no staging leftovers
	assert_equal "$(ls -A "$EDGECERT_STORE/.txn")" ""
}

@test "store: missing parent directories are made 0700 too" {
	export EDGECERT_STORE="$BATS_TEST_TMPDIR/a/b/store"
	ecj request --cn a.example.test --key-type ecdsa
	assert_success
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/a/b")" 700
}

@test "store: a second writer waits for the lock, then gives up with locked" {
	ecj request --cn a.example.test --key-type ecdsa
	assert_success
	# the lock held (the holder says so) before the second writer comes
	flock "$EDGECERT_STORE/.lock" -c "touch '$BATS_TEST_TMPDIR/held'; sleep 4" &
	holder=$!
	for _ in $(seq 1 500); do [ -e "$BATS_TEST_TMPDIR/held" ] && break; sleep 0.02; done
	assert_file_exists "$BATS_TEST_TMPDIR/held"
	start=$(date +%s%N)
	ecj request --cn b.example.test --key-type ecdsa --wait 1
	end=$(date +%s%N)
	assert_code 6 locked
	[[ "$(jf .message)" == *"locked by another writer (waited 1 s"* ]]
	ms=$(( (end - start) / 1000000 ))
	[ "$ms" -ge 900 ] || fail "gave up after $ms ms, before --wait"
	# readers take no lock
	ecj list
	assert_success
	# and a writer that waits long enough gets through
	ecj request --cn c.example.test --key-type ecdsa --wait 10
	assert_success
	wait "$holder"
}

@test "store: a change committed by a writer that died is completed by the next" {
	ecj request --cn a.example.test --key-type ecdsa
	assert_success
	# what a writer leaves when killed after its journal's commit: staged
	# files and the journal naming them
	mkdir -p "$EDGECERT_STORE/.txn"
	cp "$BATS_TEST_DIRNAME/../man/edgecert.1" "$EDGECERT_STORE/.txn/0.new"
	printf 'hello\n' > "$EDGECERT_STORE/.txn/1.new"
	printf 'put ca zz.txt 0 0\nput ca yy.txt 1 0\n' > "$EDGECERT_STORE/.txn/journal"
	ecj request --cn b.example.test --key-type ecdsa
	assert_success
	assert_equal "$(cat "$EDGECERT_STORE/ca/yy.txt")" hello
	cmp "$EDGECERT_STORE/ca/zz.txt" "$BATS_TEST_DIRNAME/../man/edgecert.1"
	assert_equal "$(ls -A "$EDGECERT_STORE/.txn")" ""
}

@test "store: staged files without a committed journal are dropped" {
	ecj request --cn a.example.test --key-type ecdsa
	mkdir -p "$EDGECERT_STORE/.txn"
	printf 'half\n' > "$EDGECERT_STORE/.txn/0.new"
	printf 'put ca x.txt 0 0\n' > "$EDGECERT_STORE/.txn/journal.tmp"
	ecj request --cn b.example.test --key-type ecdsa
	assert_success
	assert_not_exist "$EDGECERT_STORE/ca/x.txt"
	assert_equal "$(ls -A "$EDGECERT_STORE/.txn")" ""
}

@test "store: a full disk leaves the store exactly as it was" {
	command -v strace >/dev/null || fail "strace missing"
	ecj request --cn a.example.test --key-type ecdsa
	fault_sweep ENOSPC edgecert request --cn b.example.test --key-type ecdsa
	assert_equal "$(jf .changed)" true
}
