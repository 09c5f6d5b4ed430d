// bpf_cgroup_iter_pin() / bpf_cgroup_iter_unpin() (kernel series, the kfunc
// patches), driven through syscall programs and a tracepoint provisioner.
#include "pin_kfuncs.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/types.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <ios>

#include "cgroup_dump.skel.h"
#include "pin_kfuncs.skel.h"
#include "vm_helpers.hpp"

using namespace cgprov::test;

namespace {

using DumpSkel = SkelPtr<cgroup_dump_bpf, cgroup_dump_bpf__destroy>;
using PinSkel = SkelPtr<pin_kfuncs_bpf, pin_kfuncs_bpf__destroy>;

constexpr const char *kTestDir = "/sys/fs/bpf/cgprov-test";
constexpr uint32_t kFileMode = 0440;  // read bits only: the kfunc refuses others

using PinArgs = pin_args;

DumpSkel load_dump() {
  DumpSkel skel(cgroup_dump_bpf__open_and_load());
  REQUIRE(skel);
  return skel;
}

// Loads the pin object; the tracepoint provisioner programs only if asked.
PinSkel load_pin(uint32_t dump_id, bool with_provisioner) {
  PinSkel skel(pin_kfuncs_bpf__open());
  REQUIRE(skel);
  skel->rodata->provision_prog_id = dump_id;
  skel->rodata->provision_uid = kUserUid;
  for (bpf_program *p : {skel->progs.provision, skel->progs.unprovision}) {
    REQUIRE(bpf_program__set_flags(p, BPF_F_SLEEPABLE) == 0);
    bpf_program__set_autoload(p, with_provisioner);
  }
  REQUIRE(pin_kfuncs_bpf__load(skel.get()) == 0);
  return skel;
}

// Runs a syscall program with `args` as its context; returns args.ret.
int run(bpf_program *prog, PinArgs &args) {
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
  REQUIRE(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) == 0);
  return args.ret;
}

PinArgs args_for(uint64_t cgroup, uint32_t dump_id, const std::string &name) {
  PinArgs args{};
  args.cgroup_id = cgroup;
  args.dir = DIR_TEST;
  args.prog_id = dump_id;
  args.order = BPF_CGROUP_ITER_SELF_ONLY;
  args.mode = kFileMode;
  args.uid = kUserUid;
  args.gid = kUserGid;
  std::strncpy(args.name, name.c_str(), sizeof(args.name) - 1);
  return args;
}

struct Fixture {
  TempBpffsDir dir{kTestDir};
  TempCgroup cgroup;
  DumpSkel dump = load_dump();
  uint32_t dump_id = prog_id(dump->progs.dump_cgroup_id);
};

}  // namespace

TEST_CASE("pin creates a readable iterator file with the requested owner and mode",
          "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  auto args = args_for(f.cgroup.id(), f.dump_id, "stats");
  REQUIRE(run(pin->progs.pin, args) == 0);

  const std::string file = std::string(kTestDir) + "/stats";
  struct stat st{};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_uid == kUserUid);
  CHECK(st.st_gid == kUserGid);
  CHECK((st.st_mode & 07777) == kFileMode);
  CHECK(S_ISREG(st.st_mode));
  auto text = read_file(file);
  REQUIRE(text);
  CHECK(*text == "cgroup_id " + std::to_string(f.cgroup.id()) + "\n");
}

TEST_CASE("pinned file is readable by its owner without privilege", "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  auto args = args_for(f.cgroup.id(), f.dump_id, "stats");
  REQUIRE(run(pin->progs.pin, args) == 0);
  const std::string file = std::string(kTestDir) + "/stats";
  const std::string want = "cgroup_id " + std::to_string(f.cgroup.id()) + "\n";
  CHECK(run_as(kUserUid, kUserGid, {}, [&] { return read_file(file) == want ? 0 : 1; }) == 0);
  CHECK(run_as(kUserUid + 1, kUserGid + 1, {}, [&] { return read_file(file) ? 0 : errno; }) ==
        EACCES);
}

TEST_CASE("second pin under the same name fails with EEXIST and keeps the first",
          "[kernel][kfunc]") {
  Fixture f;
  TempCgroup other;
  auto pin = load_pin(f.dump_id, false);
  auto first = args_for(f.cgroup.id(), f.dump_id, "stats");
  REQUIRE(run(pin->progs.pin, first) == 0);
  auto second = args_for(other.id(), f.dump_id, "stats");
  CHECK(run(pin->progs.pin, second) == -EEXIST);
  CHECK(read_file(std::string(kTestDir) + "/stats") ==
        "cgroup_id " + std::to_string(f.cgroup.id()) + "\n");
}

