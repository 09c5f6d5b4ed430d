#!/usr/bin/env bash
# install explains what is missing, exits 1 and creates nothing; it needs
# no bpffs mounted anywhere, since it mounts its own.
. "$(dirname "$0")/../lib.sh"

out=$(as_user "$CGPROV" install 2>&1)
status=$?
check "install as an unprivileged user fails with exit 1" test "$status" = 1
check "and says it needs root" bash -c 'head -n1 <<<"$1" | grep -qx "Error: not running as root"' _ "$out"
check "and pins or mounts nothing" bash -c '! test -e /run/cgprov && ! test -e /sys/fs/bpf/cgprov'
check "--json errors are JSON" bash -c "setpriv --reuid='$CGPROV_TEST_UID' --regid='$CGPROV_TEST_GID' --clear-groups -- '$CGPROV' --json install | grep -q '^{\"ready\": false, \"missing\": \\[{\"what\": \"not running as root'"

umount /sys/fs/bpf
check "with no bpffs mounted at /sys/fs/bpf, probe is satisfied" "$CGPROV" probe
check "and install succeeds" "$CGPROV" install
check "into its own instance" bash -c '[ "$(stat -f -c %T /run/cgprov)" = bpf_fs ] && test -r "$1"' _ "$(stats_file /sys/fs/cgroup)"
check "mounting nothing at /sys/fs/bpf" bash -c '! mountpoint -q /sys/fs/bpf'
check "uninstall succeeds" "$CGPROV" uninstall
check "and leaves nothing mounted" bash -c '! findmnt -rn -t bpf | grep -q .'
mount -t bpf bpffs /sys/fs/bpf
finish
