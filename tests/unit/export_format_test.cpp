#include "export_format.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace cgprov;

namespace {

std::vector<StatLine> stats_file(uint64_t base) {
  std::vector<StatLine> s{{"runq_delay_count", 0},
                          {"runq_delay_total_ns", 1500000000 + base},
                          {"runq_delay_max_ns", 2000}};
  uint64_t count = 0;
  for (int k = 0; k < CGPROV_RUNQ_HIST_BUCKETS; ++k) {
    s.emplace_back("runq_delay_log2_ns_" + std::to_string(k), k + base);
    count += k + base;
  }
  s[0].second = count;
  s.emplace_back("reclaim_delay_count", 7);
  s.emplace_back("reclaim_delay_total_ns", 18446744073709551615ULL);
  s.emplace_back("reclaim_delay_max_ns", 3);
  return s;
}

CgroupSample sample(const std::string &path, uint64_t base = 0) {
  auto stats = stats_file(base);
  auto delays = delays_from_stats(stats);
  REQUIRE(delays.ok());
  return {parse_cgroup_labels(path), stats, delays.value()};
}

ExportSnapshot snapshot() {
  ExportSnapshot s;
  s.version = "0.1.0-abc";
  s.provisioner = cgprov_provision_status{10, 4, 1, 2, -17, -2};
  s.cgroups.push_back(sample("/"));
  s.cgroups.push_back(sample("/system.slice/ssh.service", 100));
  return s;
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string &text, const std::string &line) {
  for (const auto &l : lines(text))
    if (l == line) return true;
  return false;
}

}  // namespace

TEST_CASE("nanoseconds print as exact decimal seconds") {
  CHECK(seconds_from_ns(0) == "0");
  CHECK(seconds_from_ns(2) == "0.000000002");
  CHECK(seconds_from_ns(1500000000) == "1.5");
  CHECK(seconds_from_ns(2147483648) == "2.147483648");
  CHECK(seconds_from_ns(18446744073709551615ULL) == "18446744073.709551615");
}

TEST_CASE("label values escape backslash, quote and newline and keep UTF-8") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("with space") == "with space");
  CHECK(escape_label_value("a\"b") == "a\\\"b");
  CHECK(escape_label_value("a\\b") == "a\\\\b");
  CHECK(escape_label_value("a\nb") == "a\\nb");
  CHECK(escape_label_value("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");
  CHECK(escape_label_value("tab\there") == "tab\there");  // allowed as is
}

TEST_CASE("invalid UTF-8 in a label value becomes U+FFFD, never invalid output") {
  CHECK(valid_utf8("ok") == "ok");
  CHECK(valid_utf8("a\xff"
                   "b") ==
        "a\xef\xbf\xbd"
        "b");
  CHECK(valid_utf8("\xc3") == "\xef\xbf\xbd");                          // truncated sequence
  CHECK(valid_utf8("\xed\xa0\x80").find('\xed') == std::string::npos);  // surrogate
  CHECK(escape_label_value("x\xfe\"") == "x\xef\xbf\xbd\\\"");
}

TEST_CASE("a stats file missing a key is an error naming it") {
  auto stats = stats_file(0);
  stats.erase(stats.begin() + 10);  // runq_delay_log2_ns_7
  auto delays = delays_from_stats(stats);
  REQUIRE_FALSE(delays.ok());
  CHECK(delays.error().message == "stats file has no 'runq_delay_log2_ns_7'");
  auto extra = stats_file(0);
  extra.emplace_back("future_key", 1);
  CHECK(delays_from_stats(extra).ok());
}

