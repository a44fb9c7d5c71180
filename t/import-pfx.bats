#!/usr/bin/env bats
# edgecert import-pfx: PKCS#12 files made by openssl, certtool, Java's
# keytool and NSS' pk12util, and the third-party files of Debian's
# python3-cryptography-vectors.  Passwords go through --password-file.

load helper

setup_file() {
	pfx_setup
}

setup() {
	ec_setup
	pfx_setup
	cd "$BATS_TEST_TMPDIR"
	SRV=$(sha1 "$PKI/server.pem")
	SUB=$(sha1 "$PKI/sub.pem")
	ROOT=$(sha1 "$PKI/root.pem")
}

# jq filters over the record's certificates: with keys, chain, skipped
P='[.certificates[]? | select(.section == "personal")]'
C='[.certificates[]? | select(.section == "ca" or .section == "root")]'
S='[.certificates[]? | select(.action == "skipped")]'

# imp FILE [ARGS...]: import-pfx with the password of $PW
imp() {
	local f=$1
	shift
	ecj import-pfx --in "$f" --password-file "$PW" "$@"
}

# the store's files, for "nothing was written"
tree() {
	find "$EDGECERT_STORE" -type f ! -name .lock ! -name .commit 2>/dev/null | sort
}

@test "import-pfx: openssl's default PFX with chain: key and certificate in personal, chain in ca" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem" -name "edge srv"
	imp srv.pfx
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .mac)" SHA256
	assert_equal "$(jf .password_used)" given
	assert_equal "$(jf .file)" srv.pfx
	assert_equal "$(jf .source_sha256)" "$(sha256sum < srv.pfx | cut -c1-64)"
	assert_equal "$(jf '[.certificates[] | .section + ":" + .thumbprint + ":" + .action] | join(",")')" \
		"personal:$SRV:added,ca:$SUB:added,ca:$ROOT:added"
	assert_equal "$(jf '.certificates[0].friendly_name')" "edge srv"
	assert_equal "$(jf '.certificates[0].has_private_key')" true
	assert_equal "$(jf '.certificates[0].exportable')" false
	assert_equal "$(jf -c '[.certificates[].reason]')" '[null,null,"a root not yet trusted (--trust-root trusts it)"]'
	assert_equal "$(jf "$S | length")" 0
	assert_equal "$(jf .message)" "imported 1 certificate with key from 'srv.pfx': $SRV"
	assert_equal "$(jf -c .warnings)" "[\"root $ROOT placed in ca, not trusted (give --trust-root to trust it)\"]"
	# the store, as edgecert(1) FILES describes it
	s=$EDGECERT_STORE
	assert_equal "$(sha1 "$s/personal/$SRV.pem")" "$SRV"
	assert_key_of "$s/personal/$SRV.key" "$PKI/server.pem"
	assert_equal "$(stat -c %a "$s/personal/$SRV.key")" 600
	assert_equal "$(sha1 "$s/ca/$SUB.pem")" "$SUB"
	assert_equal "$(sha1 "$s/ca/$ROOT.pem")" "$ROOT"
	assert_not_exist "$s/root/$ROOT.pem"
	run cat "$s/personal/$SRV.meta"
	assert_line "friendly_name=edge srv"
	assert_line "exportable=false"
	assert_line "source=pfx"
	ecj list --thumbprint "$SRV"
	assert_equal "$(jf '.items[0].friendly_name')" "edge srv"
	assert_equal "$(jf '.items[0].has_private_key')" true
}

@test "import-pfx: openssl -legacy, -descert, -keypbe/-certpbe and MAC variants" {
	ossl_pfx legacy.pfx -certfile "$PKI/chain.pem" -legacy
	ossl_pfx descert.pfx -certfile "$PKI/chain.pem" -descert
	ossl_pfx rc2.pfx -certfile "$PKI/chain.pem" -legacy -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-RC2-40
	ossl_pfx k3des.pfx -certfile "$PKI/chain.pem" -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES
	ossl_pfx aes128.pfx -certfile "$PKI/chain.pem" -keypbe AES-128-CBC -certpbe AES-128-CBC -macalg sha512
	ossl_pfx aes192.pfx -certfile "$PKI/chain.pem" -keypbe AES-192-CBC -certpbe AES-192-CBC -macalg sha384
	ossl_pfx plaincert.pfx -certfile "$PKI/chain.pem" -certpbe NONE
	ossl_pfx plain.pfx -certfile "$PKI/chain.pem" -keypbe NONE -certpbe NONE
	for v in legacy:SHA1 descert:SHA256 rc2:SHA1 k3des:SHA256 aes128:SHA512 \
		aes192:SHA384 plaincert:SHA256 plain:SHA256; do
		rm -rf "$EDGECERT_STORE"
		imp "${v%:*}.pfx"
		assert_success
		assert_equal "${v%:*}: $(jf .mac)" "${v%:*}: ${v#*:}"
		assert_equal "$(jf '[.certificates[].thumbprint] | join(",")')" \
			"$SRV,$SUB,$ROOT"
		assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
	done
}

