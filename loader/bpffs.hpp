// bpffs operations the loader needs: directories with modes, pins, unpins.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

// Whether `path` is on a BPF filesystem.
bool on_bpffs(const std::string &path);

// Pin `fd` (a map, program or link) at `path` with `mode`.
Result<void> pin_object(int fd, const std::string &path, mode_t mode);

// Open the object pinned at `path`.
Result<UniqueFd> open_pinned(const std::string &path);

// Remove a pin; a missing one is not an error.
Result<void> unpin(const std::string &path);

// Names in a bpffs directory (empty if it does not exist).
Result<std::vector<std::string>> list_pins(const std::string &dir);

bool path_exists(const std::string &path);

// An exclusive flock on the bpffs mount's root directory (verified as in
// open_bpffs_root()), held while the returned fd lives: one install or
// uninstall at a time.
Result<UniqueFd> lock_bpffs(const std::string &bpffs);

}  // namespace cgprov
