// The policy's shared tables and who is charged (bpf/policy.bpf.c), tried
// as an attacker would: many uids, a subordinate uid range in a user
// namespace, a cgroup v1 hierarchy of one's own, a pin that cannot be
// charged. Each asserts the attempt's outcome, that nothing else changed,
// and that a legitimate user still works afterwards.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "policy.h"
#include "policy_harness.hpp"

using namespace cgprov::test;
using namespace cgprov::test::policy;
using cgprov::UniqueFd;

namespace {

constexpr int kChildFailed = 120;

// A cgroup of the test whose owner is changed per attempt.
void chown_cgroup(const std::string &path, uid_t uid) {
  REQUIRE(::chown(path.c_str(), uid, uid) == 0);
}

int read_byte(int fd) {
  char c = 0;
  return ::read(fd, &c, 1) == 1 ? static_cast<unsigned char>(c) : -1;
}

void write_byte(int fd, int value) {
  const char c = static_cast<char>(value);
  (void)!::write(fd, &c, 1);
}

}  // namespace

TEST_CASE("4,200 uids that each link and release leave room for a new user", "[policy]") {
  if (stock_kernel()) SKIP("unavailable on this kernel: the policy's usage table");
  Fixture f;
  const Snapshot before = quiet_snapshot();
  // More uids than the usage table has buckets (4,096): under the old
  // table, which never forgot a uid, the 4,097th was refused with EDQUOT.
  constexpr uid_t kFirst = 200000;
  constexpr int kUsers = 4200;
  int refused_count = 0;
  for (int i = 0; i < kUsers; ++i) {
    const uid_t uid = kFirst + i;
    chown_cgroup(f.own.path(), uid);
    const std::string cgroup = f.own.path();
    const int code = as_user(
        [&] {
          UniqueFd link(own_link(cgroup));
          return outcome(link.valid() ? 0 : -1);
        },
        uid);
    if (code != kSucceeded) {
      INFO("uid " << uid << ": " << outcome_name(code));
      ++refused_count;
    }
  }
  CHECK(refused_count == 0);
  // Every slot was released with its link: nobody is charged any more.
  CHECK(usage_of(kFirst).links == 0);
  CHECK(usage_of(kFirst + kUsers - 1).links == 0);
  // A new user links and pins.
  const uid_t newcomer = kFirst + kUsers;
  chown_cgroup(f.own.path(), newcomer);
  const std::string cgroup = f.own.path();
  CHECK(outcome_name(as_user([&] { return pin_own_link(cgroup, user_pin(newcomer, "new")); },
                             newcomer)) == "succeeded");
  CHECK(usage_of(newcomer).pins == 1);
  REQUIRE(::unlink(user_pin(newcomer, "new").c_str()) == 0);
  chown_cgroup(f.own.path(), kUserUid);
  CHECK(settled_changes(before) == "");
}

namespace {

// Inside a user namespace created by uid 1000 whose uids 0-65535 are the
// subordinate range 100000-165535 (the map written by root, as newuidmap
// does): `kRangeUsers` processes, each as another in-namespace uid k (kuid
// 100000 + k), link the granted program to a cgroup that kuid owns and
// hold the link. Reports each outcome on `report`, then waits for a byte
// on `go` before letting the links go.
constexpr uid_t kRangeBase = 100000;
constexpr int kRangeUsers = 6;

int range_links(int report, int go, int ready_write, int mapped_read,
                const std::vector<std::string> &cgroups) {
  if (::prctl(PR_SET_DUMPABLE, 1) || ::unshare(CLONE_NEWUSER)) return kChildFailed;
  write_byte(ready_write, 1);  // root writes our uid_map now
  if (read_byte(mapped_read) != 1) return kChildFailed;
  std::vector<pid_t> holders;
  for (int k = 1; k <= kRangeUsers; ++k) {
    int pipe_fds[2];
    if (::pipe(pipe_fds)) return kChildFailed;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipe_fds[0]);
      if (::setresuid(k, k, k)) _exit(kChildFailed);
      UniqueFd link(own_link(cgroups[k - 1]));
      write_byte(pipe_fds[1], link.valid() ? 0 : errno);
      ::pause();  // hold the link until killed
      _exit(0);
    }
    ::close(pipe_fds[1]);
    const int result = read_byte(pipe_fds[0]);
    ::close(pipe_fds[0]);
    write_byte(report, result);
    holders.push_back(pid);
  }
  read_byte(go);
  for (pid_t pid : holders) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  return 0;
}

}  // namespace

