#!/usr/bin/env bats
# The multicall binary: dispatch, help, version, global options.

load helper

setup() {
	ec_setup
}

@test "edgecert: an applet runs by argv[1] and by its edgecert-APPLET link" {
	ecj list
	assert_success
	assert_equal "$(jf .command)" list
	a=$output
	run --separate-stderr edgecert-list --format json
	assert_record
	assert_success
	assert_equal "$output" "$a"
	assert [ -L "$EC_BIN/edgecert-list" ]
}

@test "edgecert: --help lists every applet with its summary and exits 0" {
	run edgecert --help
	assert_success
	assert_output --partial "usage: edgecert [GLOBAL OPTIONS] APPLET [OPTIONS]"
	for f in "$EC_ROOT"/cmd/*.c; do
		a=$(basename "$f" .c)
		case $a in main | ctx) continue ;; esac
		assert_output --regexp "  $a +[a-z]"
	done
}

@test "edgecert: with no applet it prints the usage and fails with usage" {
	ecj
	assert_code 2 usage
	assert_equal "$(jf .command)" edgecert
	jf .usage | grep -q 'applets:'
	run edgecert
	assert_failure 2
	assert_output --partial "applets:"
}

@test "edgecert: --version names edgecert, GnuTLS and libtasn1 versions" {
	ecj --version
	assert_success
	assert_equal "$(jf .gnutls)" "$(pkg-config --modversion gnutls)"
	assert_equal "$(jf .libtasn1)" "$(pkg-config --modversion libtasn1)"
	[[ "$(jf .version)" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	run edgecert -V
	assert_success
	assert_output --partial "GnuTLS $(pkg-config --modversion gnutls)"
}

@test "edgecert: an unknown applet is a usage error" {
	ecj frobnicate
	assert_code 2 usage
	assert_equal "$(jf .message)" "unknown applet 'frobnicate'"
	assert_equal "$stderr" "$(printf "edgecert: unknown applet 'frobnicate'\nsee 'edgecert --help'")"
}

@test "edgecert: an unknown or incomplete option is a usage error" {
	ecj list --frobnicate
	assert_code 2 usage
	assert_equal "$(jf .message)" "unknown option '--frobnicate'"
	ecj list -Z
	assert_code 2 usage
	assert_equal "$(jf .message)" "unknown option '-Z'"
	run --separate-stderr edgecert list --format json --section
	assert_record
	assert_failure 2
	assert_equal "$(jf .message)" "option '--section' needs a value"
	ecj list stray
	assert_code 2 usage
	assert_equal "$(jf .message)" "unexpected argument 'stray'"
}

@test "edgecert: APPLET --help prints the applet's usage and exits 0" {
	run edgecert list --help
	assert_success
	assert_line --index 0 --partial "usage: edgecert list "
	ecj list --help
	assert_success
	[[ "$(jf .usage)" == "usage: edgecert list "* ]]
	run edgecert-list -h
	assert_success
	assert_line --index 0 --partial "usage: edgecert list "
}

@test "edgecert: global options work before the applet's name too" {
	run --separate-stderr edgecert --format json --store "$BATS_TEST_TMPDIR/x" list
	assert_record
	assert_success
	assert_equal "$(jf .store)" "$BATS_TEST_TMPDIR/x"
}

@test "edgecert: --format text, json, kv; EDGECERT_FORMAT; a bad one is usage" {
	run edgecert list
	assert_success
	assert_output --regexp "^ok: 0 items in "
	run edgecert list --format kv
	assert_line "code='ok'"
	EDGECERT_FORMAT=json run edgecert list
	assert_equal "$(jf .code)" ok
	EDGECERT_FORMAT=json run edgecert list --format kv
	assert_line "status='ok'"
	run --separate-stderr edgecert list --format yaml
	assert_failure 2
	assert_output --partial "error: usage: --format wants text, json or kv, not 'yaml'"
	EDGECERT_FORMAT=xml run --separate-stderr edgecert list
	assert_failure 2
}

@test "edgecert: --store, EDGECERT_STORE and the defaults for root and others" {
	ecj list --store "$BATS_TEST_TMPDIR/a"
	assert_equal "$(jf .store)" "$BATS_TEST_TMPDIR/a"
	ecj list
	assert_equal "$(jf .store)" "$EDGECERT_STORE"
	unset EDGECERT_STORE
	if [ "$(id -u)" -eq 0 ]; then
		ecj list
		assert_equal "$(jf .store)" /var/lib/edgecert
		command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
		h=$(mktemp -d /tmp/edgecert-home.XXXXXX)
		chown 65534:65534 "$h"
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME="$h" "$EC_BIN/edgecert" list --format json
		assert_record
		assert_success
		assert_equal "$(jf .store)" "$h/.local/share/edgecert"
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME="$h" XDG_DATA_HOME=/xdg "$EC_BIN/edgecert" list --format json
		assert_record
		assert_equal "$(jf .store)" "/xdg/edgecert"
		rm -rf "$h"
	else
		HOME=/h ecj list
		assert_equal "$(jf .store)" /h/.local/share/edgecert
	fi
}

@test "edgecert: --status-fd sends the record to another descriptor" {
	run --separate-stderr bash -c 'edgecert list --format json --status-fd 3 3>"$1"' _ "$BATS_TEST_TMPDIR/rec"
	assert_success
	assert_equal "$output" ""
	assert_record_file "$BATS_TEST_TMPDIR/rec"
	run jq -r .code "$BATS_TEST_TMPDIR/rec"
	assert_output ok
	ecj list --status-fd 9
	assert_code 2 usage
	assert_equal "$(jf .message)" "--status-fd 9 is not open"
}

@test "edgecert: --quiet silences stderr, not the record" {
	run --separate-stderr edgecert list --frob -q --format json
	assert_record
	assert_failure 2
	assert_equal "$stderr" ""
	assert_equal "$(jf .code)" usage
	run --separate-stderr edgecert list --frob --format json
	assert_record
	assert [ -n "$stderr" ]
}

@test "edgecert: --wait takes whole seconds; --check is accepted everywhere" {
	ecj list --wait soon
	assert_code 2 usage
	assert_equal "$(jf .message)" "--wait wants a whole number from 0 to 86400, not 'soon'"
	ecj list --wait 5 --check
	assert_success
	assert_equal "$(jf .changed)" false
}

@test "edgecert: the man page SYNOPSIS of each applet matches its --help" {
	for f in "$EC_ROOT"/cmd/*.c; do
		a=$(basename "$f" .c)
		case $a in main | ctx) continue ;; esac
		page="$EC_ROOT/man/edgecert-$a.1"
		assert_file_exists "$page"
		# the usage's first paragraph, without "usage: ", as words
		want=$(edgecert "$a" --help | sed -n '1,/^$/p' | sed 's/^usage: //' | tr -s ' \n' ' ' | sed 's/ $//')
		got=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$page" | sed '1d;$d' |
			grep -v '^\.\(nf\|fi\|PP\|br\)' | sed 's/^\.B //; s/\\-/-/g; s/\\fB//g; s/\\fR//g; s/\\fI//g' |
			tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
		assert_equal "$got" "$want"
	done
}
