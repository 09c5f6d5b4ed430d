# shellcheck shell=bash
# Shared helpers for in-VM tests (sourced). Tests print TAP lines:
#   ok - NAME / not ok - NAME / ok - NAME # SKIP reason
# and exit non-zero if any check failed. Anything else they print is detail.

CGPROV_TEST_UID=${CGPROV_TEST_UID:-1000}
CGPROV_TEST_GID=${CGPROV_TEST_GID:-1000}
_failed=0

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; _failed=1; }
skip() { local name=$1; shift; echo "ok - $name # SKIP $*"; }

# check NAME CMD...: pass when CMD succeeds; CMD's output is shown on failure.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		[ -n "$out" ] && printf '    %s\n' "$out" | head -n 20
	fi
	return 0
}

# Run CMD as the unprivileged test user, without any capability.
as_user() { setpriv --reuid="$CGPROV_TEST_UID" --regid="$CGPROV_TEST_GID" --clear-groups -- "$@"; }

# A cgroup subtree delegated to the test user (cgroup v2 delegation: the
# directory and its cgroup.procs, cgroup.threads, cgroup.subtree_control).
# Prints the path.
delegated_cgroup() {
	local dir
	dir=$(mktemp -d /sys/fs/cgroup/cgprov-test-XXXXXX)
	chown "$CGPROV_TEST_UID:$CGPROV_TEST_GID" "$dir" "$dir/cgroup.procs" \
		"$dir/cgroup.threads" "$dir/cgroup.subtree_control"
	echo "$dir"
}

# Remove a cgroup subtree, deepest first.
remove_cgroup_tree() {
	[ -d "$1" ] || return 0
	find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
	[ ! -d "$1" ]
}

# run_catch2 TAGS: run each test case of build/cgprov-vm-tests matching TAGS
# in its own process and report it as one TAP line; a case that calls SKIP
# (Catch2 exit status 4) is reported skipped with its reason.
run_catch2() {
	local bin tags=$1 name spec out cases=0 compact
	bin="$(dirname "${BASH_SOURCE[0]}")/../../build/cgprov-vm-tests"
	[ -x "$bin" ] || { fail "build/cgprov-vm-tests exists (run 'make build')"; return; }
	while IFS= read -r name; do
		[ -n "$name" ] || continue
		cases=$((cases + 1))
		spec=$(sed 's/[],[\\]/\\&/g' <<<"$name")
		# The console report for failures; the compact one, one line per
		# message, for a SKIP's reason.
		compact=$(mktemp)
		out=$("$bin" "$spec" --reporter console --reporter "compact::out=$compact" 2>&1)
		case $? in
		0)
			# Figures a passing case reports (lines starting "# ").
			grep '^# ' <<<"$out" | sed 's/^/    /'
			pass "$name"
			;;
		4) # Catch2: the case was skipped; its SKIP message says why
			skip "$name" "$(grep -oE "(unavailable on this kernel|no cgprov install).*'\$" "$compact" |
				sed "s/'\$//" | head -n1)" ;;
		*)
			fail "$name"
			printf '%s\n' "$out" | sed 's/^/    /' | tail -n 40
			;;
		esac
		rm -f "$compact"
	done < <("$bin" "$tags" --list-tests --verbosity quiet)
	[ "$cases" -gt 0 ] || fail "build/cgprov-vm-tests has test cases tagged $tags"
}

finish() { exit "$_failed"; }

CGPROV=${CGPROV:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/cgprov}
STATS_DIR=/run/cgprov/stats

# Stats file of a cgroup directory.
stats_file() { echo "$STATS_DIR/$(stat -c %i "$1")"; }

# nr_dying_descendants of cgroup DIR.
dying_in() { awk '$1 == "nr_dying_descendants" { print $2 }' "$1/cgroup.stat"; }

# A fresh cgroup for dying-cgroup checks, printed. It enables no controller
# for its children, so no memcg of theirs can hold page cache or kernel
# memory: a child of it stays dying only while something holds a reference
# to it (a pin, an open stats file, a link). Dying cgroups elsewhere (other
# tests' memcgs, released when their pages are reclaimed) never count.
dying_probe_cgroup() { mktemp -d /sys/fs/cgroup/cgprov-dying-XXXXXX; }

