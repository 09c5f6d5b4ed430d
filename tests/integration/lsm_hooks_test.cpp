// LSM hooks on resolved BPF objects (kernel series, patches 6-8), driven by
// BPF-LSM programs in tests/bpf/lsm_hooks.bpf.c.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <cstring>

#include "cgroup_dump.skel.h"
#include "lsm_hooks.skel.h"
#include "vm_helpers.hpp"

using namespace cgprov::test;
using cgprov::UniqueFd;

namespace {

using DumpSkel = SkelPtr<cgroup_dump_bpf, cgroup_dump_bpf__destroy>;
using LsmSkel = SkelPtr<lsm_hooks_bpf, lsm_hooks_bpf__destroy>;

constexpr const char *kTestDir = "/sys/fs/bpf/cgprov-test";

uint64_t inode_of(const std::string &path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

struct Fixture {
  TempBpffsDir dir{kTestDir};
  TempCgroup cgroup;
  DumpSkel dump{cgroup_dump_bpf__open_and_load()};
  LsmSkel lsm;

  Fixture() {
    REQUIRE(dump);
    lsm.reset(lsm_hooks_bpf__open());
    REQUIRE(lsm);
    lsm->rodata->watched_prog_id = prog_id(dump->progs.dump_cgroup_id);
    REQUIRE(lsm_hooks_bpf__load(lsm.get()) == 0);
    REQUIRE(lsm_hooks_bpf__attach(lsm.get()) == 0);
  }

  // A cgroup_iter link of the test's iterator on the fixture's cgroup.
  LinkPtr attach(bpf_cgroup_iter_order order) {
    UniqueFd cg(::open(cgroup.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(cg.valid());
    union bpf_iter_link_info info{};
    info.cgroup.cgroup_fd = static_cast<uint32_t>(cg.get());
    info.cgroup.order = order;
    LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));
    return LinkPtr(bpf_program__attach_iter(dump->progs.dump_cgroup_id, &opts));
  }
};

}  // namespace

TEST_CASE("iterator attach hook sees the program and the resolved cgroup and order",
          "[kernel][lsm]") {
  Fixture f;
  auto link = f.attach(BPF_CGROUP_ITER_DESCENDANTS_PRE);
  REQUIRE(link);
  CHECK(f.lsm->bss->attach_calls == 1);
  CHECK(f.lsm->bss->seen_prog_id == prog_id(f.dump->progs.dump_cgroup_id));
  CHECK(f.lsm->bss->seen_cgroup_id == f.cgroup.id());
  CHECK(f.lsm->bss->seen_order == BPF_CGROUP_ITER_DESCENDANTS_PRE);
}

TEST_CASE("a refused iterator attach creates no link", "[kernel][lsm]") {
  Fixture f;
  f.lsm->bss->deny_cgroup_id = f.cgroup.id();
  auto link = f.attach(BPF_CGROUP_ITER_SELF_ONLY);
  CHECK_FALSE(link);
  CHECK(errno == EPERM);
  // No iterator link of the program exists anywhere.
  const uint32_t watched = prog_id(f.dump->progs.dump_cgroup_id);
  int links = 0;
  for (uint32_t id = 0; bpf_link_get_next_id(id, &id) == 0;) {
    UniqueFd fd(bpf_link_get_fd_by_id(id));
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    if (fd.valid() && bpf_link_get_info_by_fd(fd.get(), &info, &len) == 0 &&
        info.prog_id == watched)
      ++links;
  }
  CHECK(links == 0);
}

TEST_CASE("pin hook sees the link and the directory, and a refused pin creates no file",
          "[kernel][lsm]") {
  Fixture f;
  auto link = f.attach(BPF_CGROUP_ITER_SELF_ONLY);
  REQUIRE(link);
  const std::string allowed = std::string(kTestDir) + "/allowed";
  REQUIRE(::mkdir(allowed.c_str(), 0755) == 0);
  f.lsm->bss->deny_dir_ino = inode_of(kTestDir);

  const std::string refused_pin = std::string(kTestDir) + "/stats";
  CHECK(bpf_obj_pin(bpf_link__fd(link.get()), refused_pin.c_str()) == -1);
  CHECK(errno == EPERM);
  CHECK(::access(refused_pin.c_str(), F_OK) != 0);

  CHECK(bpf_obj_pin(bpf_link__fd(link.get()), (allowed + "/stats").c_str()) == 0);
  CHECK(f.lsm->bss->pin_calls == 2);
  CHECK(f.lsm->bss->seen_dir_ino == inode_of(allowed));
  CHECK(std::strcmp(f.lsm->bss->seen_name, "stats") == 0);
}

TEST_CASE("link update hook can refuse a program change", "[kernel][lsm]") {
  Fixture f;
  auto link = f.attach(BPF_CGROUP_ITER_SELF_ONLY);
  REQUIRE(link);
  const int prog = bpf_program__fd(f.dump->progs.dump_cgroup_id);
  f.lsm->bss->update_verdict = -EPERM;
  CHECK(bpf_link_update(bpf_link__fd(link.get()), prog, nullptr) == -EPERM);
  f.lsm->bss->update_verdict = 0;
  CHECK(bpf_link_update(bpf_link__fd(link.get()), prog, nullptr) == 0);
  CHECK(f.lsm->bss->update_calls == 2);
}

TEST_CASE("link update hook is told the program the update replaces", "[kernel][lsm]") {
  Fixture f;
  auto link = f.attach(BPF_CGROUP_ITER_SELF_ONLY);
  REQUIRE(link);
  const int prog = bpf_program__fd(f.dump->progs.dump_cgroup_id);
  const uint32_t attached = prog_id(f.dump->progs.dump_cgroup_id);
  // Without BPF_F_REPLACE the kernel names the attached program, and
  // replaces only that one (an update that raced would fail with EPERM).
  CHECK(bpf_link_update(bpf_link__fd(link.get()), prog, nullptr) == 0);
  CHECK(f.lsm->bss->seen_old_prog_id == attached);
  // With it, the program given, which must still be attached.
  LIBBPF_OPTS(bpf_link_update_opts, replace, .flags = BPF_F_REPLACE,
              .old_prog_fd = static_cast<__u32>(prog));
  f.lsm->bss->seen_old_prog_id = 0;
  CHECK(bpf_link_update(bpf_link__fd(link.get()), prog, &replace) == 0);
  CHECK(f.lsm->bss->seen_old_prog_id == attached);
  DumpSkel other{cgroup_dump_bpf__open_and_load()};
  REQUIRE(other);
  LIBBPF_OPTS(bpf_link_update_opts, stale, .flags = BPF_F_REPLACE,
              .old_prog_fd = static_cast<__u32>(bpf_program__fd(other->progs.dump_cgroup_id)));
  CHECK(bpf_link_update(bpf_link__fd(link.get()), prog, &stale) == -EPERM);
}

TEST_CASE("link fd hook runs when a pinned link is opened", "[kernel][lsm]") {
  Fixture f;
  auto link = f.attach(BPF_CGROUP_ITER_SELF_ONLY);
  REQUIRE(link);
  const std::string pin = std::string(kTestDir) + "/stats";
  REQUIRE(bpf_obj_pin(bpf_link__fd(link.get()), pin.c_str()) == 0);
  const uint32_t before = f.lsm->bss->link_fd_calls;
  UniqueFd fd(bpf_obj_get(pin.c_str()));
  REQUIRE(fd.valid());
  CHECK(f.lsm->bss->link_fd_calls == before + 1);
}
