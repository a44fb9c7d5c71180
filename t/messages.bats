#!/usr/bin/env bats
# Messages: core says what is wrong, the applet adds the option that helps
# (issue 17 item 3).  A value from an INF file or a flag is named by what
# it is; --force is suggested only by the applets that have it.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	pki_setup
}

setup() {
	ec_setup
	pki_setup
	cd "$BATS_TEST_TMPDIR"
}

@test "request: a bad country, IP address or DNS name is named by what it is" {
	ecj request --cn a.example.test --country USA --out a.csr
	assert_code 2 usage
	assert_equal "$(jf .message)" "the country wants a two-letter ISO 3166 code such as US, not 'USA'"
	ecj request --cn a.example.test --ip 300.1.1.1 --out a.csr
	assert_code 2 usage
	assert_equal "$(jf .message)" "an IP address wants IPv4 or IPv6, not '300.1.1.1'"
	ecj request --cn a.example.test --dns 'a/b' --out a.csr
	assert_code 2 usage
	assert_equal "$(jf .message)" "'a/b' is not a DNS name"
	assert_not_exists a.csr
}

@test "request: an --out that exists is refused with the --force hint; a directory even with --force" {
	echo keep > a.csr
	ecj request --cn a.example.test --out a.csr
	assert_code 5 exists
	assert_equal "$(jf .message)" "'a.csr' exists (use --force to overwrite)"
	assert_equal "$(cat a.csr)" keep
	mkdir d.csr
	ecj request --cn a.example.test --out d.csr --force
	assert_code 5 exists
	assert_equal "$(jf .message)" "'d.csr' is a directory: --force replaces regular files only"
}

@test "import-chain: a certificate in the other section says where it is and that --force moves it" {
	cat "$PKI/sub.pem" "$PKI/root.pem" > chain.pem
	sub=$(sha1 "$PKI/sub.pem")
	ecj import-chain --in chain.pem
	assert_code 0 ok
	ecj import-chain --in "$PKI/sub.pem" --trust-all
	assert_code 5 exists
	assert_equal "$(jf .message | sed 's/ (.*)//')" "certificate $sub is already among the intermediates, not the trusted roots; --force moves it"
}

@test "edgecert: a store locked by another writer: the message adds the global --wait" {
	ecj request --cn a.example.test --key-type ecdsa
	assert_success
	# the lock held (no sleep: the holder says when it has it) until
	# the run below has given up
	flock "$EDGECERT_STORE/.lock" -c "touch '$BATS_TEST_TMPDIR/held'
		while [ ! -e '$BATS_TEST_TMPDIR/release' ]; do sleep 0.05; done" &
	holder=$!
	for _ in $(seq 1 400); do [ -e "$BATS_TEST_TMPDIR/held" ] && break; sleep 0.05; done
	assert_file_exists "$BATS_TEST_TMPDIR/held"
	ecj request --cn b.example.test --key-type ecdsa --wait 1
	touch "$BATS_TEST_TMPDIR/release"
	wait "$holder"
	assert_code 6 locked
	assert_equal "$(jf .message)" "store '$EDGECERT_STORE' is locked by another writer (waited 1 s); --wait SECONDS waits longer"
}
