// The ACL policy (bpf/policy.bpf.c) against an unprivileged user: pins,
// files in the user directory, quotas, user namespaces, and what users may
// do. See policy_test.cpp and policy_harness.hpp.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "policy_harness.hpp"

using namespace cgprov::test;
using namespace cgprov::test::policy;
using cgprov::UniqueFd;

// --- OBJ_PIN ----------------------------------------------------------------

TEST_CASE("OBJ_PIN of the granted program itself is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only of links", [] {
    UniqueFd prog(open_granted_prog());
    return outcome(bpf_obj_pin(prog.get(), user_pin(kUserUid, "prog").c_str()));
  });
}

TEST_CASE("OBJ_PIN of a map is refused", "[policy]") {
  Fixture f;
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr));
  REQUIRE(map.valid());
  const int map_fd = map.get();  // inherited by the child
  refused(EPERM, "no pins of maps",
          [&] { return outcome(bpf_obj_pin(map_fd, user_pin(kUserUid, "map").c_str())); });
}

TEST_CASE("OBJ_PIN of a link the user did not create is refused", "[policy]") {
  Fixture f;
  UniqueFd cg(open_cgroup(f.own.path()));
  UniqueFd link(link_iter(f.granted.get(), cg.get()));  // root's, on the user's cgroup
  REQUIRE(link.valid());
  const int link_fd = link.get();
  refused(EPERM, "pins only of own links",
          [&] { return outcome(bpf_obj_pin(link_fd, user_pin(kUserUid, "stolen").c_str())); });
}

TEST_CASE("OBJ_PIN outside the user directory is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/",
          [&] { return pin_own_link(f.own.path(), f.open_dir + "/1000-out"); });
}

TEST_CASE("OBJ_PIN through '..' out of the user directory is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/ (..)", [&] {
    return pin_own_link(f.own.path(),
                        kLayout.user() + "/../../../sys/fs/bpf/cgprov-attack/open/1000-dots");
  });
}

TEST_CASE("OBJ_PIN through a symlink to another directory is refused", "[policy]") {
  Fixture f;
  const std::string link_dir = std::string(kAttackDir) + "/to-open";
  REQUIRE(::symlink(f.open_dir.c_str(), link_dir.c_str()) == 0);
  refused(EPERM, "pins only in user/ (symlink)",
          [&] { return pin_own_link(f.own.path(), link_dir + "/1000-sym"); });
}

TEST_CASE("OBJ_PIN with BPF_F_PATH_FD of another directory is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/ (BPF_F_PATH_FD)", [&] {
    UniqueFd dir(::open(f.open_dir.c_str(), O_RDONLY | O_DIRECTORY));
    return pin_own_link(f.own.path(), "1000-pathfd", dir.get());
  });
}

TEST_CASE("OBJ_PIN relative to a cwd inside bpffs is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/ (cwd)", [&] {
    if (::chdir(f.open_dir.c_str())) return kChildSetupFailed;
    return pin_own_link(f.own.path(), "1000-cwd");
  });
}

TEST_CASE("OBJ_PIN with an fsuid other than the euid is refused", "[policy]") {
  Fixture f;
  const Snapshot before = quiet_snapshot();
  // euid 1000 (owns the cgroup, names the pin), fsuid 1001 (would own the file).
  const int code = run_as(0, 0, {CAP_SETUID}, [&] {
    if (::setresuid(kOtherUid, kUserUid, kOtherUid)) return 120;
    ::setfsuid(kOtherUid);
    if (::setfsuid(static_cast<uid_t>(-1)) != static_cast<int>(kOtherUid)) return 121;
    return pin_own_link(f.own.path(), user_pin(kUserUid, "fsuid"));
  });
  if (stock_kernel() && code != EPERM)
    SKIP("unavailable on this kernel: pins charged to the uid checked (attempt "
         << outcome_name(code) << ")");
  CHECK(outcome_name(code) == "EPERM");
  CHECK(settled_changes(before) == "");
}

TEST_CASE("OBJ_PIN without the user's uid prefix is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pin names start with <uid>-",
          [&] { return pin_own_link(f.own.path(), kLayout.user() + "/mine"); });
}

