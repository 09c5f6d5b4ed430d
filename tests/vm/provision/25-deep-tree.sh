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
for i in $(seq "$levels"); do deep="$deep/$name"; done
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

# Deepest first, each relative to its parent.
find "$base" -depth -type d -delete 2>/dev/null
check "the deep tree is removed" test ! -e "$base"
finish