@test "import-pfx: openssl without the chain, and -nomac with a warning" {
	ossl_pfx bare.pfx
	imp bare.pfx
	assert_success
	assert_equal "$(jf '.certificates[0].thumbprint')" "$SRV"
	assert_equal "$(jf "$C | length")" 0
	assert_equal "$(jf -c .warnings)" "[]"
	# no friendlyName in the file: the subject's CN
	assert_equal "$(jf '.certificates[0].friendly_name')" edge.example.test
	rm -rf "$EDGECERT_STORE"
	ossl_pfx nomac.pfx -certfile "$PKI/chain.pem" -nomac
	imp nomac.pfx --trust-root
	assert_success
	assert_equal "$(jf .mac)" null
	assert_equal "$(jf -c .warnings)" "[\"'nomac.pfx' has no MAC: its integrity was not checked\"]"
	assert_equal "$(jf "[${C}[].section] | join(\",\")")" ca,root
	assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
}

@test "import-pfx: the empty password and no password; --no-password tries both" {
	openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-certfile "$PKI/chain.pem" -passout pass: -out empty.pfx
	ecj import-pfx --in empty.pfx --no-password
	assert_success
	assert_equal "$(jf .password_used)" empty
	assert_equal "$(jf '.certificates[0].thumbprint')" "$SRV"
	# certtool --null-password: the absent password, not the empty one
	cat "$PKI/server.pem" "$PKI/chain.pem" > full.pem
	certtool --to-p12 --load-certificate full.pem --load-privkey "$PKI/server.key" \
		--p12-name null --null-password --outder --outfile null.p12 </dev/null 2>/dev/null
	rm -rf "$EDGECERT_STORE"
	ecj import-pfx --in null.p12 --no-password
	assert_success
	assert_equal "$(jf .password_used)" none
	assert_equal "$(jf '.certificates[0].friendly_name')" null
	# a password where there is none is a wrong password
	imp empty.pfx
	assert_code 3 bad-password
	assert_equal "$(jf .message)" "cannot read 'empty.pfx': the MAC does not verify: wrong password"
}

@test "import-pfx: certtool --to-p12 with each of its ciphers" {
	cat "$PKI/server.pem" "$PKI/chain.pem" > full.pem
	for c in aes-128 aes-192 aes-256 3des 3des-pkcs12 rc2-40 arcfour none; do
		ec_cached "ct-$c.p12" certtool --to-p12 --load-certificate full.pem \
			--load-privkey "$PKI/server.key" --p12-name "ct $c" --password "$PASS" --pkcs-cipher "$c" \
			--outder --outfile "ct-$c.p12" </dev/null 2>/dev/null
		rm -rf "$EDGECERT_STORE"
		imp "ct-$c.p12"
		assert_success
		assert_equal "$c: $(jf '.certificates[0].friendly_name')" "$c: ct $c"
		assert_equal "$(jf '[.certificates[].thumbprint] | join(",")')" \
			"$SRV,$SUB,$ROOT"
		assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
	done
	# and PEM-wrapped, as certtool writes it without --outder
	certtool --to-p12 --load-certificate full.pem --load-privkey "$PKI/server.key" \
		--p12-name pem --password "$PASS" --outfile ct.pem </dev/null 2>/dev/null
	grep -q -- '-----BEGIN PKCS12-----' ct.pem
	rm -rf "$EDGECERT_STORE"
	imp ct.pem
	assert_success
	assert_equal "$(jf '.certificates[0].thumbprint')" "$SRV"
}

@test "import-pfx: bare base64 of the DER, as some tools print it" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	base64 -w 76 srv.pfx > srv.b64
	imp srv.b64
	assert_success
	assert_equal "$(jf '.certificates[0].thumbprint')" "$SRV"
	assert_equal "$(jf .source_sha256)" "$(sha256sum < srv.b64 | cut -c1-64)"
}

