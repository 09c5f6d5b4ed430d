#!/usr/bin/env bash
# Who can export and how the units run it: an unprivileged user exports
# (without the provisioner's counters), also with the system bpffs at mode
# 0700, as systemd mounts it; the stats directory bind-mounted elsewhere
# (what the units' BindReadOnlyPaths= do) is enough; the per-scrape HTTP
# mode answers one request on stdin/stdout.
. "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
	chmod "$bpffs_mode" /sys/fs/bpf 2>/dev/null
	chmod 0755 /run/cgprov 2>/dev/null
	rm -rf "$work"
}
bpffs_mode=$(stat -c %a /sys/fs/bpf)
trap cleanup EXIT

out=$(as_user "$CGPROV" export 2>&1)
check "an unprivileged user (uid $CGPROV_TEST_UID, no capabilities) can export" test $? = 0
check "without the provisioner's counters, and the export says so" bash -c '
	grep -qx "cgprov_provisioner_counters_readable 0" <<<"$1" && ! grep -q "^cgprov_provisioner_pinned" <<<"$1"' _ "$out"
check "root's export has the counters" bash -c '"$1" export | grep -qx "cgprov_provisioner_counters_readable 1"' _ "$CGPROV"
# The README's drop-in for the counters: root with CAP_BPF only.
check "root with only CAP_BPF reads the counters" bash -c '
	setpriv --bounding-set=-all,+bpf --inh-caps=-all -- "$1" export | grep -qx "cgprov_provisioner_counters_readable 1"' _ "$CGPROV"
check "root without capabilities does not (the ACL policy refuses the map)" bash -c '
	setpriv --bounding-set=-all --inh-caps=-all -- "$1" export | grep -qx "cgprov_provisioner_counters_readable 0"' _ "$CGPROV"

chmod 0700 /sys/fs/bpf
out=$(as_user "$CGPROV" export 2>&1)
status=$?
check "with the system bpffs at 0700 (systemd's mount) the user still exports" bash -c '
	[ "$2" = 0 ] && grep -q "^cgprov_runq_delay_seconds_count{cgroup=\"/\"}" <<<"$1"' _ "$out" "$status"
chmod "$bpffs_mode" /sys/fs/bpf
# A stats directory closed to the user (here: the instance's root at 0700).
chmod 0700 /run/cgprov
out=$(as_user "$CGPROV" export 2>&1)
check "with the stats directory closed, the user's export fails with exit 1" test $? = 1
chmod 0755 /run/cgprov
check "naming the directory and EACCES, with a hint" bash -c '
	grep -q "open stats directory /run/cgprov/stats: Permission denied (EACCES)" <<<"$1" &&
	grep -q "hint: " <<<"$1"' _ "$out"
# As the units do: the stats directory bind-mounted read-only at
# /tmp/cgprov/stats in a private mount namespace, and --root /tmp/cgprov.
check "the stats directory bind-mounted read-only elsewhere is enough for the user" unshare -m bash -c '
	mkdir -p "$1/cgprov/stats" &&
	mount --bind -o ro /run/cgprov/stats "$1/cgprov/stats" &&
	mount -o remount,bind,ro "$1/cgprov/stats" &&
	setpriv --reuid="$3" --regid="$3" --clear-groups -- "$2" --root "$1/cgprov" export > "$1/cgprov.prom" &&
	grep -q "^cgprov_runq_delay_seconds_count{cgroup=\"/\"}" "$1/cgprov.prom"' _ "$work" "$CGPROV" "$CGPROV_TEST_UID"

request() { printf "$1" | "$CGPROV" export --http > "$work/response"; }
request 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain;version=0.0.4\r\n\r\n'
check "--http answers a GET with 200 and the text format's content type" bash -c '
	head -n1 "$1" | grep -q "^HTTP/1.0 200 OK" &&
	grep -q "^Content-Type: text/plain; version=0.0.4; charset=utf-8" "$1"' _ "$work/response"
sed '1,/^\r$/d' "$work/response" > "$work/body"
check "its Content-Length is the body's" bash -c '
	[ "$(sed -n "s/^Content-Length: \([0-9]*\).*/\1/p" "$1")" = "$(wc -c < "$2")" ]' _ "$work/response" "$work/body"
check "promtool accepts the body" bash -c 'promtool check metrics < "$1"' _ "$work/body"
request 'GET / HTTP/1.1\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n\r\n'
check "an Accept of application/openmetrics-text gets OpenMetrics, ending with # EOF" bash -c '
	grep -q "^Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8" "$1" &&
	[ "$(tail -n1 "$1")" = "# EOF" ]' _ "$work/response"
request 'POST / HTTP/1.1\r\n\r\n'
check "anything but GET or HEAD gets 405" bash -c 'head -n1 "$1" | grep -q "^HTTP/1.0 405"' _ "$work/response"
finish
