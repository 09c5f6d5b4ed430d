#!/usr/bin/env bash
# On the stock kernel, install explains what is missing and creates nothing.
. "$(dirname "$0")/../lib.sh"

out=$("$CGPROV" install 2>&1)
status=$?
printf '    %s\n' "$out"
check "install fails with exit status 1" test "$status" = 1
check "the first line names the missing kernel support" bash -c 'head -n1 <<<"$1" | grep -q "^Error: kernel lacks the cgprov patches"' _ "$out"
check "nothing was pinned or mounted" bash -c '! test -e /run/cgprov && ! test -e /sys/fs/bpf/cgprov'
check "no cgroup was created" bash -c '! test -e /sys/fs/cgroup/cgprov.slice'
check "probe reports the same and exits 1" bash -c "'$CGPROV' probe 2>&1 | grep -q 'lacks the cgprov patches'"
finish