@test "import-pfx: a Java keystore converted by keytool -importkeystore -deststoretype pkcs12" {
	keytool -genkeypair -keystore j.jks -storetype jks -storepass "$PASS" \
		-keypass "$PASS" -alias "java edge" -keyalg RSA -keysize 2048 \
		-dname "CN=java.example.test,O=edgecert tests" -validity 30 -noprompt 2>/dev/null
	keytool -importkeystore -srckeystore j.jks -srcstoretype jks \
		-srcstorepass "$PASS" -destkeystore j.p12 -deststoretype pkcs12 \
		-deststorepass "$PASS" -noprompt 2>/dev/null
	keytool -exportcert -rfc -keystore j.p12 -storetype pkcs12 \
		-storepass "$PASS" -alias "java edge" > j.pem 2>/dev/null
	T=$(sha1 j.pem)
	imp j.p12 --exportable
	assert_success
	assert_equal "$(jf .mac)" SHA256
	assert_equal "$(jf '[.certificates[].thumbprint] | join(",")')" "$T"
	assert_equal "$(jf '.certificates[0].friendly_name')" "java edge"
	assert_equal "$(jf '.certificates[0].exportable')" true
	assert_equal "$(jf '.certificates[0].subject')" "CN=java.example.test,O=edgecert tests"
	assert_key_of "$EDGECERT_STORE/personal/$T.key" j.pem
	# Java writes an EC key without its public key (RFC 5915 allows it),
	# which GnuTLS 3.7 cannot decode: bad-input, not a wrong password
	keytool -genkeypair -keystore ec.jks -storetype jks -storepass "$PASS" \
		-keypass "$PASS" -alias "java ec" -keyalg EC -groupname secp256r1 \
		-dname "CN=java-ec.example.test" -validity 30 -noprompt 2>/dev/null
	keytool -importkeystore -srckeystore ec.jks -srcstoretype jks \
		-srcstorepass "$PASS" -destkeystore ec.p12 -deststoretype pkcs12 \
		-deststorepass "$PASS" -noprompt 2>/dev/null
	before=$(tree | xargs sha256sum)
	imp ec.p12
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'ec.p12': cannot decrypt or decode the private key although the MAC verified (GnuTLS $(pkg-config --modversion gnutls) cannot read an EC key without its public key, as Java writes it): Decryption has failed."
	assert_equal "$(tree | xargs sha256sum)" "$before"
}

@test "import-pfx: NSS pk12util -o from a certutil database" {
	mkdir nss
	certutil -N -d sql:nss --empty-password
	head -c 64 /dev/urandom > noise
	certutil -S -d sql:nss -n "nss edge" -s "CN=nss.example.test,O=edgecert tests" \
		-x -t u,u,u -k ec -q nistp256 -z noise -v 12 >/dev/null 2>&1
	certutil -L -d sql:nss -n "nss edge" -a > nss.pem
	pk12util -o nss.p12 -n "nss edge" -d sql:nss -W "$PASS" >/dev/null
	T=$(sha1 nss.pem)
	imp nss.p12
	assert_success
	assert_equal "$(jf '[.certificates[].thumbprint] | join(",")')" "$T"
	assert_equal "$(jf '.certificates[0].friendly_name')" "nss edge"
	assert_key_of "$EDGECERT_STORE/personal/$T.key" nss.pem
	# and the openssl PFX with its chain, through NSS and back out
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem" -name "edge srv"
	pk12util -i srv.pfx -d sql:nss -W "$PASS" >/dev/null
	pk12util -o nss-srv.p12 -n "edge srv" -d sql:nss -W "$PASS" >/dev/null
	rm -rf "$EDGECERT_STORE"
	imp nss-srv.p12
	assert_success
	assert_equal "$(jf '[.certificates[].thumbprint] | sort | join(",")')" \
		"$(printf '%s\n' "$SRV" "$SUB" "$ROOT" | sort | paste -sd,)"
	assert_equal "$(jf '.certificates[0].friendly_name')" "edge srv"
	assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
}

