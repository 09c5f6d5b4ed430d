// cgroup2 filesystem access: ids, walking the hierarchy, moving the loader.
// Paths may be longer than PATH_MAX (a user's deep subtree): nothing here
// passes a whole path to a system call.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

// Open `path` component by component (openat relative to the previous
// directory), so that its length is not limited by PATH_MAX. `flags` apply
// to the last component; every earlier one must be a directory.
Result<UniqueFd> open_path(const std::string &path, int flags);

// The cgroup id of a cgroup2 directory (its inode number, as in
// name_to_handle_at); an error if `path` is not a cgroup2 directory.
Result<uint64_t> cgroup_id_of(const std::string &path);

struct CgroupEntry {
  std::string path;  // for messages only
  uint64_t id = 0;
};

struct CgroupWalk {
  std::vector<CgroupEntry> cgroups;       // parents before children
  std::map<std::string, size_t> skipped;  // reason -> cgroups not visited
  size_t skipped_count() const;
};

// Every cgroup directory under (and including) `root`, walked with openat
// relative to directory fds. Directories removed while walking are left
// out; a subtree that cannot be opened (e.g. more levels than open files)
// is skipped and counted with its reason: one user's cgroups never stop
// the walk. Only a failure at `root` is an error.
Result<CgroupWalk> walk_cgroups(const std::string &root);

// Create `cgroup` if needed and move the calling process into it.
Result<void> move_self_into(const std::string &cgroup);

}  // namespace cgprov
