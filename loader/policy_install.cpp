#include "policy_install.hpp"

#include <bpf/bpf.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>

#include "bpf_objects.hpp"
#include "bpffs.hpp"
#include "bpffs_dirs.hpp"
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
          {skel->maps.policy_usage, pin::kPolicyUsageMap},
          {skel->maps.policy_links, pin::kPolicyLinksMap},
          {skel->maps.policy_pins, pin::kPolicyPinsMap}};
}

// The policy value published in the config map-in-map, if any.
Result<std::optional<cgprov_policy_config>> published_config(int config_fd) {
  const uint32_t zero = 0;
  uint32_t inner_id = 0;
  if (bpf_map_lookup_elem(config_fd, &zero, &inner_id)) {
    if (errno == ENOENT) return std::optional<cgprov_policy_config>{};
    return errno_error("read the policy config");
  }
  UniqueFd inner(bpf_map_get_fd_by_id(inner_id));
  if (!inner.valid()) return errno_error("open the policy config map " + std::to_string(inner_id));
  cgprov_policy_config config{};
  if (bpf_map_lookup_elem(inner.get(), &zero, &config))
    return errno_error("read the policy config map " + std::to_string(inner_id));
  return std::optional<cgprov_policy_config>{config};
}

// Publish `config` in one step: fill a new array map, freeze it (nothing
// can change it after this), then store it in the map-in-map. A hook sees
// the old value or this one, never a mix of fields.
Result<void> publish_config(int config_fd, const cgprov_policy_config &config) {
  LIBBPF_OPTS(bpf_map_create_opts, opts);
  UniqueFd inner(bpf_map_create(BPF_MAP_TYPE_ARRAY, "cgprov_policy", sizeof(uint32_t),
                                sizeof(config), 1, &opts));
  if (!inner.valid()) return errno_error("create the policy config map");
  const uint32_t zero = 0;
  if (bpf_map_update_elem(inner.get(), &zero, &config, BPF_ANY))
    return errno_error("write the policy config map");
  if (bpf_map_freeze(inner.get())) return errno_error("freeze the policy config map");
  const uint32_t fd = static_cast<uint32_t>(inner.get());
  if (bpf_map_update_elem(config_fd, &zero, &fd, BPF_ANY))
    return errno_error("publish the policy config");
  return {};
}

// What every config of this install shares: the user directory and the
// usage table's secret (kept from the published config, so that the
// charges already in the table stay where they are).
Result<cgprov_policy_config> base_config(int config_fd, int user_dir_fd, const Layout &layout) {
  auto st = stat_dir(user_dir_fd, layout.user());
  if (!st) return st.error();
  cgprov_policy_config config{};
  config.user_dir_ino = st.value().st_ino;
  config.user_dir_dev = st.value().st_dev;
  auto current = published_config(config_fd);
  if (!current) return current.error();
  if (current.value()) {
    config.usage_seed = current.value()->usage_seed;
  } else if (::getrandom(&config.usage_seed, sizeof(config.usage_seed), 0) !=
             sizeof(config.usage_seed)) {
    return errno_error("draw the usage table's secret");
  }
  return config;
}

Result<void> write_config(int config_fd, int user_dir_fd, const Layout &layout,
                          const Policy &policy, int dumper_fd) {
  auto config = base_config(config_fd, user_dir_fd, layout);
  if (!config) return config.error();
  auto dumper = prog_info(dumper_fd);
  if (!dumper) return dumper.error();
  cgprov_policy_config &c = config.value();
  c.state = CGPROV_POLICY_OPEN;
  c.allowed_cmds = allowed_commands(policy);
  c.links_per_user = policy.links_per_user;
  c.pins_per_user = policy.pins_per_user;
  for (const Grant &g : policy.grants) {
    // kStatsProgram is the only grantable program (checked when parsing).
    if (c.nr_grants == CGPROV_MAX_GRANTS) return Error{"too many grants", 0};
    cgprov_grant &grant = c.grants[c.nr_grants++];
    grant.prog_id = dumper.value().id;
    grant.load_time = dumper.value().load_time;
    grant.ops = g.ops;
    grant.orders = g.orders;
  }
  return publish_config(config_fd, c);
}

}  // namespace

// Policy maps left by a cgprov whose policy had another layout: the policy
// then starts over with fresh maps, all of them, so that its tables stay
// consistent with each other. Links and pins users made before are no
// longer counted against their quotas (README, "Upgrades").
static Result<void> drop_incompatible_policy_maps(const Layout &layout, policy_bpf *skel) {
  bool compatible = true;
  for (const auto &[map, name] : map_pins(skel)) {
    const std::string path = internal_pin(layout, name);
    if (!path_exists(path)) continue;
    auto fd = open_pinned(path);
    if (!fd) return fd.error();
    compatible = compatible && map_compatible(fd.value().get(), map);
  }
  if (compatible) return {};
  for (const auto &[map, name] : map_pins(skel))
    if (auto r = unpin(internal_pin(layout, name)); !r) return r;
  // The grants map of the first policy layout; grants live in the config now.
  return unpin(internal_pin(layout, "policy_grants"));
}