TEST_CASE("OBJ_PIN under another user's uid prefix is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no pins in another user's names",
          [&] { return pin_own_link(f.own.path(), user_pin(kOtherUid, "squat")); });
}

TEST_CASE("OBJ_PIN over another user's pin fails with EEXIST", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  // Another user's name is refused before it could collide: use an own name
  // taken by a file another user owns (made by root for the test).
  const std::string taken = user_pin(kUserUid, "taken");
  REQUIRE(::rename(victim.c_str(), taken.c_str()) == 0);
  refused(EEXIST, "no replacing pins", [&] { return pin_own_link(f.own.path(), taken); });
}

// --- files in the user directory -----------------------------------------------

TEST_CASE("unlink of another user's pin is refused", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  refused(EPERM, "no removing others' pins", [&] { return outcome(::unlink(victim.c_str())); });
}

TEST_CASE("rename of another user's pin is refused", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  refused(EPERM, "no renaming others' pins",
          [&] { return outcome(::rename(victim.c_str(), user_pin(kUserUid, "renamed").c_str())); });
}

TEST_CASE("hard link of another user's pin is refused", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  refused(EPERM, "no linking others' pins",
          [&] { return outcome(::link(victim.c_str(), user_pin(kUserUid, "hardlink").c_str())); });
}

TEST_CASE("moving an own pin out of the user directory is refused", "[policy]") {
  Fixture f;
  REQUIRE(as_user([&] { return pin_own_link(f.own.path(), user_pin(kUserUid, "mine")); }) ==
          kSucceeded);
  // Any other bpffs instance (the system's) is another superblock: the
  // VFS refuses first.
  refused(EXDEV, "no renames into another bpffs instance", [&] {
    return outcome(::rename(user_pin(kUserUid, "mine").c_str(), (f.open_dir + "/moved").c_str()));
  });
  // A directory anyone may write to in cgprov's own instance (made for the
  // test): the policy refuses.
  TempBpffsDir open_here(kLayout.root + "/cgprov-attack");
  REQUIRE(::chmod(open_here.path().c_str(), 01777) == 0);
  refused(EPERM, "no renames in user/", [&] {
    return outcome(
        ::rename(user_pin(kUserUid, "mine").c_str(), (open_here.path() + "/moved").c_str()));
  });
}

TEST_CASE("mkdir and symlink in the user directory are refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no directories in user/",
          [] { return outcome(::mkdir(user_pin(kUserUid, "dir").c_str(), 0700)); });
  refused(EPERM, "no symlinks in user/",
          [] { return outcome(::symlink("/sys/fs/bpf", user_pin(kUserUid, "symlink").c_str())); });
}

// --- quotas -------------------------------------------------------------------

TEST_CASE("a link beyond the per-user quota is refused with EDQUOT", "[policy]") {
  Fixture f;
  refused(EDQUOT, "link quota", [&] {
    std::vector<UniqueFd> held;
    for (uint32_t i = 0; i < kLinkQuota; ++i) {
      held.emplace_back(own_link(f.own.path()));
      if (!held.back().valid()) {
        std::fprintf(stderr, "link %u of the quota failed\n", i);
        return kChildSetupFailed;
      }
    }
    const int code = outcome(own_link(f.own.path()));
    held.pop_back();  // a freed link makes room again
    UniqueFd again(own_link(f.own.path()));
    return again.valid() ? code : kChildAfterFailed;
  });
}

TEST_CASE("a pin beyond the per-user quota is refused with EDQUOT", "[policy]") {
  Fixture f;
  refused(EDQUOT, "pin quota", [&] {
    for (uint32_t i = 0; i < kPinQuota; ++i)
      if (pin_own_link(f.own.path(), user_pin(kUserUid, "q" + std::to_string(i))) != kSucceeded) {
        std::fprintf(stderr, "pin %u of the quota failed\n", i);
        return kChildSetupFailed;
      }
    const int code = pin_own_link(f.own.path(), user_pin(kUserUid, "over"));
    // Removing a pin makes room again.
    if (::unlink(user_pin(kUserUid, "q0").c_str())) return kChildAfterFailed;
    if (pin_own_link(f.own.path(), user_pin(kUserUid, "again")) != kSucceeded)
      return kChildAfterFailed;
    for (const char *name : {"q1", "q2", "again"}) ::unlink(user_pin(kUserUid, name).c_str());
    return code;
  });
}

