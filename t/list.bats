#!/usr/bin/env bats
# edgecert list over stores filled by hand with files made by certtool and
# openssl, the way edgecert(1) FILES describes the layout.

load helper

setup_file() {
	pki_setup
}

setup() {
	ec_setup
	pki_setup
}

fill() {
	ROOT=$(store_put root "$PKI/root.pem")
	SUB=$(store_put ca "$PKI/sub.pem")
	SRV=$(store_put personal "$PKI/server.pem" "$PKI/server.key")
	OSSL=$(store_put root "$PKI/ossl-root.pem")
}

@test "list: an absent store is an empty list, and list creates nothing" {
	ecj list
	assert_success
	assert_equal "$(jf .count)" 0
	assert_equal "$(jf '.items | length')" 0
	assert_not_exist "$EDGECERT_STORE"
}

@test "list: an empty store directory is an empty list" {
	mkdir -m 700 "$EDGECERT_STORE"
	ecj list
	assert_success
	assert_equal "$(jf .count)" 0
}

@test "list: shows every certificate with the fields openssl reads from it" {
	fill
	ecj list
	assert_success
	assert_equal "$(jf .count)" 4
	assert_equal "$(jf '[.items[].section] | join(",")')" personal,ca,root,root
	item=$(jf ".items[] | select(.thumbprint == \"$SRV\")")
	[ -n "$item" ]
	want256=$(openssl x509 -in "$PKI/server.pem" -noout -fingerprint -sha256 |
		sed 's/.*=//; s/://g' | tr A-F a-f)
	assert_equal "$(jq -r .sha256 <<<"$item")" "$want256"
	assert_equal "$(jq -r .subject <<<"$item")" "CN=edge.example.test,O=edgecert tests"
	assert_equal "$(jq -r .issuer <<<"$item")" "CN=Edge Test Issuing CA,O=edgecert tests"
	assert_equal "$(jq -r .serial <<<"$item")" \
		"$(openssl x509 -in "$PKI/server.pem" -noout -serial | sed 's/.*=//' | tr A-F a-f)"
	end=$(openssl x509 -in "$PKI/server.pem" -noout -enddate | sed 's/.*=//')
	assert_equal "$(jq -r .not_after <<<"$item")" "$(date -u -d "$end" +%Y-%m-%dT%H:%M:%SZ)"
	assert_equal "$(jq -c .dns_names <<<"$item")" '["edge.example.test"]'
	assert_equal "$(jq -c .ip_addresses <<<"$item")" '["127.0.0.1"]'
	assert_equal "$(jq -r .has_private_key <<<"$item")" true
	assert_equal "$(jq -r .exportable <<<"$item")" false
	assert_equal "$(jq -r .friendly_name <<<"$item")" null
	item=$(jf ".items[] | select(.thumbprint == \"$OSSL\")")
	assert_equal "$(jq -r .subject <<<"$item")" "O=edgecert tests,CN=OpenSSL Test Root"
	assert_equal "$(jq -r .has_private_key <<<"$item")" false
}

@test "list: --section keeps one section; a bad section is usage" {
	fill
	ecj list --section root
	assert_success
	assert_equal "$(jf '[.items[].thumbprint] | sort | join(",")')" \
		"$(printf '%s\n' "$ROOT" "$OSSL" | sort | paste -sd,)"
	ecj list --section personal
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	assert_equal "$(jf .count)" 1
	ecj list --section all
	assert_equal "$(jf .count)" 4
	ecj list --section people
	assert_code 2 usage
}

@test "list: --expiring DAYS keeps what expires within DAYS, expired included" {
	fill
	EXP=$(store_put ca "$PKI/expired.pem")
	ecj list --expiring 30
	assert_success
	assert_equal "$(jf '[.items[].thumbprint] | join(",")')" "$EXP"
	ecj list --expiring 400
	assert_equal "$(jf '[.items[].thumbprint] | sort | join(",")')" \
		"$(printf '%s\n' "$EXP" "$SRV" | sort | paste -sd,)"
	ecj list --expiring -1
	assert_code 2 usage
}

