#include "cgroup_fs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>

#include "unique_fd.hpp"

namespace cgprov {

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
  std::vector<std::string> cgroups{root};
  std::error_code ec;
  auto options = std::filesystem::directory_options::skip_permission_denied;
  std::filesystem::recursive_directory_iterator it(root, options, ec), end;
  if (ec) return Error{"walk " + root + ": " + ec.message(), ec.value()};
  for (; it != end; it.increment(ec)) {
    if (ec) {
      // A cgroup removed under us: skip it and go on.
      ec.clear();
      continue;
    }
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) cgroups.push_back(it->path());
  }
  return cgroups;
}

Result<void> move_self_into(const std::string &cgroup) {
  if (::mkdir(cgroup.c_str(), 0755) && errno != EEXIST) return errno_error("mkdir " + cgroup);
  const std::string procs = cgroup + "/cgroup.procs";
  UniqueFd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + procs);
  const std::string pid = std::to_string(::getpid());
  if (::write(fd.get(), pid.data(), pid.size()) != static_cast<ssize_t>(pid.size()))
    return errno_error("move into " + cgroup);
  return {};
}

}  // namespace cgprov
