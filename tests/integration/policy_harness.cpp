#include "policy_harness.hpp"

#include <bpf/bpf.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "cgroup_dump.skel.h"
#include "policy.h"

namespace cgprov::test::policy {

bool stock_kernel() {
  const char *mode = std::getenv("CGPROV_POLICY_STOCK");
  return mode && std::string(mode) == "1";
}

std::string granted_prog_path() { return kLayout.progs() + "/" + cgprov::pin::kDumperProg; }
std::string user_pin(uid_t uid, const std::string &name) {
  return kLayout.user() + "/" + std::to_string(uid) + "-" + name;
}

int outcome(long ret) { return ret >= 0 ? kSucceeded : errno; }

std::string outcome_name(int code) { return child_status_name(code); }

int as_user(const std::function<int()> &fn, uid_t uid) { return run_as(uid, uid, {}, fn); }

// --- what an attempt may have changed --------------------------------------

namespace {

std::string describe_path(const std::filesystem::path &path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st)) return "gone";
  std::ostringstream out;
  out << "ino " << st.st_ino << " uid " << st.st_uid << " mode " << std::oct << st.st_mode;
  return out.str();
}

std::string describe_link(uint32_t id) {
  UniqueFd fd(bpf_link_get_fd_by_id(id));
  if (!fd.valid()) return "gone";
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_link_get_info_by_fd(fd.get(), &info, &len)) return "unreadable";
  std::ostringstream out;
  out << "type " << info.type << " prog " << info.prog_id;
  if (info.type == BPF_LINK_TYPE_ITER)
    out << " cgroup " << info.iter.cgroup.cgroup_id << " order " << info.iter.cgroup.order;
  return out.str();
}

template <typename NextId>
std::set<uint32_t> ids(NextId next_id) {
  std::set<uint32_t> out;
  for (uint32_t id = 0; next_id(id, &id) == 0;) out.insert(id);
  return out;
}

// Differences between two snapshots, one per line; empty if none.
std::string changes(const Snapshot &before, const Snapshot &after) {
  std::string out;
  auto compare = [&](const auto &a, const auto &b, const std::string &what) {
    for (const auto &[key, value] : a) {
      auto it = b.find(key);
      if (it == b.end())
        out += what + " removed: " + std::to_string(key) + "\n";
      else if (it->second != value)
        out += what + " changed: " + std::to_string(key) + "\n";
    }
    for (const auto &[key, value] : b)
      if (!a.count(key)) out += what + " added: " + std::to_string(key) + "\n";
  };
  for (const auto &[path, desc] : before.files)
    if (!after.files.count(path) || after.files.at(path) != desc)
      out += "file changed or removed: " + path + "\n";
  for (const auto &[path, desc] : after.files)
    if (!before.files.count(path)) out += "file added: " + path + "\n";
  compare(before.links, after.links, "link");
  if (before.progs != after.progs) out += "programs changed\n";
  if (before.maps != after.maps) out += "maps changed\n";
  return out;
}

// --- fixture ---------------------------------------------------------------

}  // namespace

Snapshot snapshot() {
  Snapshot s;
  namespace fs = std::filesystem;
  // The system's bpffs and cgprov's own instance.
  for (const std::string root : {"/sys/fs/bpf", kLayout.root.c_str()}) {
    if (!fs::exists(root)) continue;
    for (const auto &entry : fs::recursive_directory_iterator(root))
      s.files[entry.path()] = describe_path(entry.path());
  }
  for (uint32_t id : ids(bpf_link_get_next_id)) s.links[id] = describe_link(id);
  s.progs = ids(bpf_prog_get_next_id);
  s.maps = ids(bpf_map_get_next_id);
  return s;
}

Snapshot quiet_snapshot() {
  // Objects of an earlier test's process are freed after grace periods:
  // wait until nothing changes for 100 ms (at most 3 s).
  Snapshot last = snapshot();
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Snapshot now = snapshot();
    if (changes(last, now).empty()) return now;
    last = std::move(now);
  }
  return last;
}

