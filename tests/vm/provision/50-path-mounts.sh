#!/usr/bin/env bash
# Root mounts over the path to the stats directory: a cgroupfs directory
# bind-mounted over the bpffs instance, whose mkdir then provisions a child
# while the VFS holds that very directory locked. A provisioner that looked
# the stats directory up by path would walk into the locked directory and
# hang (or pin somewhere else); the kernel holds the directory instead, so
# the file is made in it, is there once the mount is gone, and goes with
# rmdir. Then the same with a tmpfs over the stats directory itself.
. "$(dirname "$0")/../lib.sh"

root_dir=$(dirname "$STATS_DIR")
probe=$(dying_probe_cgroup)
pinned_before=$("$CGPROV" --json status | grep -o '"pinned": [0-9]*' | grep -o '[0-9]*$')

# 1. The cgroupfs parent over the instance's root, mkdir and rmdir below it.
mount --bind "$probe" "$root_dir"
check "the cgroup directory now covers $root_dir" test -e "$root_dir/cgroup.procs"
timeout 60 mkdir "$probe/child"
made=$?
child_id=$(stat -c %i "$probe/child" 2>/dev/null)
umount "$root_dir"
check "mkdir below the cgroup mounted over the path returns" test "$made" = 0
check "its stats file is in the held directory once the mount is gone" \
	grep -q '^runq_delay_count ' "$STATS_DIR/$child_id"
mount --bind "$probe" "$root_dir"
timeout 60 rmdir "$probe/child"
removed=$?
umount "$root_dir"
check "rmdir below it returns" test "$removed" = 0
check "and the stats file is gone" test ! -e "$STATS_DIR/$child_id"

# 2. A tmpfs over the stats directory itself.
mount -t tmpfs tmpfs "$STATS_DIR"
mkdir "$probe/under-tmpfs"
child_id=$(stat -c %i "$probe/under-tmpfs")
check "nothing is pinned in the tmpfs over the stats directory" test ! -e "$STATS_DIR/$child_id"
umount "$STATS_DIR"
check "the file is in the stats directory beneath" grep -q '^runq_delay_count ' "$STATS_DIR/$child_id"
rmdir "$probe/under-tmpfs"
check "and goes with rmdir" test ! -e "$STATS_DIR/$child_id"

check "no removed cgroup is kept dying" wait_no_dying "$probe"
pinned_after=$("$CGPROV" --json status | grep -o '"pinned": [0-9]*' | grep -o '[0-9]*$')
check "the provisioner pinned both files ($pinned_before before, $pinned_after after)" \
	test "$pinned_after" -ge $((pinned_before + 2))
check "status still finds the instance" "$CGPROV" status
rmdir "$probe"
finish
