#!/usr/bin/env bats
# assign: checks, the live directory and its generations, hooks, rollback
# and clear, with real TLS peers (gnutls-serv, openssl s_server,
# gnutls-cli, openssl s_client) on 127.0.0.1 reading the live files.
# Fixtures: scripts/test-pki and scripts/test-pki-assign (certtool).

bats_require_minimum_version 1.5.0
load helper

setup() {
	ec_setup
	pki_setup assign
	cd "$BATS_TEST_TMPDIR"
	LIVE="$EDGECERT_STORE/live/internal"
	: > pids
}

# only the servers and loops this test started, by their pids
teardown() {
	tls_server_stop
}

# trust: the issuing CA and the root into the store (import-chain).
trust() {
	cat "$PKI/sub.pem" "$PKI/root.pem" > chain.pem
	edgecert import-chain --in chain.pem -q > /dev/null
}

# put NAME [KEY-NAME]: NAME.pem into personal with KEY-NAME.key (default
# its own; "-" for none); prints the thumbprint.
put() {
	local k=${2:-$1}
	if [ "$k" = - ]; then
		store_put personal "$PKI/$1.pem"
	else
		store_put personal "$PKI/$1.pem" "$PKI/$k.key"
	fi
}

# serve.sh LIVE-DIR LOG [gnutls-serv options]: a server script (also used
# by deploy hooks): gnutls-serv on a random free port with the live files,
# tried again on another port when that one is taken; prints "PID PORT"
# once the server (that pid) listens.
write_serve() {
	cat > serve.sh <<'EOF'
#!/bin/bash
live=$1 log=$2
shift 2
for try in 1 2 3 4 5 6 7 8 9 10; do
	port=$((20000 + RANDOM % 40000))
	gnutls-serv --echo -p "$port" --x509certfile "$live/fullchain.pem" \
		--x509keyfile "$live/privkey.pem" "$@" >> "$log" 2>&1 < /dev/null &
	pid=$!
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		if ss -ltnpH "sport = :$port" | grep -q "pid=$pid,"; then
			echo "$pid $port"
			exit 0
		fi
		sleep 0.05
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
exit 1
EOF
	chmod +x serve.sh
}

# start_gnutls [options]: serve the live files; sets SPID and PORT.
start_gnutls() {
	write_serve
	local r
	r=$(./serve.sh "$LIVE" serv.log "$@") || fail "gnutls-serv did not start: $(cat serv.log)"
	SPID=${r% *} PORT=${r#* }
	echo "$SPID" >> pids
}

# start_openssl [options]: openssl s_server -www on 127.0.0.1 and a free
# port with the live files (cert, chain, key apart); sets SPID and PORT.
start_openssl() {
	tls_server_start sserv.log openssl s_server -accept "127.0.0.1:@PORT@" -www \
		-cert "$LIVE/cert.pem" -cert_chain "$LIVE/chain.pem" \
		-key "$LIVE/privkey.pem" "$@"
}

# s_client [options]: a GET through openssl s_client to $PORT with only the
# root as trust anchor; output in $output.
s_client() {
	run bash -c 'printf "GET / HTTP/1.0\r\n\r\n" | timeout 20 openssl s_client \
		-connect "127.0.0.1:$0" -CAfile "$1" -verify_return_error -ign_eof "${@:2}" 2>&1' \
		"$PORT" "$PKI/root.pem" "$@"
}

# g_cli [options]: a gnutls-cli handshake to $PORT, the root as anchor.
g_cli() {
	run bash -c 'timeout 20 gnutls-cli --x509cafile "$1" -p "$0" "${@:2}" 127.0.0.1 < /dev/null 2>&1' \
		"$PORT" "$PKI/root.pem" "$@"
}

# nothing_assigned: no record, no live directory.
nothing_assigned() {
	assert_file_not_exists "$EDGECERT_STORE/assigned/internal.meta"
	assert [ ! -e "$LIVE" ] && assert [ ! -L "$LIVE" ]
	assert [ ! -e "$EDGECERT_STORE/live/.gen/internal" ]
}

@test "assign: the live files serve TLS to gnutls-cli and openssl s_client with only the root as anchor" {
	trust
	t=$(put server)
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.example.test
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .certificate.thumbprint)" "$t"
	assert_equal "$(jf .live_dir)" "$LIVE"
	assert_equal "$(jf .generation)" 1
	assert_equal "$(jf '[.checks[] | .name + "=" + .outcome] | join(" ")')" \
		"private-key=pass key-match=pass validity=pass trust=pass name=pass purpose=pass resolve=skipped daemon-access=skipped"
	assert_equal "$(jf .chain_count)" 1
	assert_equal "$(readlink "$LIVE")" .gen/internal/1
	# the files, by openssl: cert, chain without the root, both, the key
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	assert_equal "$(sha1 "$LIVE/chain.pem")" "$(sha1 "$PKI/sub.pem")"
	assert_equal "$(grep -c 'BEGIN CERTIFICATE' "$LIVE/chain.pem")" 1
	assert_equal "$(cat "$LIVE/fullchain.pem")" "$(cat "$LIVE/cert.pem" "$LIVE/chain.pem")"
	assert_equal "$(stat -c %a "$LIVE/privkey.pem")" 600
	assert_equal "$(openssl pkey -in "$LIVE/privkey.pem" -pubout)" \
		"$(openssl x509 -in "$PKI/server.pem" -noout -pubkey)"
	# combined.pem, for HAProxy: the key, then fullchain, as the key 0600
	assert_equal "$(cat "$LIVE/combined.pem")" "$(cat "$LIVE/privkey.pem" "$LIVE/fullchain.pem")"
	assert_equal "$(stat -c %a "$LIVE/combined.pem")" 600
	run openssl verify -CAfile "$PKI/root.pem" -untrusted "$LIVE/chain.pem" "$LIVE/cert.pem"
	assert_success

	start_gnutls --disable-client-cert
	g_cli --verify-hostname edge.example.test
	assert_success
	assert_output --partial "Status: The certificate is trusted."
	assert_output --partial "Handshake was completed"
	g_cli --verify-hostname other.example.test
	assert_failure
	kill "$SPID"

	start_openssl
	s_client -verify_hostname edge.example.test
	assert_success
	assert_output --partial "Verify return code: 0 (ok)"
	assert_output --partial "HTTP/1.0 200 ok"
	assert_equal "$(printf '%s\n' "$output" | openssl x509 -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr A-F a-f)" "$t"
	s_client -verify_hostname other.example.test
	assert_failure
	assert_output --partial "hostname mismatch"
}

