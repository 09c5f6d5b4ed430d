#!/usr/bin/env bash
# uninstall removes the policy and the users' files with everything else.
. "$(dirname "$0")/../lib.sh"

mine=$(delegated_cgroup)
check "the user has a file in user/" as_user "$CGPROV" link --cgroup "$mine" --name left
check "uninstall succeeds with a user's file present" bash -c "test -e /run/cgprov/user/$CGPROV_TEST_UID-left && '$CGPROV' uninstall"
check "nothing of cgprov is left, nothing mounted" bash -c '! test -e /run/cgprov && ! test -e /sys/fs/bpf/cgprov && ! findmnt -rn -o TARGET | grep -qx /run/cgprov'
check "no policy program stays loaded" bash -c '
	for i in $(seq 50); do bpftool prog show | grep -qE "check_bpf_cmd|check_pin" || exit 0; sleep 0.1; done; exit 1'
remove_cgroup_tree "$mine"
finish
