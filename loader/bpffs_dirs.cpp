#include "bpffs_dirs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>

#include "bpffs.hpp"
#include "bpffs_mount.hpp"
#include "object_pins.hpp"

namespace cgprov {
namespace {

constexpr mode_t kOthersWrite = S_IWGRP | S_IWOTH;

Error untrusted(const std::string &path, const std::string &reason) {
  return Error{"refusing " + path + ": " + reason +
                   " (not made by cgprov; remove it as root, then run cgprov again)",
               0};
}

}  // namespace

std::string distrust_reason(const struct stat &st, dev_t bpffs_dev, const DirRule &rule) {
  if (S_ISLNK(st.st_mode)) return "a symlink owned by uid " + std::to_string(st.st_uid);
  if (!S_ISDIR(st.st_mode)) return "not a directory, owned by uid " + std::to_string(st.st_uid);
  if (st.st_uid != 0) return "owned by uid " + std::to_string(st.st_uid) + ", not root";
  if (st.st_dev != bpffs_dev) return "another filesystem is mounted there";
  const mode_t mode = st.st_mode & 07777;
  if ((mode & kOthersWrite) && !(rule.shared && mode == kUserDirMode)) {
    char octal[8];
    std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
    return std::string("root's but writable by others (mode ") + octal + ")";
  }
  return "";
}

Result<UniqueFd> open_bpffs_root(const std::string &bpffs) {
  UniqueFd fd(::open(bpffs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + bpffs);
  struct statfs fs{};
  if (::fstatfs(fd.get(), &fs)) return errno_error("statfs " + bpffs);
  if (fs.f_type != BPF_FS_MAGIC) return Error{bpffs + " is not a bpffs mount", 0};
  struct stat st{};
  if (::fstat(fd.get(), &st)) return errno_error("stat " + bpffs);
  if (st.st_uid != 0)
    return untrusted(bpffs, "owned by uid " + std::to_string(st.st_uid) + ", not root");
  if ((st.st_mode & kOthersWrite) && !(st.st_mode & S_ISVTX))
    return untrusted(bpffs, "writable by others and not sticky");
  return fd;
}

Result<struct stat> stat_dir(int fd, const std::string &path) {
  struct stat st{};
  if (::fstat(fd, &st)) return errno_error("stat " + path);
  return st;
}

Result<UniqueFd> open_trusted_dir(int parent, const std::string &name, const std::string &path,
                                  mode_t mode, bool create, const DirRule &rule) {
  struct stat parent_st{};
  if (::fstat(parent, &parent_st)) return errno_error("stat the parent of " + path);
  bool made = false;
  if (create) {
    // The umask must not narrow the mode; fchmod below sets it exactly.
    if (::mkdirat(parent, name.c_str(), 0700) == 0)
      made = true;
    else if (errno != EEXIST)
      return errno_error("mkdir " + path);
  }
  // What is there now, without following a symlink, to name its owner.
  struct stat seen{};
  if (::fstatat(parent, name.c_str(), &seen, AT_SYMLINK_NOFOLLOW)) {
    if (errno == ENOENT && !create) return UniqueFd();
    return errno_error("stat " + path);
  }
  if (auto why = distrust_reason(seen, parent_st.st_dev, rule); !why.empty())
    return untrusted(path, why);
  UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + path);
  // The fd is what the loader uses: verify it, not the path.
  struct stat st{};
  if (::fstat(fd.get(), &st)) return errno_error("stat " + path);
  if (st.st_ino != seen.st_ino || st.st_dev != seen.st_dev)
    return untrusted(path, "replaced while it was checked");
  if (auto why = distrust_reason(st, parent_st.st_dev, rule); !why.empty())
    return untrusted(path, why);
  if (made && ::fchmod(fd.get(), mode)) return errno_error("chmod " + path);
  return fd;
}

namespace {

// The four directories in `dirs.root`; see open_bpffs_dirs().
Result<void> open_subdirs(BpffsDirs &dirs, const Layout &layout, bool create) {
  struct Sub {
    const char *name;
    std::string path;
    mode_t mode;
    bool shared;
    UniqueFd *fd;
  };
  // user/ is opened to users only once the policy that governs it is
  // attached: made closed here; an existing one keeps its mode.
  Sub subs[] = {{"stats", layout.stats(), kPublicDirMode, false, &dirs.stats},
                {"progs", layout.progs(), kPublicDirMode, false, &dirs.progs},
                {"internal", layout.internal(), kInternalDirMode, false, &dirs.internal},
                {"user", layout.user(), kInternalDirMode, true, &dirs.user}};
  // Verify every existing one before creating any, so that a refusal
  // changes nothing.
  for (auto &s : subs) {
    auto fd = open_trusted_dir(dirs.root.get(), s.name, s.path, s.mode, false, {s.shared});
    if (!fd) return fd.error();
    *s.fd = std::move(fd.value());
  }
  if (!create) return {};
  for (auto &s : subs) {
    if (s.fd->valid()) {
      // Root's and closed to others: set the exact mode (user/ keeps its).
      if (!s.shared && ::fchmod(s.fd->get(), s.mode)) return errno_error("chmod " + s.path);
      continue;
    }
    auto fd = open_trusted_dir(dirs.root.get(), s.name, s.path, s.mode, true, {s.shared});
    if (!fd) return fd.error();
    *s.fd = std::move(fd.value());
  }
  return {};
}

}  // namespace

Result<BpffsDirs> open_bpffs_dirs(const Layout &layout, bool create) {
  BpffsDirs dirs;
  auto root = open_instance(layout.root);
  if (!root) return root.error();
  dirs.root = std::move(root.value());
  if (!dirs.root.valid()) {
    if (create) return Error{"open " + layout.root + ": no bpffs instance is mounted there", 0};
    return dirs;  // not installed, and not asked to create
  }
  if (auto r = open_subdirs(dirs, layout, create); !r) return r.error();
  return dirs;
}

Result<BpffsDirs> open_legacy_dirs(const Layout &layout, std::string &foreign) {
  BpffsDirs dirs;
  const std::filesystem::path legacy(layout.legacy_root);
  const std::string bpffs = legacy.parent_path().string();
  if (!on_bpffs(bpffs)) return dirs;  // no system bpffs: no legacy tree in it
  auto parent = open_bpffs_root(bpffs);
  if (!parent) return parent.error();
  const std::string name = legacy.filename().string();
  struct stat parent_st{}, seen{};
  if (::fstat(parent.value().get(), &parent_st)) return errno_error("stat " + bpffs);
  if (::fstatat(parent.value().get(), name.c_str(), &seen, AT_SYMLINK_NOFOLLOW)) {
    if (errno == ENOENT) return dirs;
    return errno_error("stat " + layout.legacy_root);
  }
  if (auto why = distrust_reason(seen, parent_st.st_dev, {}); !why.empty()) {
    foreign = layout.legacy_root + ": " + why;
    return dirs;
  }
  auto root =
      open_trusted_dir(parent.value().get(), name, layout.legacy_root, kPublicDirMode, false);
  if (!root) return root.error();
  dirs.root = std::move(root.value());
  if (!dirs.root.valid()) return dirs;
  const Layout legacy_layout = layout.legacy();
  if (auto r = open_subdirs(dirs, legacy_layout, false); !r) return r.error();
  return dirs;
}

}  // namespace cgprov
