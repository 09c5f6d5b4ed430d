// What cgprov needs from the running kernel, and the checks that tell a user
// exactly what is missing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cgprov {

// What the probe looks at, read once from the system (see read_system_view)
// so that the decisions below are pure and testable.
struct SystemView {
  bool is_root = false;
  bool has_vmlinux_btf = false;    // /sys/kernel/btf/vmlinux readable
  bool has_cgprov_btf = false;     // BTF has cgprov's tracepoints and kfuncs
  std::optional<std::string> lsm;  // /sys/kernel/security/lsm, if readable
  std::string mounts;              // /proc/self/mounts
  std::string filesystems;         // /proc/filesystems
};

struct Finding {
  std::string missing;  // one line: what the kernel or system lacks
  std::string hint;     // how to fix it
};

// "lockdown,capability,bpf\n" -> {"lockdown", "capability", "bpf"}
std::vector<std::string> parse_lsm_list(std::string_view text);

// Filesystem type mounted at `mountpoint` per /proc/self/mounts text (the
// last mount wins, as the kernel shows stacked mounts in order).
std::optional<std::string> mount_fstype(std::string_view mounts, std::string_view mountpoint);

// Whether /proc/filesystems text lists `type` ("nodev\tbpf").
bool filesystem_available(std::string_view filesystems, std::string_view type);

// Everything that stops cgprov from installing, in the order a user fixes it.
std::vector<Finding> probe(const SystemView &view);

// Names cgprov's kernel series adds to vmlinux BTF; all must be present.
const std::vector<std::string> &cgprov_btf_names();

SystemView read_system_view();

}  // namespace cgprov
