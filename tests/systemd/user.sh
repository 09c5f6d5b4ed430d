#!/usr/bin/env bash
# The systemd suite's user side: run by guest.sh as alice (uid 1000) in a
# login session that systemd opened through PAM (`systemd-run --uid=alice
# -p PAMName=login`). Makes a scope with `systemd-run --user --scope`,
# whose checks run in user-scope.sh. Prints TAP.
# shellcheck disable=SC2317 # functions that only `check` calls
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/systemd/common.sh
. "$here/common.sh"

login_session() {
	local name
	[ -n "${XDG_SESSION_ID:-}" ] || { echo "XDG_SESSION_ID is unset: pam_systemd made no session"; return 1; }
	name=$(loginctl show-session "$XDG_SESSION_ID" --property=Name --value)
	echo "session $XDG_SESSION_ID of '$name'"
	[ "$name" = alice ] && [ "$(id -u)" = 1000 ]
}
check "alice is in a logind session" login_session

user_manager() {
	local state
	state=$(timeout 120 systemctl --user is-system-running --wait)
	echo "user manager: $state; user@1000.service: $(systemctl show --property=ActiveState --value user@1000.service)"
	case "$state" in running | degraded) ;; *) return 1 ;; esac
	[ "$(systemctl show --property=ActiveState --value user@1000.service)" = active ]
}
check "alice's user manager runs (user@1000.service)" user_manager

# The scope outlives this session: user-scope.sh leaves a workload in it.
scope_out=$(timeout 300 systemd-run --user --scope --quiet --unit=cgprov-test \
	--property=Delegate=yes "$here/user-scope.sh" 2>&1)
scope_status=$?
printf '%s\n' "$scope_out"
grep -qE '^(not )?ok ' <<<"$scope_out" ||
	fail "systemd-run --user --scope ran the scope's checks (exit status $scope_status)"
finish