@test "assign: mutual TLS with a client certificate from the same CA" {
	trust
	t=$(put server)
	ecj assign --interface internal --thumbprint "$t"
	assert_code 0 ok
	# the server asks for a client certificate and trusts only the root
	start_openssl -CAfile "$PKI/root.pem" -Verify 2 -verify_return_error
	s_client -verify_hostname edge.example.test -cert "$PKI/client.pem" \
		-key "$PKI/client.key" -cert_chain "$PKI/sub.pem"
	assert_success
	assert_output --partial "HTTP/1.0 200 ok"
	# the edge's own certificate as a client (it has clientAuth) works too
	s_client -cert "$LIVE/cert.pem" -key "$LIVE/privkey.pem" -cert_chain "$LIVE/chain.pem"
	assert_success
	assert_output --partial "HTTP/1.0 200 ok"
	# a client certificate of another CA, or none, is turned away
	s_client -cert "$PKI/ossl-server.pem" -key "$PKI/ossl-server.key"
	assert_failure
	refute_output --partial "HTTP/1.0 200 ok"
	s_client
	assert_failure
	refute_output --partial "HTTP/1.0 200 ok"
	kill "$SPID"
	# gnutls: the server requires and verifies the client's certificate
	start_gnutls --require-client-cert --verify-client-cert --x509cafile "$PKI/root.pem"
	cat "$PKI/client.pem" "$PKI/sub.pem" > client-full.pem
	g_cli --verify-hostname edge.example.test --x509certfile client-full.pem \
		--x509keyfile "$PKI/client.key"
	assert_success
	assert_output --partial "Handshake was completed"
}

