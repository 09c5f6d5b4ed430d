#include "pins.hpp"

#include "bpf_objects.hpp"
#include "bpffs.hpp"
#include "policy_install.hpp"

namespace cgprov {
Result<std::vector<std::string>> expected_pins(const Layout &layout) {
  // Opening a skeleton only parses the embedded object: nothing is loaded.
  StatsSkel stats(stats_bpf__open());
  ProvisionerSkel prov(provisioner_bpf__open());
  if (!stats || !prov) return errno_error("open BPF objects");
  const std::string internal = layout.internal();
  std::vector<std::string> pins;
  for (const char *name : {pin::kMeta, pin::kStatsMap, pin::kPendingMap, pin::kTaskTimesMap,
                           pin::kSlotsMap, pin::kStatusMap, pin::kBackfillProg})
    pins.push_back(internal + "/" + name);
  pins.push_back(layout.progs() + "/" + pin::kDumperProg);
  add_link_pins(stats->obj, internal, pins);
  add_link_pins(prov->obj, internal, pins);
  auto policy = policy_pins(layout);
  if (!policy) return policy.error();
  pins.insert(pins.end(), policy.value().begin(), policy.value().end());
  return pins;
}

Result<std::vector<std::string>> missing_pins(const Layout &layout) {
  auto pins = expected_pins(layout);
  if (!pins) return pins.error();
  std::vector<std::string> missing;
  for (const auto &p : pins.value())
    if (!path_exists(p)) missing.push_back(p);
  return missing;
}

}  // namespace cgprov
