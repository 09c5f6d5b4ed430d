#!/usr/bin/env bash
# cgroup2, bpffs and securityfs are mounted as on a host, and /run is the
# guest's (cgprov mounts its own bpffs at /run/cgprov).
. "$(dirname "$0")/../lib.sh"

check "cgroup2 is mounted at /sys/fs/cgroup" bash -c '[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]'
check "bpffs is mounted at /sys/fs/bpf" bash -c '[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]'
check "securityfs is mounted at /sys/kernel/security" mountpoint -q /sys/kernel/security
check "/run is the guest's own tmpfs" bash -c '[ "$(stat -f -c %T /run)" = tmpfs ]'
finish