@test "assign: reassign while clients handshake against a server the deploy hook restarts" {
	trust
	t1=$(put server)
	t2=$(put server2)
	ecj assign --interface internal --thumbprint "$t1" --fqdn edge.example.test
	assert_code 0 ok
	write_serve
	./serve.sh "$LIVE" serv.log --disable-client-cert > server || fail "no server"
	cut -d' ' -f1 server >> pids
	# the hook: a new server on the new live files, then the old one goes
	cat > restart.sh <<EOF
#!/bin/sh
new=\$("$BATS_TEST_TMPDIR/serve.sh" "\$EDGECERT_LIVE_DIR" "$BATS_TEST_TMPDIR/serv.log" --disable-client-cert) || exit 1
old=\$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/server")
echo "\${new% *}" >> "$BATS_TEST_TMPDIR/pids"
echo "\$new" > "$BATS_TEST_TMPDIR/server.tmp"
mv "$BATS_TEST_TMPDIR/server.tmp" "$BATS_TEST_TMPDIR/server"
(sleep 2; kill "\$old") > /dev/null 2>&1 &
echo "restarted: \$old -> \$new"
EOF
	chmod +x restart.sh
	# clients: one handshake after another, each to the server of the moment
	(
		while [ ! -e stop ]; do
			port=$(cut -d' ' -f2 server)
			if out=$(timeout 20 openssl s_client -connect "127.0.0.1:$port" \
				-CAfile "$PKI/root.pem" -verify_return_error \
				-verify_hostname edge.example.test < /dev/null 2>&1); then
				echo "ok $(printf '%s\n' "$out" | openssl x509 -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr A-F a-f)"
			else
				echo "failed: $(printf '%s\n' "$out" | grep -i error | head -1)"
			fi
		done > handshakes.log 2>&1
	) 3>&- &
	echo $! >> pids
	# a reader of the live directory as a daemon reads it: resolve once,
	# then read every file; the set must be whole and of one generation
	(
		while [ ! -e stop ]; do
			if d=$(cd -P "$LIVE" 2>/dev/null && pwd) &&
			   c=$(openssl x509 -in "$d/cert.pem" -noout -pubkey 2>/dev/null) &&
			   k=$(openssl pkey -in "$d/privkey.pem" -pubout 2>/dev/null) &&
			   [ "$c" = "$k" ] &&
			   [ "$(cat "$d/fullchain.pem")" = "$(cat "$d/cert.pem" "$d/chain.pem")" ]; then
				echo "whole ${d##*/}"
			else
				echo "broken ${d:-missing}"
			fi
		done > reader.log 2>&1
	) 3>&- &
	echo $! >> pids
	sleep 2
	ecj assign --interface internal --thumbprint "$t2" --fqdn edge.example.test \
		--deploy-hook "$BATS_TEST_TMPDIR/restart.sh"
	assert_code 0 ok
	assert_equal "$(jf .hook.exit_status)" 0
	assert_equal "$(jf .previous)" "$t1"
	assert_equal "$(jf .generation)" 2
	jf .hook.output | grep -q '^restarted: '
	sleep 4
	touch stop
	sleep 1
	# every handshake completed, with the old certificate or the new one
	run grep -v -e "^ok $t1\$" -e "^ok $t2\$" handshakes.log
	assert_failure		# no other line
	assert_equal "$(tail -1 handshakes.log)" "ok $t2"
	[ "$(grep -c "^ok $t1\$" handshakes.log)" -ge 2 ]
	[ "$(grep -c "^ok $t2\$" handshakes.log)" -ge 2 ]
	# after the first handshake with the new one, at most one with the old
	# (a client that read the old port just before the switch)
	first=$(grep -n "^ok $t2\$" handshakes.log | head -1 | cut -d: -f1)
	[ "$(tail -n +"$first" handshakes.log | grep -c "^ok $t1\$")" -le 1 ]
	# the reader never saw a missing file or a mixed set
	run grep -v -e '^whole 1$' -e '^whole 2$' reader.log
	assert_failure
	grep -q '^whole 1$' reader.log
	grep -q '^whole 2$' reader.log
}

@test "assign: a certificate whose root the store does not trust is refused, unless forced" {
	trust
	t=$(put ossl-server)
	ecj assign --interface internal --thumbprint "$t"
	assert_code 1 untrusted
	assert_equal "$(jf '.checks[] | select(.name == "trust") | .outcome')" fail
	assert_equal "$(jf '.checks[] | select(.name == "trust") | .code')" untrusted
	nothing_assigned
	ecj assign --interface internal --thumbprint "$t" --force
	assert_code 0 ok
	assert_equal "$(jf '.forced | join(",")')" trust
	assert_equal "$(jf '.checks[] | select(.name == "trust") | .outcome')" forced
	jf '.warnings[]' | grep -q 'trust check forced'
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	# no intermediate in its path: chain.pem is empty, fullchain the cert
	assert_equal "$(stat -c %s "$LIVE/chain.pem")" 0
	assert_equal "$(cat "$LIVE/fullchain.pem")" "$(cat "$LIVE/cert.pem")"
	grep -qx 'forced=trust' "$EDGECERT_STORE/assigned/internal.meta"
}

@test "assign: an expired certificate is refused, even with --force" {
	trust
	t=$(put expired)
	ecj assign --interface internal --thumbprint "$t"
	assert_code 1 expired
	assert_equal "$(jf '.checks[] | select(.name == "validity") | .outcome')" fail
	ecj assign --interface internal --thumbprint "$t" --force
	assert_code 1 expired
	nothing_assigned
}

