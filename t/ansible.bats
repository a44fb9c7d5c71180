#!/usr/bin/env bats
# scripts/ansible: the edgecert module and the 4.2 playbook, run by
# ansible-core against localhost (connection local), three stores standing
# for three edge servers: the first run changes things, the second none.

load helper

setup() {
	ec_setup
	cd "$BATS_TEST_TMPDIR"
	command -v ansible-playbook >/dev/null || fail "ansible-core missing (scripts/deps)"
	ca_setup ca
	printf 'array pfx password\n' > pw
	cat > inventory <<INV
[edge]
edge1 edgecert_store=$PWD/edge1
edge2 edgecert_store=$PWD/edge2
edge3 edgecert_store=$PWD/edge3

[edge:vars]
ansible_connection=local
ansible_python_interpreter=/usr/bin/python3
INV
	cat > vars.yml <<VARS
ca_chain: $PWD/ca/chain.p7b
issuing_ca: $PWD/ca/sub.pem
vip: edge-pool.corp.example.test
friendly: Edge pool internal
request_out: $PWD/pool.req
ca_answer: $PWD/pool.p7b
ca_sign: $EC_ROOT/scripts/test-ca sign $PWD/ca $PWD/pool.req $PWD/pool.p7b p7b
pfx: $PWD/pool.pfx
pfx_pass_file: $PWD/pw
VARS
	export ANSIBLE_LIBRARY="$EC_ROOT/scripts/ansible/library" ANSIBLE_NOCOLOR=1 \
		ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_LOCAL_TEMP="$BATS_TEST_TMPDIR/ansible" \
		ANSIBLE_REMOTE_TEMP="$BATS_TEST_TMPDIR/ansible" HOME="$BATS_TEST_TMPDIR"
}

# recap HOST: "ok=N changed=N ... failed=N" of the last run for HOST
recap() {
	grep -E "^$1 +:" <<<"$output" | sed 's/^[^:]*: *//'
}

@test "ansible: the 4.2 playbook sets up three servers, and a second run changes nothing" {
	run ansible-playbook -i inventory -e @vars.yml "$EC_ROOT/scripts/ansible/edge-42.yml"
	assert_success
	[[ "$(recap edge1)" == *"failed=0"* ]]
	[[ "$(recap edge1)" != *"changed=0"* ]] || fail "edge1 changed nothing: $(recap edge1)"
	[[ "$(recap edge3)" != *"changed=0"* ]] || fail "edge3 changed nothing: $(recap edge3)"
	for e in edge1 edge2 edge3; do
		ecj --store "$PWD/$e" list --section assigned
		assert_equal "$(jf .count)" 1
		ecj --store "$PWD/$e" verify-root --interface internal --hostname edge-pool.corp.example.test
		assert_success
	done
	ecj --store "$PWD/edge2" list --section personal
	assert_equal "$(jf '.items[0].exportable')" false
	run ansible-playbook -i inventory -e @vars.yml "$EC_ROOT/scripts/ansible/edge-42.yml"
	assert_success
	for e in edge1 edge2 edge3; do
		[[ "$(recap $e)" == *"changed=0 "* ]] || fail "$e: $(recap $e)"
		[[ "$(recap $e)" == *"failed=0"* ]]
	done
}

@test "ansible: check mode reports what would change and changes nothing" {
	run ansible-playbook -i inventory -e @vars.yml --check --limit edge1 \
		"$EC_ROOT/scripts/ansible/edge-42.yml"
	# check mode stops where a step needs the one before it (accept needs
	# the request that check mode did not make): the first steps say
	# changed, and nothing is written
	[[ "$output" == *"changed: [edge1]"* ]] || fail "$output"
	run ls edge1/personal
	refute_output --regexp '\.pem'
	[ ! -e pool.req ]
}

@test "ansible: a failing step fails the play with the record's message" {
	run ansible-playbook -i inventory -e @vars.yml -e ca_chain=/nonexistent.p7b \
		"$EC_ROOT/scripts/ansible/edge-42.yml"
	assert_failure
	assert_output --partial "cannot open '/nonexistent.p7b'"
}
