// Where cgprov keeps things: the tree in its own bpffs instance (a
// user-facing contract, see README), the earlier releases' tree that an
// install moves, and the cgroup the loader charges BPF memory to.
#pragma once

#include <string>

namespace cgprov {

struct Layout {
  // The root of cgprov's own bpffs instance, mounted there by install.
  std::string root = "/run/cgprov";
  // Where every release before the instance kept its tree (in the system's
  // bpffs): install moves an install found there, then removes it.
  std::string legacy_root = "/sys/fs/bpf/cgprov";
  std::string cgroupfs = "/sys/fs/cgroup";            // cgroup2 mount
  std::string slice = "/sys/fs/cgroup/cgprov.slice";  // loader's cgroup

  std::string stats() const { return root + "/stats"; }        // 0755, files 0444
  std::string progs() const { return root + "/progs"; }        // 0755, progs 0444
  std::string internal() const { return root + "/internal"; }  // 0700 root
  std::string user() const { return root + "/user"; }          // 1733, users' own pins
  std::string stats_file(unsigned long long cgroup_id) const {
    return stats() + "/" + std::to_string(cgroup_id);
  }
  // The same layout with its tree at the legacy location.
  Layout legacy() const {
    Layout moved = *this;
    moved.root = legacy_root;
    return moved;
  }
};

// Names of the pins in internal/ and progs/ (bpffs names cannot hold dots).
namespace pin {
inline constexpr const char *kMeta = "meta";  // pinned last: the install is complete
// The stats engine's maps (bpf/stats.h); "_v3": the totals alone, the
// pending counters in a map of their own.
inline constexpr const char *kStatsMap = "cgroup_stats_v3";
inline constexpr const char *kPendingMap = "cgroup_pending";
inline constexpr const char *kTaskTimesMap = "task_times_v2";
inline constexpr const char *kSlotsMap = "stats_slots";
// Earlier layouts' maps, which an upgrade carries over and removes: the
// first per-CPU layout's totals, and the first layout's maps.
inline constexpr const char *kStatsMapV2 = "cgroup_stats_v2";
inline constexpr const char *kStatsMapV1 = "cgroup_stats";
inline constexpr const char *kTaskTimesMapV1 = "task_times";
inline constexpr const char *kStatusMap = "provision_status";
inline constexpr const char *kBackfillProg = "backfill";
inline constexpr const char *kDumperProg = "stats";  // in progs/
// The ACL policy's maps (bpf/policy.bpf.c).
inline constexpr const char *kPolicyConfigMap = "policy_config";
inline constexpr const char *kPolicyUsageMap = "policy_usage";
inline constexpr const char *kPolicyLinksMap = "policy_links";
inline constexpr const char *kPolicyPinsMap = "policy_pins";
}  // namespace pin

}  // namespace cgprov
