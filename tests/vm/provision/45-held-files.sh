#!/usr/bin/env bash
# What stays of a removed cgroup's stats file does not keep the cgroup: an
# unprivileged user holds 50 stats files open across their cgroups' rmdir,
# and root gives a file a second name. The files go, nothing stays dying,
# and what is still open reads as the file of a removed cgroup (nothing).
. "$(dirname "$0")/../lib.sh"

probe=$(dying_probe_cgroup)
files=()
for i in $(seq 50); do
	mkdir "$probe/c$i"
	files+=("$(stats_file "$probe/c$i")")
done
go=$(mktemp -u /tmp/cgprov-held-go-XXXXXX)
out=$(mktemp)
# The holder opens every file, says so, waits for $go, then reads what it
# holds: the bytes of all 50 reads.
as_user bash -c '
	go=$1; shift
	fds=()
	for f in "$@"; do exec {fd}<"$f" || exit 1; fds+=("$fd"); done
	echo held
	while [ ! -e "$go" ]; do sleep 0.1; done
	bytes=0
	for fd in "${fds[@]}"; do bytes=$((bytes + $(wc -c <&"$fd"))); done
	echo "bytes $bytes"' _ "$go" "${files[@]}" > "$out" 2>&1 &
holder=$!
check "a user holds the 50 stats files open" wait_for_output "$out" '^held$'

for i in $(seq 50); do rmdir "$probe/c$i"; done
check "after rmdir the 50 files are gone" bash -c 'for f in "$@"; do ! test -e "$f" || exit 1; done' _ "${files[@]}"
check "and no removed cgroup is kept dying by the open files" wait_no_dying "$probe"
touch "$go"
wait "$holder"
check "what the user still holds reads as removed cgroups' files: nothing" grep -qx "bytes 0" "$out"
rm -f "$go"

# A second name root gave a stats file keeps the link, not the cgroup.
mkdir "$probe/named"
file=$(stats_file "$probe/named")
ln "$file" "$STATS_DIR/second"
rmdir "$probe/named"
check "rmdir removes the kernel's name of the file" test ! -e "$file"
check "the second name is still there" test -e "$STATS_DIR/second"
check "but keeps no dying cgroup" wait_no_dying "$probe"
check "and reads as a removed cgroup's file" bash -c '[ -z "$(cat "$1")" ]' _ "$STATS_DIR/second"
rm -f "$STATS_DIR/second"

# The user's next cgroups are provisioned as ever.
mkdir "$probe/after"
check "a new cgroup still gets its file, which reads" grep -q '^runq_delay_count ' "$(stats_file "$probe/after")"
rmdir "$probe/after"
rm -f "$out"
rmdir "$probe"
finish
