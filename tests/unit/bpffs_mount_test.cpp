#include "bpffs_mount.hpp"

#include <catch2/catch_test_macros.hpp>
#include <string>

using cgprov::MountAction;
using cgprov::MountPoint;

namespace {

MountPoint empty_dir() {
  MountPoint seen;
  seen.is_dir = true;
  seen.empty = true;
  seen.mode = 0755;
  return seen;
}

MountPoint instance_root() {
  MountPoint seen = empty_dir();
  seen.bpffs = true;
  seen.mount_root = true;
  seen.empty = false;
  return seen;
}

bool refused_for(const MountPoint &seen, const std::string &reason) {
  auto decision = cgprov::decide_mount(seen);
  INFO("reason: " << decision.reason);
  return decision.action == MountAction::kRefuse &&
         decision.reason.find(reason) != std::string::npos;
}

}  // namespace

TEST_CASE("an empty directory of root's is mounted over") {
  CHECK(cgprov::decide_mount(empty_dir()).action == MountAction::kMount);
}

TEST_CASE("the root of a bpffs mount, root's and closed to others, is reused, entries or not") {
  CHECK(cgprov::decide_mount(instance_root()).action == MountAction::kReuse);
  MountPoint bare = instance_root();
  bare.empty = true;
  CHECK(cgprov::decide_mount(bare).action == MountAction::kReuse);
}

TEST_CASE("a bpffs root others may write to is refused, the kernel's default 1777 too") {
  MountPoint seen = instance_root();
  seen.mode = 01777;
  CHECK(refused_for(seen, "writable by others (mode 1777)"));
  seen.mode = 0775;
  CHECK(refused_for(seen, "writable by others (mode 0775)"));
}

TEST_CASE("a bpffs root owned by another user is refused with the uid") {
  MountPoint seen = instance_root();
  seen.uid = 1000;
  CHECK(refused_for(seen, "owned by uid 1000, not root"));
}

TEST_CASE("a directory inside another bpffs without being its root is refused") {
  MountPoint seen = empty_dir();
  seen.bpffs = true;
  CHECK(refused_for(seen, "inside another bpffs mount without being its root"));
}

TEST_CASE("a non-empty directory of another filesystem is refused") {
  MountPoint seen = empty_dir();
  seen.empty = false;
  CHECK(refused_for(seen, "a non-empty directory of another filesystem"));
}

TEST_CASE("a mount point others control is refused") {
  MountPoint seen = empty_dir();
  seen.uid = 1000;
  CHECK(refused_for(seen, "owned by uid 1000"));
  seen = empty_dir();
  seen.mode = 0777;
  CHECK(refused_for(seen, "writable by others (mode 0777)"));
}

TEST_CASE("symlinks and non-directories are refused") {
  MountPoint link;
  link.is_symlink = true;
  CHECK(refused_for(link, "a symlink"));
  MountPoint file;
  CHECK(refused_for(file, "not a directory"));
}
