#!/usr/bin/env bash
# uninstall removes every pin and leaves no dying cgroups behind.
. "$(dirname "$0")/../lib.sh"

# Cgroups provisioned by the kernel and removed after the uninstall must
# not stay dying (their pins are gone with it).
probe=$(dying_probe_cgroup)
mkdir "$probe/a" "$probe/b"
check "a cgroup made while installed has its stats file" test -e "$(stats_file "$probe/a")"
check "uninstall succeeds" "$CGPROV" uninstall
check "no cgprov pin is left in bpffs" bash -c '! test -e /sys/fs/bpf/cgprov'
check "status reports not installed (exit 1)" bash -c "'$CGPROV' status >/dev/null; [ \$? = 1 ]"
rmdir "$probe/a" "$probe/b"
check "no cgroup removed after uninstall stays dying" wait_no_dying "$probe"
rmdir "$probe"
check "no provisioner program is attached any more" bash -c '! bpftool link show | grep -q "cgroup_[mr]kdir_s"'
check "uninstall when not installed succeeds" "$CGPROV" uninstall
finish
