#!/usr/bin/env bash
# An unprivileged user with a mount namespace of its own (unshare -Urm)
# bind-mounts a file of its own over stats files: over root's service's,
# which root then removes, and over its own cgroup's, which it removes from
# inside that namespace. The kernel's unpin detaches such mounts in every
# namespace: the file goes, its cgroup is not kept dying, and the user's
# cgroups still get their files.
. "$(dirname "$0")/../lib.sh"

fake=/tmp/cgprov-attack-fake
rm -f "$fake"
as_user sh -c "echo fake > $fake"

# mounted_in PID FILE: FILE is a mount point in the mount namespace of PID.
mounted_in() { awk -v f="$2" '$5 == f { found = 1 } END { exit !found }' "/proc/$1/mountinfo"; }
not_mounted_in() { ! mounted_in "$@"; }

unpin_errors() { "$CGPROV" --json status | grep -o '"unpin_errors": [0-9]*' | grep -o '[0-9]*$'; }
errors_before=$(unpin_errors)

# 1. Over root's cgroup, in a namespace that outlives the removal.
probe=$(dying_probe_cgroup)
service=$probe/service
mkdir "$service"
file=$(stats_file "$service")
out=$(mktemp)
# unshare (no --fork) and sh exec in turn: the shell's pid, printed, is the
# namespace's only process, which then sleeps.
as_user unshare -Urm sh -c 'mount --bind "$1" "$2" && echo "mounted $$" && exec sleep 300' _ \
	"$fake" "$file" > "$out" 2>&1 &
holder=$!
wait_for_output "$out" '^mounted '
attacker=$(awk '$1 == "mounted" { print $2 }' "$out")
check "the user mounts over root's service's stats file in its own namespace" test -n "$attacker"
check "there the file is the user's" mounted_in "$attacker" "$file"
check "root's namespace still reads the real file" grep -q '^runq_delay_count ' "$file"
rmdir "$service"
check "after root removes the cgroup, its stats file is gone" test ! -e "$file"
check "the user's namespace is still there" kill -0 "$attacker"
check "the user's mount on it was detached" not_mounted_in "$attacker" "$file"
check "the removed cgroup is not kept dying" wait_no_dying "$probe"
kill "$attacker" 2>/dev/null
wait "$holder" 2>/dev/null

# 2. Over its own cgroup's file, removing the cgroup from inside.
own=$(delegated_cgroup)
as_user mkdir "$own/job"
file=$(stats_file "$own/job")
as_user unshare -Urm sh -c 'mount --bind "$1" "$2" && grep -qx fake "$2" && rmdir "$3" && echo removed' _ \
	"$fake" "$file" "$own/job" > "$out" 2>&1
check "from its namespace, the user removes its own cgroup with its file mounted over" grep -qx removed "$out"
check "the cgroup's stats file is gone" test ! -e "$file"
check "and the cgroup is not kept dying" wait_no_dying "$own"

# The user still works.
as_user mkdir "$own/after"
check "the user's next cgroup gets its file, which it reads" as_user grep -q '^runq_delay_count ' "$(stats_file "$own/after")"
as_user rmdir "$own/after"
check "the provisioner recorded no unpin error ($errors_before before)" test "$(unpin_errors)" = "$errors_before"

rm -f "$out" "$fake"
remove_cgroup_tree "$own"
rmdir "$probe"
finish