@test "import-pfx: the pkcs12 files of python3-cryptography-vectors" {
	V=$(dpkg -L python3-cryptography-vectors | grep '/cryptography_vectors/pkcs12$')
	[ -d "$V" ]
	printf 'cryptography\n' > cpw
	printf 'password\n' > ppw
	n=0
	# file, password (none: --no-password), code, password_used, with key,
	# chain, skipped, friendly name
	while read -r f pw code used nk nc ns name; do
		rm -rf "$EDGECERT_STORE"
		if [ "$pw" = none ]; then
			ecj import-pfx --in "$V/$f" --no-password
		else
			ecj import-pfx --in "$V/$f" --password-file "$pw"
		fi
		got="$(jf "[.code, .password_used // \"-\", ($P|length), ($C|length), ($S|length), (.certificates[0].friendly_name // \"-\")] | join(\" \")")"
		assert_equal "$f: $got" "$f: $code $used $nk $nc $ns $name"
		if [ "$code" = ok ]; then
			assert_equal "$status" 0
			T=$(jf '.certificates[0].thumbprint')
			openssl x509 -in "$EDGECERT_STORE/personal/$T.pem" -noout
			assert_key_of "$EDGECERT_STORE/personal/$T.key" "$EDGECERT_STORE/personal/$T.pem"
		else
			assert_equal "$status" 3
			assert_not_exist "$EDGECERT_STORE"
		fi
		n=$((n + 1))
	done <<'T'
cert-key-aes256cbc.p12 cpw ok given 1 0 0 cryptography CA
cert-none-key-none.p12 cpw ok given 1 0 0 cryptography CA
cert-rc2-key-3des.p12 cpw ok given 1 0 0 cryptography CA
no-password.p12 none ok none 1 0 0 cryptography CA
name-1-no-pwd.p12 none ok none 1 1 1 name
name-1-pwd.p12 ppw ok given 1 1 1 name
name-2-no-pwd.p12 none ok none 1 1 1 cryptography CA
name-2-pwd.p12 ppw ok given 1 1 1 cryptography CA
name-3-no-pwd.p12 none ok none 1 1 1 cryptography CA
name-3-pwd.p12 ppw ok given 1 1 1 cryptography CA
name-2-3-no-pwd.p12 none ok none 1 1 1 cryptography CA
name-2-3-pwd.p12 ppw ok given 1 1 1 cryptography CA
name-all-no-pwd.p12 none ok none 1 1 1 name
name-all-pwd.p12 ppw ok given 1 1 1 name
name-unicode-no-pwd.p12 none ok none 1 1 1 ☺
name-unicode-pwd.p12 ppw ok given 1 1 1 ☺
no-name-no-pwd.p12 none ok none 1 1 1 cryptography CA
no-name-pwd.p12 ppw ok given 1 1 1 cryptography CA
cert-aes256cbc-no-key.p12 cpw bad-input - 0 0 0 -
no-cert-key-aes256cbc.p12 cpw bad-input - 0 0 0 -
no-cert-name-2-no-pwd.p12 none bad-input - 0 0 0 -
no-cert-name-3-pwd.p12 ppw bad-input - 0 0 0 -
no-cert-name-all-no-pwd.p12 none bad-input - 0 0 0 -
no-cert-name-unicode-pwd.p12 ppw bad-input - 0 0 0 -
no-cert-no-name-no-pwd.p12 none bad-input - 0 0 0 -
no-cert-no-name-pwd.p12 ppw bad-input - 0 0 0 -
T
	assert_equal "$n" 26
	# the names the file gives its other certificates are kept
	ecj import-pfx --in "$V/name-2-3-pwd.p12" --password-file ppw
	assert_equal "$(jf "${S}[0].friendly_name")/$(jf "${C}[0].friendly_name")" name2/name3
	assert_equal "$(jf "${S}[0].subject")" "CN=www.cryptography.io,OU=Domain Control Validated - RapidSSL(R),OU=See www.rapidssl.com/resources/cps (c)14,OU=GT48742965"
	assert_equal "$(jf -c '.warnings')" "[\"certificate $(jf "${S}[0].thumbprint") has no private key and is no CA: not imported\"]"
	assert_not_exist "$EDGECERT_STORE/personal/$(jf "${S}[0].thumbprint").pem"
	# RC2-40 certificates and a 3DES key, as older Windows writes them:
	# the certificate is the one openssl finds
	ecj import-pfx --in "$V/cert-rc2-key-3des.p12" --password-file cpw
	assert_equal "$(jf '.certificates[0].thumbprint')" \
		"$(openssl pkcs12 -in "$V/cert-rc2-key-3des.p12" -passin pass:cryptography -legacy -nokeys 2>/dev/null |
			openssl x509 -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr A-F a-f)"
}

@test "import-pfx: files with no key say so (bad-input)" {
	openssl pkcs12 -export -nokeys -in "$PKI/server.pem" -certfile "$PKI/chain.pem" \
		-passout "file:$PW" -out nokey.pfx
	imp nokey.pfx
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "'nokey.pfx' holds no private key"
	assert_not_exist "$EDGECERT_STORE"
	# a key whose certificate is not in the file
	certtool --to-p12 --load-certificate "$PKI/client.pem" \
		--load-privkey "$PKI/server.key" --password "$PASS" --p12-name wk \
		--outder --outfile wrongkey.pfx </dev/null 2>/dev/null
	imp wrongkey.pfx
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "no private key in 'wrongkey.pfx' belongs to a certificate in it"
	CLI=$(sha1 "$PKI/client.pem")
	assert_equal "$(jf -c .warnings)" "[\"certificate $CLI has no private key and is no CA: not imported\",\"a private key in the file belongs to none of its certificates: not imported\"]"
	assert_not_exist "$EDGECERT_STORE"
}

@test "import-pfx: a wrong password is bad-password (exit 3) and writes nothing" {
	printf 'not it\n' > wrong
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	ossl_pfx nomac.pfx -certfile "$PKI/chain.pem" -nomac
	ossl_pfx legacy-nomac.pfx -certfile "$PKI/chain.pem" -nomac -legacy
	ecj import-pfx --in srv.pfx --password-file wrong
	assert_code 3 bad-password
	assert_equal "$(jf .message)" "cannot read 'srv.pfx': the MAC does not verify: wrong password"
	assert_equal "$stderr" "edgecert import-pfx: cannot read 'srv.pfx': the MAC does not verify: wrong password"
	ecj import-pfx --in nomac.pfx --password-file wrong
	assert_code 3 bad-password
	assert_equal "$(jf .message)" "cannot read 'nomac.pfx': cannot decrypt the private key: wrong password"
	ecj import-pfx --in legacy-nomac.pfx --password-file wrong
	assert_code 3 bad-password
	ecj import-pfx --in srv.pfx --no-password
	assert_code 3 bad-password
	assert_equal "$(jf .message)" "cannot read 'srv.pfx': the MAC does not verify: wrong password (tried none and the empty one)"
	assert_not_exist "$EDGECERT_STORE"
}

