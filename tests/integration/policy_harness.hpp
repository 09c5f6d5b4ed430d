// Harness for the ACL policy tests (policy_test.cpp, policy_files_test.cpp):
// attempts as an unprivileged user in a child process, snapshots of what an
// attempt could change, and the fixture both suites share.
//
// The policy suite installs cgprov with tests/vm/policy/policy.toml (quota:
// 4 links, 3 pins per user). With CGPROV_POLICY_STOCK=1 the same cases run
// on a kernel without the policy against an equivalent layout the fixture
// makes; an attempt that is not refused as the policy would refuse it is
// reported as a skipped case naming the protection that kernel lacks.
#pragma once

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "layout.hpp"
#include "unique_fd.hpp"
#include "vm_helpers.hpp"

struct cgroup_dump_bpf;
struct cgprov_policy_config;
struct cgprov_usage;

namespace cgprov::test::policy {

inline constexpr uid_t kOtherUid = 1001;            // owner of the victim cgroup and pin
inline constexpr int kSucceeded = kChildSucceeded;  // child exit status: the call succeeded
inline constexpr uint32_t kLinkQuota = 4;           // tests/vm/policy/policy.toml
inline constexpr uint32_t kPinQuota = 3;
inline constexpr const char *kAttackDir = "/sys/fs/bpf/cgprov-attack";

inline const Layout kLayout;

// Whether the cases run on a kernel without the policy (CGPROV_POLICY_STOCK=1).
bool stock_kernel();

std::string granted_prog_path();
std::string user_pin(uid_t uid, const std::string &name);

// A child's exit status for the result of a call returning an fd or 0.
int outcome(long ret);
// "succeeded", "EPERM", ...
std::string outcome_name(int code);

// Run `fn` as `uid` without capabilities; its return value is the outcome.
int as_user(const std::function<int()> &fn, uid_t uid = kUserUid);

// Everything in bpffs, the kernel's links (with program, cgroup, order),
// programs and maps.
struct Snapshot {
  std::map<std::string, std::string> files;
  std::map<uint32_t, std::string> links;
  std::set<uint32_t> progs, maps;
};
Snapshot snapshot();
// snapshot() once the kernel has finished freeing what earlier tests let go.
Snapshot quiet_snapshot();
// Differences from `before`, one per line, once links the attempt released
// are gone (unlinked pins release their links from a work item); empty if
// none.
std::string settled_changes(const Snapshot &before);

void pin_mode(int fd, const std::string &path, mode_t mode);
UniqueFd open_cgroup(const std::string &path, int flags = O_RDONLY | O_DIRECTORY);

// A cgroup_iter link of `prog`: on `cgroup_fd`, or on `cgroup_id` if set,
// or with no target at all if both are 0.
int link_iter(int prog, int cgroup_fd, uint64_t cgroup_id = 0,
              bpf_cgroup_iter_order order = BPF_CGROUP_ITER_SELF_ONLY);
// As the user: the granted program, read-only.
int open_granted_prog();
// As the user: the granted program linked to the user's own cgroup.
int own_link(const std::string &cgroup);
// As the user: pin an own link at `path` (relative paths to `dir_fd`);
// returns the outcome.
int pin_own_link(const std::string &cgroup, const std::string &path, int dir_fd = -1);

// SCM_RIGHTS over a unix socket: false on failure / an invalid fd if none.
bool send_fd(int sock, int fd);
UniqueFd receive_fd(int sock);

// The test iterator's skeleton (its destroy function is static inline in
// the skeleton header, so the deleter is defined out of line).
struct DumpSkelDeleter {
  void operator()(cgroup_dump_bpf *skel) const;
};
using DumpSkel = std::unique_ptr<cgroup_dump_bpf, DumpSkelDeleter>;

// On a kernel without cgprov: the layout an install would make, with an
// iterator pinned where the stats iterator would be.
class StockLayout {
 public:
  StockLayout();
  ~StockLayout();
  StockLayout(const StockLayout &) = delete;
  StockLayout &operator=(const StockLayout &) = delete;

 private:
  DumpSkel dump_;
};

// A cgroup of the user and one of another user (both readable like any
// cgroup directory: ownership, not access, is tested), an empty user/, a
// directory outside it that anyone may write (1777), a program without a
// grant, and root's fd of the granted program.
struct Fixture {
  std::optional<StockLayout> stock;
  TempCgroup own{kUserUid};
  TempCgroup other{kOtherUid};
  std::optional<TempBpffsDir> attack;
  std::string open_dir = std::string(kAttackDir) + "/open";
  DumpSkel other_prog;
  UniqueFd granted;

  Fixture();
  ~Fixture();
  Fixture(const Fixture &) = delete;
  Fixture &operator=(const Fixture &) = delete;

  int other_prog_fd() const;
  // A pin of uid 1001 in user/ (made by root, owned by 1001).
  std::string victim_pin();
};

// The policy as published in the kernel, the usage map, the bucket of a
// uid there and its usage (zero if it has no slot).
cgprov_policy_config published_config();
UniqueFd usage_map();
uint32_t usage_bucket(uid_t uid);
cgprov_usage usage_of(uid_t uid);

// The policy's verdict on one attempt made as the user: `expected` (an
// errno) and no change. On the stock kernel any other outcome is a SKIP
// that names `protection`.
void refused(int expected, const std::string &protection, const std::function<int()> &attempt);

}  // namespace cgprov::test::policy
