// cgprov status: what is installed, the provisioner's counters and the
// policy the kernel enforces.
#include <bpf/bpf.h>

#include "bpffs.hpp"
#include "bpffs_dirs.hpp"
#include "installer.hpp"
#include "meta.hpp"
#include "pins.hpp"
#include "unique_fd.hpp"

namespace cgprov {

std::optional<cgprov_provision_status> read_provision_counters(const Layout &layout) {
  const std::string path = layout.internal() + "/" + pin::kStatusMap;
  LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);  // only read
  UniqueFd fd(bpf_obj_get_opts(path.c_str(), &opts));
  if (!fd.valid()) return std::nullopt;
  cgprov_provision_status counters{};
  uint32_t key = 0;
  if (bpf_map_lookup_elem(fd.get(), &key, &counters)) return std::nullopt;
  return counters;
}

Result<Status> read_status(const Layout &layout) {
  // A tree a user made is refused, not reported as cgprov's.
  auto dirs = open_bpffs_dirs(layout, /*create=*/false);
  if (!dirs) return dirs.error();
  Status status;
  status.mounted = dirs.value().root.valid();
  std::string foreign;
  auto legacy = open_legacy_dirs(layout, foreign);
  status.legacy = legacy && legacy.value().root.valid();
  status.version = read_meta(layout);
  auto missing = missing_pins(layout);
  if (!missing) return missing.error();
  status.missing = std::move(missing.value());
  auto files = list_pins(layout.stats());
  if (!files) return files.error();
  status.stats_files = files.value().size();

  status.counters = read_provision_counters(layout);
  auto policy = read_policy_status(layout);
  if (!policy) return policy.error();
  status.policy = std::move(policy.value());
  return status;
}

}  // namespace cgprov
