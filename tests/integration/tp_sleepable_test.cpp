// Faultable cgroup tracepoints and sleepable tp_btf programs (kernel series,
// patches 1-3).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tp_sleepable.skel.h"
#include "tp_sleepable_reject.skel.h"
#include "vm_helpers.hpp"

using namespace cgprov::test;

namespace {

using SleepableSkel = SkelPtr<tp_sleepable_bpf, tp_sleepable_bpf__destroy>;
using RejectSkel = SkelPtr<tp_sleepable_reject_bpf, tp_sleepable_reject_bpf__destroy>;

// Copied by the sleepable program from this process's memory.
const char kMarker[16] = "cgprov-marker";

SleepableSkel load_sleepable() {
  SleepableSkel skel(tp_sleepable_bpf__open());
  REQUIRE(skel);
  skel->rodata->target_tgid = static_cast<__u32>(::getpid());
  skel->rodata->user_marker = reinterpret_cast<__u64>(kMarker);
  // libbpf 1.4 has no tp_btf.s section: ask for a sleepable program by flag.
  REQUIRE(bpf_program__set_flags(skel->progs.sleepable_mkdir, BPF_F_SLEEPABLE) == 0);
  REQUIRE(bpf_program__set_flags(skel->progs.sleepable_rmdir, BPF_F_SLEEPABLE) == 0);
  REQUIRE(tp_sleepable_bpf__load(skel.get()) == 0);
  REQUIRE(tp_sleepable_bpf__attach(skel.get()) == 0);
  return skel;
}

// mkdir a cgroup; returns its id.
uint64_t make_cgroup(const std::string &path) {
  REQUIRE(::mkdir(path.c_str(), 0755) == 0);
  return cgroup_id(path);
}

// Loads only `prog` of the reject object, sleepable if asked; returns the
// load error and leaves the verifier log in `log`.
int load_only(bpf_program *(*pick)(tp_sleepable_reject_bpf *), bool sleepable,
              const LibbpfLogCapture &log, std::string &out_log) {
  RejectSkel skel(tp_sleepable_reject_bpf__open());
  REQUIRE(skel);
  bpf_program *prog;
  bpf_object__for_each_program(prog, skel->obj) bpf_program__set_autoload(prog, false);
  prog = pick(skel.get());
  bpf_program__set_autoload(prog, true);
  if (sleepable) REQUIRE(bpf_program__set_flags(prog, BPF_F_SLEEPABLE) == 0);
  int err = tp_sleepable_reject_bpf__load(skel.get());
  out_log = log.text();
  return err;
}

}  // namespace

TEST_CASE("sleepable program on cgroup_mkdir_s faults in user memory and sees the new cgroup",
          "[kernel][tracepoint]") {
  TempCgroup parent;  // created before the programs run: its mkdir is not counted
  auto skel = load_sleepable();
  const std::string child = parent.path() + "/child";
  const uint64_t id = make_cgroup(child);

  CHECK(skel->bss->mkdir_calls == 1);
  CHECK(skel->bss->mkdir_cgroup_id == id);
  CHECK(skel->data->copy_ret == 0);
  CHECK(std::strcmp(skel->bss->copied, kMarker) == 0);
}

TEST_CASE("sleepable program on cgroup_rmdir_s sees the removed cgroup once",
          "[kernel][tracepoint]") {
  TempCgroup parent;  // created before the programs run: its mkdir is not counted
  auto skel = load_sleepable();
  const std::string child = parent.path() + "/child";
  const uint64_t id = make_cgroup(child);
  REQUIRE(::rmdir(child.c_str()) == 0);

  CHECK(skel->bss->rmdir_calls == 1);
  CHECK(skel->bss->rmdir_cgroup_id == id);
}

TEST_CASE("cgroup_mkdir_s fires only on success", "[kernel][tracepoint]") {
  TempCgroup parent;  // created before the programs run: its mkdir is not counted
  auto skel = load_sleepable();
  const std::string child = parent.path() + "/child";
  REQUIRE(::mkdir(child.c_str(), 0755) == 0);
  // Make cgroup_mkdir() itself fail: no more descendants allowed.
  {
    std::FILE *max = std::fopen((parent.path() + "/cgroup.max.descendants").c_str(), "w");
    REQUIRE(max);
    REQUIRE(std::fputs("1\n", max) >= 0);
    REQUIRE(std::fclose(max) == 0);
  }
  CHECK(::mkdir((parent.path() + "/refused").c_str(), 0755) == -1);
  CHECK(errno == EAGAIN);
  CHECK(skel->bss->mkdir_calls == 1);
}

TEST_CASE("non-sleepable program still attaches to a faultable tracepoint",
          "[kernel][tracepoint]") {
  TempCgroup parent;  // created before the programs run: its mkdir is not counted
  auto skel = load_sleepable();
  REQUIRE(::mkdir((parent.path() + "/child").c_str(), 0755) == 0);
  CHECK(skel->bss->plain_calls == 1);
}

TEST_CASE("sleepable program is refused on a plain tracepoint", "[kernel][tracepoint]") {
  LibbpfLogCapture log;
  std::string text;
  int err = load_only([](tp_sleepable_reject_bpf *s) { return s->progs.sleepable_on_plain_tp; },
                      true, log, text);
  CAPTURE(text);
  CHECK(err == -EINVAL);
  CHECK(text.find("Sleepable program cannot attach to non-faultable tracepoint") !=
        std::string::npos);
}

TEST_CASE("program that may fault is refused unless loaded sleepable", "[kernel][tracepoint]") {
  LibbpfLogCapture log;
  std::string text;
  int err =
      load_only([](tp_sleepable_reject_bpf *s) { return s->progs.faulting_helper_not_sleepable; },
                false, log, text);
  CAPTURE(text);
  CHECK(err < 0);
  CHECK(text.find("might sleep in a non-sleepable prog") != std::string::npos);
}
