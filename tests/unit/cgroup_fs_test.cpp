#include "cgroup_fs.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <filesystem>

TEST_CASE("a path outside cgroup2 is refused with a message naming it") {
  auto id = cgprov::cgroup_id_of("/tmp");
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().describe() == "cgroup /tmp: not on a cgroup2 filesystem");
}

TEST_CASE("a missing path is refused with its errno") {
  auto id = cgprov::cgroup_id_of("/nonexistent/cgroup");
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().describe() == "cgroup /nonexistent/cgroup: No such file or directory (ENOENT)");
}

namespace {

// A tree under a temporary directory: `levels` nested directories of
// 255-byte names, made relative to each other (the whole path is longer
// than PATH_MAX).
struct DeepTree {
  std::string root;
  std::string name = std::string(255, 'd');
  int levels;
  explicit DeepTree(int n) : levels(n) {
    char tmpl[] = "/tmp/cgprov-deep-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    root = tmpl;
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < levels; ++i) {
      REQUIRE(::mkdirat(fd, name.c_str(), 0755) == 0);
      int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
      ::close(fd);
      fd = next;
    }
    ::close(fd);
  }
  ~DeepTree() { std::filesystem::remove_all(root); }
  std::string deepest() const {
    std::string path = root;
    for (int i = 0; i < levels; ++i) path += "/" + name;
    return path;
  }
};

}  // namespace

TEST_CASE("paths longer than PATH_MAX are opened component by component") {
  DeepTree tree(17);
  const std::string deep = tree.deepest();
  REQUIRE(deep.size() > PATH_MAX);
  auto fd = cgprov::open_path(deep, O_RDONLY | O_DIRECTORY);
  REQUIRE(fd.ok());
  // Not a cgroup (tmpfs), but found: no ENAMETOOLONG.
  auto id = cgprov::cgroup_id_of(deep);
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().describe() == "cgroup " + deep + ": not on a cgroup2 filesystem");
}

TEST_CASE("the walk reaches every level of a tree deeper than PATH_MAX") {
  DeepTree tree(17);
  auto walk = cgprov::walk_cgroups(tree.root);
  REQUIRE(walk.ok());
  CHECK(walk.value().cgroups.size() == 18);
  CHECK(walk.value().skipped_count() == 0);
  CHECK(walk.value().cgroups.back().path == tree.deepest());
  struct stat st{};
  REQUIRE(::stat(tree.root.c_str(), &st) == 0);
  CHECK(walk.value().cgroups.front().id == st.st_ino);
}

TEST_CASE("a subtree the walk cannot open is skipped and counted, not an error") {
  if (::geteuid() == 0) SKIP("root opens any directory");
  DeepTree tree(3);
  const std::string closed = tree.root + "/" + tree.name;
  REQUIRE(::chmod(closed.c_str(), 0) == 0);
  auto walk = cgprov::walk_cgroups(tree.root);
  ::chmod(closed.c_str(), 0755);
  REQUIRE(walk.ok());
  CHECK(walk.value().cgroups.size() == 1);
  CHECK(walk.value().skipped_count() == 1);
  CHECK(walk.value().skipped.count("Permission denied (EACCES)") == 1);
}

TEST_CASE("a chain of cgroups deeper than the fd limit is walked completely") {
  // A directory's fd stays open only while children of it wait to be
  // visited: 40 levels walk under a limit of 24 fds.
  char tmpl[] = "/tmp/cgprov-fds-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const std::string root = tmpl;
  std::string path = root;
  for (int i = 0; i < 40; ++i) {
    path += "/d";
    REQUIRE(::mkdir(path.c_str(), 0755) == 0);
  }
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const struct rlimit low{24, 24};
    if (::setrlimit(RLIMIT_NOFILE, &low)) _exit(10);
    auto walk = cgprov::walk_cgroups(root);
    if (!walk.ok()) _exit(11);
    if (walk.value().skipped_count() != 0) _exit(12);
    if (walk.value().cgroups.size() != 41) _exit(13);
    _exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  std::filesystem::remove_all(root);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
