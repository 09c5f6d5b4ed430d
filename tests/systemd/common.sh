# shellcheck shell=bash
# Sourced by the systemd suite's guest scripts: tests/vm/lib.sh's helpers
# (check, pass, fail, as_user, ...) with cgprov as its package installs it.
# shellcheck disable=SC2034 # its variables are for the scripts that source it
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

CGPROV=/usr/sbin/cgprov
# cgprov's tree of pins.
CGPROV_ROOT=/run/cgprov
STATS_DIR=$CGPROV_ROOT/stats
USER_PIN_DIR=$CGPROV_ROOT/user

# has_readable_stats DIR: DIR's stats file exists and reads as stats.
has_readable_stats() {
	local file
	file=$(stats_file "$1")
	[ -e "$file" ] || { echo "$1: no stats file $file"; return 1; }
	grep -q '^runq_delay_count [0-9]' "$file" || { echo "$1: $file does not read as stats"; return 1; }
}