TEST_CASE("a subordinate uid range in a user namespace gets one link quota, not one per uid",
          "[policy]") {
  if (stock_kernel()) SKIP("unavailable on this kernel: charging the namespace's owner");
  Fixture f;
  // One cgroup per subordinate uid, each owned by that uid.
  std::vector<std::unique_ptr<TempCgroup>> cgroups;
  std::vector<std::string> paths;
  for (int k = 1; k <= kRangeUsers; ++k) {
    cgroups.push_back(std::make_unique<TempCgroup>(kRangeBase + k));
    REQUIRE(::chmod(cgroups.back()->path().c_str(), 0755) == 0);
    paths.push_back(cgroups.back()->path());
  }
  const Snapshot before = quiet_snapshot();
  int report[2], go[2], ready[2], mapped[2];
  REQUIRE(::pipe(report) == 0);
  REQUIRE(::pipe(go) == 0);
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(mapped) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setresgid(kUserGid, kUserGid, kUserGid) || ::setresuid(kUserUid, kUserUid, kUserUid))
      _exit(kChildFailed);
    _exit(range_links(report[1], go[0], ready[1], mapped[0], paths));
  }
  ::close(report[1]);
  ::close(go[0]);
  ::close(ready[1]);
  ::close(mapped[0]);
  REQUIRE(read_byte(ready[0]) == 1);
  {
    std::ofstream map("/proc/" + std::to_string(child) + "/uid_map");
    map << "0 " << kRangeBase << " 65536\n";
  }
  write_byte(mapped[1], 1);
  std::vector<int> outcomes;
  for (int k = 0; k < kRangeUsers; ++k) outcomes.push_back(read_byte(report[0]));
  int linked = 0, over_quota = 0;
  for (int code : outcomes) {
    if (code == 0) ++linked;
    if (code == EDQUOT) ++over_quota;
  }
  INFO("outcomes (errno, 0 = linked): " << [&] {
    std::string s;
    for (int c : outcomes) s += std::to_string(c) + " ";
    return s;
  }());
  // The whole range is charged to uid 1000, the namespace's owner.
  CHECK(linked == static_cast<int>(kLinkQuota));
  CHECK(over_quota == kRangeUsers - static_cast<int>(kLinkQuota));
  CHECK(usage_of(kUserUid).links == kLinkQuota);
  CHECK(usage_of(kRangeBase + 1).links == 0);
  // While the range holds uid 1000's quota, another user still links.
  CHECK(outcome_name(as_user([&] { return pin_own_link(f.other.path(), user_pin(kOtherUid, "x")); },
                             kOtherUid)) == "succeeded");
  REQUIRE(::unlink(user_pin(kOtherUid, "x").c_str()) == 0);
  write_byte(go[1], 1);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  for (int fd : {report[0], go[1], ready[0], mapped[1]}) ::close(fd);
  // The links are gone with their holders: uid 1000 links again.
  CHECK(outcome_name(as_user(
            [&] { return pin_own_link(f.own.path(), user_pin(kUserUid, "y")); })) == "succeeded");
  REQUIRE(::unlink(user_pin(kUserUid, "y").c_str()) == 0);
  CHECK(settled_changes(before) == "");
}

