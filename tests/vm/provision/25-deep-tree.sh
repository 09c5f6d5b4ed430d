#!/usr/bin/env bash
# A user's deep cgroup tree (17 levels of 255-byte names: a path over
# 4 KiB) does not break install, upgrade, status or stat; the install walks
# it relative to directory fds and gives every cgroup its file.
. "$(dirname "$0")/../lib.sh"

base=$(delegated_cgroup)
name=$(printf 'd%.0s' $(seq 255))
levels=17
# As the user, each level made relative to the one above (mkdir of the
# whole path would fail with ENAMETOOLONG).
as_user bash -c 'cd "$1" && for i in $(seq "$3"); do mkdir "$2" && cd "$2" || exit 1; done' _ "$base" "$name" "$levels"
deep=$base
for _ in $(seq "$levels"); do deep="$deep/$name"; done
check "the user's deepest cgroup path is longer than 4 KiB (${#deep} bytes)" test "${#deep}" -gt 4096

# Ids of the tree's cgroups, top down, read relative to each level.
tree_ids() { bash -c 'cd "$1" && for i in $(seq "$3"); do cd "$2" && stat -c %i .; done' _ "$base" "$name" "$levels"; }
# Every cgroup of the tree has its stats file.
tree_provisioned() {
	local id
	for id in $(tree_ids); do test -r "$STATS_DIR/$id" || { echo "no stats file for cgroup $id"; return 1; }; done
}
check "the provisioner made every level's stats file" tree_provisioned
check "status with the deep tree present" "$CGPROV" status
check "stat of the deepest cgroup by its long path" bash -c '"$1" stat "$2" | grep -q "^runq_delay_count [0-9]*$"' _ "$CGPROV" "$deep"

# An upgrade walks the whole hierarchy (backfill, then switching files).
out=$("$CGPROV" install --version-tag cgprov-deep-upgrade 2>&1)
status=$?
printf '    %s\n' "$out"
check "an upgrade with the deep tree present succeeds" test "$status" = 0
check "and reports the upgrade, skipping nothing" bash -c 'grep -q "upgraded from" <<<"$1" && ! grep -q "^skipped" <<<"$1"' _ "$out"
check "the deepest cgroup's file runs the new program" bash -c '
	f=$1/$(tail -n1 <<<"$2"); p=$(bpftool -j link show pinned "$f" | grep -o "\"prog_id\":[0-9]*")
	[ "$p" = "$(bpftool -j prog show pinned /run/cgprov/progs/stats | grep -o "\"id\":[0-9]*" | head -n1 | sed s/id/prog_id/)" ]' _ "$STATS_DIR" "$(tree_ids)"

# Before an install: uninstall, then install with the tree in place.
check "uninstall with the deep tree present" "$CGPROV" uninstall
out=$("$CGPROV" install 2>&1)
status=$?
printf '    %s\n' "$out"
check "a fresh install with the deep tree present succeeds" test "$status" = 0
check "and gives every level its stats file" tree_provisioned
check "status reports a complete install" "$CGPROV" status

# Hierarchy past the flusher's direct reach (8 ancestors): waits in the
# deepest cgroup count in every level above it, in the delegated cgroup and
# in the root, through the pending counters of every ninth ancestor.
runq_count_of() { awk '$1 == "runq_delay_count" { print $2 }' "$STATS_DIR/$1"; }
base_id=$(stat -c %i "$base") root_id=$(stat -c %i /sys/fs/cgroup)
declare -A before
for id in $(tree_ids) "$base_id" "$root_id"; do before[$id]=$(runq_count_of "$id"); done
bash -c 'cd "$1" && for i in $(seq "$3"); do cd "$2" || exit 1; done && echo $$ > cgroup.procs &&
	for i in $(seq 40); do sleep 0.001; done' _ "$base" "$name" "$levels"
leaf_id=$(tree_ids | tail -n1)
leaf_new=$(($(runq_count_of "$leaf_id") - before[$leaf_id]))
# Every level of the tree (nothing else runs there), shallowest first.
levels_agree() {
	local id new
	for id in $(tree_ids); do
		new=$(($(runq_count_of "$id") - before[$id]))
		[ "$new" = "$leaf_new" ] || { echo "cgroup $id: $new new waits, the deepest $leaf_new"; return 1; }
	done
}
check "the deepest cgroup counted its task's waits ($leaf_new)" test "$leaf_new" -ge 40
check "every level of the 17 counted the same waits" levels_agree
check "the delegated cgroup and the root counted them too" bash -c '[ $(($2 - $3)) -ge "$1" ] && [ $(($4 - $5)) -ge "$1" ]' _ "$leaf_new" \
	"$(runq_count_of "$base_id")" "${before[$base_id]}" "$(runq_count_of "$root_id")" "${before[$root_id]}"

# Deepest first, each relative to its parent.
find "$base" -depth -type d -delete 2>/dev/null
check "the deep tree is removed" test ! -e "$base"
finish
