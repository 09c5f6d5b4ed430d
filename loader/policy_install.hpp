// The ACL policy in the kernel: loading bpf/policy.bpf.c, writing the
// admin's policy into its maps, and reading it back for `cgprov status`.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layout.hpp"
#include "policy_file.hpp"
#include "result.hpp"

namespace cgprov {

// Load the policy programs (keeping the usage maps of an earlier install),
// publish `policy` with the grants bound to the stats iterator `dumper_fd`
// and the user directory open as `user_dir_fd`, then attach, pinning the
// links in internal/.
Result<void> install_policy(const Layout &layout, const Policy &policy, int dumper_fd,
                            int user_dir_fd);

// Replace the installed policy with `policy` (same programs), atomically.
Result<void> apply_policy(const Layout &layout, const Policy &policy, int dumper_fd,
                          int user_dir_fd);

// Uninstall's first step: publish a policy that refuses every bpf()
// command of unprivileged callers and grants nothing, while the hooks are
// still attached. False if no policy was published.
Result<bool> close_policy(const Layout &layout);

// Pins of the policy (maps and links), for completeness checks.
Result<std::vector<std::string>> policy_pins(const Layout &layout);

struct GrantStatus {
  std::string program;  // "stats", or "program <id>" for another
  uint32_t ops = 0;
  uint32_t orders = 0;
};

struct UsageStatus {
  uid_t uid = 0;
  uint32_t links = 0;
  uint32_t pins = 0;
};

struct PolicyStatus {
  bool enforced = false;
  bool closing = false;  // uninstall started: nothing is granted
  uint32_t links_per_user = 0;
  uint32_t pins_per_user = 0;
  std::vector<GrantStatus> grants;
  std::vector<UsageStatus> usage;  // users with links or pins
};

// The policy as the kernel enforces it; nullopt if none is installed.
Result<std::optional<PolicyStatus>> read_policy_status(const Layout &layout);

}  // namespace cgprov
