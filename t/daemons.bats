#!/usr/bin/env bats
# run-tests: alone
# daemons: assign for the TLS daemons Debian ships, run as Debian runs them
# (kamailio and haproxy as their own users, nginx's workers as www-data),
# on 127.0.0.1 on ports free at run time, each reading the live files
# through its snippet in edgecert-assign(1) (taken from the page, between
# its "edgecert-test:" markers, so the two cannot drift).  The daemons
# start once, in setup_file; teardown_file stops them by the pids they
# recorded.  Packages: kamailio, kamailio-tls-modules, nginx-light,
# haproxy (scripts/deps test).  Timing-sensitive (the rotation's connect
# loops), so it runs alone.

bats_require_minimum_version 1.5.0
load helper

PAGE="$EC_ROOT/man/edgecert-assign.1"

# snippet NAME: the page's text between its markers, unescaped.
snippet() {
	sed -n "/^\.\\\\\" edgecert-test: $1 begin/,/^\.\\\\\" edgecert-test: $1 end/p" "$PAGE" |
		sed '1d;$d; s/\\e/\\/g; s/\\-/-/g'
}

# free_port: a TCP port nothing listens on, on 127.0.0.1.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# listening PORT: wait (5 s at most) until something listens on PORT.
listening() {
	local n
	for n in $(seq 100); do
		ss -ltnH "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	echo "nothing listens on $1 (try $n)" >&2
	return 1
}

# thumb FILE.pem: its SHA-1 thumbprint
thumb() { sha1 "$1"; }

# put NAME: NAME.pem and its key into the store's personal section.
put() { store_put personal "$PKI/$1.pem" "$PKI/$1.key"; }

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	"$EC_ROOT/scripts/deps" test
	D=$BATS_FILE_TMPDIR
	export D
	# the daemons' users must reach the store: every directory above it
	# searchable (edgecert(1) leaves that to the operator)
	ec_searchable "$D"
	export EDGECERT_STORE="$D/store"
	pki_setup assign
	cat "$PKI/sub.pem" "$PKI/root.pem" > "$D/chain.pem"
	edgecert import-chain --in "$D/chain.pem" -q > /dev/null
	chmod 0711 "$EDGECERT_STORE"
	local t
	t=$(put server)
	put server2 > /dev/null
	edgecert assign --interface kam --thumbprint "$t" -q --owner kamailio --group kamailio
	edgecert assign --interface web --thumbprint "$t" -q
	edgecert assign --interface lb --thumbprint "$t" -q
	start_kamailio
	start_nginx
	start_haproxy
}

teardown_file() {
	local f
	# only the daemons this file started, by the pids they recorded
	for f in "$D"/kamailio.pid "$D"/nginx.pid "$D"/haproxy.pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	ec_check_records
}

setup() {
	export EDGECERT_STORE="$D/store"
	unset EDGECERT_FORMAT XDG_DATA_HOME
	export PKI="$D/pki-assign"	# pki_setup assign
	cd "$BATS_TEST_TMPDIR" || return
	KPORT=$(cat "$D/kamailio.port") NPORT=$(cat "$D/nginx.port")
	HPORT=$(cat "$D/haproxy.port")
	KAMCMD="kamcmd -s unix:$D/kamailio.ctl"
}

start_kamailio() {
	local port
	port=$(free_port)
	echo "$port" > "$D/kamailio.port"
	snippet kamailio | sed "s|/var/lib/edgecert/live/internal|$EDGECERT_STORE/live/kam|" > "$D/tls.cfg"
	cat > "$D/kamailio.cfg" <<EOF
#!KAMAILIO
debug=2
log_stderror=no
fork=yes
children=1
tcp_children=2
enable_tls=yes
auto_aliases=no
listen=tls:127.0.0.1:$port
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "ctl.so"
modparam("tls", "config", "$D/tls.cfg")
modparam("ctl", "binrpc", "unix:$D/kamailio.ctl")
request_route {
	if (method == "OPTIONS") {
		sl_send_reply("200", "OK");
		exit;
	}
	sl_send_reply("404", "Not here");
}
EOF
	chmod 0644 "$D/tls.cfg" "$D/kamailio.cfg"
	kamailio -f "$D/kamailio.cfg" -u kamailio -g kamailio -P "$D/kamailio.pid" \
		-m 64 -M 8 -E 2> "$D/kamailio.log" ||
		{ cat "$D/kamailio.log" >&2; return 1; }
	listening "$port" || { cat "$D/kamailio.log" >&2; return 1; }
}

