#!/usr/bin/env bash
# With the system's bpffs at mode 0700, as systemd mounts it, users still
# reach everything of cgprov's: its tree is in its own instance at
# /run/cgprov.
. "$(dirname "$0")/../lib.sh"

bpffs_mode=$(stat -c %a /sys/fs/bpf)
mine=$(delegated_cgroup)
cleanup() {
	chmod "$bpffs_mode" /sys/fs/bpf
	rm -f "/run/cgprov/user/$CGPROV_TEST_UID-closed"
	remove_cgroup_tree "$mine"
}
trap cleanup EXIT
chmod 0700 /sys/fs/bpf

check "the user cannot reach /sys/fs/bpf" bash -c "! setpriv --reuid='$CGPROV_TEST_UID' --regid='$CGPROV_TEST_GID' --clear-groups -- ls /sys/fs/bpf >/dev/null 2>&1"
check "the user reads the stats file of a cgroup" as_user grep -q '^runq_delay_count ' "$(stats_file "$mine")"
out=$(as_user "$CGPROV" link --cgroup "$mine" --name closed 2>&1)
check "the user runs cgprov link" test "$out" = "/run/cgprov/user/$CGPROV_TEST_UID-closed"
check "and reads the file it pinned" as_user grep -q '^runq_delay_count ' "/run/cgprov/user/$CGPROV_TEST_UID-closed"
check "and removes it" as_user rm "/run/cgprov/user/$CGPROV_TEST_UID-closed"
finish
