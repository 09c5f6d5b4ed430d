#!/usr/bin/env bash
# An upgrade from each earlier stats layout (each release built by `make
# build` from its commit) carries every cgroup's numbers over: the same
# totals, a removed grandchild's numbers still in its ancestors, the old
# maps gone. cgprov 0.1 (layout v1) kept its tree at /sys/fs/bpf/cgprov,
# which the upgrade also moves; the last v2 release is at /run/cgprov.
. "$(dirname "$0")/../lib.sh"
release_dir=$(dirname "$CGPROV")

# Field $2 of the run-queue delays of cgroup $1, in the tree at STATS_DIR.
runq() { awk -v k="runq_delay_$2" '$1 == k { print $2 }' "$STATS_DIR/$(stat -c %i "$1")"; }
hist_sum() { awk '$1 ~ /^runq_delay_log2_ns_/ { s += $2 } END { print s }' "$(stats_file "$1")"; }
sleep_wake_in() { # CGROUP N: a task that sleeps and wakes N times there
	bash -c 'echo $$ > "$1/cgroup.procs" && for i in $(seq "$2"); do sleep 0.001; done' _ "$1" "$2"
}

# LAYOUT RELEASE_NAME OLD_ROOT OLD_MAP
upgrade_from() {
	local layout=$1 name=$2 old_root=$3 old_map=$4 out
	local old="$release_dir/$layout/cgprov" a=/sys/fs/cgroup/cgprov-$layout
	"$CGPROV" uninstall >/dev/null
	check "$name installs" "$old" install
	check "at $old_root, with its map $old_map" test -e "$old_root/internal/$old_map"
	mkdir -p "$a/b/c"
	sleep_wake_in "$a/b/c" 30
	sleep_wake_in "$a/b" 20
	sleep_wake_in "$a" 10
	rmdir "$a/b/c"
	STATS_DIR=$old_root/stats
	check "$name's stats file is there" test -r "$STATS_DIR/$(stat -c %i "$a/b")"
	local a_count a_total a_max b_count b_total
	a_count=$(runq "$a" count) a_total=$(runq "$a" total_ns) a_max=$(runq "$a" max_ns)
	b_count=$(runq "$a/b" count) b_total=$(runq "$a/b" total_ns)
	STATS_DIR=/run/cgprov/stats
	echo "# under $name: a $a_count waits, $a_total ns; b $b_count waits, $b_total ns"
	out=$("$CGPROV" install 2>&1)
	echo "$out" | sed 's/^/# /'
	check "installing this version over $name is an upgrade" grep -q "upgraded from" <<<"$out"
	check "and says it carried the numbers over from layout $layout" grep -q "carried over from the $layout layout" <<<"$out"
	check "the install is complete" "$CGPROV" status
	check "the stats file is in /run/cgprov" test -r "$(stats_file "$a/b")"
	check "a's waits carried over, its removed grandchild's included ($a_count)" test "$(runq "$a" count)" = "$a_count"
	check "a's delay total carried over" test "$(runq "$a" total_ns)" = "$a_total"
	check "a's longest delay carried over" test "$(runq "$a" max_ns)" = "$a_max"
	check "b's waits and total carried over" test "$(runq "$a/b" count) $(runq "$a/b" total_ns)" = "$b_count $b_total"
	check "the histogram still sums to the count" test "$(hist_sum "$a")" = "$(runq "$a" count)"
	check "the $layout map is gone" test ! -e "$old_root/internal/$old_map"
	check "the current maps are pinned" test -e /run/cgprov/internal/cgroup_stats_v3 -a -e /run/cgprov/internal/cgroup_pending
	check "nothing named cgprov is left in /sys/fs/bpf" bash -c '[ -z "$(find /sys/fs/bpf -name "cgprov*")" ]'
	check "$name's provisioner is detached: one provisioner runs" wait_links_of_prog provision 1

	sleep_wake_in "$a/b" 15
	local new_b new_a
	new_b=$(($(runq "$a/b" count) - b_count)) new_a=$(($(runq "$a" count) - a_count))
	check "new waits count in b ($new_b) and in a, hierarchically" test "$new_b" -ge 15 -a "$new_a" = "$new_b"
	out=$("$CGPROV" install 2>&1)
	check "installing again carries nothing" bash -c '! grep -q "carried over" <<<"$1"' _ "$out"
	check "and keeps the numbers" test "$(runq "$a/b" count)" -ge "$((b_count + new_b))"
	rmdir "$a/b" "$a"
}

upgrade_from v1 "cgprov 0.1" /sys/fs/bpf/cgprov cgroup_stats
check "and moved the 0.1 tree away: /sys/fs/bpf/cgprov is gone" test ! -e /sys/fs/bpf/cgprov
upgrade_from v2 "the last v2 release" /run/cgprov cgroup_stats_v2
finish
