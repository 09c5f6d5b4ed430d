// cgprov's directories in bpffs, opened relative to held directory fds and
// trusted only when proven root's: the loader never uses a directory,
// file or mount it did not make or cannot prove is root's and closed to
// others (see README, "What the loader trusts").
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "layout.hpp"
#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

// What a directory may look like to be trusted: owned by uid 0, on the
// same bpffs as the mount's root, and writable by nobody else, except that
// a directory that may be `shared` (user/) may also be exactly 1733.
struct DirRule {
  bool shared = false;
};

// Why `st` (of `path`) is not trusted, or "" if it is. Pure: unit-tested.
std::string distrust_reason(const struct stat &st, dev_t bpffs_dev, const DirRule &rule);

// The bpffs mount's root: on bpffs, root's, and if others may write to it
// (the kernel's default 1777), sticky, so that no user can remove or rename
// what root made there.
Result<UniqueFd> open_bpffs_root(const std::string &bpffs);

// The directory `name` in `parent` (`path` names it in messages), created
// with `mode` if missing and `create` is set, then verified through the fd
// that will be used: a foreign one is refused with an error naming it and
// its owner. An absent one without `create` is an invalid fd.
Result<UniqueFd> open_trusted_dir(int parent, const std::string &name, const std::string &path,
                                  mode_t mode, bool create, const DirRule &rule = {});

// cgprov/ and its four directories, verified (all existing ones first, so
// that a refusal creates nothing), created if `create`; user/ is made
// closed (0700) and left as it is if it exists. Without `create`, missing
// ones are invalid fds.
struct BpffsDirs {
  UniqueFd bpffs, root, stats, progs, internal, user;
};
Result<BpffsDirs> open_bpffs_dirs(const Layout &layout, bool create);

// Device and inode of the directory open as `fd`, as user space sees them.
Result<struct stat> stat_dir(int fd, const std::string &path);

}  // namespace cgprov
