// cgprov's own bpffs instance: mounted by install at the layout's root
// (each mount of bpffs is a new superblock, apart from the system's
// /sys/fs/bpf), verified through the fd the loader uses, unmounted by
// uninstall.
#pragma once

#include <sys/types.h>

#include <string>

#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

inline constexpr mode_t kInstanceRootMode = 0755;

// What is at the root path, seen through an fd opened without following a
// symlink there.
struct MountPoint {
  bool is_symlink = false;
  bool is_dir = false;
  bool bpffs = false;       // on a BPF filesystem (statfs magic)
  bool mount_root = false;  // the root directory of a mount
  bool empty = false;       // a directory with no entries
  uid_t uid = 0;
  mode_t mode = 0;  // permission bits
};

enum class MountAction { kMount, kReuse, kRefuse };
struct MountDecision {
  MountAction action = MountAction::kRefuse;
  std::string reason;  // why it is refused
};

// Reuse the root of a bpffs mount that is root's and writable by nobody
// else; mount over an empty directory that is root's and closed to others;
// refuse anything else: a symlink, a non-directory, a directory inside
// another bpffs without being its mount's root, a non-empty directory of
// another filesystem. Pure: unit-tested.
MountDecision decide_mount(const MountPoint &seen);

// An exclusive flock on the directory that holds `root` (with `create`,
// made 0755 with its parents if missing), held while the returned fd
// lives: one install or uninstall at a time, the mount and unmount
// included. Without `create`, an invalid fd if that directory is missing.
// `root` must be an absolute, normalized path other than "/".
Result<UniqueFd> lock_instance(const std::string &root, bool create);

struct Instance {
  UniqueFd root;             // the instance's root directory, verified
  bool mounted_now = false;  // mounted by this call
};

// The instance at `root` (in the directory open as `parent`, as
// lock_instance() returned it): reused if it is mounted there already,
// mounted otherwise (nosuid, nodev, noexec, mode 0755) on the directory,
// made if missing. A refusal names the path and the cause and changes
// nothing.
Result<Instance> mount_instance(int parent, const std::string &root);

// The mounted instance's root, verified as mount_instance() does; an
// invalid fd if none is mounted (the path is missing or an empty
// directory). Anything else there is refused.
Result<UniqueFd> open_instance(const std::string &root);

// Whether `root` is the root of a bpffs mount.
bool instance_mounted(const std::string &root);

// Unmount the (empty) instance, lazily if files in it are still open, so
// that it leaves the mount namespace at once; then remove its mount point
// if empty. Refuses if entries are left at its root.
Result<void> unmount_instance(int parent, const std::string &root);

}  // namespace cgprov
