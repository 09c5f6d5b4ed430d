#include "cgroup_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <memory>

#include "unique_fd.hpp"

namespace cgprov {
namespace {

struct DirCloser {
  void operator()(DIR *d) const { ::closedir(d); }
};

// Names of the subdirectories of the directory open as `fd` (taken over).
Result<std::vector<std::string>> subdirectories(UniqueFd fd, const std::string &path) {
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd.get()));
  if (!dir) return errno_error("list " + path);
  fd.release();  // owned by `dir` now
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent *e = ::readdir(dir.get())) {
    const std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") names.push_back(name);
  }
  if (errno) return errno_error("list " + path);
  return names;
}

}  // namespace

Result<uint64_t> cgroup_id_of(const std::string &path) {
  struct statfs fs{};
  if (::statfs(path.c_str(), &fs)) return errno_error("cgroup " + path);
  if (fs.f_type != CGROUP2_SUPER_MAGIC)
    return Error{"cgroup " + path + ": not on a cgroup2 filesystem", 0};
  struct stat st{};
  if (::stat(path.c_str(), &st)) return errno_error("cgroup " + path);
  if (!S_ISDIR(st.st_mode)) return Error{"cgroup " + path + ": not a cgroup directory", 0};
  return static_cast<uint64_t>(st.st_ino);
}

Result<std::vector<std::string>> walk_cgroups(const std::string &root) {
  std::vector<std::string> cgroups;
  std::vector<std::string> pending{root};
  while (!pending.empty()) {
    std::string path = std::move(pending.back());
    pending.pop_back();
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT && path != root) continue;  // removed while walking
      return errno_error("open " + path);
    }
    auto children = subdirectories(std::move(fd), path);
    if (!children) return children.error();
    cgroups.push_back(path);
    for (const auto &name : children.value()) pending.push_back(path + "/" + name);
  }
  return cgroups;
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
