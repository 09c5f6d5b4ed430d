#!/usr/bin/env bash
# The move from the legacy root (an install of the last release at
# /sys/fs/bpf/cgprov, built by `make build` from its commit) killed at
# random points: each time the legacy install is still complete or the
# new one is, and install again ends with the tree moved and the numbers
# kept.
. "$(dirname "$0")/../lib.sh"

legacy=$(dirname "$CGPROV")/legacy/cgprov
LEGACY=/sys/fs/bpf/cgprov
cg=/sys/fs/cgroup/cgprov-move
count_in() { awk '$1 == "runq_delay_count" { print $2 }' "$1/$(stat -c %i "$cg")"; }
sleep_wake() { echo 0 > "$cg/cgroup.procs" && for _ in $(seq 20); do sleep 0.001; done && echo 0 > /sys/fs/cgroup/cgroup.procs; }

"$CGPROV" uninstall >/dev/null
mkdir "$cg"
# A full move's duration bounds the kill points.
"$legacy" install >/dev/null
start=$(date +%s%N)
"$CGPROV" install >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# a full move takes ${full_ms} ms"

for round in 1 2 3 4 5 6; do
	"$CGPROV" uninstall >/dev/null
	"$legacy" install >/dev/null
	sleep_wake
	before=$(count_in "$LEGACY/stats")
	# Odd rounds anywhere, even rounds within an eighth of it after the
	# first pin in the new tree.
	if [ $((round % 2)) = 0 ]; then interrupted_install "$full_ms" after-pin; else interrupted_install "$full_ms"; fi
	state=new
	"$CGPROV" status >/dev/null 2>&1 || state=legacy
	echo "# round $round: killed with the $state install complete"
	check "round $round: the legacy install or the new one is complete" bash -c '"$1" status >/dev/null 2>&1 || "$2" status >/dev/null 2>&1' _ "$CGPROV" "$legacy"
	check "round $round: install again succeeds" "$CGPROV" install
	check "round $round: and the install is complete" "$CGPROV" status
	check "round $round: the legacy tree is gone" test ! -e "$LEGACY"
	check "round $round: the numbers were kept ($before waits)" bash -c '[ "$(awk "\$1 == \"runq_delay_count\" { print \$2 }" "$1")" -ge "$2" ] && [ "$2" -gt 0 ]' _ "$(stats_file "$cg")" "$before"
	check "round $round: one provisioner runs" wait_links_of_prog provision 1
done
rmdir "$cg"
finish