@test "import-pfx: truncated, garbage and empty files are bad-input" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	size=$(stat -c %s srv.pfx)
	for n in 1 100 $((size / 2)) $((size - 1)); do
		head -c "$n" srv.pfx > cut.pfx
		imp cut.pfx
		assert_code 3 bad-input
	done
	head -c $((size / 2)) srv.pfx > cut.pfx
	imp cut.pfx
	assert_equal "$(jf .message)" "cannot read 'cut.pfx': not a PKCS#12 file, or a damaged one: ASN1 parser: Error in DER parsing."
	# a flipped byte in the middle: the MAC catches it
	cp srv.pfx flip.pfx
	printf '\xff' | dd of=flip.pfx bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
	imp flip.pfx
	[ "$status" -eq 3 ]
	head -c 4096 /dev/urandom > garbage.pfx
	printf '\x31' | dd of=garbage.pfx bs=1 conv=notrunc 2>/dev/null
	imp garbage.pfx
	assert_code 3 bad-input
	: > empty.pfx
	imp empty.pfx
	assert_code 3 bad-input
	imp "$PKI/server.pem"
	assert_code 3 bad-input
	assert_not_exist "$EDGECERT_STORE"
}

@test "import-pfx: a directory, a FIFO or a missing file as --in" {
	mkdir dir.pfx
	imp dir.pfx
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "'dir.pfx' is a directory"
	mkfifo fifo.pfx
	run --separate-stderr timeout 10 edgecert import-pfx --in fifo.pfx --password-file "$PW" --format json
	assert_record
	assert_equal "$status" 3
	assert_equal "$(jf .code)" bad-input
	assert_equal "$(jf .message)" "'fifo.pfx' is not a regular file"
	imp missing.pfx
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot open 'missing.pfx': No such file or directory"
	assert_not_exist "$EDGECERT_STORE"
}

@test "import-pfx: --in - reads standard input" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	run --separate-stderr bash -c 'edgecert import-pfx --in - --password-file "$1" --format json < srv.pfx' _ "$PW"
	assert_record
	assert_success
	assert_equal "$(jf '.certificates[0].thumbprint')" "$SRV"
}

@test "import-pfx: a PFX with two keys imports both" {
	cat "$PKI/server.pem" "$PKI/client.pem" "$PKI/chain.pem" > two.pem
	cat "$PKI/client.key" "$PKI/server.key" > two.key
	certtool --to-p12 --load-certificate two.pem --load-privkey two.key \
		--password "$PASS" --p12-name pair --outder --outfile two.p12 </dev/null 2>/dev/null
	CLI=$(sha1 "$PKI/client.pem")
	imp two.p12
	assert_success
	assert_equal "$(jf "[${P}[].thumbprint] | sort | join(\",\")")" \
		"$(printf '%s\n' "$SRV" "$CLI" | sort | paste -sd,)"
	assert_equal "$(jf .message)" "imported 2 certificates with keys from 'two.p12'"
	# paired by public key, not by order
	assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
	assert_key_of "$EDGECERT_STORE/personal/$CLI.key" "$PKI/client.pem"
	assert_equal "$(jf "[${C}[].thumbprint] | join(\",\")")" "$SUB,$ROOT"
}

@test "import-pfx: an absurd iteration count is bad-input at once" {
	# made with 10000001 iterations, then the count (DER 02 04 00 98 96 81)
	# raised to 2^31-1: a key derivation with it would take many minutes
	big() { perl -pi -0777 -e 's/\x02\x04\x00\x98\x96\x81/\x02\x04\x7f\xff\xff\xff/g' "$1"; }
	# the MAC's count (the bags unencrypted)
	ec_cached mac.pfx openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-passout "file:$PW" -keypbe NONE -certpbe NONE -iter 10000001 -out mac.pfx
	imp mac.pfx
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'mac.pfx': the MAC asks for 10000001 iterations (more than 10000000): refused"
	big mac.pfx
	run --separate-stderr timeout 20 edgecert import-pfx --in mac.pfx --password-file "$PW" --format json
	assert_record
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'mac.pfx': the MAC asks for 2147483647 iterations (more than 10000000): refused"
	# the key's count, without a MAC
	ec_cached key.pfx openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-passout "file:$PW" -iter 10000001 -nomac -certpbe NONE -out key.pfx
	cp key.pfx key2.pfx
	big key.pfx
	run --separate-stderr timeout 20 edgecert import-pfx --in key.pfx --password-file "$PW" --format json
	assert_record
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'key.pfx': the private key's encryption asks for 2147483647 iterations (more than 10000000): refused"
	# under GnuTLS' own limit, over ours
	perl -pi -0777 -e 's/\x02\x04\x00\x98\x96\x81/\x02\x04\x00\x9f\xff\xff/g' key2.pfx
	run --separate-stderr timeout 20 edgecert import-pfx --in key2.pfx --password-file "$PW" --format json
	assert_record
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'key2.pfx': the private key's encryption asks for 10485759 iterations (more than 10000000): refused"
	# the certificates' count, without a MAC
	ec_cached crt.pfx openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-passout "file:$PW" -iter 10000001 -nomac -keypbe NONE -certpbe AES-256-CBC -out crt.pfx
	big crt.pfx
	run --separate-stderr timeout 20 edgecert import-pfx --in crt.pfx --password-file "$PW" --format json
	assert_record
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "cannot read 'crt.pfx': the certificates' encryption asks for 2147483647 iterations (more than 10000000): refused"
	assert_not_exist "$EDGECERT_STORE"
	# exactly the limit is taken
	openssl pkcs12 -export -in "$PKI/server.pem" -inkey "$PKI/server.key" \
		-passout "file:$PW" -keypbe NONE -certpbe NONE -iter 10000000 -out limit.pfx
	imp limit.pfx
	assert_success
}

