#include "kernel_probe.hpp"

#include <bpf/btf.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

namespace cgprov {
namespace {

constexpr std::string_view kCgroupMount = "/sys/fs/cgroup";

std::optional<std::string> read_file(const char *path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// /proc/self/mounts escapes space, tab, newline and backslash as \ooo.
std::string unescape_mount_field(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        std::all_of(field.begin() + i + 1, field.begin() + i + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                               (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

using BtfPtr = std::unique_ptr<struct btf, decltype(&btf__free)>;

}  // namespace

std::vector<std::string> parse_lsm_list(std::string_view text) {
  std::vector<std::string> names;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == '\n' || c == ' ') {
      if (!current.empty()) names.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) names.push_back(std::move(current));
  return names;
}

std::optional<std::string> mount_fstype(std::string_view mounts, std::string_view mountpoint) {
  std::optional<std::string> fstype;
  std::istringstream lines{std::string(mounts)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string source, target, type;
    if (!(fields >> source >> target >> type)) continue;
    if (unescape_mount_field(target) == mountpoint) fstype = type;
  }
  return fstype;
}

bool filesystem_available(std::string_view filesystems, std::string_view type) {
  std::istringstream lines{std::string(filesystems)};
  std::string line;
  while (std::getline(lines, line)) {
    // "nodev\tbpf" or "\text4": the type is the last field.
    std::istringstream fields(line);
    std::string field, last;
    while (fields >> field) last = field;
    if (last == type) return true;
  }
  return false;
}

const std::vector<std::string> &cgprov_btf_names() {
  static const std::vector<std::string> names = {
      "btf_trace_cgroup_mkdir_s",  // faultable tracepoint on cgroup creation
      "btf_trace_cgroup_rmdir_s",  // faultable tracepoint on cgroup removal
      "bpf_fs_dir_hold",           // kfunc: hold the stats directory
      "bpf_cgroup_iter_pin_at",    // kfunc: create and pin a cgroup_iter link there
      "bpf_cgroup_iter_unpin_at",  // kfunc: remove a cgroup's pin
      // BPF-LSM hooks on resolved objects, which the ACL policy attaches to
      "bpf_lsm_bpf_iter_link_attach",
      "bpf_lsm_bpf_obj_pin",
      "bpf_lsm_bpf_link_update",
      "bpf_lsm_bpf_link",
      "bpf_lsm_bpf_link_free",
  };
  return names;
}

std::vector<Finding> probe(const SystemView &view) {
  std::vector<Finding> findings;
  if (!view.is_root)
    findings.push_back(
        {"not running as root", "run cgprov install as root (it loads BPF programs)"});
  if (!view.has_vmlinux_btf) {
    findings.push_back({"kernel BTF: /sys/kernel/btf/vmlinux is missing",
                        "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y"});
  } else if (!view.has_cgprov_btf) {
    findings.push_back(
        {"kernel lacks the cgprov patches (no cgroup_mkdir_s tracepoint, "
         "bpf_cgroup_iter_pin_at kfunc or BPF-LSM hooks for links and pins in BTF)",
         "boot a kernel built from kernel-patches/series (make kernel)"});
  }
  if (!view.lsm) {
    findings.push_back({"the active LSM list is unreadable (/sys/kernel/security/lsm)",
                        "mount securityfs: mount -t securityfs securityfs /sys/kernel/security"});
  } else {
    auto lsms = parse_lsm_list(*view.lsm);
    if (std::find(lsms.begin(), lsms.end(), "bpf") == lsms.end())
      findings.push_back({"'bpf' is not in the active LSM list (" +
                              std::string(view.lsm->substr(0, view.lsm->find('\n'))) + ")",
                          "add bpf to CONFIG_LSM or boot with lsm=...,bpf"});
  }
  if (mount_fstype(view.mounts, kCgroupMount) != "cgroup2")
    findings.push_back(
        {"cgroup2 is not mounted at /sys/fs/cgroup", "mount -t cgroup2 none /sys/fs/cgroup"});
  // cgprov mounts its own instance: the type is all it needs.
  if (!filesystem_available(view.filesystems, "bpf"))
    findings.push_back({"the kernel has no bpf filesystem (no 'bpf' in /proc/filesystems)",
                        "boot a kernel built with CONFIG_BPF_SYSCALL=y"});
  return findings;
}

SystemView read_system_view() {
  SystemView view;
  view.is_root = geteuid() == 0;
  view.has_vmlinux_btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  if (view.has_vmlinux_btf) {
    BtfPtr btf(btf__load_vmlinux_btf(), &btf__free);
    view.has_cgprov_btf =
        btf && std::all_of(cgprov_btf_names().begin(), cgprov_btf_names().end(),
                           [&](const std::string &name) {
                             return btf__find_by_name(btf.get(), name.c_str()) >= 0;
                           });
  }
  view.lsm = read_file("/sys/kernel/security/lsm");
  view.mounts = read_file("/proc/self/mounts").value_or("");
  view.filesystems = read_file("/proc/filesystems").value_or("");
  return view;
}

}  // namespace cgprov
