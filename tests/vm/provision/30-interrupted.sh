#!/usr/bin/env bash
# install killed at random points converges: install again ends fully
# installed, uninstall ends clean.
. "$(dirname "$0")/../lib.sh"

"$CGPROV" uninstall >/dev/null

# A full install's duration bounds the kill points.
start=$(date +%s%N)
"$CGPROV" install >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# a full install takes ${full_ms} ms"

# interrupted_install [after-pin]: start an install and kill -9 it at a
# random point within a full install's duration; with after-pin, at a random
# point within an eighth of it after the install's first pin in internal/,
# so that the kill lands in the part that leaves a partial install (how long
# the part before the first pin takes varies from run to run).
interrupted_install() {
	"$CGPROV" install >/dev/null 2>&1 &
	local pid=$! window=$full_ms
	if [ "${1:-}" = after-pin ]; then
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

recovered=0
for round in 1 2 3 4 5 6; do
	"$CGPROV" uninstall >/dev/null
	# Odd rounds anywhere, even rounds after the first pin.
	if [ $((round % 2)) = 0 ]; then interrupted_install after-pin; else interrupted_install; fi
	out=$("$CGPROV" install 2>&1)
	check "round $round: install after a killed install succeeds" test $? = 0
	grep -q "completed an interrupted install" <<<"$out" && recovered=$((recovered + 1))
	check "round $round: and the install is complete" "$CGPROV" status
	check "round $round: every cgroup has a stats file" all_cgroups_provisioned
done
# Kills before the first pin or after the last leave nothing to recover.
check "some kills left a partial install that was completed ($recovered of 6)" test "$recovered" -gt 0

# Cgroups that exist while an install is killed (backfill may pin their
# files) and are removed after the uninstall must not stay dying.
for round in 1 2 3; do
	probe=$(dying_probe_cgroup)
	mkdir "$probe/a" "$probe/b" "$probe/c"
	interrupted_install
	"$CGPROV" uninstall >/dev/null
	check "round $round: uninstall after a killed install leaves no pins" bash -c '! test -e /run/cgprov'
	rmdir "$probe/a" "$probe/b" "$probe/c"
	check "round $round: and no cgroup stays dying" wait_no_dying "$probe"
	rmdir "$probe"
	"$CGPROV" install >/dev/null
done
finish
