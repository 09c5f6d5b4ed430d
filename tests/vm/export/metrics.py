# Helpers for the export suite (not a test itself: not executable).
#   python3 metrics.py snapshot DIR...             stats files of every cgroup under DIRs
#   python3 metrics.py compare SCRAPE VERSION STATUS_JSON DIR...
#                                                  TAP: the scrape holds each cgroup's
#                                                  series with its labels and file's values
#   python3 metrics.py histograms FILE             TAP: buckets cumulative, _count == +Inf
# Paths are bytes: names may hold any byte but '/' and NUL.
import json
import os
import re
import sys

CGROUPFS = b"/sys/fs/cgroup"
STATS = b"/run/cgprov/stats"
failed = False


def tap(ok, name, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + name)
    if not ok:
        failed = True
        if detail:
            print("    " + detail[:2000])


def cgroups(dirs):
    for top in dirs:
        for path, _subdirs, _files in os.walk(top):
            yield path


def stats_of(path):
    with open(os.path.join(STATS, str(os.stat(path).st_ino).encode()), "rb") as f:
        lines = f.read().decode().splitlines()
    return {k: int(v) for k, v in (l.split(" ") for l in lines)}


def label_of(path):
    rel = path[len(CGROUPFS):] or b"/"
    # As the export does: invalid UTF-8 becomes U+FFFD.
    return rel.decode("utf-8", "replace")


def parse_exposition(text):
    """(name, labels, value) of each sample of the Prometheus text format."""
    samples = []
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = sample.match(line)
        if not m:
            raise ValueError("unparsable line: " + line)
        labels, body = {}, m.group(3) or ""
        i = 0
        while i < len(body):
            eq = body.index("=", i)
            name = body[i:eq]
            assert body[eq + 1] == '"', line
            j, value = eq + 2, []
            while body[j] != '"':
                if body[j] == "\\":
                    value.append({"\\": "\\", '"': '"', "n": "\n"}[body[j + 1]])
                    j += 2
                else:
                    value.append(body[j])
                    j += 1
            labels[name] = "".join(value)
            i = j + 1
            if i < len(body) and body[i] == ",":
                i += 1
        samples.append((m.group(1), labels, m.group(4)))
    return samples