void pin_mode(int fd, const std::string &path, mode_t mode) {
  REQUIRE(bpf_obj_pin(fd, path.c_str()) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

UniqueFd open_cgroup(const std::string &path, int flags) {
  return UniqueFd(::open(path.c_str(), flags | O_CLOEXEC));
}

int link_iter(int prog, int cgroup_fd, uint64_t cgroup_id, bpf_cgroup_iter_order order) {
  union bpf_iter_link_info info{};
  info.cgroup.cgroup_fd = static_cast<uint32_t>(cgroup_fd);
  info.cgroup.cgroup_id = cgroup_id;
  info.cgroup.order = order;
  LIBBPF_OPTS(bpf_link_create_opts, opts, .iter_info = &info, .iter_info_len = sizeof(info));
  return bpf_link_create(prog, 0, BPF_TRACE_ITER, &opts);
}

int open_granted_prog() {
  LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
  return bpf_obj_get_opts(granted_prog_path().c_str(), &opts);
}

int own_link(const std::string &cgroup) {
  UniqueFd prog(open_granted_prog());
  UniqueFd cg(open_cgroup(cgroup));
  if (!prog.valid() || !cg.valid()) return -1;
  return link_iter(prog.get(), cg.get());
}

void DumpSkelDeleter::operator()(cgroup_dump_bpf *skel) const { cgroup_dump_bpf__destroy(skel); }

StockLayout::StockLayout() : dump_(cgroup_dump_bpf__open_and_load()) {
  // A bpffs instance of its own at the root, as install mounts it.
  REQUIRE((::mkdir(kLayout.root.c_str(), 0755) == 0 || errno == EEXIST));
  REQUIRE(::mount("cgprov", kLayout.root.c_str(), "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=0755") == 0);
  REQUIRE(::mkdir(kLayout.progs().c_str(), 0755) == 0);
  REQUIRE(::mkdir(kLayout.user().c_str(), 0) == 0);
  REQUIRE(::chmod(kLayout.user().c_str(), 01733) == 0);
  REQUIRE(dump_);
  pin_mode(bpf_program__fd(dump_->progs.dump_cgroup_id), granted_prog_path(), 0444);
}

StockLayout::~StockLayout() {
  // Pins go with the instance.
  ::umount2(kLayout.root.c_str(), MNT_DETACH);
  ::rmdir(kLayout.root.c_str());
}

cgprov_policy_config published_config() {
  UniqueFd outer(bpf_obj_get((kLayout.internal() + "/" + cgprov::pin::kPolicyConfigMap).c_str()));
  REQUIRE(outer.valid());
  const uint32_t zero = 0;
  uint32_t id = 0;
  REQUIRE(bpf_map_lookup_elem(outer.get(), &zero, &id) == 0);
  UniqueFd inner(bpf_map_get_fd_by_id(id));
  REQUIRE(inner.valid());
  cgprov_policy_config config{};
  REQUIRE(bpf_map_lookup_elem(inner.get(), &zero, &config) == 0);
  return config;
}

UniqueFd usage_map() {
  UniqueFd fd(bpf_obj_get((kLayout.internal() + "/" + cgprov::pin::kPolicyUsageMap).c_str()));
  REQUIRE(fd.valid());
  return fd;
}

uint32_t usage_bucket(uid_t uid) {
  return cgprov_usage_bucket_of(uid, published_config().usage_seed);
}

cgprov_usage usage_of(uid_t uid) {
  UniqueFd usage = usage_map();
  const uint32_t index = usage_bucket(uid);
  cgprov_usage_bucket bucket{};
  REQUIRE(bpf_map_lookup_elem_flags(usage.get(), &index, &bucket, BPF_F_LOCK) == 0);
  for (const auto &slot : bucket.slots)
    if ((slot.links || slot.pins) && slot.uid == uid) return slot;
  return cgprov_usage{uid, 0, 0};
}

namespace {

// Wait until the policy counts nothing for `uid` (links of unlinked pins are
// released by a work item).
void wait_for_no_usage(uid_t uid) {
  if (stock_kernel()) return;
  for (int i = 0; i < 500; ++i) {
    const cgprov_usage u = usage_of(uid);
    if (u.links == 0 && u.pins == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("uid " << uid << " still has links or pins counted");
}

void remove_user_pins() {
  for (const auto &entry : std::filesystem::directory_iterator(kLayout.user()))
    ::unlink(entry.path().c_str());
}

}  // namespace

Fixture::Fixture() : other_prog(cgroup_dump_bpf__open_and_load()) {
  if (stock_kernel()) stock.emplace();
  for (const auto &dir : {own.path(), other.path()}) REQUIRE(::chmod(dir.c_str(), 0755) == 0);
  REQUIRE(std::filesystem::exists(granted_prog_path()));
  remove_user_pins();
  wait_for_no_usage(kUserUid);
  attack.emplace(kAttackDir);
  REQUIRE(::mkdir(open_dir.c_str(), 0) == 0);
  REQUIRE(::chmod(open_dir.c_str(), 01777) == 0);
  REQUIRE(other_prog);
  granted = UniqueFd(bpf_obj_get(granted_prog_path().c_str()));
  REQUIRE(granted.valid());
}

Fixture::~Fixture() { remove_user_pins(); }

int Fixture::other_prog_fd() const { return bpf_program__fd(other_prog->progs.dump_cgroup_id); }

std::string Fixture::victim_pin() {
  UniqueFd cg(open_cgroup(other.path()));
  UniqueFd link(link_iter(granted.get(), cg.get()));
  REQUIRE(link.valid());
  const std::string path = user_pin(kOtherUid, "victim");
  pin_mode(link.get(), path, 0600);
  REQUIRE(::chown(path.c_str(), kOtherUid, kOtherUid) == 0);
  return path;
}

std::string settled_changes(const Snapshot &before) {
  std::string diff;
  for (int i = 0; i < 100; ++i) {
    diff = changes(before, snapshot());
    if (diff.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return diff;
}

void refused(int expected, const std::string &protection, const std::function<int()> &attempt) {
  const Snapshot before = quiet_snapshot();
  const int code = as_user(attempt);
  INFO("protection: " << protection);
  if (stock_kernel() && code != expected)
    SKIP("unavailable on this kernel: " << protection << " (attempt " << outcome_name(code) << ")");
  CHECK(outcome_name(code) == outcome_name(expected));
  CHECK(settled_changes(before) == "");
}

int pin_own_link(const std::string &cgroup, const std::string &path, int dir_fd) {
  UniqueFd link(own_link(cgroup));
  if (!link.valid()) return kChildSetupFailed;
  LIBBPF_OPTS(bpf_obj_pin_opts, opts);
  if (dir_fd >= 0) {
    opts.file_flags = BPF_F_PATH_FD;
    opts.path_fd = dir_fd;
  }
  return outcome(bpf_obj_pin_opts(link.get(), path.c_str(), &opts));
}

namespace {

// A one-byte message with room for one fd (SCM_RIGHTS).
struct FdMessage {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};

  FdMessage() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
  }
  FdMessage(const FdMessage &) = delete;
  FdMessage &operator=(const FdMessage &) = delete;
};

}  // namespace

bool send_fd(int sock, int fd) {
  FdMessage m;
  cmsghdr *cmsg = CMSG_FIRSTHDR(&m.msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(fd));
  return ::sendmsg(sock, &m.msg, 0) == 1;
}

UniqueFd receive_fd(int sock) {
  FdMessage m;
  if (::recvmsg(sock, &m.msg, MSG_DONTWAIT) != 1 || !CMSG_FIRSTHDR(&m.msg)) return UniqueFd(-1);
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m.msg)), sizeof(fd));
  return UniqueFd(fd);
}

}  // namespace cgprov::test::policy