start_nginx() {
	local port
	port=$(free_port)
	echo "$port" > "$D/nginx.port"
	{
		echo "user www-data;"
		echo "worker_processes 1;"
		echo "events { worker_connections 64; }"
		echo "http {"
		echo "access_log off;"
		snippet nginx | sed "s|/var/lib/edgecert/live/internal|$EDGECERT_STORE/live/web|; s|10.0.0.5:443|127.0.0.1:$port|"
		echo "}"
	} > "$D/nginx.conf"
	nginx -c "$D/nginx.conf" -e "$D/nginx.log" -g "pid $D/nginx.pid;" ||
		{ cat "$D/nginx.log" >&2; return 1; }
	listening "$port" || { cat "$D/nginx.log" >&2; return 1; }
}

start_haproxy() {
	local port
	port=$(free_port)
	echo "$port" > "$D/haproxy.port"
	{
		echo "global"
		echo "    user haproxy"
		echo "    group haproxy"
		echo "    stats socket $D/haproxy.sock mode 600 level admin expose-fd listeners"
		echo "defaults"
		echo "    timeout connect 5s"
		echo "    timeout client 10s"
		echo "    timeout server 10s"
		snippet haproxy | sed "s|/var/lib/edgecert/live/internal|$EDGECERT_STORE/live/lb|; s|10.0.0.5:443|127.0.0.1:$port|"
	} > "$D/haproxy.cfg"
	haproxy -f "$D/haproxy.cfg" -D -p "$D/haproxy.pid" 2> "$D/haproxy.log" ||
		{ cat "$D/haproxy.log" >&2; return 1; }
	listening "$port" || { cat "$D/haproxy.log" >&2; return 1; }
}

# the reloads, as deploy hooks
kam_reload() { echo "$KAMCMD tls.reload"; }
nginx_reload() { echo "nginx -c $D/nginx.conf -g 'pid $D/nginx.pid;' -s reload"; }
haproxy_reload() {
	echo "haproxy -f $D/haproxy.cfg -D -p $D/haproxy.pid -x $D/haproxy.sock -sf \$(cat $D/haproxy.pid)"
}

# tls PORT [s_client options]: a handshake verified to the root and the
# name; stdin is the request.
tls() {
	local port=$1
	shift
	openssl s_client -connect "127.0.0.1:$port" -servername edge.example.test \
		-verify_return_error -verify_hostname edge.example.test \
		-CAfile "$PKI/root.pem" "$@"
}

