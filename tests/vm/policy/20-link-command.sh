#!/usr/bin/env bash
# cgprov link: self-service stats files for unprivileged users.
. "$(dirname "$0")/../lib.sh"

mine=$(delegated_cgroup)
mkdir "$mine/child"
chown "$CGPROV_TEST_UID:$CGPROV_TEST_GID" "$mine/child"
USER_DIR=/run/cgprov/user

out=$(as_user "$CGPROV" link --cgroup "$mine" --order descendants-pre --name web 2>&1)
check "link prints the new file's path" test "$out" = "$USER_DIR/$CGPROV_TEST_UID-web"
check "the file belongs to the user, mode 0600" bash -c '[ "$(stat -c %u:%a "$1")" = "$2:600" ]' _ "$out" "$CGPROV_TEST_UID"
check "the user reads stats from it" bash -c "setpriv --reuid=$CGPROV_TEST_UID --regid=$CGPROV_TEST_GID --clear-groups -- cat '$out' | grep -q '^runq_delay_count '"
check "descendants-pre prints the cgroup and its child" bash -c '[ "$(grep -c "^runq_delay_count " "$1")" = 2 ]' _ "$out"
check "--json prints the path as JSON" bash -c "setpriv --reuid=$CGPROV_TEST_UID --regid=$CGPROV_TEST_GID --clear-groups -- '$CGPROV' --json link --cgroup '$mine' --name api | grep -qx '{\"path\": \"$USER_DIR/$CGPROV_TEST_UID-api\"}'"

out=$(as_user unshare --map-root-user "$CGPROV" link --cgroup "$mine" --name ns 2>&1)
check "as root of a user namespace, link names the file by the uid outside" test "$out" = "$USER_DIR/$CGPROV_TEST_UID-ns"
rm -f "$USER_DIR/$CGPROV_TEST_UID-ns"

out=$(as_user "$CGPROV" link --cgroup /sys/fs/cgroup --name all 2>&1)
status=$?
check "linking the root cgroup fails with exit 1" test "$status" = 1
check "and says EPERM with the ownership hint" bash -c 'grep -q "Operation not permitted (EPERM)" <<<"$1" && grep -q "must be yours" <<<"$1"' _ "$out"
out=$(as_user "$CGPROV" link --cgroup "$mine" --name web 2>&1)
check "a taken name fails with EEXIST" grep -q "File exists (EEXIST)" <<<"$out"
out=$(as_user "$CGPROV" link --cgroup "$mine" --name 'a.b' 2>&1)
check "a name bpffs cannot hold is refused before any bpf()" grep -q "invalid name 'a.b'" <<<"$out"
out=$(as_user "$CGPROV" link --cgroup "$mine" --order ancestors-up --name up 2>&1)
status=$?
check "--order ancestors-up is a usage error (exit 2)" test "$status" = 2
as_user "$CGPROV" link --cgroup "$mine" --name third > /dev/null
out=$(as_user "$CGPROV" link --cgroup "$mine" --name fourth 2>&1)
check "the fourth file exceeds the pin quota (EDQUOT)" grep -q "^Error: pin .*(EDQUOT)" <<<"$out"
check "with the quota hint (not strerror's words)" grep -qx "  hint: your quota of links or pins is used up: remove one of your files in $USER_DIR" <<<"$out"
check "status counts the user's links and pins" bash -c "'$CGPROV' status | grep -qx 'usage: uid $CGPROV_TEST_UID: 3 links, 3 pins'"
check "the user removes own files with rm" as_user rm "$USER_DIR/$CGPROV_TEST_UID-web" "$USER_DIR/$CGPROV_TEST_UID-api" "$USER_DIR/$CGPROV_TEST_UID-third"
check "and the usage drops to nothing" bash -c "for i in \$(seq 50); do out=\$('$CGPROV' status); grep -q '^policy: enforced' <<<\"\$out\" && ! grep -q '^usage: uid $CGPROV_TEST_UID:' <<<\"\$out\" && exit 0; sleep 0.1; done; exit 1"
remove_cgroup_tree "$mine"
finish