// --- user namespaces ------------------------------------------------------------

namespace {

// As uid 0 of a new user namespace (uid 1000 outside): full capabilities
// there, none in the initial namespace.
int as_userns_root(const std::function<int()> &fn) {
  return as_user([&] {
    // The uid change made the process non-dumpable: /proc/self would be root's.
    if (::prctl(PR_SET_DUMPABLE, 1) || ::unshare(CLONE_NEWUSER)) return 120;
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << "0 " << kUserUid << " 1";
    std::ofstream("/proc/self/gid_map") << "0 " << kUserGid << " 1";
    if (::geteuid() != 0) return 121;
    return fn();
  });
}

}  // namespace

TEST_CASE("uid 0 in a user namespace gets no more than the user", "[policy]") {
  Fixture f;
  const Snapshot before = quiet_snapshot();
  const int map = as_userns_root(
      [] { return outcome(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr)); });
  const int root_link = as_userns_root([] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup("/sys/fs/cgroup"));
    return outcome(link_iter(prog.get(), cg.get()));
  });
  const int other_link = as_userns_root([&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(f.other.path()));
    return outcome(link_iter(prog.get(), cg.get()));
  });
  INFO("MAP_CREATE " << outcome_name(map) << ", root cgroup link " << outcome_name(root_link)
                     << ", other's cgroup link " << outcome_name(other_link));
  if (stock_kernel() && (root_link != EPERM || other_link != EPERM || map != EPERM))
    SKIP("unavailable on this kernel: user namespace root is unprivileged");
  CHECK(outcome_name(map) == "EPERM");
  CHECK(outcome_name(root_link) == "EPERM");
  CHECK(outcome_name(other_link) == "EPERM");
  CHECK(settled_changes(before) == "");
}

// --- what users may do ------------------------------------------------------------

TEST_CASE("a user links the stats iterator to an owned cgroup, pins it and reads it", "[policy]") {
  Fixture f;
  const std::string path = user_pin(kUserUid, "mine");
  REQUIRE(as_user([&] { return pin_own_link(f.own.path(), path); }) == kSucceeded);
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_uid == kUserUid);
  CHECK((st.st_mode & 07777) == 0600);
  const int read = as_user([&] {
    auto text = read_file(path);
    if (!text) return errno;
    return stock_kernel() || text->find("runq_delay_count") != std::string::npos ? 0 : 101;
  });
  CHECK(read == 0);
}

TEST_CASE("a user opens the granted program relative to a directory fd", "[policy]") {
  Fixture f;
  CHECK(outcome_name(as_user([] {
          UniqueFd dir(::open(kLayout.progs().c_str(), O_RDONLY | O_DIRECTORY));
          LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY | BPF_F_PATH_FD,
                      .path_fd = dir.get());
          return outcome(bpf_obj_get_opts(cgprov::pin::kDumperProg, &opts));
        })) == "succeeded");
}

TEST_CASE("a user pins through a symlink that resolves to the user directory", "[policy]") {
  Fixture f;
  const std::string via = std::string(kAttackDir) + "/to-user";
  REQUIRE(::symlink(kLayout.user().c_str(), via.c_str()) == 0);
  CHECK(as_user([&] { return pin_own_link(f.own.path(), via + "/1000-via"); }) == kSucceeded);
  CHECK(std::filesystem::exists(user_pin(kUserUid, "via")));
}

TEST_CASE("privileged callers are not limited by the policy", "[policy]") {
  Fixture f;
  UniqueFd cg(open_cgroup("/sys/fs/cgroup"));
  UniqueFd link(link_iter(f.granted.get(), cg.get(), 0, BPF_CGROUP_ITER_ANCESTORS_UP));
  CHECK(link.valid());
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr));
  CHECK(map.valid());
  const std::string path = std::string(kAttackDir) + "/root-map";
  CHECK(bpf_obj_pin(map.get(), path.c_str()) == 0);
}