@test "import-pfx: a root in the file is trusted only with --trust-root" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	imp srv.pfx
	assert_success
	assert_file_exists "$EDGECERT_STORE/ca/$ROOT.pem"
	assert_not_exist "$EDGECERT_STORE/root/$ROOT.pem"
	imp srv.pfx --trust-root
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf "[${C}[].section] | join(\",\")")" ca,root
	assert_equal "$(jf -c .warnings)" "[]"
	assert_file_exists "$EDGECERT_STORE/root/$ROOT.pem"
	assert_not_exist "$EDGECERT_STORE/ca/$ROOT.pem"
	assert_not_exist "$EDGECERT_STORE/ca/$ROOT.meta"
	# once trusted it stays where it is, and no warning says otherwise
	imp srv.pfx
	assert_success
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf "[${C}[].section] | join(\",\")")" ca,root
	assert_equal "$(jf -c .warnings)" "[]"
}

@test "import-pfx: the same certificate and key again is changed:false, from another file too" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem" -name "edge srv"
	ossl_pfx srv2.pfx -certfile "$PKI/chain.pem" -name "edge srv" -legacy
	imp srv.pfx --exportable
	assert_success
	before=$(tree | xargs sha256sum)
	imp srv.pfx --exportable
	assert_success
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .message)" "already imported 1 certificate with key from 'srv.pfx': $SRV"
	imp srv2.pfx --exportable
	assert_success
	assert_equal "$(jf .changed)" false
	# the store's content is as it was; only srv2.pfx's import record,
	# personal/<its SHA-256>.imported, is new
	assert_equal "$(tree | xargs sha256sum | grep -v '\.imported$')" \
		"$(grep -v '\.imported$' <<< "$before")"
	assert_file_exists "$EDGECERT_STORE/personal/$(sha256sum < srv2.pfx | cut -c1-64).imported"
	# a different flag or name is a change
	imp srv.pfx
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf '.certificates[0].exportable')" false
	imp srv.pfx --name "other"
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf '.certificates[0].friendly_name')" other
}

@test "import-pfx: the same certificate with another key is exists unless --force" {
	store_put personal "$PKI/server.pem" "$PKI/client.key" >/dev/null
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	before=$(tree | xargs sha256sum)
	imp srv.pfx
	assert_code 5 exists
	assert_equal "$(jf .message)" "certificate $SRV is in the store with a different private key (use --force to replace it)"
	# all or nothing: the chain was not placed either
	assert_equal "$(tree | xargs sha256sum)" "$before"
	imp srv.pfx --force
	assert_success
	assert_equal "$(jf .changed)" true
	assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
	assert_file_exists "$EDGECERT_STORE/ca/$SUB.pem"
}

@test "import-pfx: --check decrypts and validates and writes nothing" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	imp srv.pfx --check
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf .message)" "would import 1 certificate with key from 'srv.pfx': $SRV"
	assert_not_exist "$EDGECERT_STORE"
	printf 'nope\n' > wrong
	ecj import-pfx --in srv.pfx --password-file wrong --check
	assert_code 3 bad-password
	imp srv.pfx
	before=$(tree | xargs sha256sum)
	imp srv.pfx --check --trust-root --exportable
	assert_success
	assert_equal "$(jf .changed)" true
	assert_equal "$(jf "[${C}[].section] | join(\",\")")" ca,root
	assert_equal "$(tree | xargs sha256sum)" "$before"
	imp srv.pfx --check
	assert_equal "$(jf .changed)" false
}

