#!/usr/bin/env bash
# Booted with lsm=capability: the cgprov kernel without the BPF LSM active.
# install names what is missing and creates nothing.
. "$(dirname "$0")/../lib.sh"

check "the BPF LSM is not active in this boot" bash -c '! grep -qw bpf /sys/kernel/security/lsm'
out=$("$CGPROV" install 2>&1)
status=$?
printf '    %s\n' "$out"
check "install fails with exit status 1" test "$status" = 1
check "the first line names the missing LSM" bash -c 'head -n1 <<<"$1" | grep -q "^Error: '"'"'bpf'"'"' is not in the active LSM list (capability)$"' _ "$out"
check "nothing was pinned or mounted" bash -c '! test -e /run/cgprov && ! test -e /sys/fs/bpf/cgprov'
finish
