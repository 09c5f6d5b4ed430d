// Upgrades from an earlier stats layout: carry every live cgroup's totals
// from the old map into the current one (bpf/stats.h).
#pragma once

#include <cstddef>
#include <vector>

#include "layout.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

// The stats layouts an earlier install may have left pinned.
enum class StatsLayout {
  v1,  // cgprov 0.1: internal/cgroup_stats (and task_times)
  v2,  // the first per-CPU engine: internal/cgroup_stats_v2, pending inside
};

// "v1", "v2": as install reports it.
const char *layout_name(StatsLayout layout);

// An earlier layout's stats map, and the tree it is pinned in.
struct OldStats {
  StatsLayout layout = StatsLayout::v2;
  Layout tree;
  UniqueFd map;  // invalid: nothing to carry
};

// The newest earlier stats map in `candidates` (in order of preference:
// the install's own tree, then a legacy tree being moved), checked to have
// the layout its name says.
Result<OldStats> open_old_stats(const std::vector<const Layout *> &candidates);

// Fold everything the old programs still hold into the old totals: read
// the root cgroup's stats file, whose (old) dumper flushes the whole
// tree. Call while the old flusher is still attached.
Result<void> flush_old_stats(const OldStats &old);

// Copy each live cgroup's old totals (hierarchical, as the current totals
// are) into `map_fd`, which no attached program may use yet. Returns the
// number of cgroups carried over; cgroups removed meanwhile are skipped
// (their numbers are in their ancestors').
Result<size_t> carry_old_stats(const OldStats &old, int map_fd);

// Remove the old maps of `layout` from `tree` (once the new map holds
// their numbers); unpin() skips those that are not there.
Result<void> unpin_old_stats(const Layout &tree, StatsLayout layout);

}  // namespace cgprov
