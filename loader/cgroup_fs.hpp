// cgroup2 filesystem access: ids, walking the hierarchy, moving the loader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"

namespace cgprov {

// The cgroup id of a cgroup2 directory (its inode number, as in
// name_to_handle_at); an error if `path` is not a cgroup2 directory.
Result<uint64_t> cgroup_id_of(const std::string &path);

// Every cgroup directory under (and including) `root`, parents before
// children. Directories removed while walking are skipped.
Result<std::vector<std::string>> walk_cgroups(const std::string &root);

// Create `cgroup` if needed and move the calling process into it.
Result<void> move_self_into(const std::string &cgroup);

}  // namespace cgprov
