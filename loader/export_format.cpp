#include "export_format.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string_view>

namespace cgprov {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kPrefix = "runq_delay_log2_ns_";

// One metric family: `name` is the family name of OpenMetrics (no _total
// on counters); the Prometheus text format names counters with _total.
struct Family {
  std::string_view name;
  std::string_view type;  // "counter", "gauge", "histogram", "info"
  std::string_view unit;  // OpenMetrics UNIT, "" for none
  std::string_view help;
};

constexpr Family kRunqDelay{"cgprov_runq_delay_seconds", "histogram", "seconds",
                            "Run-queue delay (wakeup to running) of the cgroup's tasks, "
                            "descendants included."};
constexpr Family kRunqMax{"cgprov_runq_delay_max_seconds", "gauge", "seconds",
                          "Longest run-queue delay of the cgroup's tasks, descendants included."};
constexpr Family kReclaimDelay{"cgprov_reclaim_delay_seconds", "counter", "seconds",
                               "Time the cgroup's tasks spent in direct reclaim, descendants "
                               "included."};
constexpr Family kReclaimEpisodes{"cgprov_reclaim_episodes", "counter", "",
                                  "Direct reclaim episodes of the cgroup's tasks, descendants "
                                  "included."};
constexpr Family kReclaimMax{"cgprov_reclaim_delay_max_seconds", "gauge", "seconds",
                             "Longest direct reclaim episode of the cgroup's tasks, "
                             "descendants included."};
constexpr Family kBuild{"cgprov_build", "info", "", "The cgprov binary that wrote this."};
constexpr Family kPinned{"cgprov_provisioner_pinned", "counter", "",
                         "Stats files the provisioner created (on mkdir and backfill)."};
constexpr Family kUnpinned{"cgprov_provisioner_unpinned", "counter", "",
                           "Stats files the provisioner removed on rmdir."};
constexpr Family kErrors{"cgprov_provisioner_errors", "counter", "",
                         "Failed pins and unpins of stats files, by operation."};
constexpr Family kLastErrno{"cgprov_provisioner_last_errno", "gauge", "",
                            "errno of the last failed operation, 0 if none failed."};
constexpr Family kReadable{"cgprov_provisioner_counters_readable", "gauge", "",
                           "1 if the provisioner's counters were read (it needs root), else 0."};
constexpr Family kCgroups{"cgprov_export_cgroups", "gauge", "",
                          "Cgroups in this export (after --match)."};

class TextWriter {
 public:
  explicit TextWriter(bool openmetrics) : om_(openmetrics) {}

  void family(const Family &f) {
    const std::string name = type_line_name(f);
    out_ += "# HELP " + name + " " + std::string(f.help) + "\n";
    std::string_view type = f.type;
    if (!om_ && type == "info") type = "gauge";  // the 0.0.4 format has no info type
    out_ += "# TYPE " + name + " " + std::string(type) + "\n";
    if (om_ && !f.unit.empty()) out_ += "# UNIT " + name + " " + std::string(f.unit) + "\n";
  }

  // A sample of family `f` with `suffix` ("_bucket", "_total", ...).
  void sample(std::string_view name, std::string_view suffix, std::string_view labels,
              std::string_view value) {
    out_ += name;
    out_ += suffix;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }

  // A counter's sample: <family>_total in both formats.
  void counter(const Family &f, std::string_view labels, uint64_t value) {
    sample(f.name, "_total", labels, std::to_string(value));
  }

  std::string finish() {
    if (om_) out_ += "# EOF\n";
    return std::move(out_);
  }

 private:
  // OpenMetrics names the family; the 0.0.4 format names counters by their
  // sample, with _total, and info metrics by their _info sample.
  std::string type_line_name(const Family &f) const {
    std::string name(f.name);
    if (!om_ && f.type == "counter") name += "_total";
    if (!om_ && f.type == "info") name += "_info";
    return name;
  }