@test "assign: a name that is neither the CN nor a DNS name is refused" {
	trust
	t=$(put server)
	ecj assign --interface internal --thumbprint "$t" --fqdn sip.example.test
	assert_code 1 name-mismatch
	assert_equal "$(jf '.checks[] | select(.name == "name") | .outcome')" fail
	nothing_assigned
	ecj assign --interface internal --thumbprint "$t" --fqdn EDGE.example.test.
	assert_code 0 ok
	assert_equal "$(jf .fqdn)" EDGE.example.test.
}

@test "assign: a client-only certificate is refused for a server, taken with --purpose client" {
	trust
	t=$(put client)
	ecj assign --interface internal --thumbprint "$t"
	assert_code 1 purpose-mismatch
	assert_equal "$(jf '.checks[] | select(.name == "purpose") | .message')" \
		"the extended key usage does not allow server authentication"
	ecj assign --interface internal --thumbprint "$t" --purpose server,client
	assert_code 1 purpose-mismatch
	nothing_assigned
	ecj assign --interface internal --thumbprint "$t" --purpose client
	assert_code 0 ok
}

@test "assign: --force takes a name and a purpose mismatch, and the record says what was forced" {
	trust
	t=$(put client)
	ecj assign --interface internal --thumbprint "$t" --fqdn sip.example.test
	assert_code 1 name-mismatch
	assert_equal "$(jf '[.checks[] | select(.outcome == "fail") | .name] | join(",")')" name,purpose
	nothing_assigned
	ecj assign --interface internal --thumbprint "$t" --fqdn sip.example.test --force
	assert_code 0 ok
	assert_equal "$(jf '.forced | join(",")')" name,purpose
	assert_equal "$(jf '.checks[] | select(.name == "name") | .code')" name-mismatch
	assert_equal "$(jf '.checks[] | select(.name == "purpose") | .outcome')" forced
	assert_equal "$(jf '[.warnings[] | select(test("check forced"))] | length')" 2
	[[ "$stderr" == *"name check forced (--force)"* ]]
	grep -qx 'forced=name,purpose' "$EDGECERT_STORE/assigned/internal.meta"
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	# a later assignment that needs no force records none
	t2=$(put server)
	ecj assign --interface internal --thumbprint "$t2" --fqdn edge.example.test
	assert_code 0 ok
	assert_equal "$(jf '.forced | length')" 0
	run grep '^forced=' "$EDGECERT_STORE/assigned/internal.meta"
	assert_failure
	grep -qx 'previous_forced=name,purpose' "$EDGECERT_STORE/assigned/internal.meta"
	# a rollback to the forced one brings back what was forced, and back
	ecj assign --interface internal --rollback
	assert_code 0 ok
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	grep -qx 'forced=name,purpose' "$EDGECERT_STORE/assigned/internal.meta"
	run grep '^previous_forced=' "$EDGECERT_STORE/assigned/internal.meta"
	assert_failure
	ecj assign --interface internal --rollback
	assert_code 0 ok
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t2"
	run grep '^forced=' "$EDGECERT_STORE/assigned/internal.meta"
	assert_failure
	grep -qx 'previous_forced=name,purpose' "$EDGECERT_STORE/assigned/internal.meta"
}

@test "assign: no private key, or the key of another certificate, is refused even with --force" {
	trust
	t=$(put server -)
	ecj assign --interface internal --thumbprint "$t" --force
	assert_code 1 no-private-key
	assert_equal "$(jf '.checks[0] | .name + " " + .outcome')" "private-key fail"
	assert_equal "$(jf '.checks[1].outcome')" skipped
	nothing_assigned
	rm "$EDGECERT_STORE/personal/$t.pem"
	t=$(put server client)
	ecj assign --interface internal --thumbprint "$t" --force
	assert_code 1 key-mismatch
	assert_equal "$(jf '.checks[1] | .name + " " + .outcome')" "key-match fail"
	nothing_assigned
}

@test "assign: --resolve: localhost resolves to 127.0.0.1 on lo; a name that resolves nowhere is refused" {
	trust
	t=$(put localhost)
	ecj assign --interface internal --thumbprint "$t" --fqdn localhost --resolve
	assert_code 0 ok
	assert_equal "$(jf '.checks[] | select(.name == "resolve") | .outcome')" pass
	assert_equal "$(jf '.resolved[] | select(.address == "127.0.0.1") | .local')" true
	t=$(put nowhere)
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.nowhere.invalid --resolve
	assert_code 1 name-mismatch
	assert_equal "$(jf '.checks[] | select(.name == "resolve") | .outcome')" fail
	assert_equal "$(jf '.resolved | length')" 0
	assert_equal "$(jf .previous)" "$(sha1 "$PKI/localhost.pem")"
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$(sha1 "$PKI/localhost.pem")"
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.nowhere.invalid --resolve --force
	assert_code 0 ok
	assert_equal "$(jf '.forced | join(",")')" resolve
	ecj assign --interface internal --thumbprint "$t" --resolve
	assert_code 2 usage
}

