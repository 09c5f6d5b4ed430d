#include "stats_carry.hpp"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <vector>

#include "bpffs.hpp"
#include "cgroup_fs.hpp"
#include "stats.h"

namespace cgprov {
namespace {

const char *map_pin(StatsLayout layout) {
  return layout == StatsLayout::v1 ? pin::kStatsMapV1 : pin::kStatsMapV2;
}

size_t value_size(StatsLayout layout) {
  return layout == StatsLayout::v1 ? sizeof(cgprov_cgroup_stats_v1)
                                   : sizeof(cgprov_cgroup_stats_v2);
}

// The totals of one cgroup in `old`; false when it has none.
Result<bool> read_totals(const OldStats &old, int cgroup_fd, const std::string &path,
                         cgprov_counters &total) {
  cgprov_cgroup_stats_v1 v1{};
  cgprov_cgroup_stats_v2 v2{};
  void *value = old.layout == StatsLayout::v1 ? static_cast<void *>(&v1) : &v2;
  if (bpf_map_lookup_elem(old.map.get(), &cgroup_fd, value)) {
    if (errno == ENOENT) return false;
    return errno_error(std::string("read ") + layout_name(old.layout) + " stats of " + path);
  }
  total = old.layout == StatsLayout::v1 ? v1.total : v2.total;
  return true;
}

}  // namespace

const char *layout_name(StatsLayout layout) { return layout == StatsLayout::v1 ? "v1" : "v2"; }

Result<OldStats> open_old_stats(const std::vector<const Layout *> &candidates) {
  for (StatsLayout layout : {StatsLayout::v2, StatsLayout::v1}) {
    for (const Layout *tree : candidates) {
      const std::string path = tree->internal() + "/" + map_pin(layout);
      if (!path_exists(path)) continue;
      auto fd = open_pinned(path);
      if (!fd) return fd.error();
      bpf_map_info info{};
      uint32_t len = sizeof(info);
      if (bpf_map_get_info_by_fd(fd.value().get(), &info, &len))
        return errno_error("read map info of " + path);
      if (info.type != BPF_MAP_TYPE_CGRP_STORAGE || info.value_size != value_size(layout))
        return Error{"map " + path +
                         " has a layout this version cannot carry over; 'cgprov uninstall' "
                         "first (this resets the stats)",
                     0};
      return OldStats{layout, *tree, std::move(fd.value())};
    }
  }
  return OldStats{};
}

Result<void> flush_old_stats(const OldStats &old) {
  auto root_id = cgroup_id_of(old.tree.cgroupfs);
  if (!root_id) return root_id.error();
  const std::string file = old.tree.stats_file(root_id.value());
  const std::string why = std::string(" to flush the ") + layout_name(old.layout) + " stats";
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + file + why);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0) {
  }
  if (n < 0) return errno_error("read " + file + why);
  return {};
}

Result<size_t> carry_old_stats(const OldStats &old, int map_fd) {
  auto walk = walk_cgroups(old.tree.cgroupfs);
  if (!walk) return walk.error();
  size_t carried = 0;
  for (const auto &cgroup : walk.value().cgroups) {
    // Cgroup storage is keyed by a cgroup fd: the directory, opened again
    // (relative fds, any length) and checked to be the one walked.
    auto dir = open_path(cgroup.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st{};
    if (!dir || ::fstat(dir.value().get(), &st) || st.st_ino != cgroup.id)
      continue;  // removed (or replaced) since the walk: its numbers are in its parent's
    const int key = dir.value().get();
    cgprov_cgroup_stats stats{};
    auto found = read_totals(old, key, cgroup.path, stats.total);
    if (!found) return found.error();
    if (!found.value()) continue;  // no numbers: nothing to carry
    if (bpf_map_update_elem(map_fd, &key, &stats, BPF_ANY))
      return errno_error("carry stats of " + cgroup.path + " over");
    ++carried;
  }
  return carried;
}

Result<void> unpin_old_stats(const Layout &tree, StatsLayout layout) {
  std::vector<const char *> names{map_pin(layout)};
  if (layout == StatsLayout::v1) names.push_back(pin::kTaskTimesMapV1);
  for (const char *name : names)
    if (auto r = unpin(tree.internal() + "/" + name); !r) return r;  // a missing one is fine
  return {};
}

}  // namespace cgprov
