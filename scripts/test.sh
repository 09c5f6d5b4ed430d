#!/usr/bin/env bash
# cgprov test driver: Catch2 unit tests and script tests (tests/host/) on the
# host, then the in-VM suites on the patched kernel and on Debian's stock
# kernel, then the systemd suite (scripts/systemd-vm.sh: the patched kernel
# boots Debian with systemd and cgprov's package). Ends with one line
#   N passed, N failed, N skipped
# and a non-zero exit status if anything failed.
#
# Usage: scripts/test.sh [--unit] [--host] [--vm] [--stock] [--systemd]   (default: all)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
results=$repo/build/test-results
mkdir -p "$results"
cd "$repo" || exit 1

run_unit=0 run_host=0 run_vm=0 run_stock=0 run_systemd=0
[ $# -eq 0 ] && run_unit=1 run_host=1 run_vm=1 run_stock=1 run_systemd=1
for arg in "$@"; do
	case "$arg" in
	--unit) run_unit=1 ;;
	--host) run_host=1 ;;
	--vm) run_vm=1 ;;
	--stock) run_stock=1 ;;
	--systemd) run_systemd=1 ;;
	*) echo "test.sh: unknown argument '$arg'" >&2; exit 2 ;;
	esac
done

# shellcheck source=lib/tap.sh
. "$repo/scripts/lib/tap.sh"

passed=0 failed=0 skipped=0
count_tap() { # FILE: add its TAP lines to the totals
	local p f s
	read -r p f s < <(tap_count "$1")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [ "$run_unit" = 1 ]; then
	echo "== unit tests (host)"
	"$repo/build/cgprov-unit-tests" --reporter console --reporter "xml::out=$results/unit.xml"
	# One count per test case, from the XML report's overall totals.
	cases=$(grep -o '<OverallResultsCases [^>]*>' "$results/unit.xml" | tail -n1)
	field() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$cases"; }
	p=$(field successes) f=$(field failures) s=$(field skips)
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ $((p + f + s)) = 0 ]; then
		echo "not ok - unit tests: no test ran"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
fi

if [ "$run_host" = 1 ]; then
	echo "== script tests (host)"
	tap=$results/host.tap
	: > "$tap"
	for test in tests/host/*.sh; do
		echo "# $test"
		"$test" > "$results/host-one.out" 2>&1
		status=$?
		grep -vE '^(not )?ok ' "$results/host-one.out"
		tap_label "$(basename "$test")" < "$results/host-one.out" | tee -a "$tap"
		if [ "$status" != 0 ] && ! grep -q '^not ok ' "$results/host-one.out"; then
			echo "not ok - $test exited $status" | tee -a "$tap"
		fi
	done
	count_tap "$tap"
fi

# count_run TAP STATUS WHAT: count a guest's TAP; no results, or a failed
# exit status with no failed check, is a failure of its own.
count_run() {
	local tap=$1 status=$2 what=$3
	if [ ! -s "$tap" ]; then
		echo "not ok - $what produced no results (exit status $status)" | tee "$tap"
	elif [ "$status" != 0 ] && ! grep -q '^not ok ' "$tap"; then
		echo "not ok - $what exited $status" | tee -a "$tap"
	fi
	count_tap "$tap"
}

# SUITES of tests/vm on a kernel; a guest that dies mid-run counts as a failure.
vm_suites() { # NAME VM-RUN-ARGS... -- SUITE...
	local name=$1 tap=$results/vm-$1.tap
	shift
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	echo "== VM suites on the $name kernel: $*"
	rm -f "$tap"
	scripts/vm-run.sh "${args[@]}" -- tests/vm/run.sh --results "$tap" "$@"
	count_run "$tap" $? "$name VM run"
}

# Suites boot the patched kernel unless their directory has a `vm-args`
# file with scripts/vm-run.sh options (e.g. --stock); suites with the same
# options share one boot.
declare -A boots=()  # vm-run options (or "default") -> suite names
for dir in tests/vm/*/; do
	suite=$(basename "$dir")
	opts=$(cat "$dir/vm-args" 2>/dev/null || true)
	case "$opts" in
	*--stock*) [ "$run_stock" = 1 ] || continue ;;
	*) [ "$run_vm" = 1 ] || continue ;;
	esac
	boots["${opts:-default}"]+="$suite "
done
if [ "$run_vm" = 1 ] && [ -z "${boots[default]:-}" ]; then
	echo "not ok - no VM suite found for the patched kernel"
	failed=$((failed + 1))
fi
for key in "${!boots[@]}"; do
	opts=$key name=patched
	if [ "$key" = default ]; then
		opts=
	else
		name=$(tr -cs 'a-z0-9' '-' <<<"${key#--}" | sed 's/-$//')
	fi
	# shellcheck disable=SC2086 # options and suite names are words
	vm_suites "$name" $opts -- ${boots[$key]}
done

# One boot of its own; a guest that hangs, dies or never starts counts as a
# failure (scripts/systemd-vm.sh reports those as checks too).
if [ "$run_systemd" = 1 ]; then
	echo "== systemd suite: Debian with systemd as PID 1 and cgprov's package"
	tap=$results/systemd.tap
	rm -f "$tap"
	scripts/systemd-vm.sh --results "$tap"
	count_run "$tap" $? "systemd suite"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
