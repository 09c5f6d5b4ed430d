#!/usr/bin/env bash
# Export under churn and on awkward trees: cgroups created and removed
# during repeated exports never make export fail or leave a partial file;
# a tree deeper than PATH_MAX, with long names, is exported whole.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

CG=/sys/fs/cgroup
churn=$CG/cgprov-churn
work=$(mktemp -d)
out=$work/textfile/cgprov.prom
mkdir -p "$work/textfile" "$work/copies" "$churn"
churn_pid="" reader_pid=""
long=$(printf 'n%.0s' $(seq 200))  # a 200-byte name
depth=40 # 40 x 201 bytes: a path over PATH_MAX (4096), deeper than the 32 fds the walk keeps open

# The deep chain is made and removed relative to directory fds (paths over
# PATH_MAX fail with ENAMETOOLONG in mkdir and rmdir).
deep_tree() { # make|remove
	python3 - "$1" "$CG" "$long" "$depth" <<'PY'
import os, sys
action, root, name, depth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY)]
if action == "make":
    os.mkdir("cgprov-deep", dir_fd=fds[0])
fds.append(os.open("cgprov-deep", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[0]))
for _ in range(depth):
    if action == "make":
        os.mkdir(name, dir_fd=fds[-1])
    try:
        fds.append(os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
    except FileNotFoundError:
        break
if action == "remove":
    while len(fds) > 2:
        os.close(fds.pop())
        os.rmdir(name, dir_fd=fds[-1])
    os.rmdir("cgprov-deep", dir_fd=fds[0])
PY
}
cleanup() {
	[ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null && wait "$churn_pid" 2>/dev/null
	[ -n "$reader_pid" ] && kill "$reader_pid" 2>/dev/null && wait "$reader_pid" 2>/dev/null
	remove_cgroup_tree "$churn"
	[ -d "$CG/cgprov-deep" ] && deep_tree remove
	rm -rf "$work"
}
trap cleanup EXIT

# Churn: nested cgroups with awkward names appear and disappear all the time.
(
	i=0
	while :; do
		i=$((i + 1))
		d="$churn/c $((i % 5))/\"q\" $((i % 3))/ü$((i % 2))"
		mkdir -p "$d" 2>/dev/null
		rmdir "$churn/c $(((i + 2) % 5))/\"q\" $(((i + 1) % 3))/ü$(((i + 1) % 2))" 2>/dev/null
		rmdir "$churn/c $(((i + 2) % 5))/\"q\" $(((i + 1) % 3))" 2>/dev/null
		rmdir "$churn/c $(((i + 2) % 5))" 2>/dev/null
	done
) &
churn_pid=$!
# A reader copying the file the whole time, as a scrape would read it.
(
	n=0
	while :; do
		[ -e "$out" ] && cat "$out" > "$work/copies/.tmp" && mv "$work/copies/.tmp" "$work/copies/c$n" &&
			n=$((n + 1))
		[ "$n" -ge 200 ] && n=0
	done
) &
reader_pid=$!

runs=40 failures=0
for i in $(seq "$runs"); do
	"$CGPROV" export --format openmetrics -o "$out" 2> "$work/err" || {
		failures=$((failures + 1))
		sed 's/^/    /' "$work/err" | head -n 3
	}
done
check "$runs exports during churn all succeed" test "$failures" = 0
kill "$reader_pid" && wait "$reader_pid" 2>/dev/null
reader_pid=
copies=$(find "$work/copies" -mindepth 1 -maxdepth 1 -name "c*" | wc -l)
check "the reader saw the file during the exports ($copies copies)" test "$copies" -gt 0
check "every copy a reader saw is whole (ends with # EOF)" bash -c '
	for f in "$1"/c*; do [ "$(tail -n1 "$f")" = "# EOF" ] || { echo "partial: $f"; exit 1; }; done' _ "$work/copies"
check "no temporary file is left in the directory" test "$(ls -A "$work/textfile")" = cgprov.prom

failures=0
for i in $(seq 10); do
	"$CGPROV" export -o "$out" 2> "$work/err" || failures=$((failures + 1))
	promtool check metrics < "$out" > "$work/promtool" 2>&1 || failures=$((failures + 1))
done
check "Prometheus-format exports during churn succeed and promtool accepts each" test "$failures" = 0
python3 "$here/metrics.py" histograms "$out" || _failed=1
kill "$churn_pid" && wait "$churn_pid" 2>/dev/null
churn_pid=

# Deep tree of long names, made with relative paths.
check "a $depth-level tree of 200-byte names is made" deep_tree make
"$CGPROV" export > "$work/deep.prom" 2> "$work/err"
status=$?
check "export of the deep tree succeeds" test "$status" = 0
[ "$status" = 0 ] || sed 's/^/    /' "$work/err"
check "all $depth levels are exported, the deepest with a $((depth * 201))-byte label" python3 -c '
import re, sys
depth, long = int(sys.argv[2]), sys.argv[3]
labels = set(re.findall(r"^cgprov_reclaim_episodes_total\{cgroup=\"(/cgprov-deep[^\"]*)\"", open(sys.argv[1]).read(), re.M))
want = {"/cgprov-deep" + ("/" + long) * i for i in range(depth + 1)}
assert labels == want, (len(labels), len(want))
' "$work/deep.prom" "$depth" "$long"
check "promtool accepts the deep export" bash -c 'promtool check metrics < "$1"' _ "$work/deep.prom"
finish