  bool om_;
  std::string out_;
};

std::string cgroup_label_set(const CgroupLabels &l) {
  std::string out = "cgroup=\"" + escape_label_value(l.cgroup) + "\"";
  auto add = [&](std::string_view name, const std::string &value) {
    if (value.empty()) return;
    out += ",";
    out += name;
    out += "=\"" + escape_label_value(value) + "\"";
  };
  add("slice", l.slice);
  add("unit", l.unit);
  add("pod_uid", l.pod_uid);
  add("container_id", l.container_id);
  return out;
}

std::string render_text(const ExportSnapshot &s, bool openmetrics) {
  TextWriter w(openmetrics);
  std::vector<std::string> labels;
  labels.reserve(s.cgroups.size());
  for (const auto &c : s.cgroups) labels.push_back(cgroup_label_set(c.labels));

  w.family(kRunqDelay);
  for (size_t i = 0; i < s.cgroups.size(); ++i) {
    const CgroupDelays &d = s.cgroups[i].delays;
    // Bucket k holds [2^k, 2^(k+1)) ns, so its upper bound le is 2^(k+1)
    // ns; the last bucket is open-ended and only counts toward +Inf.
    uint64_t cumulative = 0;
    for (size_t k = 0; k + 1 < d.runq_log2.size(); ++k) {
      cumulative += d.runq_log2[k];
      w.sample(kRunqDelay.name, "_bucket",
               labels[i] + ",le=\"" + seconds_from_ns(uint64_t{2} << k) + "\"",
               std::to_string(cumulative));
    }
    cumulative += d.runq_log2.back();
    w.sample(kRunqDelay.name, "_bucket", labels[i] + ",le=\"+Inf\"", std::to_string(cumulative));
    w.sample(kRunqDelay.name, "_sum", labels[i], seconds_from_ns(d.runq_total_ns));
    // _count is the +Inf bucket: the file's runq_delay_count may differ from
    // the buckets' sum by events that arrived between their flushes.
    w.sample(kRunqDelay.name, "_count", labels[i], std::to_string(cumulative));
  }
  w.family(kRunqMax);
  for (size_t i = 0; i < s.cgroups.size(); ++i)
    w.sample(kRunqMax.name, "", labels[i], seconds_from_ns(s.cgroups[i].delays.runq_max_ns));
  w.family(kReclaimDelay);
  for (size_t i = 0; i < s.cgroups.size(); ++i)
    w.sample(kReclaimDelay.name, "_total", labels[i],
             seconds_from_ns(s.cgroups[i].delays.reclaim_total_ns));
  w.family(kReclaimEpisodes);
  for (size_t i = 0; i < s.cgroups.size(); ++i)
    w.counter(kReclaimEpisodes, labels[i], s.cgroups[i].delays.reclaim_count);
  w.family(kReclaimMax);
  for (size_t i = 0; i < s.cgroups.size(); ++i)
    w.sample(kReclaimMax.name, "", labels[i], seconds_from_ns(s.cgroups[i].delays.reclaim_max_ns));

  w.family(kCgroups);
  w.sample(kCgroups.name, "", "", std::to_string(s.cgroups.size()));
  w.family(kBuild);
  w.sample(kBuild.name, "_info", "version=\"" + escape_label_value(s.version) + "\"", "1");
  w.family(kReadable);
  w.sample(kReadable.name, "", "", s.provisioner ? "1" : "0");
  if (const auto &p = s.provisioner) {
    w.family(kPinned);
    w.counter(kPinned, "", p->pinned);
    w.family(kUnpinned);
    w.counter(kUnpinned, "", p->unpinned);
    w.family(kErrors);
    w.counter(kErrors, "operation=\"pin\"", p->pin_errors);
    w.counter(kErrors, "operation=\"unpin\"", p->unpin_errors);
    w.family(kLastErrno);
    // The map keeps negative errnos.
    w.sample(kLastErrno.name, "", "operation=\"pin\"", std::to_string(-p->last_pin_error));
    w.sample(kLastErrno.name, "", "operation=\"unpin\"", std::to_string(-p->last_unpin_error));
  }
  return w.finish();
}

std::string render_json(const ExportSnapshot &s) {
  ordered_json out;
  out["version"] = s.version;
  if (const auto &p = s.provisioner) {
    out["provisioner"] = {{"pinned", p->pinned},
                          {"unpinned", p->unpinned},
                          {"pin_errors", p->pin_errors},
                          {"unpin_errors", p->unpin_errors},
                          {"last_pin_error", p->last_pin_error},
                          {"last_unpin_error", p->last_unpin_error}};
  } else {
    out["provisioner"] = nullptr;
  }
  ordered_json cgroups = ordered_json::array();
  for (const auto &c : s.cgroups) {
    ordered_json entry;
    entry["cgroup"] = c.labels.cgroup;
    ordered_json labels = ordered_json::object();
    if (!c.labels.slice.empty()) labels["slice"] = c.labels.slice;
    if (!c.labels.unit.empty()) labels["unit"] = c.labels.unit;
    if (!c.labels.pod_uid.empty()) labels["pod_uid"] = c.labels.pod_uid;
    if (!c.labels.container_id.empty()) labels["container_id"] = c.labels.container_id;
    entry["labels"] = std::move(labels);
    ordered_json stats = ordered_json::object();
    for (const auto &[key, value] : c.stats) stats[key] = value;
    entry["stats"] = std::move(stats);
    cgroups.push_back(std::move(entry));
  }
  out["cgroups"] = std::move(cgroups);
  return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

Result<CgroupDelays> delays_from_stats(const std::vector<StatLine> &stats) {
  CgroupDelays d;
  constexpr size_t kFixedKeys = 6;
  std::array<bool, kFixedKeys + CGPROV_RUNQ_HIST_BUCKETS> seen{};
  for (const auto &[key, value] : stats) {
    std::string_view k = key;
    if (k == "runq_delay_count") {
      d.runq_count = value, seen[0] = true;
    } else if (k == "runq_delay_total_ns") {
      d.runq_total_ns = value, seen[1] = true;
    } else if (k == "runq_delay_max_ns") {
      d.runq_max_ns = value, seen[2] = true;
    } else if (k == "reclaim_delay_count") {
      d.reclaim_count = value, seen[3] = true;
    } else if (k == "reclaim_delay_total_ns") {
      d.reclaim_total_ns = value, seen[4] = true;
    } else if (k == "reclaim_delay_max_ns") {
      d.reclaim_max_ns = value, seen[5] = true;
    } else if (k.starts_with(kPrefix)) {
      const std::string_view index = k.substr(kPrefix.size());
      size_t b = 0;
      auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), b);
      if (ec == std::errc{} && end == index.data() + index.size() && b < d.runq_log2.size() &&
          index == std::to_string(b)) {
        d.runq_log2[b] = value;
        seen[kFixedKeys + b] = true;
      }
    }
    // Other keys: a newer stats file; what this binary knows is exported.
  }
  static const std::array<std::string_view, kFixedKeys> kNames{
      "runq_delay_count",    "runq_delay_total_ns",    "runq_delay_max_ns",
      "reclaim_delay_count", "reclaim_delay_total_ns", "reclaim_delay_max_ns"};
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) continue;
    const std::string name = i < kFixedKeys ? std::string(kNames[i])
                                            : std::string(kPrefix) + std::to_string(i - kFixedKeys);
    return Error{"stats file has no '" + name + "'", 0};
  }
  return d;
}