# wait_no_dying DIR: wait up to 30 s (cgroups are released asynchronously)
# until DIR has no dying descendant.
wait_no_dying() {
	local _
	for _ in $(seq 300); do
		[ "$(dying_in "$1")" = 0 ] && return 0
		sleep 0.1
	done
	echo "$1: nr_dying_descendants is $(dying_in "$1"), expected 0"
	return 1
}

# Every cgroup under /sys/fs/cgroup has a stats file.
all_cgroups_provisioned() {
	local dir missing=0
	while IFS= read -r dir; do
		[ -e "$(stats_file "$dir")" ] || { echo "no stats file for $dir"; missing=1; }
	done < <(find /sys/fs/cgroup -type d)
	return "$missing"
}

# wait_for_output FILE REGEX: up to 10 s until a line of FILE (a background
# process's output) matches the extended REGEX.
wait_for_output() {
	for _ in $(seq 100); do
		grep -qE "$2" "$1" && return 0
		sleep 0.1
	done
	echo "$1: no line matching '$2' in 10 s: $(cat "$1")"
	return 1
}

# Every stats file is root's and read-only for all (0444 root:root).
stats_files_root_read_only() {
	local bad
	bad=$(find "$STATS_DIR" -mindepth 1 \( ! -user 0 -o ! -group 0 -o ! -perm 0444 \) -printf '%p %u:%g %m\n')
	[ -z "$bad" ] || { echo "not root's 0444: $bad"; return 1; }
}

# Links of the programs named $1, from bpftool's JSON.
links_of_prog() {
	python3 - "$1" <<'PY'
import json, subprocess, sys
show = lambda what: json.loads(subprocess.check_output(["bpftool", "-j", what, "show"]))
progs = {p["id"] for p in show("prog") if p.get("name") == sys.argv[1]}
print(sum(1 for link in show("link") if link.get("prog_id") in progs))
PY
}

# wait_links_of_prog NAME N: wait up to 30 s (unpinned links are released
# from a work item) until N links of programs named NAME are attached.
wait_links_of_prog() {
	local _
	for _ in $(seq 300); do
		[ "$(links_of_prog "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "$(links_of_prog "$1") links of programs named $1, expected $2"
	return 1
}

# interrupted_install FULL_MS [after-pin]: start an install and kill -9 it
# at a random point within FULL_MS (how long a full install takes); with
# after-pin, at a random point within an eighth of it after the install's
# first pin in internal/, so that the kill lands in the part that leaves a
# partial install (how long the part before the first pin takes varies from
# run to run).
interrupted_install() {
	local full_ms=$1 pid window=$1
	"$CGPROV" install >/dev/null 2>&1 &
	pid=$!
	if [ "${2:-}" = after-pin ]; then
		while kill -0 "$pid" 2>/dev/null && [ -z "$(ls -A /run/cgprov/internal 2>/dev/null)" ]; do
			sleep 0.01
		done
		window=$((full_ms / 8))
	fi
	sleep "$(awk -v max="$window" -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.3f", rand() * max / 1000 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# install_refused FIRST_LINE PROBE_TEXT: `cgprov install` fails with exit
# status 1, its first line matching the extended regex FIRST_LINE, and
# creates nothing (no mount, pin or cgroup); `cgprov probe` exits 1 and
# says PROBE_TEXT (a fixed string).
install_refused() {
	local out status
	out=$("$CGPROV" install 2>&1)
	status=$?
	printf '    %s\n' "$out"
	check "install fails with exit status 1" test "$status" = 1
	check "its first line names what is missing" bash -c 'head -n1 <<<"$1" | grep -qE "$2"' _ "$out" "$1"
	check "nothing was pinned or mounted" bash -c '! test -e /run/cgprov && ! test -e /sys/fs/bpf/cgprov'
	check "no cgroup was created" test ! -e /sys/fs/cgroup/cgprov.slice
	out=$("$CGPROV" probe 2>&1)
	status=$?
	printf '    %s\n' "$out"
	check "probe exits 1" test "$status" = 1
	check "and says the same" grep -qF -- "$2" <<<"$out"
}

# No process runs the cgprov binary (by its executable, whatever it calls
# itself): nothing of an install stays running.
no_cgprov_process() {
	local exe target
	target=$(readlink -f "$CGPROV")
	for exe in /proc/[0-9]*/exe; do
		[ "$(readlink "$exe" 2>/dev/null)" = "$target" ] && { echo "${exe%/exe} runs $target"; return 1; }
	done
	return 0
}