@test "assign: rollback switches to the generation before, and back; clear removes it all" {
	trust
	t1=$(put server)
	t2=$(put server2)
	ecj assign --interface internal --thumbprint "$t1" --fqdn edge.example.test
	assert_code 0 ok
	ecj assign --interface internal --thumbprint "$t2" --fqdn edge.example.test
	assert_equal "$(jf .generation)" 2
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t2"
	ecj assign --interface internal --rollback
	assert_code 0 ok
	assert_equal "$(jf .certificate.thumbprint)" "$t1"
	assert_equal "$(jf .previous)" "$t2"
	assert_equal "$(jf .generation)" 1
	assert_equal "$(readlink "$LIVE")" .gen/internal/1
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t1"
	ecj list --interface internal
	assert_equal "$(jf '.items[0].thumbprint')" "$t1"
	ecj assign --interface internal --rollback
	assert_equal "$(jf .certificate.thumbprint)" "$t2"
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t2"
	# older generations are pruned: the one in use and the one before stay
	ecj assign --interface internal --thumbprint "$t1"
	ecj assign --interface internal --thumbprint "$t2"
	assert_equal "$(jf .generation)" 4
	assert_equal "$(ls "$EDGECERT_STORE/live/.gen/internal" | sort | tr '\n' ' ')" "3 4 "
	ecj assign --interface internal --clear --check
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	assert [ -L "$LIVE" ]
	ecj assign --interface internal --clear
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	nothing_assigned
	ecj list --section assigned
	assert_equal "$(jf .count)" 0
	ecj assign --interface internal --clear
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	ecj assign --interface internal --rollback
	assert_code 4 not-found
	ecj assign --interface internal --thumbprint "$t1"
	ecj assign --interface internal --rollback
	assert_code 4 not-found
	assert_equal "$(jf .message)" "interface 'internal' has no previous assignment to roll back to"
}

@test "assign: the deploy hook's environment; no hook and changed false when nothing changes" {
	trust
	t=$(put server)
	hook='env | grep ^EDGECERT_ | sort > env.txt; echo done; echo "to stderr" >&2'
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.example.test --deploy-hook "$hook"
	assert_code 0 ok
	assert_equal "$(jf .hook.command)" "$hook"
	assert_equal "$(jf .hook.exit_status)" 0
	assert_equal "$(jf .hook.signal)" null
	assert_equal "$(jf .hook.output)" "$(printf 'done\nto stderr')"
	assert_equal "$(grep -v EDGECERT_STORE env.txt)" "$(printf '%s\n' \
		EDGECERT_ACTION=assign EDGECERT_FQDN=edge.example.test \
		EDGECERT_INTERFACE=internal "EDGECERT_LIVE_DIR=$LIVE" \
		EDGECERT_PREVIOUS_THUMBPRINT= "EDGECERT_THUMBPRINT=$t")"
	rm env.txt
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.example.test --deploy-hook "$hook"
	assert_code 0 ok
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .hook)" null
	assert_file_not_exists env.txt
	assert_equal "$(readlink "$LIVE")" .gen/internal/1
	# a damaged live file is mended by the same command
	chmod 644 "$LIVE/privkey.pem"
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.example.test
	assert_equal "$(jf .changed)" true
	assert_equal "$(stat -c %a "$LIVE/privkey.pem")" 600
}

@test "assign: a failing hook is hook-failed (exit 6) and the assignment stays" {
	trust
	t=$(put server)
	ecj assign --interface internal --thumbprint "$t" \
		--deploy-hook 'seq 1 500; echo "nginx: configuration test failed" >&2; exit 3'
	assert_code 6 hook-failed
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .hook.exit_status)" 3
	jf .hook.output | tail -1 | grep -qx "nginx: configuration test failed"
	jf .hook.output | grep -q '^500$'
	refute [ "$(jf .hook.output | head -1)" = 1 ]	# a tail, not all of it
	[[ "$(jf .message)" == *"stands all the same"* ]]
	[[ "$stderr" == *"deploy hook failed (exit status 3)"* ]]
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	ecj list --interface internal
	assert_equal "$(jf '.items[0].thumbprint')" "$t"
	ecj assign --interface internal --clear --deploy-hook 'kill -TERM $$'
	assert_code 6 hook-failed
	assert_equal "$(jf .hook.signal)" 15
	assert_equal "$(jf .hook.exit_status)" null
	nothing_assigned
}

