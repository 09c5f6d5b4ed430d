// install / uninstall / status: the one-shot loader's operations.
#pragma once

#include <linux/types.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layout.hpp"
#include "policy_file.hpp"
#include "policy_install.hpp"
#include "provisioner.h"
#include "result.hpp"
#include "unique_fd.hpp"

namespace cgprov {

struct InstallOptions {
  Layout layout;
  std::string version;  // recorded in the meta pin; bpf_version() by default
  Policy policy;        // what unprivileged users may do (default: nothing)
};

struct InstallReport {
  enum class Kind { kFresh, kRecovered, kUpgraded, kAlreadyInstalled };
  Kind kind = Kind::kFresh;
  std::string version;
  std::string previous_version;  // upgrades only
  size_t backfilled = 0;         // stats files created for existing cgroups
  size_t kept = 0;               // stats files that already existed
  size_t updated_files = 0;      // stats files switched to the new dumper
  size_t carried_cgroups = 0;    // cgroups whose numbers an upgrade carried over
  std::string carried_layout;    // the earlier stats layout they came from ("v1", "v2")
  std::string moved_from;        // the legacy root an install moved, if any
  // Cgroups left without a stats file, by reason (see walk_cgroups()).
  std::map<std::string, size_t> skipped;
};

// Load, attach and pin everything, backfill existing cgroups, record the
// version last. Converges from any earlier partial install; on failure of a
// fresh install, removes what it created.
Result<InstallReport> install(const InstallOptions &options);

// Remove every pin cgprov made: the install marker first, then the
// provisioner, stats files, programs, maps and directories; then unmount
// the instance. A legacy tree goes too. Returns the number of pins removed.
Result<size_t> uninstall(const Layout &layout);

// The tree in the instance, for a caller that holds lock_instance(); the
// instance stays mounted.
Result<size_t> uninstall_locked(const Layout &layout);

// The lock an earlier release's loader takes (on the system's bpffs
// root); an invalid fd if no bpffs is mounted there, or if that directory
// is `held` (an fd the caller has locked already, or -1).
Result<UniqueFd> lock_legacy(const Layout &layout, int held);

// Remove the tree at layout.legacy_root, as uninstall does, and its root
// directory, for a caller that holds lock_legacy(). A legacy root that is
// not root's is left alone, with a warning.
Result<size_t> remove_legacy(const Layout &layout);

struct Status {
  bool mounted = false;                // the instance is mounted at the root
  bool legacy = false;                 // a tree is left at the legacy root
  std::optional<std::string> version;  // set when installed (meta present)
  std::vector<std::string> missing;    // expected pins that are absent
  size_t stats_files = 0;
  std::optional<cgprov_provision_status> counters;
  std::optional<PolicyStatus> policy;
};

Result<Status> read_status(const Layout &layout);

// The provisioner's counters; nullopt if its map is missing or not readable
// by the caller (internal/ is root's).
std::optional<cgprov_provision_status> read_provision_counters(const Layout &layout);

}  // namespace cgprov
