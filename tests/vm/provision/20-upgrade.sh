#!/usr/bin/env bash
# A new version replaces the programs in place: stats files and numbers stay.
. "$(dirname "$0")/../lib.sh"

cg=/sys/fs/cgroup/cgprov-upgrade
mkdir "$cg"
file=$(stats_file "$cg")
echo 0 > "$cg/cgroup.procs" && for i in $(seq 20); do sleep 0.001; done && echo 0 > /sys/fs/cgroup/cgroup.procs
count_before=$(awk '$1 == "runq_delay_count" { print $2 }' "$file")
inode_before=$(stat -c %i "$file")
prog_before=$(bpftool -j link show pinned "$file" | grep -o '"prog_id":[0-9]*')

out=$("$CGPROV" install --version-tag cgprov-upgrade-test)
check "install of another version reports an upgrade" grep -q "upgraded from" <<<"$out"
check "status shows the new version" bash -c "'$CGPROV' status | grep -qx 'installed: cgprov-upgrade-test'"
check "the stats file is the same file" bash -c '[ "$(stat -c %i "$1")" = "$2" ]' _ "$file" "$inode_before"
check "the stats file now runs the new program" bash -c '[ "$(bpftool -j link show pinned "$1" | grep -o "\"prog_id\":[0-9]*")" != "$2" ]' _ "$file" "$prog_before"
check "numbers were not reset ($count_before before)" bash -c '[ "$(awk "\$1 == \"runq_delay_count\" { print \$2 }" "$1")" -ge "$2" ] && [ "$2" -gt 0 ]' _ "$file" "$count_before"
check "new cgroups still get stats files" bash -c 'mkdir "$1/new" && test -r "$(stat -c %i "$1/new" | sed "s|^|/sys/fs/bpf/cgprov/stats/|")" && rmdir "$1/new"' _ "$cg"
out=$("$CGPROV" install)
check "installing the built version again upgrades back" grep -q "upgraded from cgprov-upgrade-test" <<<"$out"
rmdir "$cg"
finish
