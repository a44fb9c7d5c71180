#!/usr/bin/env bats
# edgecert request: keys and PKCS#10 requests, read back by openssl and
# certtool.

load helper

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
}

vip() {
	ecj request --cn vip.example.test --dns edge1.example.test --dns edge2.example.test \
		--org "Example Ltd" --ou "Edge Team" --locality Seattle --state WA \
		--country US --name "Edge VIP" --exportable --template WebServer \
		--out vip.csr "$@"
}

@test "request: openssl and certtool verify the request and read what was asked" {
	vip
	assert_success
	assert_equal "$(jf .changed)" true
	rec=$output
	run openssl req -in vip.csr -noout -verify
	assert_success
	run openssl req -in vip.csr -noout -subject -nameopt RFC2253
	assert_output "subject=CN=vip.example.test,OU=Edge Team,O=Example Ltd,L=Seattle,ST=WA,C=US"
	run openssl req -in vip.csr -noout -text
	assert_output --partial "DNS:edge1.example.test, DNS:edge2.example.test, DNS:vip.example.test"
	assert_output --partial "Digital Signature, Key Encipherment"
	assert_output --partial "TLS Web Server Authentication, TLS Web Client Authentication"
	assert_output --partial "Public-Key: (2048 bit)"
	assert_output --partial "sha256WithRSAEncryption"
	run certtool --crq-info --infile vip.csr
	assert_success
	assert_output --partial "Self signature: verified"
	output=$rec
	assert_equal "$(jf .subject)" "CN=vip.example.test,OU=Edge Team,O=Example Ltd,L=Seattle,ST=WA,C=US"
	assert_equal "$(jf -c .dns_names)" '["edge1.example.test","edge2.example.test","vip.example.test"]'
	assert_equal "$(jf .key_type)/$(jf .key_bits)" rsa/2048
	assert_equal "$(jf .template)/$(jf .out)" WebServer/vip.csr
	assert_equal "$(jf .friendly_name)/$(jf .exportable)" "Edge VIP/true"
	assert_equal "$(jf .request_sha256)" \
		"$(openssl req -in vip.csr -outform DER | sha256sum | cut -c1-64)"
}

@test "request: the template name is a BMPString that openssl asn1parse reads" {
	vip
	assert_success
	# find the extension's OCTET STRING and parse what it holds
	off=$(openssl asn1parse -in vip.csr | grep -A1 ':1.3.6.1.4.1.311.20.2$' |
		tail -1 | sed 's/^ *\([0-9]*\):.*/\1/')
	[ -n "$off" ]
	run openssl asn1parse -in vip.csr -strparse "$off"
	assert_success
	assert_output --regexp "BMPSTRING"
	# the value: "WebServer" in UCS-2 big endian, tag 1E, nothing else
	want=$(printf WebServer | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	run openssl asn1parse -in vip.csr
	assert_line --regexp "^ *$off:.*OCTET STRING +\[HEX DUMP\]:1E12$want\$"
	# not critical: no BOOLEAN between the OID and its value
	run bash -c 'openssl asn1parse -in vip.csr | grep -A1 ":1.3.6.1.4.1.311.20.2$" | tail -1'
	assert_output --partial "OCTET STRING"
	run openssl req -in vip.csr -noout -text
	assert_line --regexp "^ +1\.3\.6\.1\.4\.1\.311\.20\.2: *\$"
	# and the v2 template extension, with major and minor versions
	ecj request --cn t2.example.test --template-oid 1.3.6.1.4.1.311.21.8.1.2:100:3 --out t2.csr
	assert_success
	off=$(openssl asn1parse -in t2.csr | grep -A1 ':1.3.6.1.4.1.311.21.7$' |
		tail -1 | sed 's/^ *\([0-9]*\):.*/\1/')
	run openssl asn1parse -in t2.csr -strparse "$off"
	assert_output --partial "OBJECT            :1.3.6.1.4.1.311.21.8.1.2"
	assert_output --partial "INTEGER           :64"
	assert_output --partial "INTEGER           :03"
}

@test "request: each key type makes a request openssl verifies" {
	for spec in "rsa --bits 3072:3072 bit" "rsa --bits 4096:4096 bit" \
		"ecdsa --curve p256:256 bit" "ecdsa --curve p384:384 bit" "ed25519:ED25519"; do
		read -ra args <<< "${spec%%:*}"
		want=${spec#*:}
		ecj request --cn "k$RANDOM.example.test" --key-type "${args[@]}" --out k.csr --force
		assert_success
		run openssl req -in k.csr -noout -verify -text
		assert_success
		assert_output --partial "$want"
	done
	run openssl req -in k.csr -noout -text
	assert_output --partial "ED25519"
}

@test "request: RSA 1024 is refused as weak-key unless --allow-weak" {
	ecj request --cn old.example.test --bits 1024 --out old.csr
	assert_code 5 weak-key
	assert_not_exist old.csr
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null | wc -l)" 0
	ecj request --cn old.example.test --bits 1024 --allow-weak --out old.csr
	assert_success
	run openssl req -in old.csr -noout -text
	assert_output --partial "(1024 bit)"
}

@test "request: the key is 0600 from the first byte, whatever the umask" {
	umask 000
	ecj request --cn k.example.test --key-type ecdsa
	assert_success
	id=$(jf .id)
	assert_equal "$(stat -c %a "$EDGECERT_STORE/pending/$id.key")" 600
	assert_equal "$(stat -c %a "$EDGECERT_STORE")" 700
	# the key is the request's key
	a=$(openssl pkey -in "$EDGECERT_STORE/pending/$id.key" -pubout)
	b=$(openssl req -in "$EDGECERT_STORE/pending/$id.csr" -noout -pubkey)
	assert_equal "$a" "$b"
	# keyed by the hash of the public key: SHA-256 of its DER, per openssl
	assert_equal "$id" "$(openssl pkey -in "$EDGECERT_STORE/pending/$id.key" -pubout -outform DER |
		sha256sum | cut -c1-64)"
	# with its creation time, friendly name and exportable flag
	grep -qx "created=$(jf .created)" "$EDGECERT_STORE/pending/$id.meta"
	grep -qx 'exportable=false' "$EDGECERT_STORE/pending/$id.meta"
}