# served_sha1 PORT: the thumbprint of the certificate the daemon presents
served_sha1() {
	tls "$1" < /dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# sip_options PORT: the status line of the answer to OPTIONS over TLS
sip_options() {
	local req
	req="OPTIONS sip:edge.example.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-$RANDOM;rport\r\n"
	req+="Max-Forwards: 70\r\nFrom: <sip:probe@edge.example.test>;tag=$RANDOM\r\n"
	req+="To: <sip:edge.example.test>\r\nCall-ID: $RANDOM@edge.example.test\r\n"
	req+="CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	# shellcheck disable=SC2059 # the request's \r\n are printf's
	{ printf "$req"; sleep 0.5; } | timeout 10 openssl s_client -connect "127.0.0.1:$1" \
		-servername edge.example.test -verify_return_error -verify_hostname edge.example.test \
		-CAfile "$PKI/root.pem" -quiet -no_ign_eof 2>/dev/null | head -1 | tr -d '\r'
}

# http_status PORT: the status line of an HTTP answer over verified TLS
http_status() {
	printf 'GET / HTTP/1.1\r\nHost: edge.example.test\r\nConnection: close\r\n\r\n' |
		timeout 10 openssl s_client -connect "127.0.0.1:$1" -servername edge.example.test \
			-verify_return_error -verify_hostname edge.example.test \
			-CAfile "$PKI/root.pem" -quiet 2>/dev/null | head -1 | tr -d '\r'
}

# connect_loop PORT: verified handshakes for 5 s, 50 ms apart, in the
# background; counts in loop.ok and loop.bad; sets LOOP.
connect_loop() {
	: > loop.ok
	: > loop.bad
	(
		end=$(($(date +%s%N) / 1000000 + 5000)) n=0
		while [ "$(($(date +%s%N) / 1000000))" -lt "$end" ]; do
			n=$((n + 1))
			if tls "$1" < /dev/null > /dev/null 2>&1; then
				echo "$n" >> loop.ok
			else
				echo "$n" >> loop.bad
			fi
			sleep 0.05
		done
	) &
	LOOP=$!
}

# rotate IFACE PORT HOOK: server2 onto IFACE while the loop connects
rotate() {
	local t2
	t2=$(thumb "$PKI/server2.pem")
	connect_loop "$2"
	sleep 0.5
	ecj assign --interface "$1" --thumbprint "$t2" --deploy-hook "$3" \
		--served "127.0.0.1:$2,edge.example.test"
	wait "$LOOP"
	assert_code 0 ok
	assert_equal "$(jf '.served[0].served')" true
	assert_equal "$(jf '.served[0].seen')" "$t2"
	assert_equal "$(wc -l < loop.bad)" 0
	# (about 50: each handshake takes some 50 ms too)
	assert [ "$(wc -l < loop.ok)" -ge 20 ]
	assert_equal "$(served_sha1 "$2")" "$t2"
}

@test "daemons: kamailio, as kamailio, reads files given it by --owner/--group; SIP OPTIONS over TLS gets 200 OK" {
	assert_equal "$(ps -o user= -p "$(cat "$D/kamailio.pid")")" kamailio
	assert_equal "$(stat -c '%U:%G %a' "$EDGECERT_STORE/live/kam/privkey.pem")" "kamailio:kamailio 640"
	assert_equal "$(sip_options "$KPORT")" "SIP/2.0 200 OK"
	assert_equal "$(served_sha1 "$KPORT")" "$(thumb "$PKI/server.pem")"
	# its own reload reads them as kamailio too
	run $KAMCMD tls.reload
	assert_success
	assert_output --partial "TLS configuration reloaded"
}

@test "daemons: nginx (workers as www-data) serves the live files: a verified handshake and an HTTP answer" {
	assert_equal "$(ps -o user= --ppid "$(cat "$D/nginx.pid")" | sort -u)" www-data
	assert_regex "$(http_status "$NPORT")" '^HTTP/1\.1 [0-9]{3} '
	assert_equal "$(served_sha1 "$NPORT")" "$(thumb "$PKI/server.pem")"
}

@test "daemons: haproxy, as haproxy, serves combined.pem: a verified handshake and an HTTP answer" {
	assert_equal "$(ps -o user= -p "$(cat "$D/haproxy.pid")")" haproxy
	assert_equal "$(http_status "$HPORT")" "HTTP/1.1 200 OK"
	assert_equal "$(served_sha1 "$HPORT")" "$(thumb "$PKI/server.pem")"
}

@test "daemons: kamailio: rotation with kamcmd tls.reload and --served; no connect fails" {
	rotate kam "$KPORT" "$(kam_reload)"
	# the owner and group were kept by the new generation
	assert_equal "$(stat -c '%U:%G %a' "$EDGECERT_STORE/live/kam/privkey.pem")" "kamailio:kamailio 640"
	assert_equal "$(sip_options "$KPORT")" "SIP/2.0 200 OK"
}

@test "daemons: nginx: rotation with nginx -s reload and --served; no connect fails" {
	rotate web "$NPORT" "$(nginx_reload)"
	assert_regex "$(http_status "$NPORT")" '^HTTP/1\.1 [0-9]{3} '
}

@test "daemons: haproxy: rotation with a seamless reload (-x -sf) and --served; no connect fails" {
	rotate lb "$HPORT" "$(haproxy_reload)"
	assert_equal "$(http_status "$HPORT")" "HTTP/1.1 200 OK"
}

@test "daemons: a hook that reloads nothing is not-served; --served-rollback brings the old generation back, served" {
	t=$(thumb "$PKI/server.pem")
	t2=$(thumb "$PKI/server2.pem")
	$KAMCMD tls.reload > /dev/null
	# whatever the order of the tests: kamailio serves server2
	edgecert assign --interface kam --thumbprint "$t2" -q --deploy-hook "$(kam_reload)"
	assert_equal "$(served_sha1 "$KPORT")" "$t2"
	ecj assign --interface kam --thumbprint "$t" --deploy-hook true \
		--served "127.0.0.1:$KPORT,edge.example.test" --served-timeout 1
	assert_code 7 not-served
	assert_equal "$(jf '.served[0].served')" false
	assert_equal "$(jf '.served[0].seen')" "$t2"
	assert_equal "$(jf .served_rollback)" null
	# the assignment stands (the daemon can still be told)
	assert_equal "$(sha1 "$EDGECERT_STORE/live/kam/cert.pem")" "$t"
	# again, with --served-rollback: back to server2, the hook run again
	edgecert assign --interface kam --thumbprint "$t2" -q
	gen=$(readlink "$EDGECERT_STORE/live/kam")
	ecj assign --interface kam --thumbprint "$t" --deploy-hook 'echo ran >> hook.log' \
		--served "127.0.0.1:$KPORT,edge.example.test" --served-timeout 1 --served-rollback
	assert_code 7 not-served
	assert_equal "$(jf '.served[0].served')" false
	assert_equal "$(jf .served_rollback.thumbprint)" "$t2"
	assert_equal "$(jf '.served_rollback.served[0].served')" true
	assert_equal "$(jf '.served_rollback.hook.exit_status')" 0
	assert_equal "$(wc -l < hook.log)" 2
	assert_equal "$(readlink "$EDGECERT_STORE/live/kam")" "$gen"
	assert_equal "$(sha1 "$EDGECERT_STORE/live/kam/cert.pem")" "$t2"
	assert_equal "$(sed -n 's/^thumbprint=//p' "$EDGECERT_STORE/assigned/kam.meta")" "$t2"
	assert_equal "$(stat -c '%U:%G %a' "$EDGECERT_STORE/live/kam/privkey.pem")" "kamailio:kamailio 640"
	assert_equal "$(served_sha1 "$KPORT")" "$t2"
	assert_equal "$(sip_options "$KPORT")" "SIP/2.0 200 OK"
}

@test "daemons: kamcmd tls.reload that kamailio cannot do (files it cannot read) exits 0; --served catches it" {
	t=$(thumb "$PKI/server.pem")
	t2=$(thumb "$PKI/server2.pem")
	edgecert assign --interface kam --thumbprint "$t" -q --deploy-hook "$(kam_reload)" \
		--served "127.0.0.1:$KPORT"
	# the key back to root's only: kamailio cannot read it
	ecj assign --interface kam --thumbprint "$t2" --owner '' --group '' \
		--deploy-hook "$(kam_reload)" --served "127.0.0.1:$KPORT,edge.example.test" --served-timeout 1
	assert_code 7 not-served
	assert_equal "$(jf .hook.exit_status)" 0
	assert_regex "$(jf .hook.output)" 'error: 500'
	assert_equal "$(jf '.served[0].seen')" "$t"
	assert_equal "$(stat -c '%U %a' "$EDGECERT_STORE/live/kam/privkey.pem")" "$(id -un) 600"
	# (kamailio 5.6 is left unable to reload after that: a later
	# tls.reload sometimes fails to parse tls.cfg, "duplicate definition
	# for a tls profile"; this is its last test)
}

@test "daemons: --owner kamailio on a store kamailio cannot reach: daemon-access fails, nothing changes" {
	export EDGECERT_STORE="$BATS_TEST_TMPDIR/private/store"
	mkdir -m 700 "$BATS_TEST_TMPDIR/private"
	edgecert import-chain --in "$D/chain.pem" -q > /dev/null
	t=$(put server)
	edgecert assign --interface kam --thumbprint "$t" -q
	t2=$(put server2)
	before=$(store_snapshot)
	ecj assign --interface kam --thumbprint "$t2" --owner kamailio --group kamailio
	assert_code 1 no-daemon-access
	assert_equal "$(jf '.checks[] | select(.name == "daemon-access") | .outcome')" fail
	assert_equal "$(store_snapshot)" "$before"
	assert_equal "$(readlink "$EDGECERT_STORE/live/kam")" .gen/kam/1
	assert [ ! -e "$EDGECERT_STORE/live/.gen/kam/2" ]
}