@test "assign: a hook that leaves a daemon holding its output does not hang the run" {
	trust
	t=$(put server)
	run --separate-stderr timeout 20 edgecert assign --interface internal --thumbprint "$t" \
		--format json --deploy-hook 'sleep 60 & echo $! > sleeper; echo started'
	kill "$(cat sleeper)"
	assert_success
	assert_equal "$(jf .hook.output)" started
}

@test "assign: --check runs every check and writes nothing" {
	trust
	t=$(put server)
	ecj assign --interface internal --thumbprint "$t" --check --deploy-hook 'touch ran'
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .generation)" null
	assert_equal "$(jf .hook)" null
	assert_equal "$(jf '[.checks[].outcome] | map(select(. == "pass")) | length')" 5
	nothing_assigned
	assert_file_not_exists ran
	t=$(put expired)
	ecj assign --interface internal --thumbprint "$t" --check
	assert_code 1 expired
}

@test "assign: interface names are [a-z0-9][a-z0-9-]*; ../ and the like are usage" {
	trust
	t=$(put server)
	for bad in ../etc x/../y Internal -x "" "a b" "..." "$(printf 'a%.0s' {1..65})"; do
		ecj assign --interface "$bad" --thumbprint "$t"
		assert_code 2 usage
	done
	assert [ ! -e "$EDGECERT_STORE/live" ]
	assert_equal "$(ls "$EDGECERT_STORE/assigned")" ""
	ecj assign --interface access-edge-external --thumbprint "$t"
	assert_code 0 ok
	assert [ -L "$EDGECERT_STORE/live/access-edge-external" ]
}

@test "assign: option combinations that make no sense are usage" {
	ecj assign --thumbprint 12345678
	assert_code 2 usage
	ecj assign --interface internal
	assert_code 2 usage
	ecj assign --interface internal --rollback --thumbprint 12345678
	assert_code 2 usage
	ecj assign --interface internal --rollback --clear
	assert_code 2 usage
	ecj assign --interface internal --clear --force
	assert_code 2 usage
	ecj assign --interface internal --thumbprint 12345678 --purpose web
	assert_code 2 usage
	ecj assign --interface internal --thumbprint 12345678 --name x
	assert_code 2 usage
	ecj assign --interface internal --thumbprint 0000000000
	assert_code 4 not-found
}

@test "assign: a certificate expiring within 30 days is assigned with a warning" {
	trust
	t=$(put soon)
	ecj assign --interface internal --thumbprint "$t"
	assert_code 0 ok
	assert_equal "$(jf '.checks[] | select(.name == "validity") | .outcome')" warn
	jf '.warnings[]' | grep -q '^validity: expires within 30 days'
}

