#!/usr/bin/env bats
# verify-root --hostname: host names and IP addresses as RFC 9525 says
# (core/check/hostname.c; edgecert-verify-root(1), Host names), each verdict
# beside openssl verify's (-verify_hostname, -verify_ip) and python3's
# ssl.match_hostname on the same certificate.  Fixtures: a root and leaves
# made once by openssl with x509v3 configurations (setup_file).

bats_require_minimum_version 1.5.0
load helper

# leaf NAME SUBJECT EXTENSIONS: $D/NAME.pem, signed by the file's root,
# with the x509v3 configuration lines EXTENSIONS (printf %b).
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$D/$1.key" -out "$D/$1.csr" -subj "$2" 2>/dev/null
	printf '%b\n' "$3" > "$D/$1.ext"
	openssl x509 -req -in "$D/$1.csr" -CA "$D/root.pem" -CAkey "$D/root.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 30 -extfile "$D/$1.ext" \
		-out "$D/$1.pem" 2>/dev/null
}

setup_file() {
	export D="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$D"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$D/root.key" -out "$D/root.pem" -subj "/CN=Hostname Test Root" \
		-days 60 -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	local eku='extendedKeyUsage=serverAuth'
	leaf san /CN=cn-only.example.test "$eku\nsubjectAltName=DNS:edge.example.test,\
DNS:*.pool.example.test,DNS:xn--bcher-kva.example.test,DNS:192.0.2.9,IP:192.0.2.1,\
IP:2001:db8::1"
	# one pattern each: python refuses a whole SAN for one it cannot take
	leaf partial /CN=p.example.test "$eku\nsubjectAltName=DNS:f*.part.example.test"
	leaf mid /CN=m.example.test "$eku\nsubjectAltName=DNS:a.*.mid.example.test"
	leaf tld /CN=t.example.test "$eku\nsubjectAltName=DNS:*.test"
	leaf nosan /CN=legacy.example.test "$eku"
	leaf ipsan /CN=ipsan.example.test "$eku\nsubjectAltName=IP:192.0.2.1"
	leaf twocn /CN=one.example.test/CN=two.example.test "$eku"
	export EDGECERT_STORE="$BATS_FILE_TMPDIR/store"
	edgecert import-chain --in "$D/root.pem" -q > /dev/null
}

setup() {
	unset EDGECERT_FORMAT XDG_DATA_HOME
	cd "$BATS_TEST_TMPDIR"
}

# ossl CERT HOST: openssl verify's verdict, ok or fail (-verify_ip for
# what looks like an address).
ossl() {
	local o=-verify_hostname
	[[ $2 == *:* || $2 =~ ^[0-9a-fx.]+$ ]] && o=-verify_ip
	if openssl verify -CAfile "$D/root.pem" "$o" "$2" "$D/$1.pem" > /dev/null 2>&1; then
		echo ok
	else
		echo fail
	fi
}

# py: python3's ssl.match_hostname's verdicts, ok or fail, one a line,
# for the lines "CERT HOST" of stdin (one python for a table: it costs
# some 0.1 s of CPU a start).
py() {
	python3 -c '
import ssl, sys, warnings
warnings.simplefilter("ignore")
for line in sys.stdin:
    c, h = line.split()
    cert = ssl._ssl._test_decode_cert(sys.argv[1] + "/" + c + ".pem")
    try:
        ssl.match_hostname(cert, h)
        print("ok")
    except (ssl.CertificateError, ValueError):
        print("fail")
' "$D"
}

# table: rows of "CERT HOST CODE OPENSSL PYTHON" from stdin; edgecert's
# code and both tools' verdicts must be the row's.
table() {
	local rows c h want o p n=0
	rows=$(grep -v '^#')
	mapfile -t pys < <(printf '%s\n' "$rows" | cut -d' ' -f1,2 | py)
	while read -r c h want o p; do
		ecj verify-root --cert "$D/$c.pem" --hostname "$h"
		assert_equal "$c $h: $(jf .code)" "$c $h: $want"
		if [ "$want" = ok ]; then
			assert_equal "$c $h: $status $(jf .trusted)" "$c $h: 0 true"
		elif [ "$want" = name-mismatch ]; then
			assert_equal "$c $h: $status $(jf '.reasons | join(",")')" \
				"$c $h: 1 name-mismatch"
		fi
		assert_equal "$c $h: openssl $(ossl "$c" "$h")" "$c $h: openssl $o"
		assert_equal "$c $h: python ${pys[n++]}" "$c $h: python $p"
	done <<< "$rows"
}

@test "hostname: a dNSName SAN rules the CN out; case and a final dot do not matter" {
	table <<'T'
san edge.example.test ok ok ok
san EDGE.Example.TEST ok ok ok
san cn-only.example.test name-mismatch fail fail
san other.example.test name-mismatch fail fail
T
	# a final dot is the same name; openssl and python compare the text
	# and refuse
	ecj verify-root --cert "$D/san.pem" --hostname edge.example.test.
	assert_code 0 ok
}

@test "hostname: a SAN with no dNSName still rules the CN out (openssl falls back to it)" {
	table <<'T'
ipsan ipsan.example.test name-mismatch ok fail
ipsan 192.0.2.1 ok ok ok
T
}