@test "import-pfx: key files are 0600 whatever the umask" {
	umask 000
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	imp srv.pfx
	assert_success
	assert_equal "$(stat -c %a "$EDGECERT_STORE/personal/$SRV.key")" 600
	assert_equal "$(stat -c %a "$EDGECERT_STORE")" 700
	run find "$EDGECERT_STORE" -perm /022 -type f
	assert_output ""
}

@test "import-pfx: --exportable is recorded in the metadata and shown by list" {
	ossl_pfx srv.pfx
	imp srv.pfx --exportable --name "Edge internal"
	assert_success
	assert_equal "$(jf '.certificates[0].exportable')" true
	run grep -x exportable=true "$EDGECERT_STORE/personal/$SRV.meta"
	assert_success
	ecj list --name "Edge internal"
	assert_equal "$(jf '.items[0].exportable')/$(jf '.items[0].thumbprint')" "true/$SRV"
}

@test "import-pfx: passwords from --password-env and --password-fd; --password warns" {
	ossl_pfx srv.pfx
	EC_PW="$PASS" ecj import-pfx --in srv.pfx --password-env EC_PW
	assert_success
	assert_equal "$(jf .password_used)" given
	rm -rf "$EDGECERT_STORE"
	run --separate-stderr bash -c 'edgecert import-pfx --in srv.pfx --password-fd 3 --format json 3<"$1"' _ "$PW"
	assert_record
	assert_success
	assert_equal "$(jf .changed)" true
	ecj import-pfx --in srv.pfx --password-env UNSET_EC_PW
	assert_code 2 usage
	ecj import-pfx --in srv.pfx
	assert_code 2 usage
	assert_equal "$(jf .message)" "a password is required: give --password-file, --password-env, --password-fd or, for none, --no-password"
	ecj import-pfx --in srv.pfx --password "$PASS"
	assert_success
	assert_equal "$(jf -c .warnings)" '["--password is visible to other users of this machine; prefer --password-file, --password-env or --password-fd"]'
	assert_equal "$stderr" "edgecert import-pfx: warning: --password is visible to other users of this machine; prefer --password-file, --password-env or --password-fd"
}

@test "import-pfx: the password of --password-env is wiped from the process's environment" {
	ossl_pfx srv.pfx
	imp srv.pfx
	# hold the lock, so that the second run waits with its password read
	# (--exportable: a change, not the no-op the import record answers
	# without the lock)
	flock "$EDGECERT_STORE/.lock" sleep 4 &
	holder=$!
	sleep 0.3
	EC_PW="$PASS" edgecert import-pfx --in srv.pfx --password-env EC_PW --exportable \
		--wait 10 --format json > rec 2>/dev/null &
	pid=$!
	sleep 1.5
	env=$(tr '\0' '\n' < "/proc/$pid/environ")
	wait "$pid"
	wait "$holder"
	assert_record_file rec
	assert_equal "$(jq -r .code rec)" ok
	# ($PASS itself is in every test's environment)
	[[ "$env" == *"PASS=$PASS"* ]]
	[[ "$env" != *"EC_PW=$PASS"* ]] || fail "the password is in /proc/$pid/environ"
	[[ "$env" != *"EC_PW=S"* ]]
}

@test "import-pfx: --password-file takes the first line, - is standard input, a pipe; a NUL is bad-input" {
	ossl_pfx srv.pfx
	printf '%s\r\nsecond line\n' "$PASS" > crlf
	ecj import-pfx --in srv.pfx --password-file crlf --check
	assert_success
	run --separate-stderr bash -c 'edgecert import-pfx --in srv.pfx --password-file - --check --format json < "$1"' _ "$PW"
	assert_record
	assert_success
	assert_equal "$(jf .password_used)" given
	# a pipe, as a secret manager hands it over: <(command)
	run --separate-stderr bash -c 'edgecert import-pfx --in srv.pfx --password-file <(cat "$1") --check --format json' _ "$PW"
	assert_record
	assert_success
	# a FIFO nobody writes to is the empty password, at once
	mkfifo fifo
	run --separate-stderr timeout 10 edgecert import-pfx --in srv.pfx --password-file fifo --format json
	assert_record
	assert_code 3 bad-password
	# the PFX itself must be a regular file
	run --separate-stderr bash -c 'edgecert import-pfx --in <(cat srv.pfx) --password-file "$1" --format json' _ "$PW"
	assert_record
	assert_code 3 bad-input
	# a NUL in the first line would cut the password short: said, not tried
	printf 'S3cret\0 pw\n' > nul
	ecj import-pfx --in srv.pfx --password-file nul
	assert_code 3 bad-input
	assert_equal "$(jf .message)" "the password holds a NUL byte"
	# after the first line it does not matter
	printf '%s\n\0\n' "$PASS" > nul2
	ecj import-pfx --in srv.pfx --password-file nul2
	assert_success
}

