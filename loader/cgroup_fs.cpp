#include "cgroup_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "owned.hpp"

namespace cgprov {
namespace {

// Names of the subdirectories of the directory open as `fd` (not taken).
Result<std::vector<std::string>> subdirectories(int fd, const std::string &path) {
  UniqueFd copy(::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!copy.valid()) return errno_error("list " + path);
  UniqueDir dir(::fdopendir(copy.get()));
  if (!dir) return errno_error("list " + path);
  copy.release();  // owned by `dir` now
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent *e = ::readdir(dir.get())) {
    const std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") names.push_back(name);
  }
  if (errno) return errno_error("list " + path);
  return names;
}

std::string reason_of(int err) {
  const char *name = strerrorname_np(err);
  return std::string(std::strerror(err)) + " (" + (name ? name : "?") + ")";
}

}  // namespace

Result<UniqueFd> open_path(const std::string &path, int flags) {
  if (path.empty()) return Error{"open an empty path", ENOENT};
  UniqueFd dir(::open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errno_error("open " + path);
  size_t pos = 0;
  while (true) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    const size_t end = path.find('/', pos);
    std::string name = path.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t next = end;
    while (next != std::string::npos && next < path.size() && path[next] == '/') ++next;
    const bool last = end == std::string::npos || next >= path.size();
    const char *component = name.empty() ? "." : name.c_str();  // "." : "/" itself
    const int f = last ? (flags | O_CLOEXEC) : (O_PATH | O_DIRECTORY | O_CLOEXEC);
    UniqueFd fd(::openat(dir.get(), component, f));
    if (!fd.valid()) return errno_error("open " + path);
    if (last) return fd;
    dir = std::move(fd);
    pos = next;
  }
}

Result<uint64_t> cgroup_id_of(const std::string &path) {
  auto fd = open_path(path, O_RDONLY);
  if (!fd) return Error{"cgroup " + path, fd.error().errnum};
  struct statfs fs{};
  if (::fstatfs(fd.value().get(), &fs)) return errno_error("cgroup " + path);
  if (fs.f_type != CGROUP2_SUPER_MAGIC)
    return Error{"cgroup " + path + ": not on a cgroup2 filesystem", 0};
  struct stat st{};
  if (::fstat(fd.value().get(), &st)) return errno_error("cgroup " + path);
  if (!S_ISDIR(st.st_mode)) return Error{"cgroup " + path + ": not a cgroup directory", 0};
  return static_cast<uint64_t>(st.st_ino);
}

size_t CgroupWalk::skipped_count() const {
  size_t n = 0;
  for (const auto &[reason, count] : skipped) n += count;
  return n;
}

Result<CgroupWalk> walk_cgroups(const std::string &root) {
  CgroupWalk walk;
  auto root_fd = open_path(root, O_RDONLY | O_DIRECTORY);
  if (!root_fd) return root_fd.error();
  struct stat root_st{};
  if (::fstat(root_fd.value().get(), &root_st)) return errno_error("stat " + root);
  walk.cgroups.push_back({root, static_cast<uint64_t>(root_st.st_ino)});

  // Depth first; a pending directory shares its parent's fd, which is
  // closed once its last child is visited: the fds open at once are those
  // of ancestors with children still waiting, not one per level or entry.
  struct Pending {
    std::shared_ptr<UniqueFd> parent;
    std::string name, path;
  };
  auto first = std::make_shared<UniqueFd>(std::move(root_fd.value()));
  std::vector<Pending> pending;
  auto children = subdirectories(first->get(), root);
  if (!children) return children.error();
  for (auto &name : children.value()) pending.push_back({first, name, root + "/" + name});

  while (!pending.empty()) {
    Pending p = std::move(pending.back());
    pending.pop_back();
    UniqueFd fd(
        ::openat(p.parent->get(), p.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno != ENOENT) ++walk.skipped[reason_of(errno)];  // ENOENT: removed meanwhile
      continue;
    }
    struct stat st{};
    if (::fstat(fd.get(), &st)) {
      ++walk.skipped[reason_of(errno)];
      continue;
    }
    if (st.st_dev != root_st.st_dev) continue;  // another mount: not this hierarchy
    auto names = subdirectories(fd.get(), p.path);
    if (!names) {
      if (names.error().errnum != ENOENT) ++walk.skipped[reason_of(names.error().errnum)];
      continue;
    }
    walk.cgroups.push_back({p.path, static_cast<uint64_t>(st.st_ino)});
    auto shared = std::make_shared<UniqueFd>(std::move(fd));
    for (auto &name : names.value()) pending.push_back({shared, name, p.path + "/" + name});
  }
  return walk;
}

Result<void> move_self_into(const std::string &cgroup) {
  if (::mkdir(cgroup.c_str(), 0755) && errno != EEXIST) return errno_error("mkdir " + cgroup);
  const std::string procs = cgroup + "/cgroup.procs";
  UniqueFd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + procs);
  const std::string pid = std::to_string(::getpid());
  const ssize_t written = ::write(fd.get(), pid.data(), pid.size());
  if (written < 0) return errno_error("move into " + cgroup);
  if (written != static_cast<ssize_t>(pid.size()))
    return Error{"move into " + cgroup + ": short write", 0};
  return {};
}

}  // namespace cgprov
