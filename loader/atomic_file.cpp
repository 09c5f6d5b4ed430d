#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unique_fd.hpp"

namespace cgprov {
namespace {

Result<void> write_all(int fd, std::string_view content, const std::string &what) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + what);
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Result<void> replace_file(const std::string &path, std::string_view content, mode_t mode) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty()) return Error{"write " + path + ": not a file name", EISDIR};
  UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd.valid()) return errno_error("open directory " + dir);

  const std::string temp = "." + name + "." + std::to_string(::getpid()) + ".tmp";
  const std::string temp_path = dir + "/" + temp;
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  UniqueFd fd(::openat(dirfd.get(), temp.c_str(), kFlags, mode));
  if (!fd.valid() && errno == EEXIST) {  // left by a killed run that had our pid
    ::unlinkat(dirfd.get(), temp.c_str(), 0);
    fd.reset(::openat(dirfd.get(), temp.c_str(), kFlags, mode));
  }
  if (!fd.valid()) return errno_error("create " + temp_path);

  auto written = write_all(fd.get(), content, temp_path);
  Result<void> result = written;
  if (result && ::fchmod(fd.get(), mode)) result = errno_error("chmod " + temp_path);
  if (result && ::fsync(fd.get())) result = errno_error("fsync " + temp_path);
  if (result && ::close(fd.release())) result = errno_error("close " + temp_path);
  if (result && ::renameat(dirfd.get(), temp.c_str(), dirfd.get(), name.c_str()))
    result = errno_error("rename " + temp_path + " to " + path);
  if (!result) ::unlinkat(dirfd.get(), temp.c_str(), 0);
  return result;
}

}  // namespace cgprov
