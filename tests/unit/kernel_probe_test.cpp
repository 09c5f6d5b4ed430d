#include "kernel_probe.hpp"

#include <catch2/catch_test_macros.hpp>

using cgprov::Finding;
using cgprov::SystemView;

namespace {

constexpr const char *kGoodMounts =
    "sysfs /sys sysfs rw 0 0\n"
    "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"
    "bpffs /sys/fs/bpf bpf rw,relatime 0 0\n";

SystemView ready_system() {
  SystemView view;
  view.is_root = true;
  view.has_vmlinux_btf = true;
  view.has_cgprov_btf = true;
  view.lsm = "lockdown,capability,yama,bpf";
  view.mounts = kGoodMounts;
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

TEST_CASE("escaped mount points are unescaped before comparing") {
  CHECK(cgprov::mount_fstype("none /mnt/my\\040bpf bpf rw 0 0\n", "/mnt/my bpf") == "bpf");
}

TEST_CASE("a ready system has no findings") { CHECK(cgprov::probe(ready_system()).empty()); }

TEST_CASE("each missing piece is named exactly once") {
  SECTION("not root") {
    auto view = ready_system();
    view.is_root = false;
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "not running as root"));
  }
  SECTION("no BTF also hides the patch check") {
    auto view = ready_system();
    view.has_vmlinux_btf = false;
    view.has_cgprov_btf = false;
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "/sys/kernel/btf/vmlinux"));
  }
  SECTION("kernel without the cgprov patches") {
    auto view = ready_system();
    view.has_cgprov_btf = false;
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "lacks the cgprov patches"));
  }
  SECTION("bpf not in the active LSM list, which is quoted") {
    auto view = ready_system();
    view.lsm = "lockdown,capability,yama\n";
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "'bpf' is not in the active LSM list (lockdown,capability,yama)"));
  }
  SECTION("an LSM merely containing 'bpf' does not count") {
    auto view = ready_system();
    view.lsm = "notbpf,bpfx";
    CHECK(mentions(cgprov::probe(view), "'bpf' is not in the active LSM list"));
  }
  SECTION("securityfs not mounted") {
    auto view = ready_system();
    view.lsm.reset();
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "LSM list is unreadable"));
  }
  SECTION("bpffs not mounted") {
    auto view = ready_system();
    view.mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n";
    auto findings = cgprov::probe(view);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "bpffs is not mounted"));
  }
  SECTION("something else mounted at /sys/fs/bpf is not bpffs") {
    auto view = ready_system();
    view.mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\ntmpfs /sys/fs/bpf tmpfs rw 0 0\n";
    CHECK(mentions(cgprov::probe(view), "bpffs is not mounted"));
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
  CHECK(mentions({findings[4]}, "bpffs"));
}
