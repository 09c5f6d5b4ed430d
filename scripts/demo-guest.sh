#!/usr/bin/env bash
# Runs inside the VM (see scripts/demo.sh): each step prints its command and
# its real output.
set -uo pipefail
exec 2>&1  # one stream, in order
cd "$(dirname "$0")/.." || exit 1
cgprov=build/cgprov
user=1000

step() { printf '\n$ %s\n' "$*"; "$@"; }
as_user() { setpriv --reuid="$user" --regid="$user" --clear-groups -- "$@"; }
# Key lines of a stats file, without the histogram.
brief() { grep -v '_log2_'; }
# Sleep and wake N times inside cgroup $2 of the user's subtree $1, as the
# user: root puts the shell into the subtree, where the user may move it.
workload() {
	bash -c 'echo $$ > "$1/cgroup.procs" &&
		exec setpriv --reuid="$4" --regid="$4" --clear-groups -- bash -c '"'"'
			echo $$ > "$1/cgroup.procs" && for i in $(seq "$2"); do sleep 0.001; done'"'"' _ "$2" "$3"' \
		_ "$1" "$2" "$3" "$user"
}

# The guest's own /run (cgprov mounts its bpffs instance at /run/cgprov).
[ "$(stat -f -c %T /run)" = tmpfs ] || mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security

echo "== the kernel"
step uname -r
step cat /sys/kernel/security/lsm
echo
step findmnt -t bpf,cgroup2
step "$cgprov" probe

echo
echo "== install once, with the example ACL policy; nothing stays running"
step cat loader/policy.toml
step "$cgprov" install --policy loader/policy.toml
step findmnt -o TARGET,FSTYPE,OPTIONS /run/cgprov
step pgrep -c cgprov
step "$cgprov" status

echo
echo "== an unprivileged user with a delegated subtree"
base=/sys/fs/cgroup/demo
mkdir "$base"
chown "$user:$user" "$base" "$base/cgroup.procs" "$base/cgroup.threads" "$base/cgroup.subtree_control"
for dir in a a/b a/b/c; do
	step as_user mkdir "$base/$dir"
	step ls -ln "/run/cgprov/stats/$(stat -c %i "$base/$dir")"
done

echo
echo "== work in a/b/c (100 sleeps) and in a (50 sleeps); a = its own + b, b = c"
workload "$base" "$base/a/b/c" 100
workload "$base" "$base/a" 50
step as_user "$cgprov" stat "$base/a" "$base/a/b" "$base/a/b/c" | brief
a_file=/run/cgprov/stats/$(stat -c %i "$base/a")
printf '\n$ grep -v " 0$" %s  # the non-empty histogram buckets of a\n' "$a_file"
grep '_log2_' "$a_file" | grep -v ' 0$'

echo
echo "== remove c: its numbers stay in b and a; its file goes"
c_file=/run/cgprov/stats/$(stat -c %i "$base/a/b/c")
step as_user rmdir "$base/a/b/c"
step ls "$c_file"
step as_user "$cgprov" --json stat "$base/a/b"

echo
echo "== the user's own file for a subtree (the policy allows it on owned cgroups)"
step as_user "$cgprov" link --cgroup "$base/a" --order descendants-pre --name a-tree
step ls -ln /run/cgprov/user
printf '\n$ as_user grep -c runq_delay_count /run/cgprov/user/%s-a-tree  # a and b\n' "$user"
as_user grep -c runq_delay_count "/run/cgprov/user/$user-a-tree"
echo
echo "== and what the policy refuses"
step as_user "$cgprov" link --cgroup /sys/fs/cgroup --name everything
step as_user bpftool prog show pinned /run/cgprov/progs/stats
step as_user rm "/run/cgprov/user/$user-a-tree"

echo
echo "== uninstall removes every pin"
step "$cgprov" status
rmdir "$base/a/b" "$base/a" "$base"
step "$cgprov" uninstall
step findmnt -t bpf
