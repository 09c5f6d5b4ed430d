#!/usr/bin/env bash
# Run as alice in cgprov-test.scope, delegated to her by her user manager:
# the scope's stats file, cgroups she makes below it, `cgprov link`. Leaves
# a workload of sleeps running in a/b, so the scope stays and its numbers
# keep growing. Prints TAP.
# shellcheck disable=SC2317 # functions that only `check` calls
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/systemd/common.sh
. "$here/common.sh"

scope=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
in_user_scope() {
	echo "in $scope"
	case "$scope" in
	*/user@1000.service/*/cgprov-test.scope) ;;
	*) return 1 ;;
	esac
}
check "systemd-run --user --scope runs in a scope under user@1000.service" in_user_scope
check "alice reads the scope's stats file" has_readable_stats "$scope"
check "alice reads user@1000.service's stats file" \
	has_readable_stats /sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service
check "alice cannot list /sys/fs/bpf (mode 0700)" sh -c '! ls /sys/fs/bpf'

root_read_only() {
	local how
	how=$(stat -c %u:%g:%a "$(stats_file "$1")") || return 1
	echo "$(stats_file "$1"): $how"
	[ "$how" = 0:0:444 ]
}
for dir in a a/b; do
	if mkdir "$scope/$dir"; then
		check "mkdir $dir: its stats file reads at once" has_readable_stats "$scope/$dir"
		check "mkdir $dir: its stats file is root's, 0444" root_read_only "$scope/$dir"
	else
		fail "alice makes $dir in her delegated scope"
	fi
done

# Sleeps in a/b: run-queue waits after every wakeup.
(while :; do sleep 0.05; done) < /dev/null > /dev/null 2>&1 &
check "alice moves a workload into a/b" sh -c "echo $! > '$scope/a/b/cgroup.procs'"

pin=$("$CGPROV" link --cgroup "$scope/a" --name systemd-suite 2>&1)
link_status=$?
echo "cgprov link: $pin"
check "cgprov link pins alice's file for a in $USER_PIN_DIR" \
	test "$link_status" = 0 -a "$pin" = "$USER_PIN_DIR/1000-systemd-suite"
check "alice reads her pinned file" grep -q '^runq_delay_count [0-9]' "$pin"
finish
