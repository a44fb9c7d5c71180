# t/helper.bash: shared by every t/*.bats (load helper).
#
# A new t/FILE.bats: `load helper`, ec_setup in setup (a store of the
# test's own).  scripts/run-tests runs the files side by side (bats --jobs,
# one file per processor), each file's tests in turn, so a file keeps to
# $BATS_TEST_TMPDIR and $BATS_FILE_TMPDIR, picks its TCP ports at run time,
# and kills only the pids it started.  A file that is timing-sensitive or
# needs the machine to itself says so with a line "# run-tests: alone"
# (and why, below it): it runs on its own after the others.  Records go
# through ecj or assert_record, checked against the schema at the file's
# end: a file that defines teardown_file calls ec_check_records in it.
# ShellCheck (-s bash) must be clean: make lint; settings in t/.shellcheckrc.
bats_require_minimum_version 1.5.0
EC_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
# The binary under test: bin/, or EC_TEST_BIN (make check's sanitized
# build in build/san/bin, make valgrind's wrappers in build/valgrind/bin);
# not EDGECERT_*, which a hook's environment is compared against.
EC_BIN="${EC_TEST_BIN:-$EC_ROOT/bin}"
export PATH="$EC_BIN:$PATH"
# What runs under strace: edgecert itself, never a wrapper (make valgrind's
# is a script whose own system calls would take the injected faults).
EC_STRACE_BIN="${EC_TEST_STRACE_BIN:-$EC_BIN}"
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

# Each test gets its own store and no format from the environment.
ec_setup() {
	export EDGECERT_STORE="$BATS_TEST_TMPDIR/store"
	unset EDGECERT_FORMAT XDG_DATA_HOME
}

# Beware: bats' own run (1.8) sets a global $i; loop with another name.
#
# Status records are checked against the schema once per file, not once
# per run (t/validate-status.py costs some 0.4 s of CPU a call): ecj,
# assert_record and assert_record_file check at once that the record is
# one line, and log it with the test's name in $BATS_FILE_TMPDIR/records;
# teardown_file validates the whole log in one run (ec_check_records) and
# a bad record fails the file: bats reports "not ok N teardown_file
# failed" with the test's name and the record.  A file that defines its
# own teardown_file must call ec_check_records in it (ec_log_record
# refuses to log otherwise).
teardown_file() {
	ec_check_records
}

# ec_log_record TEXT: TEXT is one line; log it for ec_check_records.
ec_log_record() {
	local log=$BATS_FILE_TMPDIR/records
	if [ -z "$1" ] || [[ $1 == *$'\n'* ]]; then
		echo "not exactly one line: $1" >&2
		return 1
	fi
	if [ ! -e "$log" ] && [[ $(declare -f teardown_file) != *ec_check_records* ]]; then
		echo "$BATS_TEST_FILENAME: its teardown_file must call ec_check_records" >&2
		return 1
	fi
	printf '%s\t%s\n' "${BATS_TEST_DESCRIPTION:-setup_file}" "$1" >> "$log"
}

# ec_check_records: every record the file's tests logged is schema-valid.
ec_check_records() {
	[ ! -e "$BATS_FILE_TMPDIR/records" ] ||
		"$EC_ROOT/t/validate-status.py" --tagged < "$BATS_FILE_TMPDIR/records"
}

# ecj ARGS...: run edgecert with --format json; stdout (the record) is
# $output, stderr is $stderr.  The record must be one schema-valid line.
ecj() {
	run --separate-stderr edgecert "$@" --format json
	if ! ec_log_record "$output"; then
		echo "invalid status record: $output" >&2
		return 1
	fi
}

# assert_record: $output (of a run made without ecj) is one schema-valid
# status record.
assert_record() {
	ec_log_record "$output" || fail "invalid status record: $output"
}

# assert_record_file FILE: FILE holds one schema-valid status record, one
# line with its line break.
assert_record_file() {
	local r
	r=$(cat "$1" && echo .)
	r=${r%.}
	[[ $r == *$'\n' ]] || fail "$1: no line break after the record: $r"
	ec_log_record "${r%$'\n'}" || fail "$1: invalid status record: $r"
}

