#include "bpffs.hpp"

#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <memory>

#include "bpffs_dirs.hpp"
#include "owned.hpp"

namespace cgprov {

bool on_bpffs(const std::string &path) {
  struct statfs fs{};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

bool path_exists(const std::string &path) { return ::access(path.c_str(), F_OK) == 0; }

Result<UniqueFd> lock_bpffs(const std::string &bpffs) {
  auto fd = open_bpffs_root(bpffs);
  if (!fd) return fd.error();
  if (::flock(fd.value().get(), LOCK_EX)) return errno_error("lock " + bpffs);
  return fd;
}

Result<void> pin_object(int fd, const std::string &path, mode_t mode) {
  if (bpf_obj_pin(fd, path.c_str())) return errno_error("pin " + path);
  if (::chmod(path.c_str(), mode)) {
    Error error = errno_error("chmod " + path);
    ::unlink(path.c_str());
    return error;
  }
  return {};
}

Result<UniqueFd> open_pinned(const std::string &path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return errno_error("open pinned " + path);
  return UniqueFd(fd);
}

Result<void> unpin(const std::string &path) {
  if (::unlink(path.c_str()) && errno != ENOENT) return errno_error("unpin " + path);
  return {};
}

Result<std::vector<std::string>> list_pins(const std::string &dir) {
  std::vector<std::string> names;
  UniqueDir d(::opendir(dir.c_str()));
  if (!d) {
    if (errno == ENOENT) return names;
    return errno_error("list " + dir);
  }
  while (struct dirent *e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  return names;
}

}  // namespace cgprov
