#include "stats_carry.hpp"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "bpffs.hpp"
#include "cgroup_fs.hpp"
#include "stats.h"

namespace cgprov {

Result<UniqueFd> open_v1_stats(const Layout &layout) {
  const std::string path = layout.internal() + "/" + pin::kStatsMapV1;
  if (!path_exists(path)) return UniqueFd{};
  auto fd = open_pinned(path);
  if (!fd) return fd.error();
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_map_get_info_by_fd(fd.value().get(), &info, &len))
    return errno_error("read map info of " + path);
  if (info.type != BPF_MAP_TYPE_CGRP_STORAGE || info.value_size != sizeof(cgprov_cgroup_stats_v1))
    return Error{"map " + path +
                     " has a layout this version cannot carry over; 'cgprov uninstall' "
                     "first (this resets the stats)",
                 0};
  return fd;
}

Result<void> flush_v1_stats(const Layout &layout) {
  auto root_id = cgroup_id_of(layout.cgroupfs);
  if (!root_id) return root_id.error();
  const std::string file = layout.stats_file(root_id.value());
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + file + " to flush the v1 stats");
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0) {
  }
  if (n < 0) return errno_error("read " + file + " to flush the v1 stats");
  return {};
}

Result<size_t> carry_v1_stats(const Layout &layout, int v1_map_fd, int v2_map_fd) {
  auto walk = walk_cgroups(layout.cgroupfs);
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
    cgprov_cgroup_stats_v1 v1{};
    if (bpf_map_lookup_elem(v1_map_fd, &key, &v1)) {
      if (errno == ENOENT) continue;  // no v1 numbers: nothing to carry
      return errno_error("read v1 stats of " + cgroup.path);
    }
    cgprov_cgroup_stats v2{};
    v2.total = v1.total;
    if (bpf_map_update_elem(v2_map_fd, &key, &v2, BPF_ANY))
      return errno_error("carry stats of " + cgroup.path + " over");
    ++carried;
  }
  return carried;
}

Result<void> unpin_v1_stats(const Layout &layout) {
  for (const char *name : {pin::kStatsMapV1, pin::kTaskTimesMapV1})
    if (auto r = unpin(layout.internal() + "/" + name); !r) return r;
  return {};
}

}  // namespace cgprov