# jf FILTER: a field of the last record ($output), through jq.
jf() {
	printf '%s\n' "$output" | jq -r "$@"
}

# assert_code EXIT CODE: the last ecj run exited EXIT with code CODE.
assert_code() {
	assert_equal "$status" "$1"
	assert_equal "$(jf .code)" "$2"
}

# ec_searchable DIR: DIR and every directory above it, up to bats' run
# directory, searchable by others, as a daemon's user needs to reach a
# store (edgecert-assign(1), Ownership).
ec_searchable() {
	local dir=$1
	while [ "$dir" != / ]; do
		chmod o+x "$dir"
		[ "$dir" = "$BATS_RUN_TMPDIR" ] && break
		dir=$(dirname "$dir")
	done
}

# Fixtures: certificates, keys and CRLs made by certtool and openssl
# (nothing edgecert wrote), by the generators of scripts/.  They are read
# only, so each is made once: in a cache directory, under a key of its
# generators' content and arguments, shared by every file of the run
# ($EC_FIXTURE_CACHE: scripts/check's, for both passes of make check;
# otherwise the bats run's own), and each file works on a copy of its own.
#
# ec_fixture DIR GENERATOR...: DIR (made, or added to if it exists) holds
# what the GENERATORs make, in turn, in one directory; a GENERATOR is a
# script of scripts/ with its first arguments, as one word ("test-ca
# init"), run as `scripts/SCRIPT ARGS... DIR`.
ec_fixture() {
	local dir=$1 cache=${EC_FIXTURE_CACHE:-$BATS_SUITE_TMPDIR/fixtures} key g tmp
	shift
	key=$(for g in "$@"; do
		echo "$g"
		cat "$EC_ROOT/scripts/${g%% *}"
	done | sha256sum | cut -c1-32)
	if [ ! -d "$cache/$key" ]; then
		mkdir -p "$cache"
		tmp=$(mktemp -d "$cache/.new.XXXXXX")
		for g in "$@"; do
			# shellcheck disable=SC2086 # "SCRIPT ARGS": words on purpose
			"$EC_ROOT/scripts/"$g "$tmp/d" > /dev/null ||
				{ rm -rf "$tmp"; echo "ec_fixture: $g failed" >&2; return 1; }
		done
		# made at the same moment by another file: either one will do
		mv -T "$tmp/d" "$cache/$key" 2>/dev/null || true
		rm -rf "$tmp"
	fi
	mkdir -p "$dir"
	cp -a "$cache/$key/." "$dir"
}

