// cgprov export: one snapshot of every cgroup's stats file, with labels,
// for Prometheus (text or OpenMetrics) or as JSON.
#pragma once

#include <optional>
#include <regex>
#include <string>

#include "export_format.hpp"
#include "layout.hpp"
#include "result.hpp"

namespace cgprov {

struct ExportOptions {
  Layout layout;
  std::optional<std::regex> match;  // on the cgroup label, whole value; none: all
  std::string version;              // for cgprov_build_info
};

// Walk the cgroup tree once and read each exported cgroup's stats file
// once. A cgroup removed during the walk, or whose file is gone or empty
// (removed after the walk), is left out; the stats directory missing or
// unreadable is an error.
Result<ExportSnapshot> collect_export(const ExportOptions &options);

}  // namespace cgprov
