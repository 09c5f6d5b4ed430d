// Where cgprov keeps things: the bpffs layout (a user-facing contract, see
// README) and the cgroup the loader charges BPF memory to.
#pragma once

#include <string>

namespace cgprov {

struct Layout {
  std::string bpffs = "/sys/fs/bpf";                  // bpffs mount
  std::string cgroupfs = "/sys/fs/cgroup";            // cgroup2 mount
  std::string slice = "/sys/fs/cgroup/cgprov.slice";  // loader's cgroup

  std::string root() const { return bpffs + "/cgprov"; }
  std::string stats() const { return root() + "/stats"; }        // 0755, files 0444
  std::string progs() const { return root() + "/progs"; }        // 0755, progs 0444
  std::string internal() const { return root() + "/internal"; }  // 0700 root
  std::string user() const { return root() + "/user"; }          // 1733, users' own pins
  std::string stats_file(unsigned long long cgroup_id) const {
    return stats() + "/" + std::to_string(cgroup_id);
  }
};

// Names of the pins in internal/ and progs/ (bpffs names cannot hold dots).
namespace pin {
inline constexpr const char *kMeta = "meta";  // pinned last: the install is complete
// The stats engine's maps; "_v2": the per-CPU layout (bpf/stats.h).
inline constexpr const char *kStatsMap = "cgroup_stats_v2";
inline constexpr const char *kTaskTimesMap = "task_times_v2";
inline constexpr const char *kSlotsMap = "stats_slots";
// The first layout's maps, which an upgrade carries over and removes.
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
