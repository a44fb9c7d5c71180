#!/usr/bin/env bats
# The store: refusal of unsafe stores, format versions, layout.

load helper

setup() {
	ec_setup
}

@test "store: a world-writable store is refused as store-corrupt" {
	mkdir -m 700 "$EDGECERT_STORE"
	chmod 777 "$EDGECERT_STORE"
	ecj list
	assert_code 6 store-corrupt
	[[ "$(jf .message)" == *"writable by group or others (mode 0777)"* ]]
	chmod 770 "$EDGECERT_STORE"
	ecj list
	assert_code 6 store-corrupt
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
	assert_code 6 store-corrupt
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