@test "request: --out - writes the request on stdout and the record on stderr" {
	run --separate-stderr edgecert request --cn s.example.test --key-type ecdsa --out - --format json
	assert_success
	printf '%s\n' "$output" > s.csr
	run openssl req -in s.csr -noout -verify
	assert_success
	run jq -r .code <<<"$stderr"
	assert_output ok
	# or on --status-fd, and standard output holds the request alone
	run --separate-stderr bash -c 'edgecert request --cn t.example.test --key-type ecdsa \
		--out - --format json --status-fd 3 3> rec.json'
	assert_success
	printf '%s\n' "$output" > t.csr
	assert_equal "$(grep -c . t.csr)" "$(openssl req -in t.csr | grep -c .)"
	run openssl req -in t.csr -noout -verify
	assert_success
	assert_equal "$(jq -r .code rec.json)/$(jq -r .out rec.json)" ok/-
	assert_equal "$(jq -r .request_sha256 rec.json)" \
		"$(openssl req -in t.csr -outform DER | sha256sum | cut -c1-64)"
}

@test "request: the CN joins the DNS names once, whatever the case of a --dns for it" {
	ecj request --cn vip.example.test --dns VIP.example.test --dns edge1.example.test \
		--key-type ecdsa --out v.csr
	assert_success
	assert_equal "$(jf -c .dns_names)" '["VIP.example.test","edge1.example.test"]'
	run openssl req -in v.csr -noout -text
	assert_line --regexp "^ +DNS:VIP\.example\.test, DNS:edge1\.example\.test\$"
	# and from a --subject's CN
	ecj request --subject "CN=s.example.test,O=Example" --key-type ecdsa --out s.csr
	assert_equal "$(jf -c .dns_names)" '["s.example.test"]'
}

@test "request: the same request again changes nothing; --force makes a new one" {
	vip
	id=$(jf .id)
	sum=$(sha256sum < vip.csr)
	vip
	assert_success
	assert_equal "$(jf .changed)" false
	assert_equal "$(jf .id)" "$id"
	assert_equal "$(sha256sum < vip.csr)" "$sum"
	rm vip.csr
	vip
	assert_equal "$(jf .changed)" true
	assert_equal "$(sha256sum < vip.csr)" "$sum"
	vip --force
	assert_success
	assert_equal "$(jf .changed)" true
	assert [ "$(jf .id)" != "$id" ]
	ecj list --section pending
	assert_equal "$(jf .count)" 2
}