TEST_CASE("the Prometheus text has HELP and TYPE once per family, in groups") {
  const std::string text = render_export(snapshot(), ExportFormat::kPrometheus);
  CHECK(has_line(text, "# TYPE cgprov_runq_delay_seconds histogram"));
  CHECK(has_line(text, "# TYPE cgprov_runq_delay_max_seconds gauge"));
  CHECK(has_line(text, "# TYPE cgprov_reclaim_delay_seconds_total counter"));
  CHECK(has_line(text, "# TYPE cgprov_reclaim_episodes_total counter"));
  CHECK(has_line(text, "# TYPE cgprov_reclaim_delay_max_seconds gauge"));
  CHECK(has_line(text, "# TYPE cgprov_build_info gauge"));
  CHECK(has_line(text, "cgprov_build_info{version=\"0.1.0-abc\"} 1"));
  CHECK(has_line(text, "cgprov_provisioner_pinned_total 10"));
  CHECK(has_line(text, "cgprov_provisioner_unpinned_total 4"));
  CHECK(has_line(text, "cgprov_provisioner_errors_total{operation=\"pin\"} 1"));
  CHECK(has_line(text, "cgprov_provisioner_errors_total{operation=\"unpin\"} 2"));
  CHECK(has_line(text, "cgprov_provisioner_last_errno{operation=\"pin\"} 17"));
  CHECK(has_line(text, "cgprov_provisioner_counters_readable 1"));
  CHECK(has_line(text, "cgprov_export_cgroups 2"));
  CHECK(text.find("# EOF") == std::string::npos);
  CHECK(text.find("# UNIT") == std::string::npos);
  // Every sample line's family was declared just before its group.
  std::string family;
  std::vector<std::string> seen;
  for (const auto &l : lines(text)) {
    if (l.starts_with("# TYPE ")) {
      family = l.substr(7, l.find(' ', 7) - 7);
      for (const auto &s : seen) CHECK(s != family);
      seen.push_back(family);
      continue;
    }
    if (l.starts_with("#")) continue;
    INFO(l);
    CHECK(l.starts_with(family));
  }
}

TEST_CASE("the run-queue histogram is cumulative in seconds with le = 2^(k+1) ns") {
  const std::string text = render_export(snapshot(), ExportFormat::kPrometheus);
  // Bucket k counted k events for the root: cumulative 0, 1, 3, 6, ...
  CHECK(has_line(text, "cgprov_runq_delay_seconds_bucket{cgroup=\"/\",le=\"0.000000002\"} 0"));
  CHECK(has_line(text, "cgprov_runq_delay_seconds_bucket{cgroup=\"/\",le=\"0.000000004\"} 1"));
  CHECK(has_line(text, "cgprov_runq_delay_seconds_bucket{cgroup=\"/\",le=\"0.000000008\"} 3"));
  // Bucket 30 is [2^30, 2^31) ns: le 2^31 ns; bucket 31 only reaches +Inf.
  CHECK(has_line(text, "cgprov_runq_delay_seconds_bucket{cgroup=\"/\",le=\"2.147483648\"} 465"));
  CHECK(has_line(text, "cgprov_runq_delay_seconds_bucket{cgroup=\"/\",le=\"+Inf\"} 496"));
  CHECK(has_line(text, "cgprov_runq_delay_seconds_count{cgroup=\"/\"} 496"));
  CHECK(has_line(text, "cgprov_runq_delay_seconds_sum{cgroup=\"/\"} 1.5"));
  CHECK(has_line(text, "cgprov_runq_delay_max_seconds{cgroup=\"/\"} 0.000002"));
  CHECK(has_line(text, "cgprov_reclaim_delay_seconds_total{cgroup=\"/\"} 18446744073.709551615"));
  CHECK(has_line(text, "cgprov_reclaim_episodes_total{cgroup=\"/\"} 7"));
  CHECK(has_line(text, "cgprov_reclaim_delay_max_seconds{cgroup=\"/\"} 0.000000003"));
  CHECK(has_line(text,
                 "cgprov_runq_delay_seconds_count{cgroup=\"/system.slice/ssh.service\",slice="
                 "\"system.slice\",unit=\"ssh.service\"} 3696"));
}

