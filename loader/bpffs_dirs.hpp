// cgprov's directories in bpffs, opened relative to held directory fds and
// trusted only when proven root's: the loader never uses a directory,
// file or mount it did not make or cannot prove is root's and closed to
// others (see docs/design.md, "What the loader trusts, and why").
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

// A bpffs mount's root (the system's, holding a legacy tree): on bpffs,
// root's, and if others may write to it (the kernel's default 1777), sticky,
// so that no user can remove or rename what root made there.
Result<UniqueFd> open_bpffs_root(const std::string &bpffs);

// The directory `name` in `parent` (`path` names it in messages), created
// with `mode` if missing and `create` is set, then verified through the fd
// that will be used: a foreign one is refused with an error naming it and
// its owner. An absent one without `create` is an invalid fd.
Result<UniqueFd> open_trusted_dir(int parent, const std::string &name, const std::string &path,
                                  mode_t mode, bool create, const DirRule &rule = {});

// cgprov's tree: the root of its bpffs instance at layout.root (mounted
// by install, see bpffs_mount.hpp) and its four directories, verified (all
// existing ones first, so that a refusal creates nothing), created if
// `create`; user/ is made closed (0700) and left as it is if it exists.
// Without `create`, missing ones are invalid fds, and so is the root if no
// instance is mounted.
struct BpffsDirs {
  UniqueFd root, stats, progs, internal, user;
};
Result<BpffsDirs> open_bpffs_dirs(const Layout &layout, bool create);

// The tree an earlier release made at layout.legacy_root, in the system's
// bpffs, verified as above and never created: an invalid root if there is
// none. A legacy root that is not root's is not cgprov's: it is left
// alone, with an invalid root, and `foreign` says why.
Result<BpffsDirs> open_legacy_dirs(const Layout &layout, std::string &foreign);

// Device and inode of the directory open as `fd`, as user space sees them.
Result<struct stat> stat_dir(int fd, const std::string &path);

}  // namespace cgprov
