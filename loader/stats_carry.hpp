// Upgrades from the first stats layout (cgprov 0.1): carry every live
// cgroup's totals from the v1 map into the per-CPU engine's map.
#pragma once

#include <cstddef>

#include "layout.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

// The v1 stats map, if an install of the first layout left it pinned
// (an invalid fd if not).
Result<UniqueFd> open_v1_stats(const Layout &layout);

// Fold everything the v1 programs still hold into the v1 totals: read the
// root cgroup's stats file, whose (v1) dumper flushes the whole tree. Call
// while the v1 flusher is still attached.
Result<void> flush_v1_stats(const Layout &layout);

// Copy each live cgroup's v1 totals (hierarchical, as the v2 totals are)
// into `v2_map_fd`, which no attached program may use yet. Returns the
// number of cgroups carried over; cgroups removed meanwhile are skipped
// (their numbers are in their parents').
Result<size_t> carry_v1_stats(const Layout &layout, int v1_map_fd, int v2_map_fd);

// Remove the v1 maps (once the new map holds their numbers).
Result<void> unpin_v1_stats(const Layout &layout);

}  // namespace cgprov
