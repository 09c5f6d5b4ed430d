#!/usr/bin/env bash
# cgprov export -o into a textfile directory, scraped through Debian's real
# node_exporter over loopback: the cgprov series are there with the labels
# their paths give and the values of the stats files at export time;
# promtool accepts the file; histograms are cumulative.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
metrics() { python3 "$here/metrics.py" "$@"; }

CG=/sys/fs/cgroup
PORT=19100
work=$(mktemp -d)
textfile=$work/textfile
mkdir -p "$textfile"
exporter_pid=

cid=4f9c1e0b7d2a3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6
awkward=$CG/cgprov-export-test
bad_utf8=$'bad\xff-byte'
leaves=(
	"$CG/cgprov-test.slice/cgprov-app.service"
	"$CG/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-containerd-$cid.scope"
	"$CG/kubepods/burstable/pod11112222-3333-4444-5555-666677778888/c0ffee0123"
	"$awkward/with space"
	"$awkward/quote\"d"
	"$awkward/back\\slash"
	"$awkward/ünïcødé ✓"
	"$awkward/$bad_utf8"
)
tops=("$CG/cgprov-test.slice" "$CG/kubepods.slice" "$CG/kubepods" "$awkward")

cleanup() {
	[ -n "$exporter_pid" ] && kill "$exporter_pid" 2>/dev/null && wait "$exporter_pid" 2>/dev/null
	for top in "${tops[@]}"; do remove_cgroup_tree "$top"; done
	echo -memory > "$CG/cgroup.subtree_control" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

for leaf in "${leaves[@]}"; do mkdir -p "$leaf"; done
check "the test cgroups, awkward names included, exist" bash -c 'for d; do test -d "$d" || exit 1; done' _ "${leaves[@]}"

# Workloads that sleep and wake (run-queue delays) in every leaf, and one
# that runs into its cgroup's memory.max (reclaim), then nothing runs there.
for leaf in "${leaves[@]}"; do
	bash -c 'echo $$ > "$1/cgroup.procs" && for i in $(seq 20); do sleep 0.001; done' _ "$leaf" &
done
echo +memory > "$CG/cgroup.subtree_control"
echo +memory > "$awkward/cgroup.subtree_control"
echo 16M > "$awkward/with space/memory.max"
echo 0 > "$awkward/with space/memory.swap.max" 2>/dev/null
bash -c 'echo $$ > "$1/cgroup.procs" && exec python3 -c "bytearray(64 << 20)"' _ "$awkward/with space" 2>/dev/null &
wait
echo "# workloads done"

before=$(metrics snapshot "${tops[@]}")
check "export -o into the textfile directory succeeds" "$CGPROV" export -o "$textfile/cgprov.prom"
after=$(metrics snapshot "${tops[@]}")
"$CGPROV" --json status > "$work/status.json"
check "the test cgroups' stats did not change during the export (so the files' values are the export's)" test "$before" = "$after"
check "the textfile directory holds only cgprov.prom (no temporary left)" test "$(ls -A "$textfile")" = cgprov.prom
check "cgprov.prom is mode 0644" test "$(stat -c %a "$textfile/cgprov.prom")" = 644

out=$(promtool check metrics < "$textfile/cgprov.prom" 2>&1)
status=$?
check "promtool check metrics accepts the file with no finding" test "$status" = 0 -a -z "$out"
[ -n "$out" ] && printf '    %s\n' "$out" | head -n 10
metrics histograms "$textfile/cgprov.prom"

ip link set lo up 2>/dev/null
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$textfile" --web.listen-address="127.0.0.1:$PORT" \
	> "$work/node-exporter.log" 2>&1 &
exporter_pid=$!
scrape() { curl -sf --max-time 10 "http://127.0.0.1:$PORT/metrics"; }
for _ in $(seq 100); do scrape > "$work/scrape.txt" 2>/dev/null && break; sleep 0.3; done
check "node_exporter serves a scrape over loopback" test -s "$work/scrape.txt"
check "node_exporter read cgprov.prom without error" grep -qx "node_textfile_scrape_error 0" "$work/scrape.txt"
[ -s "$work/scrape.txt" ] || sed 's/^/    /' "$work/node-exporter.log" | tail -n 5

version=$("$CGPROV" status | sed -n 's/^installed: //p')
metrics compare "$work/scrape.txt" "$version" "$work/status.json" "${tops[@]}" || _failed=1
check "the scraped histograms are cumulative too" metrics histograms "$work/scrape.txt"
echo "# scrape excerpt:"
grep -E '^(# (HELP|TYPE) )?(cgprov_build|cgprov_provisioner_errors|node_textfile_scrape_error)|cgroup="/cgprov-test.slice/cgprov-app.service"' "$work/scrape.txt" |
	sed 's/^/#   /'
grep -F 'cgroup="/cgprov-export-test/' "$work/scrape.txt" | grep -F _count | sed 's/^/#   /'

# The systemd units keep the file outside the textfile directory and link
# it there: node_exporter follows the link.
mkdir -p "$work/run"
"$CGPROV" export -o "$work/run/cgprov.prom"
rm "$textfile/cgprov.prom"
ln -s "$work/run/cgprov.prom" "$textfile/cgprov.prom"
scrape > "$work/scrape2.txt"
check "a cgprov.prom symlinked into the textfile directory is scraped" grep -q '^cgprov_runq_delay_seconds_count{cgroup="/cgprov-test.slice/cgprov-app.service"' "$work/scrape2.txt"

check "--match keeps only cgroups whose whole label matches" bash -c '
	out=$("$1" export --match "/kubepods(/.*)?") || exit 1
	labels=$(grep -o "^cgprov_reclaim_episodes_total{cgroup=\"[^\"]*\"" <<<"$out" | sort -u)
	[ "$(wc -l <<<"$labels")" = 4 ] && ! grep -v "cgroup=\"/kubepods" <<<"$labels" &&
		grep -qx "cgprov_export_cgroups 4" <<<"$out"' _ "$CGPROV"

check "--format json is valid UTF-8 JSON with exact values" python3 -c '
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "export", "--format", "json"], capture_output=True, check=True).stdout
doc = json.loads(out.decode("utf-8"))  # strict: fails on invalid UTF-8
names = [c["cgroup"] for c in doc["cgroups"]]
assert "/cgprov-export-test/bad\ufffd-byte" in names, names
assert "/cgprov-export-test/quote\"d" in names
assert all(type(v) is int for c in doc["cgroups"] for v in c["stats"].values())
assert doc["provisioner"]["pin_errors"] >= 0
' "$CGPROV"
check "stat --json gives valid UTF-8 JSON for the invalid-UTF-8 name" bash -c '
	"$1" --json stat "$2" | python3 -c "import json, sys; d = json.loads(sys.stdin.buffer.read().decode()); v, = d.values(); assert v[\"runq_delay_count\"] > 0, d"' _ "$CGPROV" "$awkward/$bad_utf8"

check "--format openmetrics ends with # EOF and names counters' families without _total" bash -c '
	out=$("$1" export --format openmetrics) || exit 1
	[ "$(tail -n1 <<<"$out")" = "# EOF" ] && grep -qx "# TYPE cgprov_reclaim_episodes counter" <<<"$out" &&
		grep -qx "# UNIT cgprov_runq_delay_seconds seconds" <<<"$out"' _ "$CGPROV"
# Debian's python3-prometheus-client has a strict OpenMetrics parser.
check "the OpenMetrics parser of python3-prometheus-client accepts it, with units and types" /usr/bin/python3 -c '
import subprocess, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = subprocess.run([sys.argv[1], "export", "--format", "openmetrics"], capture_output=True, check=True).stdout
fams = {f.name: f for f in text_string_to_metric_families(out.decode("utf-8"))}
assert fams["cgprov_runq_delay_seconds"].type == "histogram" and fams["cgprov_runq_delay_seconds"].unit == "seconds"
assert fams["cgprov_reclaim_delay_seconds"].type == "counter"
assert fams["cgprov_reclaim_episodes"].type == "counter"
assert fams["cgprov_build"].type == "info"
assert fams["cgprov_provisioner_errors"].type == "counter"
' "$CGPROV"
finish