@test "assign: list shows the assignment; verify-root and list take --interface; a renewed import does not move it" {
	trust
	t=$(put server)
	ecj assign --interface internal --name nonesuch
	assert_code 4 not-found
	ecj assign --interface internal --thumbprint "$t" --fqdn edge.example.test
	ecj list --section assigned
	assert_code 0 ok
	assert_equal "$(jf '.items[0] | [.interface, .thumbprint, .fqdn] | join(" ")')" \
		"internal $t edge.example.test"
	[[ "$(jf '.items[0].assigned')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
	assert [ "$(jf '.items[0].days_to_expiry')" -ge 363 ]
	run edgecert list --section assigned
	assert_output --partial "internal"
	assert_output --partial "edge.example.test"
	ecj verify-root --interface internal --hostname edge.example.test
	assert_code 0 ok
	assert_equal "$(jf '.chain[0].thumbprint')" "$t"
	# export --interface writes out the assigned certificate
	printf '%s\n' "friendly_name=edge" exportable=true > "$EDGECERT_STORE/personal/$t.meta"
	printf 'pfx pw\n' > pw
	ecj export --interface internal --out internal.pfx --password-file pw
	assert_code 0 ok
	assert_equal "$(jf .certificate.thumbprint)" "$t"
	run openssl pkcs12 -in internal.pfx -passin file:pw -nokeys -clcerts
	assert_success
	assert_equal "$(printf '%s\n' "$output" | openssl x509 -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g' | tr A-F a-f)" "$t"
	# the renewed certificate, imported by import-pfx, does not move it
	openssl pkcs12 -export -in "$PKI/server2.pem" -inkey "$PKI/server2.key" \
		-name edge -passout file:pw -out renewed.pfx
	ecj import-pfx --in renewed.pfx --password-file pw
	assert_code 0 ok
	assert_equal "$(jf .changed)" true
	t2=$(sha1 "$PKI/server2.pem")
	ecj list --interface internal
	assert_equal "$(jf '.items[0].thumbprint')" "$t"
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	grep -qx "thumbprint=$t" "$EDGECERT_STORE/assigned/internal.meta"
	# until it is assigned
	ecj assign --interface internal --thumbprint "$t2" --fqdn edge.example.test
	assert_code 0 ok
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t2"
}

# searchable: the test's directory and those above it searchable by
# others (ec_searchable).
searchable() {
	ec_searchable "$BATS_TEST_TMPDIR"
}

@test "assign: --owner/--group give the live files to a daemon's user, kept by later generations and rollback until changed" {
	trust
	t=$(put server)
	t2=$(put server2)
	searchable
	chmod 0711 "$EDGECERT_STORE"
	ecj assign --interface internal --thumbprint "$t" --owner nobody --group nogroup
	assert_code 0 ok
	assert_equal "$(jf .owner)" "$(id -u nobody)"
	assert_equal "$(jf .group)" "$(getent group nogroup | cut -d: -f3)"
	assert_equal "$(jf '.checks[] | select(.name == "daemon-access") | .outcome')" pass
	assert_equal "$(stat -c '%U:%G %a' "$LIVE/privkey.pem" "$LIVE/combined.pem" "$LIVE/cert.pem")" \
		"$(printf '%s\n' "nobody:nogroup 640" "nobody:nogroup 640" "nobody:nogroup 644")"
	assert_equal "$(stat -c %a "$EDGECERT_STORE/live" "$EDGECERT_STORE/live/.gen" "$EDGECERT_STORE/live/.gen/internal")" \
		"$(printf '711\n711\n711')"
	grep -qx "owner=$(id -u nobody)" "$EDGECERT_STORE/assigned/internal.meta"
	# read as that user, through the link, as the daemon will
	run setpriv --reuid nobody --regid nogroup --clear-groups cat "$LIVE/privkey.pem"
	assert_success
	# the same again changes nothing; the next certificate keeps them
	ecj assign --interface internal --thumbprint "$t" --owner nobody --group nogroup
	assert_equal "$(jf .changed)" false
	ecj assign --interface internal --thumbprint "$t2"
	assert_code 0 ok
	assert_equal "$(stat -c '%U:%G %a' "$LIVE/privkey.pem")" "nobody:nogroup 640"
	assert_equal "$(jf '.checks[] | select(.name == "daemon-access") | .outcome')" pass
	# and a rollback after a change of owner gives the old generation the
	# current owner and group
	ecj assign --interface internal --thumbprint "$t2" --group ''
	assert_code 0 ok
	assert_equal "$(stat -c '%U %a' "$LIVE/privkey.pem")" "nobody 600"
	ecj assign --interface internal --rollback
	assert_code 0 ok
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	assert_equal "$(stat -c '%U %a' "$LIVE/privkey.pem" "$LIVE/cert.pem")" "$(printf 'nobody 600\nnobody 644')"
	# '' goes back to the store owner's files
	ecj assign --interface internal --thumbprint "$t" --owner ''
	assert_code 0 ok
	assert_equal "$(jf .owner)" null
	assert_equal "$(stat -c '%U %a' "$LIVE/privkey.pem")" "$(id -un) 600"
	run grep -c '^owner=' "$EDGECERT_STORE/assigned/internal.meta"
	assert_output 0
	store_consistent
}

@test "assign: --owner for a user who cannot reach the store: daemon-access fails and nothing changes" {
	trust
	t=$(put server)
	t2=$(put server2)
	ecj assign --interface internal --thumbprint "$t"
	assert_code 0 ok
	before=$(store_snapshot)
	# the test's directory is 0700: nobody cannot search it
	ecj assign --interface internal --thumbprint "$t2" --owner nobody
	assert_code 1 no-daemon-access
	assert_equal "$(jf '.checks[] | select(.name == "daemon-access") | .outcome')" fail
	assert_equal "$(jf '.checks[] | select(.name == "daemon-access") | .code')" no-daemon-access
	assert_equal "$(store_snapshot)" "$before"
	assert_equal "$(readlink "$LIVE")" .gen/internal/1
	assert [ ! -e "$EDGECERT_STORE/live/.gen/internal/2" ]
	# --check says so too, and writes nothing
	ecj assign --interface internal --thumbprint "$t2" --owner nobody --check
	assert_code 1 no-daemon-access
	assert_equal "$(store_snapshot)" "$before"
	ecj assign --interface internal --thumbprint "$t" --owner no-such-user-here
	assert_code 2 usage
}

@test "assign: --check --owner on a store the user can search passes before live/ is made searchable" {
	trust
	t=$(put server)
	searchable
	chmod 0711 "$EDGECERT_STORE"
	mkdir -p "$EDGECERT_STORE/live"
	chmod 0700 "$EDGECERT_STORE/live"
	before=$(store_snapshot)
	# live/ becomes 0711 only when a real run publishes: --check must ask
	# whether the store can be reached, not live/ as it is now
	ecj assign --interface internal --thumbprint "$t" --owner nobody --check
	assert_code 0 ok
	assert_equal "$(jf '.checks[] | select(.name == "daemon-access") | .outcome')" pass
	assert_equal "$(store_snapshot)" "$before"
	ecj assign --interface internal --thumbprint "$t" --owner nobody
	assert_code 0 ok
}

@test "assign: chain_count is 0 and chain.pem empty for a certificate its root issued; combined.pem all the same" {
	edgecert import-chain --in "$PKI/ossl-root.pem" -q > /dev/null
	t=$(store_put personal "$PKI/ossl-server.pem" "$PKI/ossl-server.key")
	ecj assign --interface internal --thumbprint "$t"
	assert_code 0 ok
	assert_equal "$(jf .chain_count)" 0
	assert [ ! -s "$LIVE/chain.pem" ]
	assert_equal "$(cat "$LIVE/combined.pem")" "$(cat "$LIVE/privkey.pem" "$LIVE/cert.pem")"
}

@test "assign: --served: a hook that restarts nothing is not-served (exit 7); --served-rollback brings the one before back" {
	trust
	t=$(put server)
	t2=$(put server2)
	ecj assign --interface internal --thumbprint "$t"
	start_gnutls --disable-client-cert
	ecj assign --interface internal --thumbprint "$t" --served "127.0.0.1:$PORT"
	assert_code 0 ok
	assert_equal "$(jf '.served[0].served')" true
	assert_equal "$(jf '.served[0].seen')" "$t"
	assert_equal "$(jf '.served[0].tries')" 1
	ecj assign --interface internal --thumbprint "$t2" --deploy-hook true \
		--served "127.0.0.1:$PORT,edge.example.test" --served-timeout 1
	assert_code 7 not-served
	assert_equal "$(jf '.served[0].served')" false
	assert_equal "$(jf '.served[0].seen')" "$t"
	assert_equal "$(jf '.served[0].target')" "127.0.0.1:$PORT,edge.example.test"
	assert_equal "$(jf .hook.exit_status)" 0
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t2"
	# with --served-rollback: back, the hook again, served
	ecj assign --interface internal --thumbprint "$t"
	# shellcheck disable=SC2016 # the hook expands it
	ecj assign --interface internal --thumbprint "$t2" --deploy-hook 'echo "$EDGECERT_ACTION" >> hook.log' \
		--served "127.0.0.1:$PORT" --served-timeout 1 --served-rollback
	assert_code 7 not-served
	assert_equal "$(jf .served_rollback.thumbprint)" "$t"
	assert_equal "$(jf '.served_rollback.served[0].served')" true
	assert_equal "$(cat hook.log)" "$(printf 'assign\nrollback')"
	assert_equal "$(sha1 "$LIVE/cert.pem")" "$t"
	assert_equal "$(sed -n 's/^thumbprint=//p' "$EDGECERT_STORE/assigned/internal.meta")" "$t"
	# nothing listens: not-served, no certificate seen
	kill "$SPID"
	wait "$SPID" 2>/dev/null || true
	ecj assign --interface internal --thumbprint "$t" --served "127.0.0.1:$PORT" --served-timeout 1
	assert_code 7 not-served
	assert_equal "$(jf '.served[0].seen')" null
	store_consistent
}

@test "assign: --served wants HOST:PORT[,SNI]; --served-timeout and --served-rollback need it" {
	trust
	t=$(put server)
	for bad in foo 127.0.0.1 127.0.0.1:0 127.0.0.1:99999 127.0.0.1:x :443 '[::1]443' '127.0.0.1:443,' '127.0.0.1:443,a,b'; do
		ecj assign --interface internal --thumbprint "$t" --served "$bad"
		assert_code 2 usage
	done
	ecj assign --interface internal --thumbprint "$t" --served-timeout 5
	assert_code 2 usage
	ecj assign --interface internal --thumbprint "$t" --served 127.0.0.1:443 --served-timeout 0
	assert_code 2 usage
	ecj assign --interface internal --thumbprint "$t" --served-rollback
	assert_code 2 usage
	ecj assign --interface internal --clear --served 127.0.0.1:443
	assert_code 2 usage
	nothing_assigned
}
