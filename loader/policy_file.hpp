// The admin's ACL policy for unprivileged users (README "Policy file"):
// parsing and validation of /etc/cgprov/policy.toml.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace cgprov {

inline constexpr const char *kDefaultPolicyPath = "/etc/cgprov/policy.toml";
inline constexpr uint32_t kDefaultLinkQuota = 16;
inline constexpr uint32_t kDefaultPinQuota = 16;
inline constexpr uint32_t kMaxQuota = 4096;

// Programs a grant can name: cgprov's own, by their role.
inline constexpr const char *kStatsProgram = "stats";  // the stats iterator

// One program's grant: CGPROV_GRANT_* operations, and for LINK_CREATE the
// cgroup walk orders (bit 1 << BPF_CGROUP_ITER_*).
struct Grant {
  std::string program;
  uint32_t ops = 0;
  uint32_t orders = 0;
};

struct Policy {
  std::vector<Grant> grants;
  uint32_t links_per_user = kDefaultLinkQuota;
  uint32_t pins_per_user = kDefaultPinQuota;
};

// Parse and validate a policy; errors name `source`, the line and the key.
Result<Policy> parse_policy(std::string_view text, const std::string &source);

// Read the policy at `path`. A missing file gives the empty policy (no
// grants) when `required` is false, an error otherwise.
Result<Policy> load_policy(const std::string &path, bool required);

// bpf() commands unprivileged callers need for `policy`'s grants: bit
// (1 << BPF_*) per command.
uint64_t allowed_commands(const Policy &policy);

// "obj_get, link_create" and "self, descendants-pre": the policy file's names.
std::string ops_names(uint32_t ops);
std::string orders_names(uint32_t orders);

// The walk order a name stands for (BPF_CGROUP_ITER_*), or -1; the names
// are shared by the policy file and `cgprov link --order`.
int order_from_name(std::string_view name);

}  // namespace cgprov