@test "hostname: without any SAN the only CN matches, and the record warns that it did" {
	table <<'T'
nosan legacy.example.test ok ok ok
nosan LEGACY.example.test ok ok ok
nosan other.example.test name-mismatch fail fail
T
	ecj verify-root --cert "$D/nosan.pem" --hostname legacy.example.test
	assert_code 0 ok
	assert_equal "$(jf '.warnings | length')" 1
	[[ $(jf '.warnings[0]') == *"matched the subject's CN"*"no subjectAltName"* ]]
	# a match on a SAN warns of nothing
	ecj verify-root --cert "$D/san.pem" --hostname edge.example.test
	assert_equal "$(jf '.warnings | length')" 0
}

@test "hostname: a subject with two CNs and no SAN matches neither (openssl and python take each)" {
	table <<'T'
twocn one.example.test name-mismatch ok ok
twocn two.example.test name-mismatch ok ok
T
}

@test "hostname: a wildcard is the whole left-most label and stands for one label" {
	# openssl takes a partial wildcard (f*) and python a wildcard over a
	# single label (*.test); RFC 9525 and edgecert take neither
	table <<'T'
san a.pool.example.test ok ok ok
san A.POOL.example.test ok ok ok
san a.b.pool.example.test name-mismatch fail fail
san pool.example.test name-mismatch fail fail
partial foo.part.example.test name-mismatch ok fail
partial f.part.example.test name-mismatch ok fail
mid a.x.mid.example.test name-mismatch fail fail
tld x.test name-mismatch fail ok
T
}

@test "hostname: an IDN is compared as A-labels; a U-label --hostname is converted" {
	table <<'T'
san xn--bcher-kva.example.test ok ok ok
san XN--BCHER-KVA.example.test ok ok ok
T
	# python's IDNA codec gives the A-label edgecert compares with
	run python3 -c 'print("bücher.example.test".encode("idna").decode())'
	assert_output xn--bcher-kva.example.test
	ecj verify-root --cert "$D/san.pem" --hostname bücher.example.test
	assert_code 0 ok
	ecj verify-root --cert "$D/san.pem" --hostname Bücher.Example.Test
	assert_code 0 ok
	ecj verify-root --cert "$D/san.pem" --hostname bucher.example.test
	assert_code 1 name-mismatch
}

@test "hostname: an address matches an iPAddress SAN as bytes, never a dNSName's text" {
	# 192.0.2.9 is a dNSName of san; ::ffff:192.0.2.1 is IPv6 (mapped)
	table <<'T'
san 192.0.2.1 ok ok ok
san 2001:db8::1 ok ok ok
san 192.0.2.2 name-mismatch fail fail
san 192.0.2.9 name-mismatch fail fail
san ::ffff:192.0.2.1 name-mismatch fail fail
san 2001:db8::2 name-mismatch fail fail
T
}

@test "hostname: an address in any but its canonical form is usage (openssl and python take some)" {
	# HOST, openssl's and python's verdict against san (IP:192.0.2.1,
	# IP:2001:db8::1): edgecert refuses each as usage, never guesses
	local h o p rows n=0
	rows=$(cat <<'T'
0xc0.0.2.1 fail fail
0300.0.2.1 fail fail
192.0.2.01 ok fail
192.0.513 fail fail
3221225985 fail fail
2001:DB8::1 ok ok
2001:0db8::1 ok ok
2001:db8:0:0:0:0:0:1 ok ok
::FFFF:192.0.2.1 fail fail
fe80::1%eth0 fail fail
T
)
	mapfile -t pys < <(printf '%s\n' "$rows" | cut -d' ' -f1 | sed 's/^/san /' | py)
	while read -r h o p; do
		ecj verify-root --cert "$D/san.pem" --hostname "$h"
		assert_equal "$h: $status $(jf .code)" "$h: 2 usage"
		[[ $(jf .message) == *"canonical form"* ]]
		assert_equal "$h: openssl $(ossl san "$h")" "$h: openssl $o"
		assert_equal "$h: python ${pys[n++]}" "$h: python $p"
	done <<< "$rows"
	ecj verify-root --cert "$D/san.pem" --hostname 2001:DB8::1
	[[ $(jf .message) == *"write '2001:db8::1'"* ]]
}

@test "hostname: what is no host name is usage" {
	local h
	for h in "" .example.test a..example.test '*.pool.example.test' \
		'exa mple.test' -a.example.test a-.example.test under_score.example.test \
		"$(printf 'a%.0s' {1..64}).example.test"; do
		ecj verify-root --cert "$D/san.pem" --hostname "$h"
		assert_equal "'$h': $status $(jf .code)" "'$h': 2 usage"
	done
}

@test "hostname: --profile webpki never matches on the CN" {
	ecj verify-root --cert "$D/nosan.pem" --hostname legacy.example.test --profile webpki
	assert_code 1 name-mismatch
	assert_equal "$(jf '.reasons | sort | join(",")')" name-mismatch,webpki-no-san
	assert_equal "$(jf '.warnings | length')" 0
}
