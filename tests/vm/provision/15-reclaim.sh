#!/usr/bin/env bash
# Reclaim delays: a task that runs into its cgroup's memory limit spends time
# in memcg reclaim, which its stats file counts, and so do its ancestors'.
. "$(dirname "$0")/../lib.sh"

echo +memory > /sys/fs/cgroup/cgroup.subtree_control
parent=/sys/fs/cgroup/cgprov-reclaim
mkdir -p "$parent/limited"
echo +memory > "$parent/cgroup.subtree_control"
echo 16M > "$parent/limited/memory.max"
echo 0 > "$parent/limited/memory.swap.max" 2>/dev/null

# 64 MiB of anonymous memory against a 16 MiB limit: reclaim, then the OOM killer.
bash -c 'echo $$ > "$1/cgroup.procs" && exec python3 -c "bytearray(64 << 20)"' _ "$parent/limited" 2>/dev/null
echo "# workload exit status $? (137: killed by the OOM killer, as intended)"

reclaim() { awk -v k="reclaim_delay_$2" '$1 == k { print $2 }' "$(stats_file "$1")"; }
check "the limited cgroup counts reclaim episodes ($(reclaim "$parent/limited" count))" test "$(reclaim "$parent/limited" count)" -gt 0
check "and time spent in them" test "$(reclaim "$parent/limited" total_ns)" -gt 0
check "its parent counts the same" test "$(reclaim "$parent" count)" = "$(reclaim "$parent/limited" count)"
check "the longest episode is within the total" test "$(reclaim "$parent/limited" max_ns)" -le "$(reclaim "$parent/limited" total_ns)"

rmdir "$parent/limited" "$parent"
echo -memory > /sys/fs/cgroup/cgroup.subtree_control
finish
