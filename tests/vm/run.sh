#!/usr/bin/env bash
# In-guest test runner: runs every test of the named suites (directories
# under tests/vm/), counts TAP lines, and checks the kernel log last.
#
# Usage: tests/vm/run.sh [--results FILE] SUITE...
#
# A test is an executable file in a suite directory, run in name order. It
# either prints TAP lines (each counts) or prints none (its exit status counts
# once: 0 pass, 77 skip, anything else fail). The runner prints one TAP line
# per check and a summary `N passed, N failed, N skipped in this VM`; FILE receives the
# TAP lines too. Exit status is non-zero if anything failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/tap.sh
. "$here/../../scripts/lib/tap.sh"
results=$(mktemp)
if [ "${1:-}" = --results ]; then results=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [--results FILE] SUITE..." >&2; exit 2; }
mkdir -p "$(dirname "$results")"
: > "$results"

# Before anything else: /run must be the guest's own (cgprov mounts its
# bpffs instance at /run/cgprov), never a directory of the host's.
[ "$(stat -f -c %T /run)" = tmpfs ] || mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
# The guest starts with cgroup2 mounted but without bpffs or securityfs.
# The system's bpffs, as a host has it: tests check that cgprov leaves it alone.
mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf 2>/dev/null
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
dmesg -C 2>/dev/null || true

record() { echo "$1" | tee -a "$results"; }

for suite in "$@"; do
	[ -d "$here/$suite" ] || { record "not ok - $suite: no such suite"; continue; }
	for test in "$here/$suite"/*; do
		[ -f "$test" ] && [ -x "$test" ] || continue
		name="$suite/$(basename "$test")"
		echo "# $name"
		out=$(mktemp)
		timeout 600 "$test" > "$out" 2>&1
		status=$?
		if tap_has_lines "$out"; then
			grep -vE '^(not )?ok ' "$out" | sed 's/^/    /'
			tap_label "$name" < "$out" | while read -r line; do
				record "$line"
			done
			if [ "$status" != 0 ] && ! grep -q '^not ok ' "$out"; then
				record "not ok - $name: exited $status after its checks"
			fi
		else
			sed 's/^/    /' "$out"
			case "$status" in
			0) record "ok - $name" ;;
			77) record "ok - $name # SKIP" ;;
			124) record "not ok - $name: timed out" ;;
			*) record "not ok - $name: exit status $status" ;;
			esac
		fi
		rm -f "$out"
	done
done

# Any kernel warning during the run is a failure of the run.
warnings=$(dmesg 2>/dev/null | grep -E 'WARNING:|BUG:|lockdep|possible recursive locking|suspicious RCU usage|sleeping function called from invalid context|INFO: task .* blocked' || true)
if [ -z "$warnings" ]; then
	record "ok - kernel log has no warnings"
else
	record "not ok - kernel log has no warnings"
	printf '    %s\n' "$warnings" | head -n 40
fi

read -r passed failed skipped < <(tap_count "$results")
# Not the driver's closing line: the host adds these to its own totals.
echo "$passed passed, $failed failed, $skipped skipped in this VM"
[ "$failed" = 0 ]
