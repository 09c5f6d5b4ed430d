#!/usr/bin/env bash
# cgprov install: one shot, backfills existing cgroups, idempotent.
. "$(dirname "$0")/../lib.sh"

mkdir -p /sys/fs/cgroup/cgprov-preexisting/inner
# Account memory per cgroup, to see where the BPF objects are charged.
echo +memory > /sys/fs/cgroup/cgroup.subtree_control

check "install succeeds" "$CGPROV" install
check "no process runs the cgprov binary" no_cgprov_process
check "status reports a complete install" "$CGPROV" status
check "cgroups that existed before install have stats files" test -r "$(stats_file /sys/fs/cgroup/cgprov-preexisting/inner)"
check "the root cgroup has a stats file" test -r "$(stats_file /sys/fs/cgroup)"
check "every cgroup has a stats file" all_cgroups_provisioned
check "BPF memory is charged to cgprov.slice, which the loader left" bash -c '
	[ "$(awk "\$1 == \"kernel\" { print \$2 }" /sys/fs/cgroup/cgprov.slice/memory.stat)" -gt 0 ] &&
	[ -z "$(cat /sys/fs/cgroup/cgprov.slice/cgroup.procs)" ]'
echo -memory > /sys/fs/cgroup/cgroup.subtree_control
check "internal/ is private to root" bash -c '[ "$(stat -c %a:%u /run/cgprov/internal)" = 700:0 ]'
check "the stats iterator is published read-only in progs/" bash -c '[ "$(stat -c %a /run/cgprov/progs/stats)" = 444 ]'

pins_before=$(ls -iR /run/cgprov)
out=$("$CGPROV" install)
check "a second install reports it is already installed" grep -q "already installed" <<<"$out"
check "a second install changes no pin" bash -c '[ "$1" = "$(ls -iR /run/cgprov)" ]' _ "$pins_before"

check "stat prints a cgroup's stats by path" bash -c "'$CGPROV' stat /sys/fs/cgroup/cgprov-preexisting | grep -qx 'runq_delay_count [0-9]*'"
check "stat --json prints an object keyed by path" bash -c "'$CGPROV' --json stat /sys/fs/cgroup/cgprov-preexisting | grep -q '^{\"/sys/fs/cgroup/cgprov-preexisting\":{\"runq_delay_count\":'"
check "stat of a non-cgroup fails with exit 1" bash -c "'$CGPROV' stat /tmp; [ \$? = 1 ]"
check "an unknown subcommand is a usage error (exit 2)" bash -c "'$CGPROV' frobnicate 2>/dev/null; [ \$? = 2 ]"
rmdir /sys/fs/cgroup/cgprov-preexisting/inner /sys/fs/cgroup/cgprov-preexisting
finish