TEST_CASE("pin rejects bad names with EINVAL", "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  for (const char *name : {"", "a/b", "..", ".", "has.dot", "/abs"}) {
    auto args = args_for(f.cgroup.id(), f.dump_id, name);
    INFO("name '" << name << "'");
    CHECK(run(pin->progs.pin, args) == -EINVAL);
  }
  auto unterminated = args_for(f.cgroup.id(), f.dump_id, "");
  std::memset(unterminated.name, 'x', sizeof(unterminated.name));
  CHECK(run(pin->progs.pin, unterminated) == -EINVAL);
}

TEST_CASE("pin rejects directories that are not bpffs", "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  ::unlink("/tmp/cgprov-test-link");
  REQUIRE(::symlink(kTestDir, "/tmp/cgprov-test-link") == 0);
  const std::pair<uint32_t, int> cases[] = {
      {DIR_CGROUPFS, -EXDEV},
      {DIR_TMPFS, -EXDEV},
      {DIR_MISSING, -ENOENT},
      {DIR_SYMLINK, -ENOTDIR},  // not followed: the link itself is no directory
  };
  for (auto [dir, want] : cases) {
    auto args = args_for(f.cgroup.id(), f.dump_id, "stats");
    args.dir = dir;
    INFO("dir " << dir);
    CHECK(run(pin->progs.pin, args) == want);
  }
  ::unlink("/tmp/cgprov-test-link");
  // Nothing was created on the way, anywhere.
  for (const char *path : {"/sys/fs/bpf/cgprov-test/stats", "/tmp/stats", "/sys/fs/cgroup/stats"})
    CHECK(::access(path, F_OK) != 0);
}

TEST_CASE("pin rejects bad modes, orders and programs", "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  PinArgs args{};
  // setuid, a write bit, an execute bit: a link file is only ever read
  for (uint32_t mode : {04755u, 0640u, 0466u, 0550u, 0445u}) {
    args = args_for(f.cgroup.id(), f.dump_id, "stats");
    args.mode = mode;
    INFO("mode 0" << std::oct << mode);
    CHECK(run(pin->progs.pin, args) == -EINVAL);
  }
  CHECK(::access((std::string(kTestDir) + "/stats").c_str(), F_OK) != 0);
  args = args_for(f.cgroup.id(), f.dump_id, "stats");
  args.order = 99;
  CHECK(run(pin->progs.pin, args) == -EINVAL);
  args = args_for(f.cgroup.id(), prog_id(pin->progs.pin), "stats");  // not an iterator
  CHECK(run(pin->progs.pin, args) == -EINVAL);
  args = args_for(f.cgroup.id(), 0x7ffffff0, "stats");  // no such program
  CHECK(run(pin->progs.pin, args) == -ENOENT);
}

TEST_CASE("unpin removes the file and refuses what it did not make", "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  auto args = args_for(f.cgroup.id(), f.dump_id, "stats");
  REQUIRE(run(pin->progs.pin, args) == 0);
  REQUIRE(run(pin->progs.unpin, args) == 0);
  CHECK(::access((std::string(kTestDir) + "/stats").c_str(), F_OK) != 0);
  CHECK(run(pin->progs.unpin, args) == -ENOENT);

  // A pinned map is not a cgroup iterator link: refused and left alone.
  const std::string map_pin = std::string(kTestDir) + "/a_map";
  REQUIRE(bpf_obj_pin(bpf_map__fd(pin->maps.bss), map_pin.c_str()) == 0);
  auto map_args = args_for(f.cgroup.id(), f.dump_id, "a_map");
  CHECK(run(pin->progs.unpin, map_args) < 0);
  CHECK(::access(map_pin.c_str(), F_OK) == 0);

  // Only bpffs: a name in cgroupfs is never removed.
  auto cgroupfs_args = args_for(f.cgroup.id(), f.dump_id, f.cgroup.path().substr(15));
  cgroupfs_args.dir = DIR_CGROUPFS;
  CHECK(run(pin->progs.unpin, cgroupfs_args) < 0);
  CHECK(::access(f.cgroup.path().c_str(), F_OK) == 0);
}

