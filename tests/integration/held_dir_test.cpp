// bpf_fs_dir_hold() and the pin kfuncs that take a held directory
// (bpf_cgroup_iter_pin_at(), bpf_cgroup_iter_unpin_at(); kernel series, the
// held-directory patches), driven through syscall programs and a
// tracepoint provisioner.
#include "held_dir.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <cstring>
#include <thread>

#include "cgroup_dump.skel.h"
#include "held_dir.skel.h"
#include "vm_helpers.hpp"

using namespace cgprov::test;
using cgprov::UniqueFd;

namespace {

using DumpSkel = SkelPtr<cgroup_dump_bpf, cgroup_dump_bpf__destroy>;
using HeldSkel = SkelPtr<held_dir_bpf, held_dir_bpf__destroy>;

constexpr const char *kTestDir = "/sys/fs/bpf/cgprov-held-test";
// The options as the kernel knows them: five u32 fields.
constexpr uint32_t kKnownOptsSize = 5 * sizeof(uint32_t);

// Loads the syscall programs; the tracepoint provisioner only if asked.
// The programs the verifier must refuse are never loaded here.
HeldSkel load_held(uint32_t dump_id, bool with_provisioner) {
  HeldSkel skel(held_dir_bpf__open());
  REQUIRE(skel);
  skel->rodata->provision_prog_id = dump_id;
  for (bpf_program *p : {skel->progs.provision, skel->progs.unprovision}) {
    REQUIRE(bpf_program__set_flags(p, BPF_F_SLEEPABLE) == 0);
    bpf_program__set_autoload(p, with_provisioner);
  }
  bpf_program__set_autoload(skel->progs.hold_from_tracepoint, false);
  bpf_program__set_autoload(skel->progs.pin_without_reference, false);
  REQUIRE(held_dir_bpf__load(skel.get()) == 0);
  return skel;
}

int run(bpf_program *prog, held_args &args) {
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
  REQUIRE(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) == 0);
  return args.ret;
}

// Holds the directory open at `path` (O_PATH); returns the kfunc's result.
int hold(HeldSkel &skel, const std::string &path) {
  cgprov::UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(fd.valid());
  held_args args{};
  args.dir_fd = fd.get();
  return run(skel->progs.hold, args);
}

held_args pin_args(uint64_t cgroup, uint32_t dump_id) {
  held_args args{};
  args.cgroup_id = cgroup;
  const uint32_t opts[5] = {dump_id, BPF_CGROUP_ITER_SELF_ONLY, 0444, 0, 0};
  std::memcpy(args.opts, opts, sizeof(opts));
  args.opts_sz = sizeof(opts);
  return args;
}

// The file bpf_cgroup_iter_pin_at() makes: the cgroup's id in decimal.
std::string file_of(uint64_t cgroup) {
  return std::string(kTestDir) + "/" + std::to_string(cgroup);
}

struct Fixture {
  TempBpffsDir dir{kTestDir};
  TempCgroup cgroup;
  DumpSkel dump{cgroup_dump_bpf__open_and_load()};
  uint32_t dump_id = 0;

  Fixture() {
    REQUIRE(dump);
    dump_id = prog_id(dump->progs.dump_cgroup_id);
  }
};

}  // namespace

TEST_CASE("a held directory gets its cgroup's pin, named by its id, and loses it on unpin",
          "[kernel][held]") {
  Fixture f;
  TempCgroup other;
  auto skel = load_held(f.dump_id, false);
  REQUIRE(hold(skel, kTestDir) == 0);

  auto args = pin_args(f.cgroup.id(), f.dump_id);
  REQUIRE(run(skel->progs.pin, args) == 0);
  const std::string file = file_of(f.cgroup.id());
  struct stat st{};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0444);
  CHECK(st.st_uid == 0);
  CHECK(read_file(file) == "cgroup_id " + std::to_string(f.cgroup.id()) + "\n");
  CHECK(run(skel->progs.pin, args) == -EEXIST);

  auto other_args = pin_args(other.id(), f.dump_id);
  CHECK(run(skel->progs.unpin, other_args) == -ENOENT);  // other has no file
  CHECK(::access(file.c_str(), F_OK) == 0);
  CHECK(run(skel->progs.unpin, args) == 0);
  CHECK(::access(file.c_str(), F_OK) != 0);
  CHECK(run(skel->progs.unpin, args) == -ENOENT);
}

