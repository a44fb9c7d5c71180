#!/usr/bin/env bats
# --name when several certificates share a friendly name (a renewal keeps
# it): the one with a key, valid now, with the latest notBefore is taken
# and the record's warnings name the others; only a tie is ambiguous.
# The CA is scripts/test-ca's (openssl); certtool signs, so that each
# certificate gets the notBefore the test asks for.

load helper

setup_file() {
	export CA="$BATS_FILE_TMPDIR/ca"
	ca_setup "$CA"
}

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR" || return 1
}

# issue CSR OUT DAYS_AGO [VALID_DAYS]: certtool signs CSR with the issuing
# CA, notBefore DAYS_AGO days ago (or at $FROM when set), copying the
# request's extensions.
issue() {
	local from to
	from=${FROM:-$(date -u -d "-$3 days" '+%Y-%m-%d %H:%M:%S')}
	to=$(date -u -d "$from UTC + ${4:-365} days" '+%Y-%m-%d %H:%M:%S')
	cat > "$2.tmpl" <<-X
		activation_date = "$from"
		expiration_date = "$to"
		serial = $RANDOM$RANDOM
		honor_crq_extensions
		tls_www_server
	X
	certtool --generate-certificate --load-request "$1" \
		--load-ca-certificate "$CA/sub.pem" --load-ca-privkey "$CA/sub.key" \
		--template "$2.tmpl" --outfile "$2" 2>/dev/null
}

# renew OUT DAYS_AGO [VALID_DAYS]: request --force for vip.example.test
# named "Edge internal", issued DAYS_AGO days ago for VALID_DAYS (365),
# accepted.  Its thumbprint is in $T.
renew() {
	ecj request --cn vip.example.test --name "Edge internal" --exportable --force \
		--out "$1.csr"
	assert_success
	issue "$1.csr" "$1.pem" "$2" "${3:-365}"
	ecj accept --in "$1.pem"
	assert_success
	T=$(sha1 "$1.pem")
}

@test "name-select: after a renewal assign --name takes the new certificate, the warning names the old" {
	ecj import-chain --in "$CA/chain.p7b"
	assert_success
	renew old 30
	old=$T
	renew new 1
	new=$T
	ecj assign --interface internal --name "Edge internal" \
		--fqdn vip.example.test
	assert_success
	assert_equal "$(jf .certificate.thumbprint)" "$new"
	[[ "$(jf '.warnings | join(" ")')" == *"2 certificates are named 'Edge internal': took personal/$new"*"personal/$old (older)"* ]]
	assert_equal "$(sha1 "$EDGECERT_STORE/live/internal/cert.pem")" "$new"
	# a renewal issued before the others but accepted last is the oldest
	renew older 60
	older=$T
	ecj list --name "Edge internal"
	assert_success
	assert_equal "$(jf '.items[0].thumbprint')" "$new"
	[[ "$(jf '.warnings[0]')" == *"3 certificates"*"$new"* ]]
	[[ "$(jf '.warnings[0]')" == *"$old (older)"* ]]
	[[ "$(jf '.warnings[0]')" == *"$older (older)"* ]]
	NOPE=secret ecj export --name "Edge internal" --out edge.pfx --password-env NOPE
	assert_success
	assert_equal "$(jf .certificate.thumbprint)" "$new"
	[[ "$(jf '.warnings | join(" ")')" == *"$old (older)"* ]]
	ecj verify-root --name "Edge internal"
	assert_success
	assert_equal "$(jf .trusted)" true
	assert_equal "$(jf '.chain[0].thumbprint')" "$new"
	[[ "$(jf '.warnings | join(" ")')" == *"$old (older)"* ]]
}

@test "name-select: a newer certificate without its key, or expired, loses to one valid now with a key" {
	renew old 30
	old=$T
	# newer, same name, but its key is not in the store
	openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -out nokey.csr \
		-subj /CN=vip.example.test 2>/dev/null
	issue nokey.csr nokey.pem 1
	nokey=$(store_put personal nokey.pem)
	printf 'friendly_name=Edge internal\n' > "$EDGECERT_STORE/personal/$nokey.meta"
	# newer than old, with a key, but expired 15 days ago
	renew expired 20 5
	expired=$T
	ecj list --name "Edge internal"
	assert_success
	assert_equal "$(jf '.items[0].thumbprint')" "$old"
	[[ "$(jf '.warnings[0]')" == *"took personal/$old (with a key, valid now"* ]]
	[[ "$(jf '.warnings[0]')" == *"$nokey (no key)"* ]]
	[[ "$(jf '.warnings[0]')" == *"$expired (not valid now)"* ]]
	# with the old one gone, the expired one with its key wins
	rm "$EDGECERT_STORE/personal/"*"$old"*
	ecj list --name "Edge internal"
	assert_success
	assert_equal "$(jf '.items[0].thumbprint')" "$expired"
	[[ "$(jf '.warnings[0]')" == *"$expired (with a key, not valid now"*"$nokey (no key)"* ]]
}

@test "name-select: a tie on key, validity and notBefore stays ambiguous" {
	ecj request --cn a.example.test --name "Edge internal" --out a.csr
	assert_success
	ecj request --cn b.example.test --name "Edge internal" --out b.csr
	assert_success
	# one notBefore for both (two clock reads may straddle a second)
	FROM=$(date -u -d "-5 days" '+%Y-%m-%d %H:%M:%S')
	issue a.csr a.pem 5
	issue b.csr b.pem 5
	unset FROM
	assert_equal "$(openssl x509 -in a.pem -noout -startdate)" \
		"$(openssl x509 -in b.pem -noout -startdate)"
	ecj accept --in a.pem
	assert_success
	ecj accept --in b.pem
	assert_success
	ecj assign --interface internal --name "Edge internal" --fqdn a.example.test
	assert_code 4 ambiguous
	[[ "$(jf .message)" == *"$(sha1 a.pem)"* ]]
	[[ "$(jf .message)" == *"$(sha1 b.pem)"* ]]
	assert_not_exists "$EDGECERT_STORE/live/internal"
}
