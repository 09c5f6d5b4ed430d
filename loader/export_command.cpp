#include "export_command.hpp"

#include <fcntl.h>

#include "cgroup_walk.hpp"
#include "installer.hpp"
#include "unique_fd.hpp"

namespace cgprov {
namespace {

// A stats file's bytes (a few hundred); nullopt if it is gone.
Result<std::optional<std::string>> read_stats_at(int stats_dir, const std::string &name,
                                                 const std::string &what) {
  UniqueFd fd(::openat(stats_dir, name.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return errno_error("open stats file " + what);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read stats file " + what);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<ExportSnapshot> collect_export(const ExportOptions &options) {
  const Layout &layout = options.layout;
  UniqueFd stats_dir(::open(layout.stats().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!stats_dir.valid()) return errno_error("open stats directory " + layout.stats());

  ExportSnapshot snapshot;
  snapshot.version = options.version;
  snapshot.provisioner = read_provision_counters(layout);

  auto cgroups = walk_cgroup_tree(layout.cgroupfs);
  if (!cgroups) return cgroups.error();
  for (const auto &cgroup : cgroups.value()) {
    if (options.match && !std::regex_match(valid_utf8(cgroup.path), *options.match)) continue;
    const std::string name = std::to_string(cgroup.id);
    const std::string what = layout.stats() + "/" + name + " (cgroup " + cgroup.path + ")";
    auto text = read_stats_at(stats_dir.get(), name, what);
    if (!text) return text.error();
    // Gone, or empty: a removed cgroup's file read through a stale pin.
    if (!text.value() || text.value()->empty()) continue;
    auto stats = parse_stats(*text.value());
    if (!stats) return Error{what + ": " + stats.error().describe(), 0};
    auto delays = delays_from_stats(stats.value());
    if (!delays) return Error{what + ": " + delays.error().describe(), 0};
    snapshot.cgroups.push_back(
        {parse_cgroup_labels(cgroup.path), std::move(stats.value()), delays.value()});
  }
  return snapshot;
}

}  // namespace cgprov