TEST_CASE("the unpin leaves a file of its cgroup's name that is another cgroup's link",
          "[kernel][held]") {
  Fixture f;
  TempCgroup other;
  auto skel = load_held(f.dump_id, false);
  REQUIRE(hold(skel, kTestDir) == 0);
  // Root pins a link of `other` under the name of f.cgroup's id.
  UniqueFd cg(::open(other.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(cg.valid());
  union bpf_iter_link_info info{};
  info.cgroup.cgroup_fd = static_cast<uint32_t>(cg.get());
  info.cgroup.order = BPF_CGROUP_ITER_SELF_ONLY;
  LIBBPF_OPTS(bpf_iter_attach_opts, attach, .link_info = &info, .link_info_len = sizeof(info));
  LinkPtr link(bpf_program__attach_iter(f.dump->progs.dump_cgroup_id, &attach));
  REQUIRE(link);
  const std::string file = file_of(f.cgroup.id());
  REQUIRE(bpf_obj_pin(bpf_link__fd(link.get()), file.c_str()) == 0);

  auto args = pin_args(f.cgroup.id(), f.dump_id);
  CHECK(run(skel->progs.unpin, args) == -EINVAL);
  CHECK(read_file(file) == "cgroup_id " + std::to_string(other.id()) + "\n");
}

TEST_CASE("hold refuses what is not an open bpffs directory", "[kernel][held]") {
  Fixture f;
  auto skel = load_held(f.dump_id, false);
  held_args args{};
  args.dir_fd = -1;
  CHECK(run(skel->progs.hold, args) == -EBADF);
  args.dir_fd = 1000;  // not open
  CHECK(run(skel->progs.hold, args) == -EBADF);
  CHECK(hold(skel, f.cgroup.path()) == -EXDEV);
  CHECK(hold(skel, "/tmp") == -EXDEV);
  // Nothing held: the pin has no directory.
  auto pin = pin_args(f.cgroup.id(), f.dump_id);
  CHECK(run(skel->progs.pin, pin) == -EBADF);
  CHECK(::access(file_of(f.cgroup.id()).c_str(), F_OK) != 0);
}

TEST_CASE("the pin checks the size and the unknown bytes of its options", "[kernel][held]") {
  Fixture f;
  auto skel = load_held(f.dump_id, false);
  REQUIRE(hold(skel, kTestDir) == 0);
  const std::string file = file_of(f.cgroup.id());

  auto args = pin_args(f.cgroup.id(), f.dump_id);
  args.opts_sz = kKnownOptsSize - 1;
  CHECK(run(skel->progs.pin, args) == -EINVAL);
  args.opts_sz = HELD_OPTS_MAX;
  args.opts[kKnownOptsSize + 3] = 1;  // a field this kernel does not know, set
  CHECK(run(skel->progs.pin, args) == -E2BIG);
  CHECK(::access(file.c_str(), F_OK) != 0);
  // Modes are checked as for the path-based kfunc.
  auto bad = pin_args(f.cgroup.id(), f.dump_id);
  const uint32_t writable = 0644;
  std::memcpy(bad.opts + 2 * sizeof(uint32_t), &writable, sizeof(writable));
  CHECK(run(skel->progs.pin, bad) == -EINVAL);
  CHECK(::access(file.c_str(), F_OK) != 0);
  args.opts[kKnownOptsSize + 3] = 0;  // larger, all zero past the known fields
  CHECK(run(skel->progs.pin, args) == 0);
  CHECK(read_file(file) == "cgroup_id " + std::to_string(f.cgroup.id()) + "\n");
}

TEST_CASE("the held directory is used whatever is mounted on its path", "[kernel][held]") {
  Fixture f;
  auto skel = load_held(f.dump_id, false);
  REQUIRE(hold(skel, kTestDir) == 0);
  REQUIRE(::mount("tmpfs", kTestDir, "tmpfs", 0, nullptr) == 0);
  auto args = pin_args(f.cgroup.id(), f.dump_id);
  const std::string file = file_of(f.cgroup.id());
  const int pinned = run(skel->progs.pin, args);
  const bool in_tmpfs = ::access(file.c_str(), F_OK) == 0;
  REQUIRE(::umount(kTestDir) == 0);
  CHECK(pinned == 0);
  CHECK_FALSE(in_tmpfs);
  CHECK(read_file(file) == "cgroup_id " + std::to_string(f.cgroup.id()) + "\n");
  REQUIRE(::mount("tmpfs", kTestDir, "tmpfs", 0, nullptr) == 0);
  const int unpinned = run(skel->progs.unpin, args);
  REQUIRE(::umount(kTestDir) == 0);
  CHECK(unpinned == 0);
  CHECK(::access(file.c_str(), F_OK) != 0);
}

TEST_CASE("a held directory keeps its mount until it is dropped", "[kernel][held]") {
  Fixture f;
  auto skel = load_held(f.dump_id, false);
  const std::string mnt = std::string(kTestDir) + "/instance";
  REQUIRE(::mkdir(mnt.c_str(), 0700) == 0);
  REQUIRE(::mount("bpffs", mnt.c_str(), "bpf", 0, nullptr) == 0);
  REQUIRE(hold(skel, mnt) == 0);
  CHECK(::umount2(mnt.c_str(), 0) == -1);
  CHECK(errno == EBUSY);
  held_args args{};
  REQUIRE(run(skel->progs.drop, args) == 0);
  // The path is put an RCU grace period after the last reference.
  bool unmounted = false;
  for (int i = 0; i < 100 && !unmounted; ++i) {
    unmounted = ::umount2(mnt.c_str(), 0) == 0;
    if (!unmounted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(unmounted);
  if (!unmounted) ::umount2(mnt.c_str(), MNT_DETACH);
  ::rmdir(mnt.c_str());
}

TEST_CASE("a provisioner pins into the held directory on mkdir and unpins on rmdir",
          "[kernel][held]") {
  Fixture f;
  auto skel = load_held(f.dump_id, true);
  REQUIRE(hold(skel, kTestDir) == 0);
  skel->bss->watched_parent_id = f.cgroup.id();
  std::vector<LinkPtr> links;
  links.emplace_back(bpf_program__attach(skel->progs.provision));
  links.emplace_back(bpf_program__attach(skel->progs.unprovision));
  for (auto &l : links) REQUIRE(l);

  constexpr int kCgroups = 500;
  int missing_after_mkdir = 0, left_after_rmdir = 0;
  for (int i = 0; i < kCgroups; ++i) {
    const std::string child = f.cgroup.path() + "/c" + std::to_string(i);
    REQUIRE(::mkdir(child.c_str(), 0755) == 0);
    const std::string file = file_of(cgroup_id(child));
    if (::access(file.c_str(), R_OK) != 0) ++missing_after_mkdir;
    REQUIRE(::rmdir(child.c_str()) == 0);
    if (::access(file.c_str(), F_OK) == 0) ++left_after_rmdir;
  }
  CHECK(missing_after_mkdir == 0);
  CHECK(left_after_rmdir == 0);
  CHECK(skel->bss->provisioned == kCgroups);
  CHECK(skel->bss->unprovisioned == kCgroups);
  CHECK(skel->bss->provision_errors == 0);
  CHECK(wait_dying(f.cgroup.path(), 0) == 0);
}

TEST_CASE("the verifier refuses holding from a tracepoint and unreferenced directories",
          "[kernel][held]") {
  auto load_only = [](bpf_program *(*pick)(held_dir_bpf *), bool sleepable) {
    LibbpfLogCapture log;
    HeldSkel skel(held_dir_bpf__open());
    REQUIRE(skel);
    bpf_program *wanted = pick(skel.get());
    for (bpf_program *p = bpf_object__next_program(skel->obj, nullptr); p;
         p = bpf_object__next_program(skel->obj, p))
      bpf_program__set_autoload(p, p == wanted);
    if (sleepable) REQUIRE(bpf_program__set_flags(wanted, BPF_F_SLEEPABLE) == 0);
    CHECK(held_dir_bpf__load(skel.get()) != 0);
    return log.text();
  };
  CHECK(load_only([](held_dir_bpf *s) { return s->progs.hold_from_tracepoint; }, true)
            .find("calling kernel function bpf_fs_dir_hold is not allowed") != std::string::npos);
  CHECK(load_only([](held_dir_bpf *s) { return s->progs.pin_without_reference; }, false)
            .find("must be referenced or trusted") != std::string::npos);
}