std::string render_export(const ExportSnapshot &snapshot, ExportFormat format) {
  switch (format) {
    case ExportFormat::kPrometheus:
      return render_text(snapshot, false);
    case ExportFormat::kOpenMetrics:
      return render_text(snapshot, true);
    case ExportFormat::kJson:
      return render_json(snapshot);
  }
  return "";
}

std::string_view content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::kPrometheus:
      return "text/plain; version=0.0.4; charset=utf-8";
    case ExportFormat::kOpenMetrics:
      return "application/openmetrics-text; version=1.0.0; charset=utf-8";
    case ExportFormat::kJson:
      return "application/json";
  }
  return "";
}

std::string valid_utf8(std::string_view text) {
  // nlohmann's serializer validates UTF-8 and replaces what is invalid;
  // parsing its output back yields the repaired bytes.
  const std::string quoted = nlohmann::json(std::string(text))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

std::string escape_label_value(std::string_view value) {
  const std::string text = valid_utf8(value);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string seconds_from_ns(uint64_t ns) {
  constexpr uint64_t kNsPerSecond = 1000000000;
  std::string out = std::to_string(ns / kNsPerSecond);
  uint64_t fraction = ns % kNsPerSecond;
  if (fraction == 0) return out;
  std::string digits = std::to_string(fraction);
  digits.insert(0, 9 - digits.size(), '0');  // nanoseconds: 9 decimal places
  digits.erase(digits.find_last_not_of('0') + 1);
  return out + "." + digits;
}

}  // namespace cgprov