@test "import-pfx: usage errors" {
	ecj import-pfx --password-file "$PW"
	assert_code 2 usage
	assert_equal "$(jf .message)" "--in FILE is required"
	ecj import-pfx --in x.pfx --password-file "$PW" --name ""
	assert_code 2 usage
	ecj import-pfx --in x.pfx --password-file "$PW" --no-password
	assert_code 2 usage
	assert_equal "$(jf .message)" "give one password option only"
	run edgecert import-pfx --help
	assert_success
	assert_line --index 0 "usage: edgecert import-pfx --in FILE"
}

# imp_trace FILE [ARGS...]: imp under strace, its flock calls in $BATS_TEST_TMPDIR/fl
imp_trace() {
	local f=$1
	shift
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f -qq -e trace=flock -o "$BATS_TEST_TMPDIR/fl" \
		edgecert import-pfx --format json --in "$f" --password-file "$PW" "$@"
}

@test "import-pfx: the same file again is known by its digest: no key derived, the same record" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem" -name "edge srv"
	imp srv.pfx --exportable
	assert_success
	rec=$EDGECERT_STORE/personal/$(sha256sum < srv.pfx | cut -c1-64).imported
	assert_file_exists "$rec"
	assert_equal "$(stat -c %a "$rec")" 600
	store_consistent
	before=$(tree | xargs sha256sum)
	# the full path: the record removed, the file decrypted again
	rm "$rec"
	imp srv.pfx --exportable
	assert_success
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .password_used)" given
	slow=$(jq -S 'del(.warnings, .password_used)' <<< "$output")
	assert_equal "$(tree | xargs sha256sum)" "$before"
	# the recognised file: a reader's run (no writer's lock, so no
	# decryption, which is followed by one), the same record
	imp_trace srv.pfx --exportable
	assert_success
	! grep -q LOCK_EX "$BATS_TEST_TMPDIR/fl" || fail "took the writer's lock"
	assert_equal "$(jq -S 'del(.warnings, .password_used)' <<< "$output")" "$slow"
	assert_equal "$(jf .password_used)" unchecked
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .message)" "already imported 1 certificate with key from 'srv.pfx': $SRV"
	assert_equal "$(jf '[.certificates[].action] | unique | join(",")')" present
	assert_equal "$(tree | xargs sha256sum)" "$before"
	# another option is another import: a writer's run
	imp_trace srv.pfx
	assert_success
	assert_equal "$(jf .changed)" true
	grep -q LOCK_EX "$BATS_TEST_TMPDIR/fl"
}

@test "import-pfx: a recorded file whose objects were removed by hand is imported again" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem" -name "edge srv"
	imp srv.pfx
	assert_success
	before=$(tree | xargs sha256sum)
	for f in "personal/$SRV.key" "personal/$SRV.pem" "personal/$SRV.meta" "ca/$SUB.pem"; do
		rm "$EDGECERT_STORE/$f"
		imp srv.pfx
		assert_success
		assert_equal "$(jf .changed)" true
		assert_file_exists "$EDGECERT_STORE/$f"
		store_consistent
	done
	# a key replaced by another certificate's: not the file's, imported anew
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
	cp other.key "$EDGECERT_STORE/personal/$SRV.key"
	imp srv.pfx
	assert_code 5 exists
	imp srv.pfx --force
	assert_success
	assert_equal "$(jf .changed)" true
	assert_key_of "$EDGECERT_STORE/personal/$SRV.key" "$PKI/server.pem"
	store_consistent
}

@test "import-pfx: a recorded file answers without trying the password: unchecked" {
	ossl_pfx srv.pfx -certfile "$PKI/chain.pem"
	imp srv.pfx
	assert_success
	rec=$EDGECERT_STORE/personal/$(sha256sum < srv.pfx | cut -c1-64).imported
	# the record holds no password verifier
	! grep -q '^password_check=' "$rec" || fail "a password verifier: $(cat "$rec")"
	printf 'wrong\n' > wrong.pw
	ecj import-pfx --in srv.pfx --password-file wrong.pw
	assert_code 0 ok
	assert_equal "$(jf .password_used)/$(jf .changed)" unchecked/false
	# the other kind of password is a full read
	ecj import-pfx --in srv.pfx --no-password
	assert_code 3 bad-password
	# without the record the password is tried again
	rm "$rec"
	ecj import-pfx --in srv.pfx --password-file wrong.pw
	assert_code 3 bad-password
	# a damaged record, or one of an older edgecert with its verifier,
	# is no more than a missing one: the full read writes it anew
	for old in 'password_check=\x01' "$(printf 'password_used=given\npassword_check=%064d\ncertificates=1\ncert_1_section=personal\ncert_1_thumbprint=%s' 0 "$SRV")"; do
		printf '%s\n' "$old" > "$rec"
		imp srv.pfx
		assert_success
		assert_equal "$(jf .changed)/$(jf .password_used)" false/given
		! grep -q '^password_check=' "$rec" || fail "the verifier stays: $(cat "$rec")"
		grep -q '^password_used=given$' "$rec"
	done
	store_consistent
}
