# t/helper.bash: shared by every t/*.bats (load helper).
bats_require_minimum_version 1.5.0
EC_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
export PATH="$EC_ROOT/bin:$PATH"
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

# Each test gets its own store and no format from the environment.
ec_setup() {
	export EDGECERT_STORE="$BATS_TEST_TMPDIR/store"
	unset EDGECERT_FORMAT XDG_DATA_HOME
}

# ecj ARGS...: run edgecert with --format json; stdout (the record) is
# $output, stderr is $stderr.  The record must be one schema-valid line.
ecj() {
	run --separate-stderr edgecert "$@" --format json
	if ! printf '%s\n' "$output" | "$EC_ROOT/t/validate-status.py"; then
		echo "invalid status record: $output" >&2
		return 1
	fi
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

# The fixtures of scripts/test-pki, made once per file.
pki_setup() {
	export PKI="$BATS_FILE_TMPDIR/pki"
	[ -e "$PKI/root.pem" ] || "$EC_ROOT/scripts/test-pki" "$PKI"
}

# sha1 FILE.pem: the certificate's SHA-1 thumbprint, lower case, per openssl.
sha1() {
	openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' |
		tr 'A-F' 'a-f'
}

# store_put SECTION FILE.pem [KEY]: place a certificate in a store by hand,
# the way the store's layout (edgecert(1), FILES) describes.
store_put() {
	local s="$EDGECERT_STORE" t
	t=$(sha1 "$2")
	mkdir -p -m 700 "$s"
	[ -e "$s/VERSION" ] || echo 1 > "$s/VERSION"
	mkdir -p -m 700 "$s/$1"
	cp "$2" "$s/$1/$t.pem"
	if [ -n "${3:-}" ]; then
		(umask 077; cp "$3" "$s/$1/$t.key")
	fi
	echo "$t"
}

# PKCS#12 fixtures: pki_setup's PKI, its chain (sub, root) and a password
# file $PW (a space in the password, a line break after it).
pfx_setup() {
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