@test "request: an existing --out file is not overwritten without --force" {
	echo precious > out.csr
	ecj request --cn a.example.test --key-type ecdsa --out out.csr
	assert_code 5 exists
	assert_equal "$(cat out.csr)" precious
	assert_equal "$(ls "$EDGECERT_STORE/pending" 2>/dev/null | wc -l)" 0
}

@test "request: --check makes no key and writes nothing" {
	ecj request --cn c.example.test --out c.csr --check
	assert_success
	assert_equal "$(jf .changed)" true
	assert_not_exist c.csr
	assert_not_exist "$EDGECERT_STORE/pending"
	# nor a request on standard output: its key would be thrown away
	run --separate-stderr edgecert request --cn c.example.test --out - --check --format json
	assert_success
	assert_equal "$output" ""
	assert_equal "$(jq -r .changed <<<"$stderr")" true
	assert_not_exist "$EDGECERT_STORE/pending"
}

@test "request: bad values are usage errors" {
	ecj request
	assert_code 2 usage
	ecj request --cn a.example.test --country USA
	assert_code 2 usage
	ecj request --cn a.example.test --ip 300.1.1.1
	assert_code 2 usage
	ecj request --cn a.example.test --key-type dsa
	assert_code 2 usage
	ecj request --cn a.example.test --key-type ecdsa --bits 2048
	assert_code 2 usage
	ecj request --cn a.example.test --eku server,bogus
	assert_code 2 usage
	# OIDs libtasn1 cannot encode (they were internal errors): a first arc
	# past 2, a second of 40 or more under 1, an arc past 32 bits
	for oid in 5.7.3.2 1.40.1 1.2.4294967296; do
		ecj request --cn a.example.test --eku "$oid"
		assert_code 2 usage
		ecj request --cn a.example.test --template-oid "$oid"
		assert_code 2 usage
	done
	ecj request --cn a.example.test --subject CN=b.example.test
	assert_code 2 usage
	ecj request --cn a.example.test --template-oid 1.2.x
	assert_code 2 usage
	assert_not_exist "$EDGECERT_STORE"
}

@test "request: --subject, --ip and --eku are honoured" {
	ecj request --subject "CN=s.example.test,O=Org\, Inc.,C=DE" --ip 192.0.2.7 --ip 2001:db8::1 \
		--eku client,1.3.6.1.4.1.99999.1 --key-type ecdsa --out s.csr
	assert_success
	rec=$output
	run openssl req -in s.csr -noout -text
	assert_output --partial "IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:1"
	assert_output --partial "DNS:s.example.test"
	assert_output --partial "TLS Web Client Authentication, 1.3.6.1.4.1.99999.1"
	output=$rec
	assert_equal "$(jf .subject)" 'CN=s.example.test,O=Org\, Inc.,C=DE'
	assert_equal "$(jf -c .ip_addresses)" '["192.0.2.7","2001:db8::1"]'
}

@test "request: --cancel discards a request, with --force when it is young" {
	ecj request --cn x.example.test --key-type ecdsa
	id=$(jf .id)
	ecj request --cancel "${id:0:12}"
	assert_code 5 refused
	assert_exist "$EDGECERT_STORE/pending/$id.key"
	ecj request --cancel "${id:0:12}" --force
	assert_success
	assert_equal "$(jf .cancelled)" true
	assert_not_exist "$EDGECERT_STORE/pending/$id.key"
	assert_not_exist "$EDGECERT_STORE/pending/$id.meta"
	ecj request --cancel "$id" --force
	assert_code 4 no-pending-request
	# an old request goes without --force
	ecj request --cn y.example.test --key-type ecdsa
	id=$(jf .id)
	sed -i 's/^created=.*/created=2020-01-01T00:00:00Z/' "$EDGECERT_STORE/pending/$id.meta"
	ecj request --cancel "$id"
	assert_success
}

@test "request: concurrent requests in one store all land" {
	for i in $(seq 1 8); do
		edgecert request --cn "c$i.example.test" --key-type ecdsa --format json > "r$i.json" &
	done
	wait
	for i in $(seq 1 8); do
		run jq -r .code "r$i.json"
		assert_output ok
	done
	ecj list --section pending
	assert_equal "$(jf .count)" 8
	assert_not_exist "$EDGECERT_STORE/.txn/journal"
}
