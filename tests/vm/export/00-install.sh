#!/usr/bin/env bash
# The export suite installs cgprov itself (and uninstalls it in 90-).
. "$(dirname "$0")/../lib.sh"

check "install succeeds" "$CGPROV" install
check "status reports a complete install" "$CGPROV" status
check "every cgroup has a stats file" all_cgroups_provisioned
finish
