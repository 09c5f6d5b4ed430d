#include "policy_install.hpp"

#include <bpf/bpf.h>
#include <sys/stat.h>

#include <set>

#include "bpf_objects.hpp"
#include "bpffs.hpp"
#include "object_pins.hpp"
#include "policy.h"

namespace cgprov {
namespace {

std::string internal_pin(const Layout &layout, const char *name) {
  return layout.internal() + "/" + name;
}

struct MapPin {
  bpf_map *map;
  const char *name;
};

std::vector<MapPin> map_pins(policy_bpf *skel) {
  return {{skel->maps.policy_config, pin::kPolicyConfigMap},
          {skel->maps.policy_grants, pin::kPolicyGrantsMap},
          {skel->maps.policy_usage, pin::kPolicyUsageMap},
          {skel->maps.policy_links, pin::kPolicyLinksMap},
          {skel->maps.policy_pins, pin::kPolicyPinsMap}};
}

// Keys of a map keyed by u32 (program IDs, uids), as iterated now.
std::vector<uint32_t> u32_keys(int map_fd) {
  std::vector<uint32_t> keys;
  uint32_t next = 0;
  for (const void *prev = nullptr; bpf_map_get_next_key(map_fd, prev, &next) == 0;
       prev = &keys.back())
    keys.push_back(next);
  return keys;
}

// Grants of `policy`, keyed by the kernel's ID of each program.
Result<std::vector<std::pair<uint32_t, cgprov_grant>>> kernel_grants(const Policy &policy,
                                                                     int dumper_fd) {
  auto dumper = prog_info(dumper_fd);
  if (!dumper) return dumper.error();
  std::vector<std::pair<uint32_t, cgprov_grant>> grants;
  for (const Grant &g : policy.grants) {
    // kStatsProgram is the only grantable program (checked when parsing).
    cgprov_grant value{};
    value.load_time = dumper.value().load_time;
    value.ops = g.ops;
    value.orders = g.orders;
    grants.emplace_back(dumper.value().id, value);
  }
  return grants;
}

Result<void> write_grants(int grants_fd, const Policy &policy, int dumper_fd) {
  auto grants = kernel_grants(policy, dumper_fd);
  if (!grants) return grants.error();
  std::set<uint32_t> keep;
  for (const auto &[id, value] : grants.value()) {
    if (bpf_map_update_elem(grants_fd, &id, &value, BPF_ANY))
      return errno_error("write grant for program " + std::to_string(id));
    keep.insert(id);
  }
  // Drop grants the policy no longer has (revocations, replaced programs).
  for (uint32_t id : u32_keys(grants_fd))
    if (!keep.count(id) && bpf_map_delete_elem(grants_fd, &id) && errno != ENOENT)
      return errno_error("remove grant for program " + std::to_string(id));
  return {};
}

Result<void> write_config(int config_fd, const Layout &layout, const Policy &policy) {
  struct stat st{};
  if (::stat(layout.user().c_str(), &st)) return errno_error("stat " + layout.user());
  cgprov_policy_config config{};
  config.enforce = 1;
  config.user_dir_ino = st.st_ino;
  config.user_dir_dev = st.st_dev;
  config.allowed_cmds = allowed_commands(policy);
  config.links_per_user = policy.links_per_user;
  config.pins_per_user = policy.pins_per_user;
  const uint32_t zero = 0;
  if (bpf_map_update_elem(config_fd, &zero, &config, BPF_ANY))
    return errno_error("write policy config");
  return {};
}

Result<void> write_policy(const Layout &layout, const Policy &policy, int dumper_fd, int grants_fd,
                          int config_fd) {
  // Grants first: the config switches enforcement on.
  if (auto r = write_grants(grants_fd, policy, dumper_fd); !r) return r;
  return write_config(config_fd, layout, policy);
}

}  // namespace

Result<void> install_policy(const Layout &layout, const Policy &policy, int dumper_fd) {
  PolicySkel skel(policy_bpf__open());
  if (!skel) return errno_error("open policy BPF object");
  for (const auto &[map, name] : map_pins(skel.get()))
    if (auto r = reuse_pinned_map(map, internal_pin(layout, name)); !r) return r;
  if (policy_bpf__load(skel.get())) return errno_error("load policy BPF programs");
  for (const auto &[map, name] : map_pins(skel.get()))
    if (auto r = pin_map_if_new(map, internal_pin(layout, name)); !r) return r;
  if (auto r = write_policy(layout, policy, dumper_fd, bpf_map__fd(skel->maps.policy_grants),
                            bpf_map__fd(skel->maps.policy_config));
      !r)
    return r;
  return attach_all(skel->obj, layout.internal());
}

Result<void> apply_policy(const Layout &layout, const Policy &policy, int dumper_fd) {
  auto grants = open_pinned(internal_pin(layout, pin::kPolicyGrantsMap));
  if (!grants) return grants.error();
  auto config = open_pinned(internal_pin(layout, pin::kPolicyConfigMap));
  if (!config) return config.error();
  return write_policy(layout, policy, dumper_fd, grants.value().get(), config.value().get());
}

Result<std::vector<std::string>> policy_pins(const Layout &layout) {
  PolicySkel skel(policy_bpf__open());
  if (!skel) return errno_error("open policy BPF object");
  std::vector<std::string> pins;
  for (const auto &[map, name] : map_pins(skel.get())) pins.push_back(internal_pin(layout, name));
  add_link_pins(skel->obj, layout.internal(), pins);
  return pins;
}

Result<std::optional<PolicyStatus>> read_policy_status(const Layout &layout) {
  const std::string config_path = internal_pin(layout, pin::kPolicyConfigMap);
  if (!path_exists(config_path)) return std::optional<PolicyStatus>{};
  auto config_fd = open_pinned(config_path);
  if (!config_fd) return config_fd.error();
  // An interrupted install may lack the other maps: 'missing' lists them.
  auto grants_fd = open_pinned(internal_pin(layout, pin::kPolicyGrantsMap));
  auto usage_fd = open_pinned(internal_pin(layout, pin::kPolicyUsageMap));

  PolicyStatus status;
  cgprov_policy_config config{};
  const uint32_t zero = 0;
  if (bpf_map_lookup_elem(config_fd.value().get(), &zero, &config))
    return errno_error("read " + config_path);
  status.enforced = config.enforce != 0;
  status.links_per_user = config.links_per_user;
  status.pins_per_user = config.pins_per_user;

  std::optional<uint32_t> dumper_id;
  if (auto dumper = open_pinned(layout.progs() + "/" + pin::kDumperProg)) {
    if (auto info = prog_info(dumper.value().get())) dumper_id = info.value().id;
  }
  for (uint32_t id : grants_fd ? u32_keys(grants_fd.value().get()) : std::vector<uint32_t>{}) {
    cgprov_grant grant{};
    if (bpf_map_lookup_elem(grants_fd.value().get(), &id, &grant)) continue;  // just freed
    status.grants.push_back(
        {id == dumper_id ? std::string(kStatsProgram) : "program " + std::to_string(id), grant.ops,
         grant.orders});
  }
  for (uint32_t uid : usage_fd ? u32_keys(usage_fd.value().get()) : std::vector<uint32_t>{}) {
    cgprov_usage usage{};
    if (bpf_map_lookup_elem(usage_fd.value().get(), &uid, &usage)) continue;
    if (usage.links || usage.pins) status.usage.push_back({uid, usage.links, usage.pins});
  }
  return std::optional<PolicyStatus>{status};
}

}  // namespace cgprov
