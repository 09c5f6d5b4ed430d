#!/usr/bin/env bash
# cgroup2 and bpffs are mounted where cgprov expects them.
. "$(dirname "$0")/../lib.sh"

check "cgroup2 is mounted at /sys/fs/cgroup" bash -c '[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]'
check "bpffs is mounted at /sys/fs/bpf" bash -c '[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]'
check "securityfs is mounted at /sys/kernel/security" mountpoint -q /sys/kernel/security
finish