# ec_cached OUT CMD...: OUT, a file that CMD writes (OUT among its
# words), made once per run for the same command and inputs: for inputs
# that cost much CPU to make (huge iteration counts, large CRLs).  The
# key: CMD's words, with OUT as "OUT" and each word that names a file or
# a directory (also after a "file:" prefix) as its content.
ec_cached() {
	local out=$1 cache=${EC_FIXTURE_CACHE:-$BATS_SUITE_TMPDIR/fixtures} key a f
	shift
	key=$(for a in "$@"; do
		f=${a#file:}
		if [ "$a" = "$out" ]; then
			echo OUT
		elif [ -f "$f" ]; then
			echo "${a%"$f"}"; sha256sum < "$f"
		elif [ -d "$f" ]; then
			(cd "$f" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
		else
			printf '%s\n' "$a"
		fi
	done | sha256sum | cut -c1-32)
	if [ -f "$cache/cmd-$key" ]; then
		cp "$cache/cmd-$key" "$out"
		return 0
	fi
	"$@" || return
	mkdir -p "$cache"
	cp "$out" "$cache/.cmd-$key.$$" && mv -f "$cache/.cmd-$key.$$" "$cache/cmd-$key"
}

# pki_setup [assign] [extra]: $PKI, the fixtures of scripts/test-pki (and
# of scripts/test-pki-assign, scripts/test-pki-extra), once per file.
# shellcheck disable=SC2120 # the arguments come from the bats files
pki_setup() {
	local g=test-pki n=pki x
	for x in "$@"; do
		g="$g test-pki-$x" n=$n-$x
	done
	export PKI="$BATS_FILE_TMPDIR/$n"
	[ -e "$PKI/root.pem" ] && return 0
	# shellcheck disable=SC2086 # $g: one generator a word
	ec_fixture "$PKI" $g
}

# ca_setup DIR: an openssl CA of scripts/test-ca in DIR (init), ready to
# sign with ca_sign; the keys and certificates are made once per run.
ca_setup() {
	ec_fixture "$1" "test-ca init"
}

# ca_sign DIR REQUEST OUT [FORM [DAYS]]: DIR's CA issues a certificate for
# the request (scripts/test-ca sign; prints nothing).
ca_sign() {
	"$EC_ROOT/scripts/test-ca" sign "$@" > /dev/null
}

# tls_server_start LOG CMD...: a TLS server (gnutls-serv, openssl
# s_server...) in the background, on a port free at run time: each word
# @PORT@ of CMD becomes a port picked at random, tried again on another
# when that one is taken; returns once the server listens on it (ss shows
# its pid there).  Sets SPID and PORT; its output goes to LOG; the pid is
# recorded in $BATS_TEST_TMPDIR/pids, for tls_server_stop.
tls_server_start() {
	local log=$1 a _try _i
	local -a cmd
	shift
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		PORT=$((20000 + RANDOM % 40000))
		cmd=()
		for a in "$@"; do
			cmd+=("${a//@PORT@/$PORT}")
		done
		"${cmd[@]}" >> "$log" 2>&1 < /dev/null 3>&- &
		SPID=$!
		echo "$SPID" >> "$BATS_TEST_TMPDIR/pids"
		for _i in $(seq 100); do
			kill -0 "$SPID" 2>/dev/null || break
			ss -ltnpH "sport = :$PORT" | grep -q "pid=$SPID," && return 0
			sleep 0.05
		done
		kill "$SPID" 2>/dev/null || true
	done
	fail "$1 did not start: $(cat "$log")"
}

# tls_server_stop: stop what the test started and recorded in
# $BATS_TEST_TMPDIR/pids (tls_server_start's servers), by their pids; for
# teardown.
tls_server_stop() {
	local p
	[ -e "$BATS_TEST_TMPDIR/pids" ] || return 0
	while read -r p; do
		kill "$p" 2>/dev/null || true
	done < "$BATS_TEST_TMPDIR/pids"
}

# sha1 FILE.pem: the certificate's SHA-1 thumbprint, lower case, per openssl.
# (one process: store_consistent calls it for every certificate)
sha1() {
	local f
	f=$(openssl x509 -in "$1" -noout -fingerprint -sha1) || return
	f=${f#*=}
	f=${f//:/}
	echo "${f,,}"
}

# store_put SECTION FILE.pem [KEY]: place a certificate in a store by hand,
# the way the store's layout (edgecert(1), FILES) describes.
store_put() {
	local s="$EDGECERT_STORE" t
	t=$(sha1 "$2")
	# shellcheck disable=SC2174 # only the store's own directories are 0700
	mkdir -p -m 700 "$s"
	[ -e "$s/VERSION" ] || echo 1 > "$s/VERSION"
	# shellcheck disable=SC2174 # as above
	mkdir -p -m 700 "$s/$1"
	cp "$2" "$s/$1/$t.pem"
	if [ -n "${3:-}" ]; then
		(umask 077; cp "$3" "$s/$1/$t.key")
	fi
	echo "$t"
}

# store_snapshot: every file of the store (not its staging area or lock)
# with its SHA-256, modes included, for "nothing changed".
store_snapshot() {
	(cd "$EDGECERT_STORE" && find . -path ./.txn -prune -o -type f ! -name .lock ! -name .commit -print0 |
		sort -z | xargs -0 -r stat -c '%a %n' && find . -path ./.txn -prune -o -type f \
		! -name .lock ! -name .commit -print0 | sort -z | xargs -0 -r sha256sum)
}

# token_pubkey URL: the public key (PEM, as openssl writes it) of the key
# with that pkcs11: URL, read by p11tool with the PIN of the file
# $TOKEN_PIN_FILE (t/token.bats sets it, and SOFTHSM2_CONF).
token_pubkey() {
	[ -n "${TOKEN_PIN_FILE:-}" ] || { echo "no TOKEN_PIN_FILE for $1" >&2; return 1; }
	# p11tool's export once came back empty under a loaded make check
	# (one run in four): read again before calling the key missing, and
	# show what p11tool said when it stays empty
	local pem i
	for i in 1 2 3; do
		pem=$(GNUTLS_PIN=$(cat "$TOKEN_PIN_FILE") p11tool --login \
			--export-pubkey "$1" 2> "$BATS_TEST_TMPDIR/p11tool.err" |
			sed -n '/BEGIN/,/END/p')
		[ -z "$pem" ] || break
		echo "token_pubkey: p11tool gave no key (try $i):" >&2
		sed 's/^/  /' "$BATS_TEST_TMPDIR/p11tool.err" >&2
	done
	printf '%s\n' "$pem" | openssl pkey -pubin -pubout
}

# meta_key_url FILE.meta: the key_url of a key in a token (key_store=pkcs11)
meta_key_url() {
	[ -e "$1" ] && grep -qx 'key_store=pkcs11' "$1" && sed -n 's/^key_url=//p' "$1"
}

# store_consistent: the store's invariants, checked with openssl: every
# certificate parses and is named by its SHA-1, every key is 0600 and
# belongs to its certificate (personal) or request (pending), every
# metadata file has its object, no staged file sits under a final name,
# every assignment names a certificate of the store, every live directory
# is a whole generation (the key of the certificate, fullchain = cert and
# chain).  A key in a PKCS#11 token (key_store=pkcs11, key_url in the
# metadata, no .key file) must be in the token and belong to its
# certificate or request (p11tool, see token_pubkey); a live directory
# then holds privkey.uri, that key's URL, instead of privkey.pem.
store_consistent() {
	local s=$EDGECERT_STORE f base t
	for f in "$s"/personal/* "$s"/ca/* "$s"/root/* "$s"/crl/* "$s"/pending/* "$s"/assigned/*; do
		[ -e "$f" ] || continue
		base=${f%.*}
		case $f in
		*.pem)
			case $f in
			*/crl/*) openssl crl -in "$f" -noout || fail "$f: not a CRL" ;;
			*) t=$(sha1 "$f") || fail "$f: not a certificate"
			   [ "$t" = "$(basename "$base")" ] || fail "$f: named $t" ;;
			esac ;;
		*.key)
			[ "$(stat -c %a "$f")" = 600 ] || fail "$f: mode $(stat -c %a "$f")"
			if [ -e "$base.pem" ]; then
				[ "$(openssl pkey -in "$f" -pubout)" = \
				  "$(openssl x509 -in "$base.pem" -noout -pubkey)" ] ||
					fail "$f: key of another certificate"
			elif [ -e "$base.csr" ]; then
				[ "$(openssl pkey -in "$f" -pubout)" = \
				  "$(openssl req -in "$base.csr" -noout -pubkey)" ] ||
					fail "$f: key of another request"
			else
				fail "$f: a key without its certificate or request"
			fi ;;
		*.sha256)
			# a certificate's alias: named by its SHA-256, holding its SHA-1
			t=$(cat "$f")
			[ -e "${f%/*}/$t.pem" ] || fail "$f: names missing $t"
			[ "$(openssl x509 -in "${f%/*}/$t.pem" -noout -fingerprint -sha256 |
				sed 's/.*=//; s/://g' | tr A-F a-f)" = "$(basename "$base")" ] ||
				fail "$f: not the SHA-256 of $t" ;;
		*.name)
			# a certificate's name alias: <hash of its name>-<sha1>.name
			t=$(basename "$f" .name)
			t=${t#*-}
			{ [ -e "${f%/*}/$t.pem" ] && [ -e "${f%/*}/$t.meta" ]; } ||
				fail "$f: names missing $t"
			[ "$(ls "${f%/*}"/*-"$t".name | wc -l)" = 1 ] ||
				fail "$f: $t has two name aliases" ;;
		*.imported)
			# import-pfx's record of a file (named by its SHA-256): a
			# hint, checked against the store at each use
			case $f in */personal/*) ;; *) fail "$f: a record outside personal" ;; esac
			[ "$(stat -c %a "$f")" = 600 ] || fail "$f: mode $(stat -c %a "$f")"
			[[ $(basename "$f") =~ ^[0-9a-f]{64}\.imported$ ]] || fail "$f: badly named"
			grep -q '^certificates=[0-9]' "$f" || fail "$f: no certificates" ;;
		*.csr) openssl req -in "$f" -noout -verify 2>/dev/null || fail "$f: bad request"
		       if t=$(meta_key_url "$base.meta"); then
				[ ! -e "$base.key" ] || fail "$f: a key file and a key in a token"
				[ "$(token_pubkey "$t")" = "$(openssl req -in "$f" -noout -pubkey)" ] ||
					fail "$f: the token's key $t is not the request's"
		       else
				[ -e "$base.key" ] || fail "$f: request without its key"
		       fi ;;
		*.meta)
			if t=$(meta_key_url "$f") && [ -e "$base.pem" ]; then
				[ ! -e "$base.key" ] || fail "$f: a key file and a key in a token"
				[ "$(token_pubkey "$t")" = "$(openssl x509 -in "$base.pem" -noout -pubkey)" ] ||
					fail "$f: the token's key $t is not the certificate's"
			fi
			case $f in
			*/assigned/*)
				t=$(sed -n 's/^thumbprint=//p' "$f")
				[ -e "$s/personal/$t.pem" ] || fail "$f: names missing $t" ;;
			*/pending/*) [ -e "$base.csr" ] || fail "$f: no request" ;;
			*) [ -e "$base.pem" ] || fail "$f: no certificate" ;;
			esac ;;
		*) fail "$f: a file the store does not make" ;;
		esac
	done
	# every live directory is a whole generation of one certificate
	for f in "$s"/live/*; do
		[ -e "$f" ] || continue
		for p in cert.pem chain.pem fullchain.pem; do
			[ -f "$f/$p" ] || fail "$f: no $p"
		done
		[ "$(cat "$f/cert.pem" "$f/chain.pem")" = "$(cat "$f/fullchain.pem")" ] ||
			fail "$f: fullchain.pem is not cert.pem and chain.pem"
		if [ -f "$f/privkey.uri" ]; then
			[ ! -e "$f/privkey.pem" ] || fail "$f: privkey.pem and privkey.uri"
			[ "$(stat -c %a "$f/privkey.uri")" = 600 ] || fail "$f/privkey.uri: mode"
			t=$(meta_key_url "$s/personal/$(sha1 "$f/cert.pem").meta") ||
				fail "$f: privkey.uri for a certificate without a key in a token"
			[ "$(cat "$f/privkey.uri")" = "$t" ] || fail "$f/privkey.uri: not $t"
			[ "$(token_pubkey "$t")" = "$(openssl x509 -in "$f/cert.pem" -noout -pubkey)" ] ||
				fail "$f: the token's key is of another certificate"
			continue
		fi
		[ -f "$f/privkey.pem" ] || fail "$f: no privkey.pem"
		[ "$(stat -c %a "$f/privkey.pem")" = 600 ] || fail "$f/privkey.pem: mode"
		[ "$(openssl pkey -in "$f/privkey.pem" -pubout)" = \
		  "$(openssl x509 -in "$f/cert.pem" -noout -pubkey)" ] || fail "$f: key of another certificate"
	done
}

# fault_sweep ERRNO CMD...: run CMD (an edgecert command line) under
# strace, failing the Nth call of each write-path system call with ERRNO,
# N = 1, 2, ... until a run goes through untouched (strace injected
# nothing).  Each run starts from the same store.  After a failed run:
# exit 6 with code io (or, when the failed write was the record's own, no
# record and a message), the store consistent and exactly as before.  A
# run that got through a fault must leave a consistent store.  Ends with
# the untouched run in $output and the store it made; $faults counts the
# failed runs.
fault_sweep() {
	local err=$1 before n log=$BATS_TEST_TMPDIR/strace.log
	local pristine=$BATS_TEST_TMPDIR/pristine-store
	local calls=write,openat,rename,renameat,renameat2,linkat,symlinkat,fsync,fdatasync,mkdir,mkdirat
	shift
	[ "$1" != edgecert ] || set -- "$EC_STRACE_BIN/edgecert" "${@:2}"
	store_consistent
	before=$(store_snapshot)
	rm -rf "$pristine"
	cp -a "$EDGECERT_STORE" "$pristine"
	faults=0
	for n in $(seq 1 400); do
		rm -rf "$EDGECERT_STORE"
		cp -a "$pristine" "$EDGECERT_STORE"
		ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f -o "$log" \
			-e "inject=$calls:error=$err:when=$n" \
			"$@" --format json
		if [ "$status" -eq 0 ]; then
			store_consistent
			grep -q INJECTED "$log" || break
			continue
		fi
		faults=$((faults + 1))
		if [ "$status" -eq 8 ]; then
			# the record itself could not be written (exit 8): the
			# change may stand, the store is whole either way
			[ -z "$output" ] || fail "fault $n ($err): exit 8 with a record: $output"
			[[ "$stderr" == *"cannot write the status record"*"the run ended with code "* ]] ||
				fail "fault $n ($err): no record: $stderr"
			store_consistent
			[ ! -e "$EDGECERT_STORE/.txn/journal" ] || fail "fault $n ($err) left a journal"
			continue
		fi
		[ "$status" -eq 6 ] || fail "fault $n ($err): exit $status: $output $stderr"
		[ "$(jf .code)" = io ] || fail "fault $n ($err): code $(jf .code): $output"
		# exactly as before, so as consistent as before
		[ "$(store_snapshot)" = "$before" ] || fail "fault $n ($err) changed the store: $output"
		[ ! -e "$EDGECERT_STORE/.txn/journal" ] || fail "fault $n ($err) left a journal"
	done
	[ "$status" -eq 0 ] || fail "never succeeded: $output $stderr"
	grep -q INJECTED "$log" && fail "still injecting after $n runs"
	[ "$faults" -gt 3 ] || fail "succeeded at once: no fault was injected"
	rm -rf "$pristine"
}

# PKCS#12 fixtures: pki_setup's PKI, its chain (sub, root) and a password
# file $PW (a space in the password, a line break after it).
pfx_setup() {
	# shellcheck disable=SC2119 # test-pki's fixtures alone
	pki_setup
	export PW="$BATS_FILE_TMPDIR/pw" PASS="S3cret pw"
	[ -e "$PW" ] || printf '%s\n' "$PASS" > "$PW"
	[ -e "$PKI/chain.pem" ] || cat "$PKI/sub.pem" "$PKI/root.pem" > "$PKI/chain.pem"
}

# ossl_pfx OUT [ARGS...]: server.pem and its key by openssl pkcs12 -export
# under $PW (ARGS: -certfile "$PKI/chain.pem", -legacy, ...).
ossl_pfx() {
	local out=$1
	shift
	openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-passout "file:$PW" -out "$out" "$@"
}

# assert_key_of KEY CERT: the private key (any PEM form openssl reads)
# belongs to the certificate.
assert_key_of() {
	assert_equal "$(openssl pkey -in "$1" -pubout)" \
		"$(openssl x509 -in "$2" -noout -pubkey)"
}
