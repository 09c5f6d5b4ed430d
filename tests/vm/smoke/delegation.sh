#!/usr/bin/env bash
# An unprivileged uid can create and remove cgroups in a subtree delegated to it,
# and cannot outside it.
. "$(dirname "$0")/../lib.sh"

base=$(delegated_cgroup)
trap 'remove_cgroup_tree "$base"' EXIT

check "unprivileged uid $CGPROV_TEST_UID can mkdir in its delegated subtree" as_user mkdir "$base/child"
check "the new cgroup is owned by uid $CGPROV_TEST_UID" bash -c "[ \"\$(stat -c %u '$base/child')\" = $CGPROV_TEST_UID ]"
check "the new cgroup is live (has cgroup.procs)" test -f "$base/child/cgroup.procs"
check "unprivileged uid $CGPROV_TEST_UID can rmdir in its delegated subtree" as_user rmdir "$base/child"
check "unprivileged uid $CGPROV_TEST_UID cannot mkdir outside its subtree" bash -c \
	"! setpriv --reuid=$CGPROV_TEST_UID --regid=$CGPROV_TEST_GID --clear-groups -- mkdir /sys/fs/cgroup/cgprov-denied 2>/dev/null"
finish
