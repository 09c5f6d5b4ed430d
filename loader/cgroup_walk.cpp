#include "cgroup_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <memory>

#include "owned.hpp"
#include "unique_fd.hpp"

namespace cgprov {
namespace {

// Directory fds the walk keeps open at most (besides the one it reads): the
// ancestors beyond are closed and opened again, one component at a time
// from the nearest open ancestor, when the walk returns to them.
constexpr size_t kMaxOpenDirs = 32;

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;

// The cgroup went away (or the walk raced a rename): skip it.
bool vanished(int err) { return err == ENOENT || err == ENODEV || err == ESTALE; }

struct Frame {
  std::string name;  // component below the parent ("" for the root)
  uint64_t ino = 0;
  UniqueFd fd;  // closed while the walk is deeper than kMaxOpenDirs below
  std::vector<std::string> children;
  size_t next = 0;         // index of the next child to visit
  size_t path_length = 0;  // length of the walk's path string at this frame
};

std::string display(const std::string &root, const std::string &path) {
  return path == "/" ? root : root + path;
}

// Subdirectory names of the directory open as `fd`; errno on failure.
Result<std::vector<std::string>> subdirectories(int fd) {
  UniqueFd own(::openat(fd, ".", kDirFlags));  // fdopendir takes the fd it reads
  if (!own.valid()) return errno_error("");
  UniqueDir dir(::fdopendir(own.get()));
  if (!dir) return errno_error("");
  own.release();
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent *e = ::readdir(dir.get())) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st{};
      is_dir = ::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) names.emplace_back(name);
    errno = 0;
  }
  if (errno) return errno_error("");
  return names;
}

uint64_t inode_of(int fd) {
  struct stat st{};
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

class Walker {
 public:
  explicit Walker(std::string root) : root_(std::move(root)) {}

  Result<std::vector<WalkedCgroup>> run() {
    UniqueFd fd(::open(root_.c_str(), kDirFlags));
    if (!fd.valid()) return errno_error("open cgroup root " + root_);
    struct statfs fs{};
    if (::fstatfs(fd.get(), &fs)) return errno_error("statfs " + root_);
    if (fs.f_type != CGROUP2_SUPER_MAGIC)
      return Error{"cgroup root " + root_ + ": not a cgroup2 filesystem", 0};
    path_ = "/";
    if (auto entered = enter("", std::move(fd)); !entered) return entered.error();
    path_.clear();  // children append "/name"
    frames_.back().path_length = 0;

    while (!frames_.empty()) {
      Frame &top = frames_.back();
      if (top.next == top.children.size()) {
        frames_.pop_back();
        if (!frames_.empty()) path_.resize(frames_.back().path_length);
        continue;
      }
      const std::string name = top.children[top.next++];
      auto parent = reopen(frames_.size() - 1);
      if (!parent) return parent.error();
      if (!parent.value()) {  // the parent went away: so did its subtree
        frames_.back().next = frames_.back().children.size();
        continue;
      }
      UniqueFd child(::openat(frames_.back().fd.get(), name.c_str(), kDirFlags));
      const std::string child_path = path_ + "/" + name;
      if (!child.valid()) {
        if (vanished(errno) || errno == ENOTDIR || errno == ELOOP) continue;
        return errno_error("open cgroup " + display(root_, child_path));
      }
      const size_t parent_length = path_.size();
      path_ = child_path;
      auto entered = enter(name, std::move(child));
      if (!entered) return entered.error();
      if (!entered.value()) path_.resize(parent_length);
    }
    return std::move(found_);
  }

 private:
  // Record the cgroup open as `fd` and push its frame; false if it vanished.
  Result<bool> enter(const std::string &name, UniqueFd fd) {
    const uint64_t ino = inode_of(fd.get());
    auto children = subdirectories(fd.get());
    if (!children) {
      if (vanished(children.error().errnum)) return false;
      return Error{"list cgroup " + display(root_, path_), children.error().errnum};
    }
    found_.push_back({path_, ino});
    Frame frame;
    frame.name = name;
    frame.ino = ino;
    frame.fd = std::move(fd);
    frame.children = std::move(children.value());
    frame.path_length = path_.size();
    frames_.push_back(std::move(frame));
    limit_open_fds();
    return true;
  }

  // Close the shallowest open ancestors (never the root, never the newest)
  // until at most kMaxOpenDirs fds are open.
  void limit_open_fds() {
    size_t open = 0;
    for (const auto &f : frames_) open += f.fd.valid();
    for (size_t i = 1; open > kMaxOpenDirs && i + 1 < frames_.size(); ++i) {
      if (!frames_[i].fd.valid()) continue;
      frames_[i].fd.reset();
      --open;
    }
  }

  // Make sure frame `i` has an open fd, opening it again from its nearest
  // open ancestor by name; false if it was removed or replaced meanwhile.
  Result<bool> reopen(size_t i) {
    if (frames_[i].fd.valid()) return true;
    size_t j = i;
    while (!frames_[j].fd.valid()) --j;  // the root's fd stays open
    UniqueFd current;
    int at = frames_[j].fd.get();
    for (size_t k = j + 1; k <= i; ++k) {
      UniqueFd next(::openat(at, frames_[k].name.c_str(), kDirFlags));
      if (!next.valid()) {
        if (vanished(errno) || errno == ENOTDIR || errno == ELOOP) return false;
        return errno_error("reopen cgroup " + display(root_, path_));
      }
      if (inode_of(next.get()) != frames_[k].ino) return false;  // another cgroup now
      current = std::move(next);
      at = current.get();
    }
    frames_[i].fd = std::move(current);
    return true;
  }

  std::string root_;
  std::string path_;  // of the newest frame, below the root
  std::vector<Frame> frames_;
  std::vector<WalkedCgroup> found_;
};

}  // namespace

Result<std::vector<WalkedCgroup>> walk_cgroup_tree(const std::string &root) {
  return Walker(root).run();
}

}  // namespace cgprov
