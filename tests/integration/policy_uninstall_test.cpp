// Uninstall against a user who holds the stats iterator's fd and keeps
// trying to link and to open it (bpf/policy.bpf.c, loader/uninstall.cpp):
// access closes first, the hooks detach last. Run by
// tests/vm/policy/85-uninstall-race.sh with cgprov installed; CGPROV names
// the binary.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdlib>
#include <string>
#include <thread>

#include "policy.h"
#include "policy_harness.hpp"

using namespace cgprov::test;
using namespace cgprov::test::policy;
using cgprov::UniqueFd;

namespace {

// Shared between the parent (which runs uninstall) and the user's child.
struct Race {
  std::atomic<int> phase;           // 0 before uninstall, 1 while it runs, 2 after
  std::atomic<int> ready;           // the child holds the program fd
  std::atomic<long> attempts;       // link attempts made while uninstall ran
  std::atomic<long> linked_while;   // links made while uninstall ran and the tree existed
  std::atomic<long> opened_while;   // program fds opened likewise
  std::atomic<long> linked_before;  // links made before uninstall started
  std::atomic<uint32_t> last_link_id;
};

// The tree, not the mount: uninstall removes internal/ before the policy's
// hooks detach, and unmounts the instance after.
bool cgprov_dir_exists() { return ::access(kLayout.internal().c_str(), F_OK) == 0; }

// Whether uninstall has changed anything yet: the published policy is no
// longer the open one, or a pin of the install is gone. (Raw calls: this
// runs on a monitor thread.)
bool uninstall_began() {
  const std::string config = kLayout.internal() + "/" + cgprov::pin::kPolicyConfigMap;
  for (const std::string &pin : {config, kLayout.internal() + "/" + cgprov::pin::kMeta,
                                 kLayout.progs() + "/" + cgprov::pin::kDumperProg})
    if (::access(pin.c_str(), F_OK)) return true;
  UniqueFd outer(bpf_obj_get(config.c_str()));
  const uint32_t zero = 0;
  uint32_t id = 0;
  if (!outer.valid() || bpf_map_lookup_elem(outer.get(), &zero, &id)) return true;
  UniqueFd inner(bpf_map_get_fd_by_id(id));
  cgprov_policy_config value{};
  if (!inner.valid() || bpf_map_lookup_elem(inner.get(), &zero, &value)) return true;
  return value.state != CGPROV_POLICY_OPEN;
}

}  // namespace

TEST_CASE(
    "uninstall closes access before it detaches: a user holding the program fd links "
    "nothing meanwhile",
    "[policy-uninstall]") {
  const char *cgprov = std::getenv("CGPROV");
  REQUIRE(cgprov);
  REQUIRE(cgprov_dir_exists());
  TempCgroup own{kUserUid};
  REQUIRE(::chmod(own.path().c_str(), 0755) == 0);
  auto *race = static_cast<Race *>(
      ::mmap(nullptr, sizeof(Race), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  REQUIRE(race != MAP_FAILED);
  new (race) Race{};
  const std::string cgroup = own.path();

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int code = run_as(kUserUid, kUserGid, {}, [&] {
      UniqueFd prog(open_granted_prog());
      UniqueFd cg(open_cgroup(cgroup));
      UniqueFd root_cg(open_cgroup("/sys/fs/cgroup"));
      if (!prog.valid() || !cg.valid() || !root_cg.valid()) return 1;
      race->ready = 1;
      while (race->phase.load() < 2) {
        const int phase = race->phase.load();
        // The own cgroup (granted) and the root cgroup (never granted).
        for (int target : {cg.get(), root_cg.get()}) {
          UniqueFd link(link_iter(prog.get(), target));
          if (phase == 1) ++race->attempts;
          if (!link.valid()) continue;
          if (phase == 0 && target == cg.get()) {
            ++race->linked_before;
          } else if (phase >= 1 && cgprov_dir_exists()) {
            ++race->linked_while;
            bpf_link_info info{};
            uint32_t len = sizeof(info);
            if (bpf_link_get_info_by_fd(link.get(), &info, &len) == 0) race->last_link_id = info.id;
          }
        }
        UniqueFd again(open_granted_prog());
        if (again.valid() && phase >= 1 && cgprov_dir_exists()) ++race->opened_while;
      }
      return 0;
    });
    _exit(code);
  }
  while (!race->ready.load()) ::usleep(1000);
  while (race->linked_before.load() == 0) ::usleep(1000);  // the child is linking
  // "Uninstall started" is its first change, seen by a monitor thread.
  std::thread monitor([&] {
    while (race->phase.load() == 0)
      if (uninstall_began()) race->phase = 1;
  });
  const int uninstalled = std::system((std::string(cgprov) + " uninstall").c_str());
  const bool began = race->phase.load() == 1;
  race->phase = 2;
  monitor.join();
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("attempts during uninstall: " << race->attempts.load()
                                     << ", links then: " << race->linked_while.load()
                                     << " (last link id " << race->last_link_id.load()
                                     << "), program fds then: " << race->opened_while.load());
  CHECK(uninstalled == 0);
  CHECK(began);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(race->attempts.load() > 0);
  CHECK(race->linked_while.load() == 0);
  CHECK(race->opened_while.load() == 0);
  CHECK_FALSE(cgprov_dir_exists());
  ::munmap(race, sizeof(Race));
}
