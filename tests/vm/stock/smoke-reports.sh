#!/usr/bin/env bash
# On Debian's stock kernel the smoke suite names exactly what the stock kernel
# lacks instead of passing silently.
. "$(dirname "$0")/../lib.sh"

out=$("$(dirname "$0")/../run.sh" smoke 2>&1)
status=$?
printf '%s\n' "$out" | grep -E '^(not )?ok ' | sed 's/^/    /'

check "smoke suite fails on the stock kernel" test "$status" -ne 0
check "it reports that the kernel is not the cgprov build" \
	grep -q '^not ok - smoke/kernel.sh: kernel is the cgprov build' <<<"$out"
check "it still passes BTF, cgroup2, bpffs and delegation checks" bash -c '
	for c in "BTF is exposed" "cgroup2 is mounted" "bpffs is mounted" "can mkdir in its delegated subtree"; do
		grep -q "^ok - .*$c" <<<"$1" || { echo "missing: $c"; exit 1; }
	done' _ "$out"
check "it ends with a count line" grep -qE '^[0-9]+ passed, [1-9][0-9]* failed, [0-9]+ skipped in this VM$' <<<"$out"
finish
