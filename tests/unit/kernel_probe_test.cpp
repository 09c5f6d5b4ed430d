#include "kernel_probe.hpp"

#include <catch2/catch_test_macros.hpp>

using cgprov::Finding;
using cgprov::SystemView;

namespace {

constexpr const char *kGoodMounts =
    "sysfs /sys sysfs rw 0 0\n"
    "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"
    "bpffs /sys/fs/bpf bpf rw,relatime 0 0\n";

constexpr const char *kGoodFilesystems =
    "nodev\tsysfs\n"
    "nodev\tcgroup2\n"
    "nodev\tbpf\n"
    "\text4\n";

SystemView ready_system() {
  SystemView view;
  view.is_root = true;
  view.has_vmlinux_btf = true;
  view.has_cgprov_btf = true;
  view.lsm = "lockdown,capability,yama,bpf";
  view.mounts = kGoodMounts;
  view.filesystems = kGoodFilesystems;
  return view;
}

bool mentions(const std::vector<Finding> &findings, const std::string &text) {
  for (const auto &f : findings)
    if (f.missing.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("LSM list is split on commas and the trailing newline") {
  CHECK(cgprov::parse_lsm_list("lockdown,capability,bpf\n") ==
        std::vector<std::string>{"lockdown", "capability", "bpf"});
  CHECK(cgprov::parse_lsm_list("").empty());
  CHECK(cgprov::parse_lsm_list("bpf") == std::vector<std::string>{"bpf"});
}

TEST_CASE("mount type is found by mount point, last mount wins") {
  CHECK(cgprov::mount_fstype(kGoodMounts, "/sys/fs/bpf") == "bpf");
  CHECK(cgprov::mount_fstype(kGoodMounts, "/sys/fs/cgroup") == "cgroup2");
  CHECK_FALSE(cgprov::mount_fstype(kGoodMounts, "/sys/fs").has_value());
  CHECK(cgprov::mount_fstype("tmpfs /sys/fs/bpf tmpfs rw 0 0\nnone /sys/fs/bpf bpf rw 0 0\n",
                             "/sys/fs/bpf") == "bpf");
}

TEST_CASE("a filesystem type is found by its whole name, with or without nodev") {
  CHECK(cgprov::filesystem_available(kGoodFilesystems, "bpf"));
  CHECK(cgprov::filesystem_available(kGoodFilesystems, "ext4"));
  CHECK_FALSE(cgprov::filesystem_available(kGoodFilesystems, "nodev"));
  CHECK_FALSE(cgprov::filesystem_available("nodev\tbpffs\nnodev\tnotbpf\n", "bpf"));
  CHECK_FALSE(cgprov::filesystem_available("", "bpf"));
}

TEST_CASE("escaped mount points are unescaped before comparing") {
  CHECK(cgprov::mount_fstype("none /mnt/my\\040bpf bpf rw 0 0\n", "/mnt/my bpf") == "bpf");
}

TEST_CASE("a ready system has no findings") { CHECK(cgprov::probe(ready_system()).empty()); }

TEST_CASE("each missing piece is named exactly once") {
  struct Case {
    const char *what;
    void (*break_it)(SystemView &);
    const char *finding;
  };
  const Case cases[] = {
      {"not root", [](SystemView &v) { v.is_root = false; }, "not running as root"},
      {"no BTF also hides the patch check",
       [](SystemView &v) { v.has_vmlinux_btf = v.has_cgprov_btf = false; },
       "/sys/kernel/btf/vmlinux"},
      {"kernel without the cgprov patches", [](SystemView &v) { v.has_cgprov_btf = false; },
       "lacks the cgprov patches"},
      {"bpf not in the active LSM list, which is quoted",
       [](SystemView &v) { v.lsm = "lockdown,capability,yama\n"; },
       "'bpf' is not in the active LSM list (lockdown,capability,yama)"},
      {"an LSM merely containing 'bpf' does not count",
       [](SystemView &v) { v.lsm = "notbpf,bpfx"; }, "'bpf' is not in the active LSM list"},
      {"securityfs not mounted", [](SystemView &v) { v.lsm.reset(); }, "LSM list is unreadable"},
      {"a kernel without the bpf filesystem",
       [](SystemView &v) { v.filesystems = "nodev\tsysfs\nnodev\tcgroup2\n"; },
       "no bpf filesystem"},
      {"cgroup2 not mounted", [](SystemView &v) { v.mounts = "bpffs /sys/fs/bpf bpf rw 0 0\n"; },
       "cgroup2 is not mounted"},
  };
  for (const auto &c : cases) {
    INFO(c.what);
    auto view = ready_system();
    c.break_it(view);
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, c.finding));
  }
}

TEST_CASE("findings come in the order a user fixes them") {
  SystemView nothing;
  auto findings = cgprov::probe(nothing);
  REQUIRE(findings.size() == 5);
  CHECK(findings[0].missing == "not running as root");
  CHECK(mentions({findings[1]}, "BTF"));
  CHECK(mentions({findings[2]}, "LSM"));
  CHECK(mentions({findings[3]}, "cgroup2"));
  CHECK(mentions({findings[4]}, "bpf filesystem"));
}

TEST_CASE("bpffs need not be mounted anywhere: cgprov mounts its own") {
  auto view = ready_system();
  view.mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n";
  CHECK(cgprov::probe(view).empty());
  view.mounts += "bpffs /sys/fs/bpf bpf rw,mode=700 0 0\n";
  CHECK(cgprov::probe(view).empty());
}
