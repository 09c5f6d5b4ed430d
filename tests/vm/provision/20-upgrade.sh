#!/usr/bin/env bash
# A new version replaces the programs in place: stats files and numbers
# stay. An install of the last release that kept its tree in the system's
# bpffs (/sys/fs/bpf/cgprov; built by `make build` from its commit) is
# moved to /run/cgprov: the numbers stay, the legacy tree goes.
. "$(dirname "$0")/../lib.sh"

cg=/sys/fs/cgroup/cgprov-upgrade
mkdir "$cg"
file=$(stats_file "$cg")
echo 0 > "$cg/cgroup.procs" && for _ in $(seq 20); do sleep 0.001; done && echo 0 > /sys/fs/cgroup/cgroup.procs
count_before=$(awk '$1 == "runq_delay_count" { print $2 }' "$file")
inode_before=$(stat -c %i "$file")
prog_before=$(bpftool -j link show pinned "$file" | grep -o '"prog_id":[0-9]*')

out=$("$CGPROV" install --version-tag cgprov-upgrade-test)
check "install of another version reports an upgrade" grep -q "upgraded from" <<<"$out"
check "status shows the new version" bash -c "'$CGPROV' status | grep -qx 'installed: cgprov-upgrade-test'"
check "the stats file is the same file" bash -c '[ "$(stat -c %i "$1")" = "$2" ]' _ "$file" "$inode_before"
check "the stats file now runs the new program" bash -c '[ "$(bpftool -j link show pinned "$1" | grep -o "\"prog_id\":[0-9]*")" != "$2" ]' _ "$file" "$prog_before"
check "numbers were not reset ($count_before before)" bash -c '[ "$(awk "\$1 == \"runq_delay_count\" { print \$2 }" "$1")" -ge "$2" ] && [ "$2" -gt 0 ]' _ "$file" "$count_before"
check "new cgroups still get stats files" bash -c 'mkdir "$1/new" && test -r "$(stat -c %i "$1/new" | sed "s|^|/run/cgprov/stats/|")" && rmdir "$1/new"' _ "$cg"
out=$("$CGPROV" install)
check "installing the built version again upgrades back" grep -q "upgraded from cgprov-upgrade-test" <<<"$out"

legacy=$(dirname "$CGPROV")/legacy/cgprov
runq_count() { awk '$1 == "runq_delay_count" { print $2 }' "$1"; }
"$CGPROV" uninstall >/dev/null
check "the legacy release installs" "$legacy" install
check "at /sys/fs/bpf/cgprov" test -r "/sys/fs/bpf/cgprov/stats/$(stat -c %i "$cg")"
owned=$(delegated_cgroup)
as_user mkdir "$owned/mine"
check "it makes the file of a user's cgroup the user's" bash -c '[ "$(stat -c %u "/sys/fs/bpf/cgprov/stats/$(stat -c %i "$1")")" = "$2" ]' _ "$owned/mine" "$CGPROV_TEST_UID"
check "status reports the legacy tree" bash -c "'$CGPROV' status | grep -qx 'legacy tree: /sys/fs/bpf/cgprov (an earlier release'\''s; '\''cgprov install'\'' moves it)'"
echo 0 > "$cg/cgroup.procs" && for _ in $(seq 20); do sleep 0.001; done && echo 0 > /sys/fs/cgroup/cgroup.procs
legacy_count=$(runq_count "/sys/fs/bpf/cgprov/stats/$(stat -c %i "$cg")")
legacy_root_count=$(runq_count "/sys/fs/bpf/cgprov/stats/$(stat -c %i /sys/fs/cgroup)")
out=$("$CGPROV" install 2>&1)
echo "$out" | sed 's/^/# /'
check "installing over the legacy tree is an upgrade" grep -q "upgraded from" <<<"$out"
check "that says it moved the tree" grep -q "moved from /sys/fs/bpf/cgprov" <<<"$out"
check "the install is complete" "$CGPROV" status
check "the cgroup's numbers were kept ($legacy_count waits before)" bash -c '[ "$(awk "\$1 == \"runq_delay_count\" { print \$2 }" "$1")" -ge "$2" ] && [ "$2" -gt 0 ]' _ "$file" "$legacy_count"
check "the root cgroup's too ($legacy_root_count)" bash -c '[ "$(awk "\$1 == \"runq_delay_count\" { print \$2 }" "$1")" -ge "$2" ] && [ "$2" -gt 0 ]' _ "$(stats_file /sys/fs/cgroup)" "$legacy_root_count"
check "every cgroup has a stats file in /run/cgprov" all_cgroups_provisioned
check "every stats file is root's and read-only, also those the legacy release made its cgroup owner's" stats_files_root_read_only
check "the legacy tree is gone" test ! -e /sys/fs/bpf/cgprov
check "nothing named cgprov is left in /sys/fs/bpf" bash -c '[ -z "$(find /sys/fs/bpf -name "cgprov*")" ]'
check "the legacy provisioner is detached: one provisioner runs" wait_links_of_prog provision 1
check "new cgroups get stats files in /run/cgprov only" bash -c 'mkdir "$1/new" && test -r "$2/$(stat -c %i "$1/new")" && ! test -e /sys/fs/bpf/cgprov && rmdir "$1/new"' _ "$cg" "$STATS_DIR"
echo 0 > "$cg/cgroup.procs" && for _ in $(seq 20); do sleep 0.001; done && echo 0 > /sys/fs/cgroup/cgroup.procs
check "and new waits count on top of the kept ones" bash -c '[ "$(awk "\$1 == \"runq_delay_count\" { print \$2 }" "$1")" -ge "$(($2 + 20))" ]' _ "$file" "$legacy_count"
rmdir "$cg"
remove_cgroup_tree "$owned"
finish
