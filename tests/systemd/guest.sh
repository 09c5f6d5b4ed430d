#!/usr/bin/env bash
# The systemd suite inside the guest, run by cgprov-systemd-test.service
# once the boot is done: systemd is PID 1 and cgprov.service was enabled by
# cgprov's package. Prints TAP (tests/vm/lib.sh's conventions) and, last,
# "# done"; the journal of the boot goes to JOURNAL.
#
# Usage: guest.sh [JOURNAL]
# shellcheck disable=SC2317 # functions that only `check` calls
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/systemd/common.sh
. "$here/common.sh"
journal_copy=${1:-/var/lib/cgprov-systemd-test/journal.log}
work=$(mktemp -d)

prop() { systemctl show --property="$2" --value "$1"; }
comment() { sed 's/^/# /'; }
# check_status_clean WHEN: `cgprov status` exits 0; its output as comments if not.
check_status_clean() {
	local out rc
	out=$("$CGPROV" status 2>&1)
	rc=$?
	check "cgprov status exits 0 $1" test "$rc" = 0
	[ "$rc" = 0 ] || printf '%s\n' "$out" | comment
}

# systemd-analyze reports the boot only once it has finished; the start job
# of this unit (Type=exec) is among the boot's last.
state=$(timeout 300 systemctl is-system-running --wait)
echo "# systemctl is-system-running: $state"
systemctl --failed --no-legend --plain | sed 's/^/# failed unit: /'
echo "# boot: $(systemd-analyze time | head -n1)"

check "PID 1 is systemd" test "$(cat /proc/1/comm)" = systemd
check "the kernel is the cgprov build ($(uname -r))" grep -q -- '-cgprov$' /proc/sys/kernel/osrelease

# --- cgprov.service during the boot -----------------------------------------
check "cgprov.service is enabled" test "$(systemctl is-enabled cgprov.service)" = enabled

unit_succeeded() {
	local result status state
	result=$(prop cgprov.service Result) status=$(prop cgprov.service ExecMainStatus)
	state=$(prop cgprov.service ActiveState)
	echo "Result=$result ExecMainStatus=$status ActiveState=$state"
	[ "$result" = success ] && [ "$status" = 0 ] && [ "$state" = active ]
}
check "cgprov.service succeeded" unit_succeeded

# One start job in this boot (systemd's "Starting" message) and no restart.
started_once() {
	local starts restarts
	starts=$(journalctl -b -q -o cat _PID=1 UNIT=cgprov.service \
		MESSAGE_ID=7d4958e842da4a758f6c1cdc7b36dcc5 | wc -l)
	restarts=$(prop cgprov.service NRestarts)
	echo "start jobs: $starts, NRestarts: $restarts"
	[ "$starts" = 1 ] && [ "$restarts" = 0 ]
}
check "cgprov.service ran once during the boot" started_once

# UNIT's timestamp PROPERTY, checked non-zero: the unit did get there.
timestamp() {
	local t
	t=$(prop "$1" "$2")
	[ "${t:-0}" -gt 0 ] || { echo "$1: $2 is ${t:-unset}" >&2; echo 0; return; }
	echo "$t"
}
# cgprov.service (Type=oneshot) is active once its ExecStart has exited.
finished_before() { # UNIT PROPERTY
	local done_at other_at
	done_at=$(timestamp cgprov.service ActiveEnterTimestampMonotonic)
	other_at=$(timestamp "$1" "$2")
	echo "cgprov.service finished at ${done_at} us, $1 $2 ${other_at} us"
	[ "$done_at" -gt 0 ] && [ "$other_at" -gt 0 ] && [ "$done_at" -le "$other_at" ]
}
check "cgprov.service finished before systemd-user-sessions.service started" \
	finished_before systemd-user-sessions.service ExecMainStartTimestampMonotonic
check "cgprov.service finished before sysinit.target was reached" \
	finished_before sysinit.target ActiveEnterTimestampMonotonic

no_cgprov_process() {
	local procs
	! pgrep -a -x cgprov || return 1
	procs=$(find /sys/fs/cgroup/cgprov.slice -name cgroup.procs -exec cat {} +)
	[ -z "$procs" ] || { echo "processes left in cgprov.slice: $procs"; return 1; }
}
check "no cgprov process remains" no_cgprov_process

no_cycle_in_journal() { ! journalctl -b -q --no-pager | grep -iE 'ordering cycle|Found dependency'; }
check "the journal reports no ordering cycle" no_cycle_in_journal