Result<void> install_policy(const Layout &layout, const Policy &policy, int dumper_fd,
                            int user_dir_fd) {
  PolicySkel skel(policy_bpf__open());
  if (!skel) return errno_error("open policy BPF object");
  if (auto r = drop_incompatible_policy_maps(layout, skel.get()); !r) return r;
  for (const auto &[map, name] : map_pins(skel.get()))
    if (auto r = reuse_pinned_map(map, internal_pin(layout, name)); !r) return r;
  if (policy_bpf__load(skel.get())) return errno_error("load policy BPF programs");
  for (const auto &[map, name] : map_pins(skel.get()))
    if (auto r = pin_map_if_new(map, internal_pin(layout, name)); !r) return r;
  if (auto r = write_config(bpf_map__fd(skel->maps.policy_config), user_dir_fd, layout, policy,
                            dumper_fd);
      !r)
    return r;
  return attach_all(skel->obj, layout.internal());
}

Result<void> apply_policy(const Layout &layout, const Policy &policy, int dumper_fd,
                          int user_dir_fd) {
  auto config = open_pinned(internal_pin(layout, pin::kPolicyConfigMap));
  if (!config) return config.error();
  return write_config(config.value().get(), user_dir_fd, layout, policy, dumper_fd);
}

Result<bool> close_policy(const Layout &layout) {
  const std::string path = internal_pin(layout, pin::kPolicyConfigMap);
  if (!path_exists(path)) return false;
  auto config_fd = open_pinned(path);
  if (!config_fd) return config_fd.error();
  // A policy of another layout (cgprov 0.1's, in a legacy tree being
  // removed) cannot be read or closed: its hooks go with their pins.
  PolicySkel skel(policy_bpf__open());
  if (!skel) return errno_error("open policy BPF object");
  if (!map_compatible(config_fd.value().get(), skel->maps.policy_config)) return false;
  auto current = published_config(config_fd.value().get());
  if (!current) return current.error();
  if (!current.value()) return false;
  // The same directory and secret (releases still find their slots); no
  // grant, no command.
  cgprov_policy_config closed{};
  closed.state = CGPROV_POLICY_CLOSING;
  closed.user_dir_ino = current.value()->user_dir_ino;
  closed.user_dir_dev = current.value()->user_dir_dev;
  closed.usage_seed = current.value()->usage_seed;
  if (auto r = publish_config(config_fd.value().get(), closed); !r) return r.error();
  return true;
}

Result<std::vector<std::string>> policy_pins(const Layout &layout) {
  PolicySkel skel(policy_bpf__open());
  if (!skel) return errno_error("open policy BPF object");
  std::vector<std::string> pins;
  for (const auto &[map, name] : map_pins(skel.get())) pins.push_back(internal_pin(layout, name));
  add_link_pins(skel->obj, layout.internal(), pins);
  return pins;
}

Result<std::vector<UsageStatus>> read_usage(int usage_fd) {
  std::vector<UsageStatus> usage;
  for (uint32_t i = 0; i < CGPROV_USAGE_BUCKETS; ++i) {
    cgprov_usage_bucket bucket{};
    if (bpf_map_lookup_elem_flags(usage_fd, &i, &bucket, BPF_F_LOCK))
      return errno_error("read usage bucket " + std::to_string(i));
    for (const auto &slot : bucket.slots)
      if (slot.links || slot.pins) usage.push_back({slot.uid, slot.links, slot.pins});
  }
  std::sort(usage.begin(), usage.end(),
            [](const UsageStatus &a, const UsageStatus &b) { return a.uid < b.uid; });
  return usage;
}

Result<std::optional<PolicyStatus>> read_policy_status(const Layout &layout) {
  const std::string config_path = internal_pin(layout, pin::kPolicyConfigMap);
  if (!path_exists(config_path)) return std::optional<PolicyStatus>{};
  auto config_fd = open_pinned(config_path);
  if (!config_fd) return config_fd.error();
  auto published = published_config(config_fd.value().get());
  if (!published) return published.error();
  // An interrupted install may lack the usage map: 'missing' lists it.
  auto usage_fd = open_pinned(internal_pin(layout, pin::kPolicyUsageMap));

  PolicyStatus status;
  const cgprov_policy_config config = published.value().value_or(cgprov_policy_config{});
  status.enforced = config.state == CGPROV_POLICY_OPEN;
  status.closing = config.state == CGPROV_POLICY_CLOSING;
  status.links_per_user = config.links_per_user;
  status.pins_per_user = config.pins_per_user;

  std::optional<uint32_t> dumper_id;
  if (auto dumper = open_pinned(layout.progs() + "/" + pin::kDumperProg)) {
    if (auto info = prog_info(dumper.value().get())) dumper_id = info.value().id;
  }
  for (uint32_t i = 0; i < config.nr_grants && i < CGPROV_MAX_GRANTS; ++i) {
    const cgprov_grant &grant = config.grants[i];
    status.grants.push_back({grant.prog_id == dumper_id
                                 ? std::string(kStatsProgram)
                                 : "program " + std::to_string(grant.prog_id),
                             grant.ops, grant.orders});
  }
  if (usage_fd) {
    auto usage = read_usage(usage_fd.value().get());
    if (!usage) return usage.error();
    status.usage = std::move(usage.value());
  }
  return std::optional<PolicyStatus>{status};
}

}  // namespace cgprov