TEST_CASE("unprivileged users cannot load a program that calls the kfuncs", "[kernel][kfunc]") {
  auto try_load = [] {
    LibbpfLogCapture log;
    PinSkel skel(pin_kfuncs_bpf__open());
    if (!skel) return 10;
    bpf_program__set_autoload(skel->progs.provision, false);
    bpf_program__set_autoload(skel->progs.unprovision, false);
    int err = pin_kfuncs_bpf__load(skel.get());
    if (err == 0) return 0;
    if (log.text().find("is not allowed") != std::string::npos) return 2;
    if (err == -EPERM) return 1;
    std::fprintf(stderr, "load failed with %d:\n%s\n", err, log.text().c_str());
    return 3;
  };
  INFO("1: EPERM, 2: verifier refused the kfunc call, 0: loaded");
  CHECK(run_as(kUserUid, kUserGid, {}, try_load) == 1);
  CHECK(run_as(kUserUid, kUserGid, {CAP_BPF, CAP_PERFMON}, try_load) == 2);
}

TEST_CASE("provisioner pins on mkdir and unpins on rmdir, leaving no dying cgroups",
          "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, true);
  pin->bss->watched_parent_id = f.cgroup.id();
  std::vector<LinkPtr> links;
  links.emplace_back(bpf_program__attach(pin->progs.provision));
  links.emplace_back(bpf_program__attach(pin->progs.unprovision));
  for (auto &l : links) REQUIRE(l);

  constexpr int kCgroups = 1000;
  int missing_after_mkdir = 0, left_after_rmdir = 0;
  for (int i = 0; i < kCgroups; ++i) {
    const std::string child = f.cgroup.path() + "/c" + std::to_string(i);
    REQUIRE(::mkdir(child.c_str(), 0755) == 0);
    const std::string file = std::string(kTestDir) + "/" + std::to_string(cgroup_id(child));
    if (::access(file.c_str(), R_OK) != 0) ++missing_after_mkdir;
    REQUIRE(::rmdir(child.c_str()) == 0);
    if (::access(file.c_str(), F_OK) == 0) ++left_after_rmdir;
  }
  CHECK(missing_after_mkdir == 0);
  CHECK(left_after_rmdir == 0);
  CHECK(pin->bss->provisioned == kCgroups);
  CHECK(pin->bss->unprovisioned == kCgroups);
  CHECK(pin->bss->provision_errors == 0);
  CHECK(wait_dying(f.cgroup.path(), 0) == 0);
}

TEST_CASE("a pin that outlives rmdir keeps the cgroup dying until unpinned", "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  const std::string child = f.cgroup.path() + "/held";
  REQUIRE(::mkdir(child.c_str(), 0755) == 0);
  auto args = args_for(cgroup_id(child), f.dump_id, "held");
  REQUIRE(run(pin->progs.pin, args) == 0);
  REQUIRE(::rmdir(child.c_str()) == 0);
  CHECK(wait_dying(f.cgroup.path(), 1) == 1);
  // A dead cgroup's file reads empty.
  CHECK(read_file(std::string(kTestDir) + "/held") == "");
  REQUIRE(run(pin->progs.unpin, args) == 0);
  CHECK(wait_dying(f.cgroup.path(), 0) == 0);
}

TEST_CASE("an open file of an unpinned link keeps neither the cgroup nor its numbers",
          "[kernel][kfunc]") {
  Fixture f;
  auto pin = load_pin(f.dump_id, false);
  const std::string child = f.cgroup.path() + "/held";
  REQUIRE(::mkdir(child.c_str(), 0755) == 0);
  const std::string file = std::string(kTestDir) + "/held";
  auto args = args_for(cgroup_id(child), f.dump_id, "held");
  REQUIRE(run(pin->progs.pin, args) == 0);
  cgprov::UniqueFd open_file(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(open_file.valid());
  cgprov::UniqueFd link(bpf_obj_get(file.c_str()));
  REQUIRE(link.valid());

  REQUIRE(run(pin->progs.unpin, args) == 0);  // what the rmdir program does
  CHECK(::access(file.c_str(), F_OK) != 0);
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  REQUIRE(bpf_link_get_info_by_fd(link.get(), &info, &len) == 0);
  CHECK(info.iter.cgroup.cgroup_id == 0);  // released: no cgroup has ID 0
  REQUIRE(::rmdir(child.c_str()) == 0);
  CHECK(wait_dying(f.cgroup.path(), 0) == 0);  // the file and the link are still open
  char buf[64];
  CHECK(::read(open_file.get(), buf, sizeof(buf)) == 0);
}
