#include "bpffs_mount.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "owned.hpp"

namespace cgprov {
namespace {

constexpr mode_t kOthersWrite = S_IWGRP | S_IWOTH;
constexpr unsigned long kMountFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
constexpr int kMaxUnmounts = 8;  // instances stacked at the root, at most

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Error refusal(const std::string &root, const std::string &reason) {
  return Error{"refusing " + root + ": " + reason, 0};
}

// Names in the directory open as `fd`, but `ignored` ones.
Result<std::vector<std::string>> dir_entries(int fd, const std::string &path,
                                             const std::set<std::string> &ignored = {}) {
  // fdopendir() takes the fd: read a duplicate.
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return errno_error("dup the fd of " + path);
  UniqueDir dir(::fdopendir(dup));
  if (!dir) {
    Error error = errno_error("list " + path);
    ::close(dup);
    return error;
  }
  ::rewinddir(dir.get());
  std::vector<std::string> names;
  while (const dirent *entry = ::readdir(dir.get())) {
    std::string name = entry->d_name;
    if (name != "." && name != ".." && !ignored.count(name)) names.push_back(std::move(name));
  }
  return names;
}

// What the kernel pins at the root of every bpffs mount it makes with
// CONFIG_BPF_PRELOAD (iterators of its own), which go with the mount.
const std::set<std::string> kPreloadPins = {"maps.debug", "progs.debug"};

// Whether the directory open as `fd` is the root of a mount: the statx
// attribute, or (on kernels without it) a device other than its parent's.
Result<bool> is_mount_root(int fd, const std::string &path) {
  struct statx stx{};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx)) return errno_error("statx " + path);
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  struct stat self{}, parent{};
  if (::fstat(fd, &self) || ::fstatat(fd, "..", &parent, 0)) return errno_error("stat " + path);
  return self.st_dev != parent.st_dev;
}

// What `name` in `parent` is, through an fd opened without following a
// symlink; the fd is returned too (invalid for a symlink or non-directory).
struct Seen {
  MountPoint facts;
  UniqueFd fd;
};

Result<Seen> inspect(int parent, const std::string &name, const std::string &path) {
  Seen seen;
  struct stat st{};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW)) return errno_error("stat " + path);
  seen.facts.uid = st.st_uid;
  seen.facts.mode = st.st_mode & 07777;
  seen.facts.is_symlink = S_ISLNK(st.st_mode);
  seen.facts.is_dir = S_ISDIR(st.st_mode);
  if (!seen.facts.is_dir) return seen;
  seen.fd =
      UniqueFd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!seen.fd.valid()) return errno_error("open " + path);
  // The fd is what is used: its facts, not the path's.
  if (::fstat(seen.fd.get(), &st)) return errno_error("stat " + path);
  seen.facts.uid = st.st_uid;
  seen.facts.mode = st.st_mode & 07777;
  struct statfs fs{};
  if (::fstatfs(seen.fd.get(), &fs)) return errno_error("statfs " + path);
  seen.facts.bpffs = fs.f_type == BPF_FS_MAGIC;
  auto root = is_mount_root(seen.fd.get(), path);
  if (!root) return root.error();
  seen.facts.mount_root = root.value();
  auto names = dir_entries(seen.fd.get(), path);
  if (!names) return names.error();
  seen.facts.empty = names.value().empty();
  return seen;
}

std::string base_name(const std::string &root) {
  return std::filesystem::path(root).filename().string();
}

Result<void> check_root_path(const std::string &root) {
  const std::filesystem::path path(root);
  if (!path.is_absolute() || root == "/" || path.lexically_normal().string() != root ||
      !path.has_filename())
    return Error{"root " + root + " must be an absolute, normalized path other than /", 0};
  return {};
}