@test "list: --thumbprint selects one certificate, pasted as Windows shows it" {
	fill
	pretty=$(openssl x509 -in "$PKI/server.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/:/ /g')
	ecj list --thumbprint "$(printf '\u200e')$pretty"
	assert_success
	assert_equal "$(jf .count)" 1
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	# colons, upper case, a BOM and a zero-width space
	colons=$(openssl x509 -in "$PKI/server.pem" -noout -fingerprint -sha1 | sed 's/.*=//')
	ecj list --thumbprint "$(printf '\ufeff')${colons}$(printf '\u200b')"
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	# SHA-256, and a prefix of 8 digits of either
	s256=$(openssl x509 -in "$PKI/server.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
	ecj list --thumbprint "$s256"
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	ecj list --thumbprint "${SRV:0:8}"
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
}

@test "list: a SHA-256 thumbprint or prefix is found by the certificate's alias, not by opening every certificate" {
	cd "$BATS_TEST_TMPDIR"
	cat "$PKI/root.pem" "$PKI/sub.pem" "$PKI/ossl-root.pem" > bundle.pem
	ecj import-chain --in bundle.pem --trust-all
	assert_success
	store_consistent
	sub=$(sha1 "$PKI/sub.pem")
	s256=$(openssl x509 -in "$PKI/sub.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
	assert_equal "$(cat "$EDGECERT_STORE/root/$s256.sha256")" "$sub"
	for t in "$s256" "${s256:0:12}"; do
		ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -qq -e trace=openat -o trace edgecert list --thumbprint "$t" --format json
		assert_success
		assert_equal "$(jf .items[0].thumbprint)" "$sub"
		# the alias, then the one certificate and its metadata
		assert_equal "$(grep -v ENOENT trace | grep -cE '\.(pem|meta)"')" 2
	done
	# a certificate put there by hand has no alias: found all the same
	osrv=$(store_put personal "$PKI/ossl-server.pem" "$PKI/ossl-server.key")
	o256=$(openssl x509 -in "$PKI/ossl-server.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
	ecj list --thumbprint "$o256"
	assert_success
	assert_equal "$(jf .items[0].thumbprint)" "$osrv"
	ecj list --thumbprint "${s256:0:12}"
	assert_equal "$(jf .items[0].thumbprint)" "$sub"
}

@test "list: --name reads the metadata of the certificates its name alias points to, not every one" {
	cd "$BATS_TEST_TMPDIR"
	pfx_setup
	openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-certfile "$PKI/chain.pem" -passout "file:$PW" -out srv.pfx
	ecj import-pfx --in srv.pfx --password-file "$PW" --name "edge srv"
	assert_success
	srv=$(sha1 "$PKI/server.pem")
	store_consistent
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -qq -e trace=openat -o trace edgecert list --name "edge srv" --format json
	assert_success
	assert_equal "$(jf .items[0].thumbprint)" "$srv"
	# the candidate's metadata to check the name, then the item's
	assert_equal "$(grep -v ENOENT trace | grep -c '\.meta"')" 2
	# a new name moves the alias
	ecj import-pfx --in srv.pfx --password-file "$PW" --name "edge new"
	assert_equal "$(jf .changed)" true
	store_consistent
	ecj list --name "edge srv"
	assert_code 4 not-found
	ecj list --name "edge new"
	assert_equal "$(jf .items[0].thumbprint)" "$srv"
	# a certificate and metadata put there by hand, without an alias
	o=$(store_put personal "$PKI/ossl-server.pem" "$PKI/ossl-server.key")
	printf 'friendly_name=by hand\n' > "$EDGECERT_STORE/personal/$o.meta"
	ecj list --name "by hand"
	assert_success
	assert_equal "$(jf .items[0].thumbprint)" "$o"
	ecj list --name "edge new"
	assert_equal "$(jf .items[0].thumbprint)" "$srv"
}

@test "list: a bad, short, unknown or ambiguous thumbprint" {
	fill
	ecj list --thumbprint "${SRV:0:7}"
	assert_code 2 usage
	ecj list --thumbprint "g${SRV:1}"
	assert_code 2 usage
	ecj list --thumbprint 0000000000000000000000000000000000000000
	assert_code 4 not-found
	# the same certificate in two sections: the selector names both
	cp "$PKI/sub.pem" "$EDGECERT_STORE/root/$SUB.pem"
	ecj list --thumbprint "${SUB:0:10}"
	assert_code 4 ambiguous
	assert_equal "$(jf .message)" "2 certificates match thumbprint '${SUB:0:10}': ca/$SUB, root/$SUB"
	ecj list --thumbprint "${SUB:0:10}" --section ca
	assert_success
	assert_equal "$(jf .items[0].section)" ca
}

@test "list: --name and --interface select by friendly name and assignment" {
	fill
	printf 'friendly_name=Edge internal\nexportable=true\n' > "$EDGECERT_STORE/personal/$SRV.meta"
	mkdir -m 700 "$EDGECERT_STORE/assigned"
	printf 'interface=internal\nthumbprint=%s\nfqdn=edge.example.test\nassigned=2026-01-01T00:00:00Z\n' "$SRV" \
		> "$EDGECERT_STORE/assigned/internal.meta"
	ecj list --name "Edge internal"
	assert_success
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	assert_equal "$(jf .items[0].friendly_name)" "Edge internal"
	assert_equal "$(jf .items[0].exportable)" true
	ecj list --interface internal
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	ecj list --name "nobody"
	assert_code 4 not-found
	ecj list --interface external
	assert_code 4 not-found
	ecj list --interface ../etc
	assert_code 2 usage
	ecj list --name a --thumbprint "$SRV"
	assert_code 2 usage
	# two with one friendly name: the one with a key is taken, the other
	# named in a warning (t/name-select.bats has the rest)
	printf 'friendly_name=Edge internal\n' > "$EDGECERT_STORE/ca/$SUB.meta"
	ecj list --name "Edge internal"
	assert_success
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	[[ "$(jf '.warnings[0]')" == *"ca/$SUB (no key)"* ]]
}

@test "list: assigned and pending sections read their records" {
	fill
	mkdir -m 700 "$EDGECERT_STORE/assigned" "$EDGECERT_STORE/pending"
	printf 'interface=internal\nthumbprint=%s\nfqdn=edge.example.test\nassigned=2026-01-01T00:00:00Z\n' "$SRV" \
		> "$EDGECERT_STORE/assigned/internal.meta"
	printf 'subject=CN=new.example.test\ncreated=2026-01-01T00:00:00Z\nfriendly_name=next\n' \
		> "$EDGECERT_STORE/pending/abcdef0123.meta"
	ecj list --section assigned
	assert_success
	assert_equal "$(jf .items[0].interface)" internal
	assert_equal "$(jf .items[0].thumbprint)" "$SRV"
	assert_equal "$(jf .items[0].fqdn)" edge.example.test
	days=$(( ($(date -d "$(openssl x509 -in "$PKI/server.pem" -noout -enddate | sed 's/.*=//')" +%s) - $(date +%s)) / 86400 ))
	assert_equal "$(jf .items[0].days_to_expiry)" "$days"
	# the table: interface, expiry, certificate, FQDN, assigned, days left
	exp=$(date -u -d "$(openssl x509 -in "$PKI/server.pem" -noout -enddate | sed 's/.*=//')" +%F)
	run edgecert list --section assigned
	assert_success
	assert_line --regexp "^assigned +internal +$exp $SRV edge\.example\.test \(assigned 2026-01-01, $days days to expiry\)\$"
	ecj list --section pending
	assert_equal "$(jf .items[0].id)" abcdef0123
	assert_equal "$(jf .items[0].subject)" CN=new.example.test
	[ "$(jf .items[0].age_days)" -ge 300 ]
	age=$(jf .items[0].age_days)
	# the table: id, created, subject and age
	run edgecert list --section pending
	assert_success
	assert_line --regexp "^pending +abcdef0123 +2026-01-01 CN=new\.example\.test \($age days old\)\$"
}

@test "list: CRLs made by certtool are listed with their dates" {
	fill
	cat > "$BATS_TEST_TMPDIR/crl.tmpl" <<'T'
crl_next_update = 30
crl_number = 7
T
	certtool --generate-crl --load-ca-privkey "$PKI/sub.key" --load-ca-certificate "$PKI/sub.pem" \
		--load-certificate "$PKI/expired.pem" --template "$BATS_TEST_TMPDIR/crl.tmpl" \
		--outfile "$BATS_TEST_TMPDIR/sub.crl" 2>/dev/null
	mkdir -m 700 "$EDGECERT_STORE/crl"
	id=$(openssl crl -in "$BATS_TEST_TMPDIR/sub.crl" -outform DER | sha1sum | cut -c1-40)
	cp "$BATS_TEST_TMPDIR/sub.crl" "$EDGECERT_STORE/crl/$id.pem"
	ecj list --section crl
	assert_success
	assert_equal "$(jf .items[0].id)" "$id"
	assert_equal "$(jf .items[0].issuer)" "CN=Edge Test Issuing CA,O=edgecert tests"
	assert_equal "$(jf .items[0].revoked_count)" 1
}

@test "list: a broken object is a warning, and the rest is listed" {
	fill
	echo garbage > "$EDGECERT_STORE/ca/0123456789012345678901234567890123456789.pem"
	cp "$PKI/client.pem" "$EDGECERT_STORE/ca/1111111111111111111111111111111111111111.pem"
	ecj list
	assert_success
	assert_equal "$(jf .count)" 4
	assert_equal "$(jf '.warnings | length')" 2
	# the store's error wraps the parser's, whole (it was formatted into
	# itself: "ca/X.pem: ca/X.pem: ca/X.pem: ")
	w=$(jf '.warnings[] | select(contains("0123456789012345678901234567890123456789"))')
	[[ "$w" == "skipped ca/0123456789012345678901234567890123456789.pem: ca/0123456789012345678901234567890123456789.pem: not a certificate: "* ]] ||
		fail "warning: $w"
	[[ "$(jf .warnings[0])$(jf .warnings[1])" == *"holds the certificate"* ]]
	[[ "$stderr" == *"warning: skipped ca/0123456789012345678901234567890123456789.pem"* ]]
}

@test "list: the text form is a table with a header; kv numbers the items" {
	fill
	run --separate-stderr edgecert list
	assert_success
	assert_line --index 0 --regexp '^SECTION +ID +DATE +NAME$'
	assert_line --regexp "^personal +$SRV +[0-9-]{10} CN=edge.example.test,O=edgecert tests \[key\]$"
	assert_line "ok: 4 items in $EDGECERT_STORE"
	run edgecert list --format kv
	assert_line "items_count='4'"
	assert_line "items_1_thumbprint='$SRV'"
	assert_line "items_1_dns_names_1='edge.example.test'"
	assert_line "count='4'"
}
