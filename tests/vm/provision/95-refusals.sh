#!/usr/bin/env bash
# install explains what is missing, exits 1 and creates nothing.
. "$(dirname "$0")/../lib.sh"

out=$(as_user "$CGPROV" install 2>&1)
status=$?
check "install as an unprivileged user fails with exit 1" test "$status" = 1
check "and says it needs root" bash -c 'head -n1 <<<"$1" | grep -qx "Error: not running as root"' _ "$out"
check "and pins nothing" bash -c '! test -e /sys/fs/bpf/cgprov'

umount /sys/fs/bpf
out=$("$CGPROV" install 2>&1)
status=$?
check "install without bpffs mounted fails with exit 1" test "$status" = 1
check "and says bpffs is not mounted" bash -c 'head -n1 <<<"$1" | grep -qx "Error: bpffs is not mounted at /sys/fs/bpf"' _ "$out"
mount -t bpf bpffs /sys/fs/bpf
check "--json errors are JSON" bash -c "umount /sys/fs/bpf; '$CGPROV' --json install | grep -q '^{\"ready\": false, \"missing\": \\[{\"what\": \"bpffs is not mounted'; r=\$?; mount -t bpf bpffs /sys/fs/bpf; exit \$r"
finish