// The directory `path` (absolute), each missing component made 0755 if
// `create`. Components before the last may be symlinks (such as /var/run).
Result<UniqueFd> open_dirs(const std::string &path, bool create) {
  UniqueFd dir(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errno_error("open /");
  std::string walked;
  for (const auto &part : std::filesystem::path(path).relative_path()) {
    const std::string name = part.string();
    walked += "/" + name;
    UniqueFd next(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    bool made = false;
    if (!next.valid() && errno == ENOENT) {
      if (!create) return UniqueFd();
      if (::mkdirat(dir.get(), name.c_str(), kInstanceRootMode) == 0)
        made = true;
      else if (errno != EEXIST)
        return errno_error("mkdir " + walked);
      next = UniqueFd(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    if (!next.valid()) return errno_error("open " + walked);
    // Exactly 0755, whatever the umask.
    if (made && ::fchmod(next.get(), kInstanceRootMode)) return errno_error("chmod " + walked);
    dir = std::move(next);
  }
  return dir;
}

Result<UniqueFd> open_verified(int parent, const std::string &root) {
  auto seen = inspect(parent, base_name(root), root);
  if (!seen) return seen.error();
  const MountDecision decision = decide_mount(seen.value().facts);
  if (decision.action == MountAction::kRefuse) return refusal(root, decision.reason);
  if (decision.action == MountAction::kMount) return UniqueFd();  // nothing mounted
  return std::move(seen.value().fd);
}

}  // namespace

MountDecision decide_mount(const MountPoint &seen) {
  if (seen.is_symlink) return {MountAction::kRefuse, "a symlink"};
  if (!seen.is_dir) return {MountAction::kRefuse, "not a directory"};
  if (seen.bpffs && !seen.mount_root)
    return {MountAction::kRefuse, "inside another bpffs mount without being its root"};
  const std::string owner =
      seen.bpffs ? "the root of a bpffs mount" : "the mount point, a directory";
  if (seen.uid != 0)
    return {MountAction::kRefuse,
            owner + " owned by uid " + std::to_string(seen.uid) + ", not root"};
  if (seen.mode & kOthersWrite)
    return {MountAction::kRefuse, owner + " writable by others (mode " + octal(seen.mode) + ")"};
  if (seen.bpffs) return {MountAction::kReuse, ""};
  if (!seen.empty)
    return {MountAction::kRefuse,
            "a non-empty directory of another filesystem (not a bpffs mount)"};
  return {MountAction::kMount, ""};
}

Result<UniqueFd> lock_instance(const std::string &root, bool create) {
  if (auto r = check_root_path(root); !r) return r.error();
  const std::string parent = std::filesystem::path(root).parent_path().string();
  auto dir = open_dirs(parent, create);
  if (!dir) return dir.error();
  if (!dir.value().valid()) return dir;
  if (::flock(dir.value().get(), LOCK_EX)) return errno_error("lock " + parent);
  return dir;
}

Result<Instance> mount_instance(int parent, const std::string &root) {
  const std::string name = base_name(root);
  Instance instance;
  bool made = false;
  if (::mkdirat(parent, name.c_str(), kInstanceRootMode) == 0)
    made = true;
  else if (errno != EEXIST)
    return errno_error("mkdir " + root);
  if (made && ::fchmodat(parent, name.c_str(), kInstanceRootMode, 0)) {
    Error error = errno_error("chmod " + root);
    ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
    return error;
  }
  auto seen = inspect(parent, name, root);
  const MountDecision decision =
      seen ? decide_mount(seen.value().facts) : MountDecision{MountAction::kRefuse, ""};
  if (decision.action == MountAction::kRefuse) {
    // A refusal changes nothing: not even the directory made here (in a
    // bpffs that is not a mount's root, say).
    if (made) {
      if (seen) seen.value().fd.reset();
      ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
    }
    return seen ? refusal(root, decision.reason) : seen.error();
  }
  if (decision.action == MountAction::kReuse) {
    instance.root = std::move(seen.value().fd);
    return instance;
  }
  // On the directory checked, through its fd: not whatever the path names
  // by now.
  const std::string target = "/proc/self/fd/" + std::to_string(seen.value().fd.get());
  if (::mount("cgprov", target.c_str(), "bpf", kMountFlags, "mode=0755")) {
    Error error = errno_error("mount bpffs at " + root);
    if (made) ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
    return error;
  }
  instance.mounted_now = true;
  auto root_fd = open_verified(parent, root);
  if (!root_fd || !root_fd.value().valid()) {
    Error error = root_fd ? Error{"mount bpffs at " + root + ": not found there after mounting", 0}
                          : root_fd.error();
    if (::umount2(root.c_str(), UMOUNT_NOFOLLOW) == 0 && made)
      ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
    return error;
  }
  instance.root = std::move(root_fd.value());
  return instance;
}

Result<UniqueFd> open_instance(const std::string &root) {
  if (auto r = check_root_path(root); !r) return r.error();
  auto parent = open_dirs(std::filesystem::path(root).parent_path().string(), false);
  if (!parent) return parent.error();
  if (!parent.value().valid()) return UniqueFd();
  struct stat st{};
  if (::fstatat(parent.value().get(), base_name(root).c_str(), &st, AT_SYMLINK_NOFOLLOW)) {
    if (errno == ENOENT) return UniqueFd();
    return errno_error("stat " + root);
  }
  return open_verified(parent.value().get(), root);
}

bool instance_mounted(const std::string &root) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct statfs fs{};
  if (!fd.valid() || ::fstatfs(fd.get(), &fs) || fs.f_type != BPF_FS_MAGIC) return false;
  auto root_of_mount = is_mount_root(fd.get(), root);
  return root_of_mount && root_of_mount.value();
}

Result<void> unmount_instance(int parent, const std::string &root) {
  const std::string name = base_name(root);
  for (int i = 0; i < kMaxUnmounts; ++i) {
    struct stat st{};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW)) {
      if (errno == ENOENT) return {};
      return errno_error("stat " + root);
    }
    auto fd = open_verified(parent, root);
    if (!fd) return fd.error();
    if (!fd.value().valid()) break;  // nothing (more) mounted
    auto names = dir_entries(fd.value().get(), root, kPreloadPins);
    if (!names) return names.error();
    if (!names.value().empty())
      return Error{"unmount " + root + ": " + names.value().front() +
                       " is left at its root, which cgprov did not make",
                   0};
    fd.value().reset();
    // Busy while files in it are open: detached, it leaves the mount
    // namespace now and goes when they are closed.
    if (::umount2(root.c_str(), UMOUNT_NOFOLLOW)) {
      if (errno != EBUSY) return errno_error("unmount " + root);
      if (::umount2(root.c_str(), UMOUNT_NOFOLLOW | MNT_DETACH))
        return errno_error("unmount (detach) " + root);
    }
  }
  if (instance_mounted(root)) return Error{"unmount " + root + ": still mounted", 0};
  if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) && errno != ENOENT && errno != ENOTEMPTY)
    return errno_error("rmdir " + root);
  return {};
}

}  // namespace cgprov
