#!/usr/bin/env bash
# An upgrade from cgprov 0.1 (the first stats layout, built by `make build`
# from its commit), which kept its tree at /sys/fs/bpf/cgprov, carries every
# cgroup's numbers over into the tree at /run/cgprov: the same totals, a
# removed child's numbers still in its parent, and the old tree gone.
. "$(dirname "$0")/../lib.sh"
v1=$(dirname "$CGPROV")/v1/cgprov

# Of cgroup $1, in the tree at STATS_DIR.
runq() { awk -v k="runq_delay_$2" '$1 == k { print $2 }' "$STATS_DIR/$(stat -c %i "$1")"; }
hist_sum() { awk '$1 ~ /^runq_delay_log2_ns_/ { s += $2 } END { print s }' "$(stats_file "$1")"; }
sleep_wake_in() { # CGROUP N: a task that sleeps and wakes N times there
	bash -c 'echo $$ > "$1/cgroup.procs" && for i in $(seq "$2"); do sleep 0.001; done' _ "$1" "$2"
}

"$CGPROV" uninstall >/dev/null
check "cgprov 0.1 installs" "$v1" install
check "at the legacy root, /sys/fs/bpf/cgprov" test -d /sys/fs/bpf/cgprov/stats
a=/sys/fs/cgroup/cgprov-v1
mkdir -p "$a/b/c"
sleep_wake_in "$a/b/c" 30
sleep_wake_in "$a/b" 20
sleep_wake_in "$a" 10
rmdir "$a/b/c"
legacy_file=/sys/fs/bpf/cgprov/stats/$(stat -c %i "$a/b")
check "the 0.1 stats file is there" test -r "$legacy_file"
STATS_DIR=/sys/fs/bpf/cgprov/stats
a_count=$(runq "$a" count) a_total=$(runq "$a" total_ns) a_max=$(runq "$a" max_ns)
b_count=$(runq "$a/b" count) b_total=$(runq "$a/b" total_ns)
STATS_DIR=/run/cgprov/stats
echo "# under 0.1: a $a_count waits, $a_total ns; b $b_count waits, $b_total ns"
out=$("$CGPROV" install 2>&1)
echo "$out" | sed 's/^/# /'
check "installing this version over 0.1 is an upgrade" grep -q "upgraded from" <<<"$out"
check "and says it carried the numbers over" grep -q "carried over from the v1 layout" <<<"$out"
check "and moved the tree" grep -q "moved from /sys/fs/bpf/cgprov" <<<"$out"
check "the install is complete" "$CGPROV" status
check "the stats file is in /run/cgprov now" test -r "$(stats_file "$a/b")"
check "a's waits carried over, its removed grandchild's included ($a_count)" test "$(runq "$a" count)" = "$a_count"
check "a's delay total carried over" test "$(runq "$a" total_ns)" = "$a_total"
check "a's longest delay carried over" test "$(runq "$a" max_ns)" = "$a_max"
check "b's waits and total carried over" test "$(runq "$a/b" count) $(runq "$a/b" total_ns)" = "$b_count $b_total"
check "the histogram still sums to the count" test "$(hist_sum "$a")" = "$(runq "$a" count)"
check "the 0.1 tree is gone, its stats files, maps and all" test ! -e /sys/fs/bpf/cgprov
check "nothing named cgprov is left in /sys/fs/bpf" bash -c '[ -z "$(find /sys/fs/bpf -name "cgprov*")" ]'
check "the 0.1 provisioner is detached: one provisioner runs" wait_links_of_prog provision 1

sleep_wake_in "$a/b" 15
new_b=$(($(runq "$a/b" count) - b_count)) new_a=$(($(runq "$a" count) - a_count))
check "new waits count in b ($new_b) and in a, hierarchically" test "$new_b" -ge 15 -a "$new_a" = "$new_b"
rmdir "$a/b" "$a"
finish
