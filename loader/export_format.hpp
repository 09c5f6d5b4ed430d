// cgprov export's output: the Prometheus text exposition format (0.0.4),
// OpenMetrics 1.0 text, and JSON, rendered from one snapshot of the stats.
#pragma once

#include <linux/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup_labels.hpp"
#include "provisioner.h"
#include "result.hpp"
#include "stats.h"
#include "stats_format.hpp"

namespace cgprov {

// The numbers of one stats file that the metrics are made of.
struct CgroupDelays {
  uint64_t runq_count = 0;
  uint64_t runq_total_ns = 0;
  uint64_t runq_max_ns = 0;
  std::array<uint64_t, CGPROV_RUNQ_HIST_BUCKETS> runq_log2{};  // runq_delay_log2_ns_<k>
  uint64_t reclaim_count = 0;
  uint64_t reclaim_total_ns = 0;
  uint64_t reclaim_max_ns = 0;
};

// The delays in a parsed stats file; an error names the first missing key.
Result<CgroupDelays> delays_from_stats(const std::vector<StatLine> &stats);

struct CgroupSample {
  CgroupLabels labels;
  std::vector<StatLine> stats;  // the file as read, for --format json
  CgroupDelays delays;
};

struct ExportSnapshot {
  std::string version;                                 // cgprov_build_info
  std::optional<cgprov_provision_status> provisioner;  // absent: not readable
  std::vector<CgroupSample> cgroups;                   // in walk order
};

enum class ExportFormat { kPrometheus, kOpenMetrics, kJson };

// The snapshot in `format`; text formats end with a newline (OpenMetrics
// with "# EOF\n").
std::string render_export(const ExportSnapshot &snapshot, ExportFormat format);

// Content-Type of `format`'s output over HTTP.
std::string_view content_type(ExportFormat format);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// A label value for both text formats: valid UTF-8 (see valid_utf8), with
// backslash, double quote and newline escaped as \\, \" and \n.
std::string escape_label_value(std::string_view value);

// Exact decimal seconds of `ns` nanoseconds: 1500000000 -> "1.5",
// 2 -> "0.000000002", 0 -> "0".
std::string seconds_from_ns(uint64_t ns);

}  // namespace cgprov