TEST_CASE("a link on a cgroup v1 hierarchy is refused, even on a cgroup the user owns",
          "[policy]") {
  Fixture f;
  // A named v1 hierarchy with a subtree delegated to the user, as systemd's
  // hybrid "name=systemd" hierarchy delegates user sessions (a user may also
  // mount such an existing hierarchy in its own user and cgroup namespaces).
  char dir_template[] = "/tmp/cgprov-v1-XXXXXX";
  REQUIRE(::mkdtemp(dir_template));
  const std::string dir = dir_template;
  if (::mount("none", dir.c_str(), "cgroup", 0, "none,name=cgprovattack")) {
    const int err = errno;
    ::rmdir(dir.c_str());
    SKIP("unavailable on this kernel: cgroup v1 hierarchies (mount: " << outcome_name(err) << ")");
  }
  const std::string cgroup = dir + "/mine";
  REQUIRE(::mkdir(cgroup.c_str(), 0755) == 0);
  REQUIRE(::chown(cgroup.c_str(), kUserUid, kUserGid) == 0);
  const Snapshot before = quiet_snapshot();
  const int code = as_user([&] { return outcome(UniqueFd(own_link(cgroup)).get()); });
  const std::string changed = settled_changes(before);
  ::rmdir(cgroup.c_str());
  ::umount2(dir.c_str(), MNT_DETACH);
  ::rmdir(dir.c_str());
  if (stock_kernel() && code != EPERM)
    SKIP("unavailable on this kernel: default hierarchy only (attempt " << outcome_name(code)
                                                                        << ")");
  CHECK(outcome_name(code) == "EPERM");
  CHECK(changed == "");
  // The user's own cgroup on the default hierarchy still links.
  CHECK(outcome_name(as_user([&] { return outcome(UniqueFd(own_link(f.own.path())).get()); })) ==
        "succeeded");
}

TEST_CASE("a pin that cannot be counted is refused and leaves no file", "[policy]") {
  if (stock_kernel()) SKIP("unavailable on this kernel: pins charged before they exist");
  Fixture f;
  // Fill the table of counted pins (as if 65,536 pins existed): the charge
  // of the next pin has no room. Keys 1.. are never kernel addresses.
  UniqueFd pins(bpf_obj_get((kLayout.internal() + "/" + cgprov::pin::kPolicyPinsMap).c_str()));
  REQUIRE(pins.valid());
  std::vector<uint64_t> keys;
  std::vector<uint32_t> owners(CGPROV_MAX_OWNED, kOtherUid);
  for (uint64_t k = 1; k <= CGPROV_MAX_OWNED; ++k) keys.push_back(k);
  uint32_t filled = CGPROV_MAX_OWNED;
  LIBBPF_OPTS(bpf_map_batch_opts, batch);
  const int fill = bpf_map_update_batch(pins.get(), keys.data(), owners.data(), &filled, &batch);
  INFO("filled " << filled << " entries (" << (fill ? std::strerror(errno) : "all") << ")");
  REQUIRE(filled > 0);
  REQUIRE(bpf_map_update_elem(pins.get(), &keys[filled - 1], &owners[0], BPF_ANY) == 0);
  const uint64_t one_more = CGPROV_MAX_OWNED + 1;
  REQUIRE(bpf_map_update_elem(pins.get(), &one_more, &owners[0], BPF_NOEXIST) != 0);  // full
  const Snapshot before = quiet_snapshot();
  const int code = as_user([&] { return pin_own_link(f.own.path(), user_pin(kUserUid, "over")); });
  const bool file_left = ::access(user_pin(kUserUid, "over").c_str(), F_OK) == 0;
  const std::string changed = settled_changes(before);
  const cgprov_usage charged = usage_of(kUserUid);
  uint32_t removed = filled;
  REQUIRE(bpf_map_delete_batch(pins.get(), keys.data(), &removed, &batch) == 0);
  CHECK(outcome_name(code) == "EDQUOT");
  CHECK_FALSE(file_left);
  CHECK(changed == "");
  CHECK(charged.pins == 0);  // nothing charged for the refused pin
  // With room again, the user pins, and the pin is counted.
  CHECK(outcome_name(as_user(
            [&] { return pin_own_link(f.own.path(), user_pin(kUserUid, "ok")); })) == "succeeded");
  CHECK(usage_of(kUserUid).pins == 1);
  REQUIRE(::unlink(user_pin(kUserUid, "ok").c_str()) == 0);
}
