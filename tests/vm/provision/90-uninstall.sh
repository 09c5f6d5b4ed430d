#!/usr/bin/env bash
# uninstall removes every pin and leaves no dying cgroups behind.
. "$(dirname "$0")/../lib.sh"

baseline=$(cat /tmp/cgprov-dying-baseline)
mkdir -p /sys/fs/cgroup/cgprov-before-uninstall
check "uninstall succeeds" "$CGPROV" uninstall
check "no cgprov pin is left in bpffs" bash -c '! test -e /sys/fs/bpf/cgprov'
check "status reports not installed (exit 1)" bash -c "'$CGPROV' status >/dev/null; [ \$? = 1 ]"
rmdir /sys/fs/cgroup/cgprov-before-uninstall
check "no dying cgroups remain" wait_dying "$baseline"
check "no provisioner program is attached any more" bash -c '! bpftool link show | grep -q "cgroup_[mr]kdir_s"'
check "uninstall when not installed succeeds" "$CGPROV" uninstall
finish
