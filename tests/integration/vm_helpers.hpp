// Helpers for the in-VM integration tests (build/cgprov-vm-tests): RAII for
// fds, cgroups, bpffs directories and skeletons, running code as another
// user, and capturing libbpf's log.
#pragma once

#include <bpf/libbpf.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "owned.hpp"
#include "unique_fd.hpp"

namespace cgprov::test {

inline constexpr uid_t kUserUid = 1000;  // the unprivileged test user
inline constexpr gid_t kUserGid = 1000;

// Whole file contents, or nullopt with errno set.
std::optional<std::string> read_file(const std::string &path);

// Writes `text` to an existing file (e.g. under /proc/sys) in one write;
// false with errno set on failure.
bool write_file(const std::string &path, const std::string &text);

// Value of `key` in a flat-keyed file such as cgroup.stat, or -1.
long long keyed_value(const std::string &text, const std::string &key);

// nr_dying_descendants of `cgroup`, waiting up to 30 s for it to reach
// `want` (dying cgroups are released asynchronously).
long long wait_dying(const std::string &cgroup, long long want);

// The cgroup id of a cgroupfs directory (its inode number on cgroup2).
uint64_t cgroup_id(const std::string &path);

// The parsed stats file of a cgroupfs directory (fails the test if it
// cannot be read or parsed).
std::map<std::string, uint64_t> stats_of(const std::string &cgroup);

// A cgroup directory under /sys/fs/cgroup, removed with its subtree (deepest
// first) on destruction. Optionally delegated to a uid.
class TempCgroup {
 public:
  explicit TempCgroup(std::optional<uid_t> delegate_to = std::nullopt);
  ~TempCgroup();
  TempCgroup(const TempCgroup &) = delete;
  TempCgroup &operator=(const TempCgroup &) = delete;
  const std::string &path() const { return path_; }
  uint64_t id() const { return cgroup_id(path_); }

 private:
  std::string path_;
};

// A directory in bpffs, removed with everything pinned in it on destruction.
class TempBpffsDir {
 public:
  explicit TempBpffsDir(const std::string &path);
  ~TempBpffsDir();
  TempBpffsDir(const TempBpffsDir &) = delete;
  TempBpffsDir &operator=(const TempBpffsDir &) = delete;
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

void remove_tree(const std::string &path);

// Exit statuses of a run_as() child that are not errno values (errno
// values end at EHWPOISON, 133), so that neither is read as the other.
inline constexpr int kChildSucceeded = 200;  // the attempt under test succeeded
inline constexpr int kChildNoIdentity =
    201;  // could not take the uid, gid or capabilities asked for
inline constexpr int kChildSetupFailed =
    202;  // a step before the attempt (the test's setup) failed
inline constexpr int kChildAfterFailed =
    203;  // a step after the attempt (checking its effect) failed

// "EPERM", "succeeded", "setup failed", ...: a child status for messages.
std::string child_status_name(int status);

// Runs `fn` in a forked child as `uid`/`gid` keeping only `caps` (CAP_*
// values) and returns its exit status (fn's return value), or -1 if it died.
int run_as(uid_t uid, gid_t gid, const std::vector<int> &caps, const std::function<int()> &fn);

// The kernel id of a loaded program (fails the test if it cannot be read).
uint32_t prog_id(bpf_program *prog);

// Everything libbpf logs while alive (verifier logs included), for asserting
// on messages.
class LibbpfLogCapture {
 public:
  LibbpfLogCapture();
  ~LibbpfLogCapture();
  LibbpfLogCapture(const LibbpfLogCapture &) = delete;
  LibbpfLogCapture &operator=(const LibbpfLogCapture &) = delete;
  const std::string &text() const;
};

// A libbpf skeleton, destroyed with its own function; a bpf_link.
template <typename Skel, void (*Destroy)(Skel *)>
using SkelPtr = Owned<Skel, Destroy>;
using cgprov::LinkPtr;

}  // namespace cgprov::test
