#!/usr/bin/env bash
# cgprov's own bpffs instance at /run/cgprov: mounted by install, closed to
# others at its top, and apart from the system's /sys/fs/bpf, which a user
# need not reach (systemd mounts it with mode 0700).
. "$(dirname "$0")/../lib.sh"

ROOT=/run/cgprov
bpffs_mode=$(stat -c %a /sys/fs/bpf)
restore() { chmod "$bpffs_mode" /sys/fs/bpf; }
trap restore EXIT

check "$ROOT is a bpffs" bash -c '[ "$(stat -f -c %T "$1")" = bpf_fs ]' _ "$ROOT"
check "$ROOT is a mount of its own" mountpoint -q "$ROOT"
check "and not the system's bpffs" bash -c '[ "$(stat -c %d "$1")" != "$(stat -c %d /sys/fs/bpf)" ]' _ "$ROOT"
# mode=0755; bpffs sets the sticky bit on every mount's root.
check "its root is root's, mode 0755 (and sticky)" bash -c '[ "$(stat -c %a:%u:%g "$1")" = 1755:0:0 ]' _ "$ROOT"
options=$(findmnt -n -o OPTIONS "$ROOT")
echo "# $ROOT: $options"
for option in nosuid nodev noexec; do
	check "it is mounted $option" grep -qw "$option" <<<"${options//,/ }"
done
check "status reports the mount" bash -c "'$CGPROV' status | grep -qx 'mount: $ROOT (cgprov'\''s bpffs instance)'"
check "status --json reports it" bash -c "'$CGPROV' --json status | grep -q '\"root\": \"$ROOT\", \"mounted\": true, \"legacy_tree\": false'"
check "nothing named cgprov is in /sys/fs/bpf" bash -c '[ -z "$(find /sys/fs/bpf -name "cgprov*")" ]'

cg=$(delegated_cgroup)
chmod 0700 /sys/fs/bpf
check "with /sys/fs/bpf at 0700 a user still reads a stats file" as_user grep -q '^runq_delay_count ' "$(stats_file "$cg")"
check "and runs cgprov stat" bash -c "setpriv --reuid='$CGPROV_TEST_UID' --regid='$CGPROV_TEST_GID' --clear-groups -- '$CGPROV' stat '$cg' | grep -q '^runq_delay_count '"
check "but still cannot reach /sys/fs/bpf" bash -c "! setpriv --reuid='$CGPROV_TEST_UID' --regid='$CGPROV_TEST_GID' --clear-groups -- ls /sys/fs/bpf >/dev/null 2>&1"
restore
check "a user cannot make an entry at the instance's top" bash -c "! setpriv --reuid='$CGPROV_TEST_UID' --regid='$CGPROV_TEST_GID' --clear-groups -- mkdir '$ROOT/mine' 2>/dev/null && ! test -e '$ROOT/mine'"
check "nor hard-link a name of the instance into the system's bpffs" bash -c '! ln "$1" /sys/fs/bpf/cgprov-link 2>/dev/null && ! test -e /sys/fs/bpf/cgprov-link' _ "$(stats_file "$cg")"

pins_before=$(ls -iR "$ROOT")
mounts_before=$(findmnt -rn -o TARGET,SOURCE,FSTYPE | grep -c "^$ROOT ")
check "a second install reuses the instance" "$CGPROV" install
check "and mounts nothing more" test "$(findmnt -rn -o TARGET,SOURCE,FSTYPE | grep -c "^$ROOT ")" = "$mounts_before"
check "and changes no pin" bash -c '[ "$1" = "$(ls -iR "$2")" ]' _ "$pins_before" "$ROOT"
remove_cgroup_tree "$cg"
finish