# --man=no: the root has no man(1) to look Documentation= up with.
verify_out=$(systemd-analyze verify --man=no "$(prop cgprov.service FragmentPath)" 2>&1)
verify_status=$?
[ -n "$verify_out" ] && printf 'systemd-analyze verify cgprov.service:\n%s\n' "$verify_out" | comment
verify_clean() {
	[ "$verify_status" = 0 ] || { echo "exit status $verify_status"; return 1; }
	! grep -iE 'ordering cycle|Found dependency' <<<"$verify_out"
}
check "systemd-analyze verify cgprov.service: no error, no ordering cycle" verify_clean

no_unit_errors() {
	local errors
	errors=$(journalctl -b -q --no-pager -u cgprov.service -p err)
	printf '%s' "$errors"
	[ -z "$errors" ]
}
check "the journal has no error from cgprov.service" no_unit_errors

# bpffs always adds the sticky bit to the mode it is mounted with.
bpffs_private() {
	local mode
	mode=$(stat -c %a /sys/fs/bpf)
	echo "/sys/fs/bpf: mode $mode"
	[ $((8#$mode & 8#777)) = $((8#700)) ] && findmnt -n -t bpf /sys/fs/bpf
}
check "systemd mounted /sys/fs/bpf with mode 0700" bpffs_private
echo "# mount units: $(systemctl list-units --all --plain --no-legend --type=mount | awk '{ print $1 }' | tr '\n' ' ')"

# --- a user logged in through systemd --------------------------------------
# Lingering keeps alice's user manager, and the scope she leaves running,
# after her login session ends: the restart below reads her files again.
check "loginctl enable-linger alice" loginctl enable-linger alice
user_out=$work/user.out
timeout 600 systemd-run --quiet --wait --pipe --uid=alice --property=PAMName=login \
	"$here/user.sh" < /dev/null > "$user_out" 2>&1
user_status=$?
sed -E 's/^(not )?ok - /&alice: /' "$user_out"
if ! grep -qE '^(not )?ok ' "$user_out"; then
	fail "alice's login session ran its checks (systemd-run exit status $user_status)"
elif [ "$user_status" != 0 ] && ! grep -q '^not ok ' "$user_out"; then
	fail "alice's login session exited $user_status after its checks"
fi

# --- every cgroup systemd made ---------------------------------------------
user_manager=/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service
for dir in init.scope system.slice system.slice/systemd-journald.service \
	system.slice/dbus.service system.slice/systemd-logind.service cgprov.slice \
	user.slice user.slice/user-1000.slice; do
	check "/sys/fs/cgroup/$dir has a readable stats file" has_readable_stats "/sys/fs/cgroup/$dir"
done
check "user@1000.service has a readable stats file" has_readable_stats "$user_manager"
user_tree=$(find "$user_manager" -type d -path '*/cgprov-test.scope/a/b' | head -n1)
check "alice's scope and its a/b are under user@1000.service" test -n "$user_tree"

all_readable() {
	local dir count=0 bad=0
	while IFS= read -r dir; do
		count=$((count + 1))
		has_readable_stats "$dir" || bad=1
	done < <(find /sys/fs/cgroup -type d)
	echo "$count cgroups"
	[ "$bad" = 0 ]
}
check "every cgroup under /sys/fs/cgroup has a readable stats file" all_readable

status_out=$("$CGPROV" status 2>&1)
status_rc=$?
printf 'cgprov status:\n%s\n' "$status_out" | comment
check "cgprov status exits 0" test "$status_rc" = 0

# --- systemctl restart cgprov (a package upgrade) ----------------------------
user_pin=$USER_PIN_DIR/1000-systemd-suite
snapshot() { # DIR: every stats file and alice's pinned file, as read now
	local f
	mkdir -p "$1"
	for f in "$STATS_DIR"/*; do
		cat "$f" > "$1/$(basename "$f")" 2>/dev/null || rm -f "$1/$(basename "$f")"
	done
	cat "$user_pin" > "$1/user-pin" 2>/dev/null || rm -f "$1/user-pin"
}
snapshot "$work/before"
check "systemctl restart cgprov.service" systemctl restart cgprov.service
snapshot "$work/after"

# Every number read before the restart is <= the same file's after it. A
# file that is gone must belong to a cgroup that is gone too (the restart
# removes and recreates cgprov.service's own cgroup).
numbers_kept() {
	local before name after live compared=0 bad=0
	live=$(find /sys/fs/cgroup -type d -printf '%i\n')
	[ -e "$work/before/user-pin" ] || { echo "alice's pinned file was not read before the restart"; bad=1; }
	for before in "$work/before"/*; do
		name=$(basename "$before") after=$work/after/$name
		if [ ! -e "$after" ]; then
			if [ "$name" = user-pin ] || grep -qx "$name" <<<"$live"; then
				echo "$name: gone after the restart"
				bad=1
			fi
			continue
		fi
		compared=$((compared + 1))
		awk -v file="$name" 'NR == FNR { before[$1] = $2; next }
			{ seen[$1] = 1 }
			($1 in before) && $2 + 0 < before[$1] + 0 { print file ": " $1 " " before[$1] " -> " $2; bad = 1 }
			END { for (k in before) if (!(k in seen)) { print file ": " k " missing after"; bad = 1 }
			      exit bad }' "$before" "$after" || bad=1
	done
	echo "$compared files compared"
	[ "$bad" = 0 ] && [ "$compared" -ge 10 ]
}
check "after the restart every number is >= before, in every file" numbers_kept

check "cgprov.service succeeded after the restart" unit_succeeded
check "no cgprov process remains after the restart" no_cgprov_process
check "the journal has no error from cgprov.service after the restart" no_unit_errors
check "every cgroup still has a readable stats file after the restart" all_readable
check_status_clean "after the restart"

# --- the export units under systemd -----------------------------------------
textfile=/var/lib/prometheus/node-exporter/cgprov.prom
check "the textfile link resolves before any export (no scrape error)" test -f "$textfile"
check "systemctl start cgprov-export.service" systemctl start cgprov-export.service
exported() {
	local f metrics want
	f=$(readlink -e "$textfile") || { echo "$textfile resolves to nothing"; return 1; }
	echo "$textfile -> $f ($(stat -c '%U %a' "$f"))"
	# Read as another user, as node_exporter reads it.
	metrics=$(as_user cat "$textfile") || { echo "alice cannot read $textfile"; return 1; }
	for want in '^cgprov_build_info\{' '^cgprov_runq_delay_seconds_count\{cgroup="/init.scope"' \
		'^cgprov_runq_delay_seconds_count\{cgroup="/user.slice/user-1000.slice/user@1000.service"'; do
		grep -qE "$want" <<<"$metrics" || { echo "no line matching $want"; head -n 5 <<<"$metrics"; return 1; }
	done
}
check "the export wrote every cgroup's metrics, readable by other users" exported
no_export_errors() {
	local errors
	errors=$(journalctl -b -q --no-pager -u cgprov-export.service -p err)
	printf '%s' "$errors"
	[ -z "$errors" ]
}
check "the journal has no error from cgprov-export.service" no_export_errors

# --- the package removed, purged and installed on the running system -------
package_deb=/var/lib/cgprov-systemd-test/cgprov.deb
dpkg_step() { # ACTION ARGS...: dpkg's output as comments, its status returned
	local out rc
	out=$(DEBIAN_FRONTEND=noninteractive dpkg "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | comment
	return "$rc"
}
nothing_of_cgprov_left() {
	local bad=0
	[ "$(systemctl is-active cgprov.service)" != active ] || { echo "cgprov.service still active"; bad=1; }
	! findmnt -n "$CGPROV_ROOT" || { echo "$CGPROV_ROOT still mounted"; bad=1; }
	[ ! -e "$CGPROV_ROOT" ] || { echo "$CGPROV_ROOT still exists"; bad=1; }
	[ ! -e "$CGPROV" ] || { echo "$CGPROV still installed"; bad=1; }
	mkdir /sys/fs/cgroup/after-removal || bad=1
	[ ! -e "$STATS_DIR/$(stat -c %i /sys/fs/cgroup/after-removal)" ] || { echo "a new cgroup got a stats file"; bad=1; }
	rmdir /sys/fs/cgroup/after-removal
	[ "$bad" = 0 ]
}
check "dpkg --remove cgprov succeeds" dpkg_step --remove cgprov
check "and leaves no unit running, nothing mounted, no stats file made" nothing_of_cgprov_left
check "the policy file stays until purge" test -f /etc/cgprov/policy.toml
check "dpkg --purge cgprov succeeds" dpkg_step --purge cgprov
check "purge removes /etc/cgprov/policy.toml" test ! -e /etc/cgprov/policy.toml
check "purge removes the unit's enablement" \
	bash -c '! systemctl is-enabled cgprov.service 2>/dev/null'
check "dpkg --install on the running system succeeds" dpkg_step --install "$package_deb"
check "which started cgprov.service: it succeeded" unit_succeeded
check "every cgroup has a readable stats file again" all_readable
check_status_clean "after the install on the running system"

kernel_warnings() {
	! dmesg | grep -E 'WARNING:|BUG:|lockdep|possible recursive locking|suspicious RCU usage|sleeping function called from invalid context|INFO: task .* blocked'
}
check "kernel log has no warnings" kernel_warnings

journalctl -b --no-pager > "$journal_copy" 2>&1
rm -rf "$work"
echo "# done"
exit 0
