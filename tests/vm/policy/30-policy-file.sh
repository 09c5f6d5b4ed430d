#!/usr/bin/env bash
# Policy changes through install: validation, revocation, upgrades.
. "$(dirname "$0")/../lib.sh"

POLICY=$(dirname "$0")/policy.toml
mine=$(delegated_cgroup)
tmp=$(mktemp -d)

# A bad policy is refused with its line, and nothing changes.
printf '[[grant]]\nprogram = "stats"\noperations = ["obj_get", "link_create"]\norders = ["ancestors-up"]\n' > "$tmp/bad.toml"
before=$(ls -iR /run/cgprov; "$CGPROV" --json status)
out=$("$CGPROV" install --policy "$tmp/bad.toml" 2>&1)
status=$?
check "install with an invalid policy fails with exit 1" test "$status" = 1
check "and names the file, line and value" grep -q "^Error: $tmp/bad.toml:4: unknown order 'ancestors-up' (walks up to the root cgroup: never granted)" <<<"$out"
check "and changes nothing" bash -c '[ "$1" = "$(ls -iR /run/cgprov; "$2" --json status)" ]' _ "$before" "$CGPROV"
out=$("$CGPROV" install --policy "$tmp/missing.toml" 2>&1)
check "an explicit --policy that does not exist is an error" grep -q "read policy $tmp/missing.toml: No such file or directory" <<<"$out"

# Revoking: a policy without grants leaves unprivileged users nothing.
printf '[quota]\nlinks_per_user = 2\n' > "$tmp/none.toml"
check "install with a policy without grants succeeds" "$CGPROV" install --policy "$tmp/none.toml"
check "status shows no grants" bash -c "'$CGPROV' status | grep -qx 'grants: none'"
out=$(as_user "$CGPROV" link --cgroup "$mine" --name revoked 2>&1)
check "the user can no longer open the stats iterator (EPERM)" grep -q "open the stats iterator .*(EPERM)" <<<"$out"
check "the stats files stay readable by the user" as_user cat "$(stats_file "$mine")"

# Granting again, then upgrading: the grant follows the new program.
check "install with the test policy grants again" "$CGPROV" install --policy "$POLICY"
check "the user links again" as_user "$CGPROV" link --cgroup "$mine" --name again
old_id=$(bpftool prog show pinned /run/cgprov/progs/stats | awk -F: 'NR == 1 { print $1 }')
check "an upgrade keeps the policy" "$CGPROV" install --policy "$POLICY" --version-tag policy-upgrade
new_id=$(bpftool prog show pinned /run/cgprov/progs/stats | awk -F: 'NR == 1 { print $1 }')
check "the upgrade loaded a new stats iterator" test "$old_id" != "$new_id"
check "exactly one grant remains, for the new program" bash -c "'$CGPROV' --json status | grep -q '\"grants\": \\[{\"program\": \"stats\", \"operations\": \"obj_get, link_create, obj_pin\", \"orders\": \"self, descendants-pre, descendants-post\"}\\]'"
check "the user links the new program" as_user "$CGPROV" link --cgroup "$mine" --name upgraded
check "the file pinned before the upgrade still reads" as_user cat "/run/cgprov/user/$CGPROV_TEST_UID-again"
# A partial install (a policy map lost) is reported, not a crash.
rm /run/cgprov/internal/policy_usage
out=$("$CGPROV" status 2>&1)
status=$?
check "status with the usage map missing exits 1" test "$status" = 1
check "and lists the missing pin" grep -qx "missing: /run/cgprov/internal/policy_usage" <<<"$out"
check "install completes it again" bash -c "'$CGPROV' install --policy '$POLICY' && '$CGPROV' status"
rm -f /run/cgprov/user/*
remove_cgroup_tree "$mine"
rm -rf "$tmp"
finish
