// One walk of a cgroup2 tree that holds up against what a live system does
// to it: any depth, names of any length, cgroups removed while it runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"

namespace cgprov {

struct WalkedCgroup {
  std::string path;  // below the root: "/" for the root itself, "/a/b"
  uint64_t id = 0;   // cgroup id (the directory's inode number)
};

// Every cgroup under (and including) the cgroup2 directory `root`, parents
// before children. Directories are opened relative to their parent's fd
// (openat, fdopendir), never by a full path, with a bounded number of fds
// open; a cgroup removed (or renamed away) during the walk is left out with
// its subtree. Errors other than a vanished cgroup name the path.
Result<std::vector<WalkedCgroup>> walk_cgroup_tree(const std::string &root);

}  // namespace cgprov
