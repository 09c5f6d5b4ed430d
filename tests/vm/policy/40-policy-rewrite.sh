#!/usr/bin/env bash
# install --policy switches the policy in one step: while root alternates
# between the test policy and one without grants, a user's concurrent
# 'cgprov link' calls each end as under one of the two (linked and pinned,
# or refused with EPERM), the usage counted matches the files left, and
# afterwards the user links as before.
. "$(dirname "$0")/../lib.sh"

POLICY=$(dirname "$0")/policy.toml
tmp=$(mktemp -d)
printf '[quota]\nlinks_per_user = 1\npins_per_user = 1\n' > "$tmp/none.toml"
chmod 0755 "$tmp"
mine=$(delegated_cgroup)
USER_DIR=/run/cgprov/user

# The user links and removes, over and over, until told to stop; each
# outcome goes to a log, one line per call.
(
	i=0
	while [ ! -e "$tmp/stop" ]; do
		i=$((i + 1))
		if out=$(as_user "$CGPROV" link --cgroup "$mine" --name "race$i" 2>&1); then
			echo "linked"
			rm -f "$USER_DIR/$CGPROV_TEST_UID-race$i"
		else
			echo "refused: $(head -n1 <<<"$out")"
		fi
	done > "$tmp/outcomes"
) &
linker=$!
rewrites_ok=1
for _ in 1 2 3 4 5 6; do
	"$CGPROV" install --policy "$tmp/none.toml" > /dev/null || rewrites_ok=0
	sleep 0.3
	"$CGPROV" install --policy "$POLICY" > /dev/null || rewrites_ok=0
	sleep 0.3
done
touch "$tmp/stop"
wait "$linker"
check "every rewrite succeeded" test "$rewrites_ok" = 1
calls=$(wc -l < "$tmp/outcomes")
sort "$tmp/outcomes" | uniq -c | sed 's/^/    /'
check "the user made calls during the rewrites ($calls)" test "$calls" -gt 0
check "every call ended as under one of the policies (linked, or EPERM)" bash -c \
	'! grep -vE "^(linked|refused: Error: .*\(EPERM\))$" "$1"' _ "$tmp/outcomes"
check "no file of the user is left" bash -c '[ -z "$(ls -A "$1" | grep "^$2-race")" ]' _ "$USER_DIR" "$CGPROV_TEST_UID"
check "and no usage is left counted for the user" bash -c \
	'for i in $(seq 100); do "$1" status | grep -q "^usage: uid $2:" || exit 0; sleep 0.1; done; exit 1' _ "$CGPROV" "$CGPROV_TEST_UID"
check "status shows the test policy in force" bash -c '"$1" status | grep -qx "quota per user: 4 links, 3 pins"' _ "$CGPROV"
check "the user links after the rewrites" as_user "$CGPROV" link --cgroup "$mine" --name after-rewrites
rm -f "$USER_DIR/$CGPROV_TEST_UID-after-rewrites"
remove_cgroup_tree "$mine"
rm -rf "$tmp"
finish
