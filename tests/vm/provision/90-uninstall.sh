#!/usr/bin/env bash
# uninstall removes every pin and leaves no dying cgroups behind.
. "$(dirname "$0")/../lib.sh"

# Cgroups provisioned by the kernel and removed after the uninstall must
# not stay dying (their pins are gone with it).
probe=$(dying_probe_cgroup)
mkdir "$probe/a" "$probe/b"
check "a cgroup made while installed has its stats file" test -e "$(stats_file "$probe/a")"
# A stats file open during the uninstall keeps the instance busy: it is
# detached instead, and leaves the mount namespace all the same.
exec 3< "$(stats_file /sys/fs/cgroup)"
check "uninstall succeeds with a stats file open" "$CGPROV" uninstall
check "nothing is mounted at /run/cgprov" bash -c '! findmnt -rn -o TARGET | grep -qx /run/cgprov'
check "nor is /run/cgprov left" test ! -e /run/cgprov
check "the open file still reads, from the detached instance" bash -c "grep -q '^runq_delay_count ' <&3"
exec 3<&-
check "no cgprov pin is left in the system's bpffs" bash -c '[ -z "$(find /sys/fs/bpf -name "cgprov*")" ]'
check "status reports not installed (exit 1)" bash -c "'$CGPROV' status >/dev/null; [ \$? = 1 ]"
rmdir "$probe/a" "$probe/b"
check "no cgroup removed after uninstall stays dying" wait_no_dying "$probe"
rmdir "$probe"
check "no provisioner program is attached any more" bash -c '! bpftool link show | grep -q "cgroup_[mr]kdir_s"'
check "uninstall when not installed succeeds" "$CGPROV" uninstall
finish
