#include "bpffs_dirs.hpp"

#include <catch2/catch_test_macros.hpp>

namespace {

struct stat dir(uid_t uid, mode_t mode, dev_t dev = 7) {
  struct stat st{};
  st.st_mode = S_IFDIR | mode;
  st.st_uid = uid;
  st.st_dev = dev;
  return st;
}

}  // namespace

TEST_CASE("root's directories closed to others are trusted") {
  CHECK(cgprov::distrust_reason(dir(0, 0755), 7, {}) == "");
  CHECK(cgprov::distrust_reason(dir(0, 0700), 7, {}) == "");
  CHECK(cgprov::distrust_reason(dir(0, 01733), 7, {.shared = true}) == "");
  CHECK(cgprov::distrust_reason(dir(0, 0700), 7, {.shared = true}) == "");
}

TEST_CASE("a directory of another owner is refused, naming the owner") {
  CHECK(cgprov::distrust_reason(dir(1000, 0755), 7, {}) == "owned by uid 1000, not root");
  CHECK(cgprov::distrust_reason(dir(1000, 01733), 7, {.shared = true}) ==
        "owned by uid 1000, not root");
}

TEST_CASE("root's directory writable by others is refused unless it is the 1733 user dir") {
  CHECK(cgprov::distrust_reason(dir(0, 0777), 7, {}) ==
        "root's but writable by others (mode 0777)");
  CHECK(cgprov::distrust_reason(dir(0, 01733), 7, {}) ==
        "root's but writable by others (mode 1733)");
  CHECK(cgprov::distrust_reason(dir(0, 01777), 7, {.shared = true}) ==
        "root's but writable by others (mode 1777)");
  CHECK(cgprov::distrust_reason(dir(0, 0775), 7, {}) ==
        "root's but writable by others (mode 0775)");
}

TEST_CASE("symlinks, files and other mounts are refused") {
  struct stat link{};
  link.st_mode = S_IFLNK | 0777;
  link.st_uid = 1000;
  CHECK(cgprov::distrust_reason(link, 0, {}) == "a symlink owned by uid 1000");
  struct stat file = dir(0, 0600);
  file.st_mode = S_IFREG | 0600;
  CHECK(cgprov::distrust_reason(file, 7, {}) == "not a directory, owned by uid 0");
  CHECK(cgprov::distrust_reason(dir(0, 0755, 8), 7, {}) == "another filesystem is mounted there");
}
