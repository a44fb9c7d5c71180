#!/usr/bin/env bats
# import-chain of a large bundle: its signatures are checked on several
# threads before the paths are built (core/check/chainpar.c, from 256
# certificates); each path must still be what its signatures say, as
# below that size and as openssl verify finds.  The bundles come from
# scripts/bench-gen.c; the impostors (an issuer's name with another key)
# from openssl.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	local d=$BATS_FILE_TMPDIR
	local gnutls
	read -ra gnutls < <(pkg-config --cflags --libs gnutls)
	cc -o "$d/bench-gen" "$BATS_TEST_DIRNAME/../scripts/bench-gen.c" \
		"${gnutls[@]}"
	# bench-gen's root is "CN=Bench Hostile Root"; an impostor root of
	# that name (not in the bundles) signs one leaf, and a CA named like
	# its own issuer is signed by another root of its name
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/imp.key" -subj "/CN=Bench Hostile Root" -days 30 \
		-out "$d/imp.pem" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/leaf.key" -subj "/CN=impostor.example" \
		-out "$d/leaf.csr" 2>/dev/null
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/imp.pem" \
		-CAkey "$d/imp.key" -days 30 -out "$d/imp-leaf.pem" 2>/dev/null
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/other.key" -subj "/CN=Forged Self" -days 30 \
		-out "$d/other.pem" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/forged.key" -subj "/CN=Forged Self" \
		-out "$d/forged.csr" 2>/dev/null
	printf 'basicConstraints=critical,CA:TRUE\n' > "$d/ca.ext"
	openssl x509 -req -in "$d/forged.csr" -CA "$d/other.pem" \
		-CAkey "$d/other.key" -days 30 -extfile "$d/ca.ext" \
		-out "$d/forged.pem" 2>/dev/null
	for n in 10 400; do
		"$d/bench-gen" --bundle "$d/gen-$n.pem" "$n" >/dev/null
		cat "$d/gen-$n.pem" "$d/imp-leaf.pem" "$d/forged.pem" \
			> "$d/bundle-$n.pem"
	done
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
}

# paths N: the bundle of N leaves imported into a new store; its paths
# into paths-N, one a line: "complete length first-subject", sorted
paths() {
	EDGECERT_STORE=$BATS_TEST_TMPDIR/store-$1 \
		ecj import-chain --in "$BATS_FILE_TMPDIR/bundle-$1.pem"
	assert_success
	jf -r '.paths[] | "\(.complete) \(.certificates | length) " +
		.certificates[0].subject' | sort > "paths-$1"
}

@test "bundle-par: a bundle of 400 has each path its signatures give, as one of 10 has" {
	local big small
	paths 10
	small=$(cat paths-10)
	paths 400
	big=$(cat paths-400)
	assert_equal "$(jf .complete)" false
	# the bundle's root, its 400 leaves, the impostor's leaf, the forged CA
	assert_equal "$(jf '.certificates | length')" 403
	assert_equal "$(grep -c '^true 2 CN=h[0-9]*\.b\.example$' <<<"$big")" 400
	assert_equal "$(grep -vc '^true 2 CN=h' <<<"$big")" 2
	grep -qx 'false 1 CN=impostor.example' <<<"$big"
	grep -qx 'false 1 CN=Forged Self' <<<"$big"
	# the same verdicts without threads (under 256 certificates)
	assert_equal "$(grep -c '^true 2 CN=h' <<<"$small")" 10
	assert_equal "$(grep -v '^true 2 CN=h' <<<"$small")" \
		"$(grep -v '^true 2 CN=h' <<<"$big")"
}

@test "bundle-par: the leaves whose paths are complete are those openssl verify accepts" {
	local d=$BATS_FILE_TMPDIR ours theirs
	paths 400
	ours=$(jf -r '.paths[] | select(.complete) | .certificates[0].sha256' |
		sort)
	# a file a certificate: bench-gen's leaves c1 to c400, its root c401
	awk -v dir="$BATS_TEST_TMPDIR" '/BEGIN CERT/ { n++ }
		{ print > (dir "/c" n ".pem") }' "$d/bundle-400.pem"
	# (it fails for the impostor's leaf and the forged CA)
	run --separate-stderr openssl verify -CAfile c401.pem c[0-9]*.pem
	sed -n 's/: OK$//p' <<<"$output" | grep -vx c401.pem > ok.txt
	assert_equal "$(wc -l < ok.txt)" 400
	# their DER's SHA-256, in one process
	theirs=$(python3 -c '
import base64, hashlib, sys
for f in sys.stdin.read().split():
    b64 = "".join(l for l in open(f) if "-----" not in l)
    print(hashlib.sha256(base64.b64decode(b64)).hexdigest())' < ok.txt |
		sort)
	assert_equal "$ours" "$theirs"
}

@test "bundle-par: --require-complete refuses the bundle of 400 and imports nothing" {
	ecj import-chain --in "$BATS_FILE_TMPDIR/bundle-400.pem" \
		--require-complete
	assert_code 1 untrusted
	assert_equal "$(jf .changed)" false
	assert_equal "$(find "$EDGECERT_STORE" -name '*.pem' 2>/dev/null)" ""
}