def seconds(ns):
    """The export's exact decimal seconds, as a float (what a parser gets)."""
    return float("%d.%09d" % (ns // 10**9, ns % 10**9))


# Labels the export derives from these test paths (node_exporter fills a
# family's missing labels with "", so "" means absent).
POD_SLICE = "kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice"
EXPECTED_LABELS = {
    "/cgprov-test.slice": {"slice": "cgprov-test.slice"},
    "/kubepods.slice": {"slice": "kubepods.slice"},
    "/kubepods.slice/kubepods-burstable.slice": {"slice": "kubepods-burstable.slice"},
    "/kubepods.slice/kubepods-burstable.slice/" + POD_SLICE: {
        "slice": POD_SLICE, "pod_uid": "0a1b2c3d-4e5f-6789-abcd-ef0123456789"},
    "/kubepods/burstable/pod11112222-3333-4444-5555-666677778888": {
        "pod_uid": "11112222-3333-4444-5555-666677778888"},
    "/cgprov-test.slice/cgprov-app.service": {"slice": "cgprov-test.slice", "unit": "cgprov-app.service"},
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/"
    "cri-containerd-4f9c1e0b7d2a3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6.scope": {
        "slice": "kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice",
        "unit": "cri-containerd-4f9c1e0b7d2a3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6.scope",
        "pod_uid": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "container_id": "4f9c1e0b7d2a3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
    },
    "/kubepods/burstable/pod11112222-3333-4444-5555-666677778888/c0ffee0123": {
        "pod_uid": "11112222-3333-4444-5555-666677778888",
        "container_id": "c0ffee0123",
    },
}


def compare(scrape_file, version, status_file, dirs):
    with open(scrape_file, encoding="utf-8") as f:  # fails on invalid UTF-8
        text = f.read()
    samples = parse_exposition(text)
    by_cgroup = {}
    for name, labels, value in samples:
        if "cgroup" in labels:
            by_cgroup.setdefault(labels["cgroup"], []).append((name, labels, value))

    for family, kind in [("cgprov_runq_delay_seconds", "histogram"),
                         ("cgprov_runq_delay_max_seconds", "gauge"),
                         ("cgprov_reclaim_delay_seconds_total", "counter"),
                         ("cgprov_reclaim_episodes_total", "counter"),
                         ("cgprov_reclaim_delay_max_seconds", "gauge"),
                         ("cgprov_build_info", "gauge"),
                         ("cgprov_provisioner_errors_total", "counter")]:
        tap("# TYPE %s %s" % (family, kind) in text.splitlines() and
            any(l.startswith("# HELP %s " % family) for l in text.splitlines()),
            "the scrape has HELP and TYPE %s for %s" % (kind, family))

    tap(("cgprov_build_info", {"version": version}, "1") in samples,
        "cgprov_build_info carries the installed version " + version)
    with open(status_file) as f:
        status = json.load(f)
    for metric, key, labels in [("cgprov_provisioner_pinned_total", "pinned", {}),
                                ("cgprov_provisioner_unpinned_total", "unpinned", {}),
                                ("cgprov_provisioner_errors_total", "pin_errors", {"operation": "pin"}),
                                ("cgprov_provisioner_errors_total", "unpin_errors", {"operation": "unpin"})]:
        got = [v for n, l, v in samples if n == metric and l == labels]
        tap(got == [str(status[key])], "%s%s equals status's %s (%s)" % (metric, labels or "", key, status[key]),
            "scrape: %s" % got)

    paths = list(cgroups(dirs))
    tap(len(paths) >= 8, "the test tree has its %d cgroups" % len(paths))
    for path in paths:
        label = label_of(path)
        series = by_cgroup.get(label, [])
        name = "cgroup %r" % label
        if len(series) != 38:
            tap(False, name + ": 38 series in the scrape", "got %d" % len(series))
            continue
        want_labels = EXPECTED_LABELS.get(label, {})
        bad = [l for _, l, _ in series
               if any(l.get(k, "") != want_labels.get(k, "") for k in ("slice", "unit", "pod_uid", "container_id"))]
        tap(not bad, name + ": labels " + (json.dumps(want_labels) if want_labels else "cgroup only"),
            "got %s" % (bad[:1],))

        s = stats_of(path)
        hist = [s["runq_delay_log2_ns_%d" % k] for k in range(32)]
        want = {}
        cumulative = 0
        for k in range(31):
            cumulative += hist[k]
            want[("cgprov_runq_delay_seconds_bucket", (2 ** (k + 1)) / 1e9)] = cumulative
        want[("cgprov_runq_delay_seconds_bucket", float("inf"))] = cumulative + hist[31]
        want[("cgprov_runq_delay_seconds_count", None)] = sum(hist)
        want[("cgprov_runq_delay_seconds_sum", None)] = seconds(s["runq_delay_total_ns"])
        want[("cgprov_runq_delay_max_seconds", None)] = seconds(s["runq_delay_max_ns"])
        want[("cgprov_reclaim_delay_seconds_total", None)] = seconds(s["reclaim_delay_total_ns"])
        want[("cgprov_reclaim_episodes_total", None)] = s["reclaim_delay_count"]
        want[("cgprov_reclaim_delay_max_seconds", None)] = seconds(s["reclaim_delay_max_ns"])
        got = {}
        for n, l, v in series:
            le = l.get("le")
            got[(n, float(le) if le is not None else None)] = float(v)
        diff = {k: (want[k], got.get(k)) for k in want if got.get(k) != float(want[k])}
        tap(not diff and len(got) == len(want),
            name + ": values equal its stats file (runq %d, reclaim %d)" % (sum(hist), s["reclaim_delay_count"]),
            "want/got: %s" % list(diff.items())[:4])
        tap(sum(hist) == s["runq_delay_count"], name + ": the histogram's count equals runq_delay_count")


def histograms(path):
    with open(path, encoding="utf-8") as f:
        samples = parse_exposition(f.read())
    buckets, counts = {}, {}
    for name, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        if name.endswith("_bucket"):
            buckets.setdefault((name[:-7], key), []).append((float(labels["le"]), float(value)))
        elif name.endswith("_count"):
            counts[(name[:-6], key)] = float(value)
    bad_order = [k for k, b in buckets.items()
                 if any(b[i][0] >= b[i + 1][0] or b[i][1] > b[i + 1][1] for i in range(len(b) - 1))
                 or b[-1][0] != float("inf")]
    tap(buckets and not bad_order,
        "%d histograms: le ascending to +Inf, counts cumulative" % len(buckets), str(bad_order[:2]))
    bad_count = [k for k, b in buckets.items() if counts.get(k) != b[-1][1]]
    tap(buckets and not bad_count, "every histogram's _count equals its +Inf bucket", str(bad_count[:2]))


def main():
    cmd, args = sys.argv[1], [a.encode("utf-8", "surrogateescape") for a in sys.argv[2:]]
    if cmd == "snapshot":
        for path in sorted(cgroups(args)):
            print(repr(path), sorted(stats_of(path).items()))
    elif cmd == "compare":
        compare(args[0].decode(), args[1].decode(), args[2].decode(), args[3:])
    elif cmd == "histograms":
        histograms(args[0].decode())
    sys.exit(1 if failed else 0)


main()
