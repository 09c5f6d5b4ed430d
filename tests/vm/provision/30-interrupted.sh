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

recovered=0
for round in 1 2 3 4 5 6; do
	"$CGPROV" uninstall >/dev/null
	# Odd rounds anywhere, even rounds after the first pin.
	if [ $((round % 2)) = 0 ]; then interrupted_install "$full_ms" after-pin; else interrupted_install "$full_ms"; fi
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
	interrupted_install "$full_ms"
	"$CGPROV" uninstall >/dev/null
	check "round $round: uninstall after a killed install leaves no pins" bash -c '! test -e /run/cgprov'
	rmdir "$probe/a" "$probe/b" "$probe/c"
	check "round $round: and no cgroup stays dying" wait_no_dying "$probe"
	rmdir "$probe"
	"$CGPROV" install >/dev/null
done
finish