TEST_CASE("a cgroup has 38 series, the cardinality README states") {
  ExportSnapshot one;
  one.version = "v";
  one.cgroups.push_back(sample("/a"));
  size_t series = 0;
  for (const auto &l : lines(render_export(one, ExportFormat::kPrometheus)))
    if (l.find("cgroup=\"/a\"") != std::string::npos) ++series;
  CHECK(series == 38);
}

TEST_CASE("without the provisioner's counters the export says so and omits them") {
  auto s = snapshot();
  s.provisioner.reset();
  const std::string text = render_export(s, ExportFormat::kPrometheus);
  CHECK(has_line(text, "cgprov_provisioner_counters_readable 0"));
  CHECK(text.find("cgprov_provisioner_pinned") == std::string::npos);
}

TEST_CASE("awkward cgroup names are escaped in the cgroup label") {
  ExportSnapshot s;
  s.version = "v";
  s.cgroups.push_back(sample("/we\"ird \\name\nx\xff"));
  const std::string text = render_export(s, ExportFormat::kPrometheus);
  CHECK(has_line(
      text, "cgprov_reclaim_episodes_total{cgroup=\"/we\\\"ird \\\\name\\nx\xef\xbf\xbd\"} 7"));
}

TEST_CASE("OpenMetrics names families without _total, has UNIT and ends with # EOF") {
  const std::string text = render_export(snapshot(), ExportFormat::kOpenMetrics);
  CHECK(text.ends_with("\n# EOF\n"));
  CHECK(has_line(text, "# TYPE cgprov_reclaim_delay_seconds counter"));
  CHECK(has_line(text, "# UNIT cgprov_reclaim_delay_seconds seconds"));
  CHECK(has_line(text, "cgprov_reclaim_delay_seconds_total{cgroup=\"/\"} 18446744073.709551615"));
  CHECK(has_line(text, "# TYPE cgprov_reclaim_episodes counter"));
  CHECK(has_line(text, "cgprov_reclaim_episodes_total{cgroup=\"/\"} 7"));
  CHECK(has_line(text, "# TYPE cgprov_runq_delay_seconds histogram"));
  CHECK(has_line(text, "# UNIT cgprov_runq_delay_seconds seconds"));
  CHECK(has_line(text, "# TYPE cgprov_build info"));
  CHECK(has_line(text, "cgprov_build_info{version=\"0.1.0-abc\"} 1"));
  CHECK(has_line(text, "# TYPE cgprov_provisioner_pinned counter"));
  CHECK(has_line(text, "cgprov_provisioner_pinned_total 10"));
}

TEST_CASE("JSON export keeps uint64 values exact and names valid UTF-8") {
  ExportSnapshot s = snapshot();
  s.cgroups.push_back(sample("/kubepods/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/c0ffee\xff"));
  const std::string text = render_export(s, ExportFormat::kJson);
  auto json = nlohmann::ordered_json::parse(text);  // throws on invalid UTF-8
  CHECK(json["version"] == "0.1.0-abc");
  CHECK(json["provisioner"]["pinned"] == 10);
  CHECK(json["provisioner"]["last_pin_error"] == -17);
  CHECK(json["cgroups"].size() == 3);
  CHECK(json["cgroups"][0]["cgroup"] == "/");
  CHECK(json["cgroups"][0]["stats"]["reclaim_delay_total_ns"].get<uint64_t>() ==
        18446744073709551615ULL);
  CHECK(text.find("18446744073709551615") != std::string::npos);
  CHECK(json["cgroups"][1]["labels"]["unit"] == "ssh.service");
  CHECK(json["cgroups"][2]["labels"]["pod_uid"] == "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  CHECK(json["cgroups"][2]["cgroup"].get<std::string>().ends_with("c0ffee\xef\xbf\xbd"));
  // Stats keep the file's order.
  CHECK(json["cgroups"][0]["stats"].begin().key() == "runq_delay_count");
}
