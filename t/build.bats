#!/usr/bin/env bats
# The build: make install with DESTDIR, and make CC=clang (in a copy of the
# sources, so that the suite's own bin/ stays as it is).

load helper

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
}

@test "build: make install PREFIX DESTDIR puts binary, links, man pages, completion and schema in place" {
	d=$BATS_TEST_TMPDIR/dest
	# -o all: install what the suite runs, without building it again
	run make -C "$EC_ROOT" -o all install PREFIX=/usr/local DESTDIR="$d"
	assert_success
	p=$d/usr/local
	assert [ -x "$p/bin/edgecert" ]
	cmp "$p/bin/edgecert" "$EC_ROOT/bin/edgecert"
	assert_equal "$(stat -c %a "$p/bin/edgecert")" 755
	n=0
	for f in "$EC_ROOT"/cmd/*.c; do
		a=$(basename "$f" .c)
		case $a in main | ctx) continue ;; esac
		n=$((n + 1))
		assert_equal "$(readlink "$p/bin/edgecert-$a")" edgecert
		assert_file_exists "$p/share/man/man1/edgecert-$a.1"
		assert [ -e "$p/share/bash-completion/completions/edgecert-$a" ]
	done
	[ "$n" -ge 8 ]
	# the installed links run the installed binary
	run --separate-stderr "$p/bin/edgecert-list" --version --format json
	assert_record
	assert_success
	assert_equal "$(jf .command)" list
	# every page reads with man -l, without a warning
	for f in "$p"/share/man/man1/*.1; do
		run --separate-stderr env MANWIDTH=80 man --warnings -l "$f"
		assert_success
		assert_equal "$(basename "$f"): $stderr" "$(basename "$f"): "
	done
	assert_equal "$(ls "$p/share/man/man1" | wc -l)" "$((n + 1))"
	grep -q '^complete ' "$p/share/bash-completion/completions/edgecert"
	cmp "$p/share/edgecert/edgecert-status.schema.json" \
		"$EC_ROOT/man/edgecert-status.schema.json"
	# nothing else: no empty directories left behind
	run find "$d" -type d -empty
	assert_output ""
}

# make check's second pass (scripts/check sets EC_TEST_BUILD, the build
# directory of the binary under test) checks that build's flags and binary
# instead: the clang build is the same in both passes, once is enough.
@test "build: make CC=clang (make check's second pass: the build under test) builds with -std=c11 -Wall -Wextra -Werror" {
	if [ -n "${EC_TEST_BUILD:-}" ]; then
		run cat "$EC_TEST_BUILD/flags"
		assert_success
		assert_output --regexp '^[^ ]+ -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror '
		b=$EC_BIN
		# the binary under test is the one that build linked
		[ "$EC_TEST_BUILD/flags" -ot "$b/edgecert" ] || fail "$b/edgecert is older than its build's flags"
	else
		command -v clang >/dev/null || fail "clang is not installed"
		cp -r "$EC_ROOT/Makefile" "$EC_ROOT/cmd" "$EC_ROOT/core" .
		run make CC=clang
		assert_success
		assert_output --partial "clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror"
		b=bin
	fi
	run --separate-stderr "$b/edgecert" list --version --format json
	assert_record
	assert_success
	assert_equal "$(jf .gnutls)" "$(pkg-config --modversion gnutls)"
	assert_equal "$(readlink "$b/edgecert-verify-root")" edgecert
}
