// The ACL policy (bpf/policy.bpf.c) as unprivileged users meet it. Each
// refusal case makes one attempt as uid 1000 (no capabilities) in a child
// process, asserts the exact errno, and asserts that bpffs, the kernel's
// links, programs and maps are as before.
//
// The policy suite installs cgprov with tests/vm/policy/policy.toml (quota:
// 4 links, 3 pins per user). With CGPROV_POLICY_STOCK=1 the same cases run
// on a kernel without the policy against an equivalent layout the fixture
// makes; an attempt that is not refused as the policy would refuse it is
// reported as a skipped case naming the protection that kernel lacks.
#include "policy.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "cgroup_dump.skel.h"
#include "layout.hpp"
#include "vm_helpers.hpp"

using namespace cgprov::test;
using cgprov::UniqueFd;

namespace {

using DumpSkel = SkelPtr<cgroup_dump_bpf, cgroup_dump_bpf__destroy>;

constexpr uid_t kOtherUid = 1001;   // owner of the victim cgroup and pin
constexpr int kSucceeded = 200;     // child exit status: the call succeeded
constexpr uint32_t kLinkQuota = 4;  // tests/vm/policy/policy.toml
constexpr uint32_t kPinQuota = 3;
constexpr const char *kAttackDir = "/sys/fs/bpf/cgprov-attack";

const cgprov::Layout kLayout;

bool stock_kernel() {
  const char *mode = std::getenv("CGPROV_POLICY_STOCK");
  return mode && std::string(mode) == "1";
}

std::string granted_prog_path() { return kLayout.progs() + "/" + cgprov::pin::kDumperProg; }
std::string user_pin(uid_t uid, const std::string &name) {
  return kLayout.user() + "/" + std::to_string(uid) + "-" + name;
}

// A child's exit status for the result of a call returning an fd or 0.
int outcome(long ret) { return ret >= 0 ? kSucceeded : errno; }

std::string outcome_name(int code) {
  if (code == kSucceeded) return "succeeded";
  if (code < 0) return "child died";
  const char *name = strerrorname_np(code);
  return name ? name : "errno " + std::to_string(code);
}

// Run `fn` as `uid` without capabilities; its return value is the outcome.
int as_user(const std::function<int()> &fn, uid_t uid = kUserUid) {
  return run_as(uid, uid, {}, fn);
}

// --- what an attempt may have changed --------------------------------------

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

struct Snapshot {
  std::map<std::string, std::string> files;  // everything in bpffs
  std::map<uint32_t, std::string> links;
  std::set<uint32_t> progs, maps;
};

Snapshot snapshot() {
  Snapshot s;
  namespace fs = std::filesystem;
  for (const auto &entry : fs::recursive_directory_iterator("/sys/fs/bpf"))
    s.files[entry.path()] = describe_path(entry.path());
  for (uint32_t id : ids(bpf_link_get_next_id)) s.links[id] = describe_link(id);
  s.progs = ids(bpf_prog_get_next_id);
  s.maps = ids(bpf_map_get_next_id);
  return s;
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

void pin_mode(int fd, const std::string &path, mode_t mode) {
  REQUIRE(bpf_obj_pin(fd, path.c_str()) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

UniqueFd open_cgroup(const std::string &path, int flags = O_RDONLY | O_DIRECTORY) {
  return UniqueFd(::open(path.c_str(), flags | O_CLOEXEC));
}

// A cgroup_iter link of `prog`: on `cgroup_fd`, or on `cgroup_id` if set,
// or with no target at all if both are 0.
int link_iter(int prog, int cgroup_fd, uint64_t cgroup_id = 0,
              bpf_cgroup_iter_order order = BPF_CGROUP_ITER_SELF_ONLY) {
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

// As the user: the granted program linked to the user's own cgroup.
int own_link(const std::string &cgroup) {
  UniqueFd prog(open_granted_prog());
  UniqueFd cg(open_cgroup(cgroup));
  if (!prog.valid() || !cg.valid()) return -1;
  return link_iter(prog.get(), cg.get());
}

// On a kernel without cgprov: the layout an install would make, with an
// iterator pinned where the stats iterator would be.
class StockLayout {
 public:
  StockLayout() {
    remove_tree(kLayout.root());
    for (const auto &dir : {kLayout.root(), kLayout.progs()})
      REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    REQUIRE(::mkdir(kLayout.user().c_str(), 0) == 0);
    REQUIRE(::chmod(kLayout.user().c_str(), 01733) == 0);
    REQUIRE(dump_);
    pin_mode(bpf_program__fd(dump_->progs.dump_cgroup_id), granted_prog_path(), 0444);
  }
  ~StockLayout() { remove_tree(kLayout.root()); }
  StockLayout(const StockLayout &) = delete;
  StockLayout &operator=(const StockLayout &) = delete;

 private:
  DumpSkel dump_{cgroup_dump_bpf__open_and_load()};
};

// Wait until the policy counts nothing for `uid` (links of unlinked pins are
// released by a work item).
void wait_for_no_usage(uid_t uid) {
  if (stock_kernel()) return;
  UniqueFd usage(bpf_obj_get((kLayout.internal() + "/" + cgprov::pin::kPolicyUsageMap).c_str()));
  REQUIRE(usage.valid());
  for (int i = 0; i < 500; ++i) {
    cgprov_usage u{};
    if (bpf_map_lookup_elem(usage.get(), &uid, &u) || (u.links == 0 && u.pins == 0)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("uid " << uid << " still has links or pins counted");
}

void remove_user_pins() {
  for (const auto &entry : std::filesystem::directory_iterator(kLayout.user()))
    ::unlink(entry.path().c_str());
}

struct Fixture {
  std::optional<StockLayout> stock;
  TempCgroup own{kUserUid};
  TempCgroup other{kOtherUid};
  std::optional<TempBpffsDir> attack;
  std::string open_dir = std::string(kAttackDir) + "/open";  // 1777, outside user/
  DumpSkel other_prog{cgroup_dump_bpf__open_and_load()};     // never granted
  UniqueFd granted;                                          // root's fd

  Fixture() {
    if (stock_kernel()) stock.emplace();
    // Readable like any cgroup directory: ownership, not access, is tested.
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
  ~Fixture() { remove_user_pins(); }

  int other_prog_fd() const { return bpf_program__fd(other_prog->progs.dump_cgroup_id); }

  // A pin of uid 1001 in user/ (made by root, owned by 1001).
  std::string victim_pin() {
    UniqueFd cg(open_cgroup(other.path()));
    UniqueFd link(link_iter(granted.get(), cg.get()));
    REQUIRE(link.valid());
    const std::string path = user_pin(kOtherUid, "victim");
    pin_mode(link.get(), path, 0600);
    REQUIRE(::chown(path.c_str(), kOtherUid, kOtherUid) == 0);
    return path;
  }
};

// changes() once links that the attempt released are gone (unlinked pins
// release their links from a work item).
std::string settled_changes(const Snapshot &before) {
  std::string diff;
  for (int i = 0; i < 100; ++i) {
    diff = changes(before, snapshot());
    if (diff.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return diff;
}

// The policy's verdict on one attempt: `expected` (an errno) and no change.
void refused(int expected, const std::string &protection, const std::function<int()> &attempt) {
  const Snapshot before = snapshot();
  const int code = as_user(attempt);
  INFO("protection: " << protection);
  if (stock_kernel() && code != expected)
    SKIP("unavailable on this kernel: " << protection << " (attempt " << outcome_name(code) << ")");
  CHECK(outcome_name(code) == outcome_name(expected));
  CHECK(settled_changes(before) == "");
}

}  // namespace

// --- commands that no grant needs -------------------------------------------

TEST_CASE("unprivileged PROG_LOAD is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no program loading", [] {
    bpf_insn insns[2] = {};  // r0 = 0; exit
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
    insns[0].dst_reg = BPF_REG_0;
    insns[1].code = BPF_JMP | BPF_EXIT;
    return outcome(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "x", "GPL", insns, 2, nullptr));
  });
}

TEST_CASE("unprivileged MAP_CREATE is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no map creation",
          [] { return outcome(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr)); });
}

TEST_CASE("unprivileged BTF_LOAD is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no BTF loading", [] {
    btf *b = btf__new_empty();
    btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    uint32_t size = 0;
    const void *raw = btf__raw_data(b, &size);
    const int ret = bpf_btf_load(raw, size, nullptr);
    const int saved = errno;
    btf__free(b);
    errno = saved;
    return outcome(ret);
  });
}

TEST_CASE("unprivileged BPF_TOKEN_CREATE is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no BPF token", [] {
    UniqueFd bpffs(::open("/sys/fs/bpf", O_RDONLY | O_DIRECTORY));
    return outcome(bpf_token_create(bpffs.get(), nullptr));
  });
}

TEST_CASE("GET_FD_BY_ID of the granted program is refused", "[policy]") {
  Fixture f;
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  REQUIRE(bpf_prog_get_info_by_fd(f.granted.get(), &info, &len) == 0);
  refused(EPERM, "no program fds by ID", [&] { return outcome(bpf_prog_get_fd_by_id(info.id)); });
}

// --- OBJ_GET ---------------------------------------------------------------

TEST_CASE("OBJ_GET of a readable pin of a program without a grant is refused", "[policy]") {
  Fixture f;
  const std::string path = std::string(kAttackDir) + "/prog";
  pin_mode(f.other_prog_fd(), path, 0444);
  refused(EPERM, "OBJ_GET only of granted programs", [&] {
    LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
    return outcome(bpf_obj_get_opts(path.c_str(), &opts));
  });
}

TEST_CASE("OBJ_GET of a readable map pin is refused", "[policy]") {
  Fixture f;
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr));
  REQUIRE(map.valid());
  const std::string path = std::string(kAttackDir) + "/map";
  pin_mode(map.get(), path, 0444);
  refused(EPERM, "no OBJ_GET of maps", [&] {
    LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
    return outcome(bpf_obj_get_opts(path.c_str(), &opts));
  });
}

TEST_CASE("OBJ_GET of a writable pin of another's link is refused", "[policy]") {
  Fixture f;
  UniqueFd cg(open_cgroup(f.other.path()));
  UniqueFd link(link_iter(f.granted.get(), cg.get()));
  REQUIRE(link.valid());
  const std::string path = std::string(kAttackDir) + "/link";
  pin_mode(link.get(), path, 0666);
  refused(EPERM, "no OBJ_GET of links", [&] { return outcome(bpf_obj_get(path.c_str())); });
}

TEST_CASE("OBJ_GET of the granted program for writing is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "OBJ_GET read-only", [] {
    LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = 0);
    return outcome(bpf_obj_get_opts(granted_prog_path().c_str(), &opts));
  });
}

TEST_CASE("OBJ_GET of the internal pins is refused", "[policy]") {
  Fixture f;
  if (f.stock) SKIP("no cgprov install on this kernel: internal/ does not exist");
  refused(EACCES, "internal/ is root's", [] {
    LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
    return outcome(bpf_obj_get_opts(
        (kLayout.internal() + "/" + cgprov::pin::kPolicyGrantsMap).c_str(), &opts));
  });
}

// --- LINK_CREATE -------------------------------------------------------------

TEST_CASE("LINK_CREATE of a program without a grant is refused", "[policy]") {
  Fixture f;
  const int prog = f.other_prog_fd();  // inherited by the child, as if leaked
  refused(EPERM, "links only of granted programs", [&] {
    UniqueFd cg(open_cgroup(f.own.path()));
    return outcome(link_iter(prog, cg.get()));
  });
}

TEST_CASE("LINK_CREATE on the root cgroup is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "links only on owned cgroups (root)", [] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup("/sys/fs/cgroup"));
    return outcome(link_iter(prog.get(), cg.get()));
  });
}

TEST_CASE("LINK_CREATE on another user's cgroup by fd is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "links only on owned cgroups (fd)", [&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(f.other.path()));
    return outcome(link_iter(prog.get(), cg.get()));
  });
}

TEST_CASE("LINK_CREATE on another user's cgroup by O_PATH fd is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "links only on owned cgroups (O_PATH fd)", [&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(f.other.path(), O_PATH | O_DIRECTORY));
    return outcome(link_iter(prog.get(), cg.get()));
  });
}

TEST_CASE("LINK_CREATE on another user's cgroup by id is refused", "[policy]") {
  Fixture f;
  const uint64_t id = f.other.id();
  refused(EPERM, "links only on owned cgroups (id)", [&] {
    UniqueFd prog(open_granted_prog());
    return outcome(link_iter(prog.get(), 0, id));
  });
}

TEST_CASE("LINK_CREATE with no target cgroup is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "links only on owned cgroups (no target: the root)", [] {
    UniqueFd prog(open_granted_prog());
    return outcome(link_iter(prog.get(), 0, 0));
  });
}

TEST_CASE("LINK_CREATE on root's cgroup by a caller with euid 0 but no capabilities is refused",
          "[policy]") {
  Fixture f;
  TempCgroup roots;
  // A chmod gives the cgroup's kernfs node attributes, owner uid 0.
  REQUIRE(::chmod(roots.path().c_str(), 0755) == 0);
  const Snapshot before = snapshot();
  const int code = run_as(0, 0, {}, [&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(roots.path()));
    return outcome(link_iter(prog.get(), cg.get()));
  });
  if (stock_kernel() && code != EPERM)
    SKIP(
        "unavailable on this kernel: root's cgroups are not owned by capability-less uid 0 "
        "(attempt "
        << outcome_name(code) << ")");
  CHECK(outcome_name(code) == "EPERM");
  CHECK(settled_changes(before) == "");
}

TEST_CASE("LINK_CREATE with ANCESTORS_UP on an owned cgroup is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no walks up to the root", [&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(f.own.path()));
    return outcome(link_iter(prog.get(), cg.get(), 0, BPF_CGROUP_ITER_ANCESTORS_UP));
  });
}

TEST_CASE("LINK_CREATE of the granted program as a cgroup hook is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "only iterator links", [&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(f.own.path()));
    return outcome(bpf_link_create(prog.get(), cg.get(), BPF_CGROUP_INET_INGRESS, nullptr));
  });
}

namespace {

// Send `fd` over a unix socket (SCM_RIGHTS); false on failure.
bool send_fd(int sock, int fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(fd));
  return ::sendmsg(sock, &msg, 0) == 1;
}

// The next fd queued on `sock`, if any.
UniqueFd receive_fd(int sock) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (::recvmsg(sock, &msg, MSG_DONTWAIT) != 1 || !CMSG_FIRSTHDR(&msg)) return UniqueFd(-1);
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(fd));
  return UniqueFd(fd);
}

enum class Swapped { kCgroupFd, kProgFd };

// As the user, LINK_CREATE in a loop while a second thread dup2()s, into
// the fd number passed as the cgroup (or the program), an fd of another
// user's cgroup (or of a program without a grant) and back. The child
// sends every link it gets to the parent, which checks each one's program
// and cgroup: only the granted program on the user's own cgroup may appear.
void race_link_create(Fixture &f, Swapped swapped) {
  const uint64_t own_id = f.own.id();
  bpf_prog_info granted{};
  uint32_t len = sizeof(granted);
  REQUIRE(bpf_prog_get_info_by_fd(f.granted.get(), &granted, &len) == 0);
  const int foreign_prog = f.other_prog_fd();  // inherited by the child
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
  UniqueFd parent_end(sv[0]), child_end(sv[1]);
  const int code = as_user([&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd own(open_cgroup(f.own.path())), other(open_cgroup(f.other.path()));
    UniqueFd prog_slot(::dup(prog.get())), cgroup_slot(::dup(own.get()));
    const int slot = swapped == Swapped::kCgroupFd ? cgroup_slot.get() : prog_slot.get();
    const int good = swapped == Swapped::kCgroupFd ? own.get() : prog.get();
    const int bad = swapped == Swapped::kCgroupFd ? other.get() : foreign_prog;
    std::atomic<bool> stop{false};
    std::thread swapper([&] {
      for (bool mine = false; !stop; mine = !mine) ::dup2(mine ? good : bad, slot);
    });
    int unexpected = 0, links = 0;
    for (int i = 0; i < 2000 && links < static_cast<int>(kLinkQuota) && !unexpected; ++i) {
      UniqueFd link(link_iter(prog_slot.get(), cgroup_slot.get()));
      if (!link.valid()) {
        if (errno != EPERM) unexpected = errno;
        continue;
      }
      ++links;
      if (!send_fd(child_end.get(), link.get())) unexpected = errno;
    }
    stop = true;
    swapper.join();
    return unexpected;
  });
  INFO("child: " << outcome_name(code));
  REQUIRE(code == 0);
  int received = 0;
  for (UniqueFd link = receive_fd(parent_end.get()); link.valid();
       link = receive_fd(parent_end.get())) {
    bpf_link_info info{};
    uint32_t info_len = sizeof(info);
    REQUIRE(bpf_link_get_info_by_fd(link.get(), &info, &info_len) == 0);
    const bool allowed = info.iter.cgroup.cgroup_id == own_id && info.prog_id == granted.id;
    if (stock_kernel() && !allowed)
      SKIP(
          "unavailable on this kernel: links only of granted programs on owned cgroups (a "
          "link of program "
          << info.prog_id << " on cgroup " << info.iter.cgroup.cgroup_id << ")");
    CHECK(info.iter.cgroup.cgroup_id == own_id);
    CHECK(info.prog_id == granted.id);
    ++received;
  }
  INFO("links made while the fd was swapped: " << received);
  CHECK(received > 0);
}

}  // namespace

TEST_CASE("LINK_CREATE while another thread swaps the cgroup fd links only the own cgroup",
          "[policy]") {
  Fixture f;
  race_link_create(f, Swapped::kCgroupFd);
}

TEST_CASE("LINK_CREATE while another thread swaps the program fd links only the granted one",
          "[policy]") {
  Fixture f;
  race_link_create(f, Swapped::kProgFd);
}

// --- commands on existing links ------------------------------------------------

TEST_CASE("LINK_UPDATE of the user's own link is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no link updates", [&] {
    UniqueFd link(own_link(f.own.path()));
    UniqueFd prog(open_granted_prog());
    if (!link.valid() || !prog.valid()) return 100;
    return outcome(bpf_link_update(link.get(), prog.get(), nullptr));
  });
}

TEST_CASE("LINK_DETACH of the user's own link is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no link detach", [&] {
    UniqueFd link(own_link(f.own.path()));
    if (!link.valid()) return 100;
    return outcome(bpf_link_detach(link.get()));
  });
}

TEST_CASE("PROG_BIND_MAP on the granted program is refused", "[policy]") {
  Fixture f;
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr));
  REQUIRE(map.valid());
  const int map_fd = map.get();  // inherited by the child
  refused(EPERM, "no PROG_BIND_MAP", [&] {
    UniqueFd prog(open_granted_prog());
    return outcome(bpf_prog_bind_map(prog.get(), map_fd, nullptr));
  });
}

TEST_CASE("ITER_CREATE on the user's own link is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no ITER_CREATE (read pinned files)", [&] {
    UniqueFd link(own_link(f.own.path()));
    if (!link.valid()) return 100;
    return outcome(bpf_iter_create(link.get()));
  });
}

// --- OBJ_PIN ----------------------------------------------------------------

TEST_CASE("OBJ_PIN of the granted program itself is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only of links", [] {
    UniqueFd prog(open_granted_prog());
    return outcome(bpf_obj_pin(prog.get(), user_pin(kUserUid, "prog").c_str()));
  });
}

TEST_CASE("OBJ_PIN of a map is refused", "[policy]") {
  Fixture f;
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr));
  REQUIRE(map.valid());
  const int map_fd = map.get();  // inherited by the child
  refused(EPERM, "no pins of maps",
          [&] { return outcome(bpf_obj_pin(map_fd, user_pin(kUserUid, "map").c_str())); });
}

TEST_CASE("OBJ_PIN of a link the user did not create is refused", "[policy]") {
  Fixture f;
  UniqueFd cg(open_cgroup(f.own.path()));
  UniqueFd link(link_iter(f.granted.get(), cg.get()));  // root's, on the user's cgroup
  REQUIRE(link.valid());
  const int link_fd = link.get();
  refused(EPERM, "pins only of own links",
          [&] { return outcome(bpf_obj_pin(link_fd, user_pin(kUserUid, "stolen").c_str())); });
}

namespace {

// Pin the user's own link at `path` (relative paths to `dir_fd`).
int pin_own_link(const std::string &cgroup, const std::string &path, int dir_fd = -1) {
  UniqueFd link(own_link(cgroup));
  if (!link.valid()) return 100;
  LIBBPF_OPTS(bpf_obj_pin_opts, opts);
  if (dir_fd >= 0) {
    opts.file_flags = BPF_F_PATH_FD;
    opts.path_fd = dir_fd;
  }
  return outcome(bpf_obj_pin_opts(link.get(), path.c_str(), &opts));
}

}  // namespace

TEST_CASE("OBJ_PIN outside the user directory is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/",
          [&] { return pin_own_link(f.own.path(), f.open_dir + "/1000-out"); });
}

TEST_CASE("OBJ_PIN through '..' out of the user directory is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/ (..)", [&] {
    return pin_own_link(f.own.path(), kLayout.user() + "/../../cgprov-attack/open/1000-dots");
  });
}

TEST_CASE("OBJ_PIN through a symlink to another directory is refused", "[policy]") {
  Fixture f;
  const std::string link_dir = std::string(kAttackDir) + "/to-open";
  REQUIRE(::symlink(f.open_dir.c_str(), link_dir.c_str()) == 0);
  refused(EPERM, "pins only in user/ (symlink)",
          [&] { return pin_own_link(f.own.path(), link_dir + "/1000-sym"); });
}

TEST_CASE("OBJ_PIN with BPF_F_PATH_FD of another directory is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/ (BPF_F_PATH_FD)", [&] {
    UniqueFd dir(::open(f.open_dir.c_str(), O_RDONLY | O_DIRECTORY));
    return pin_own_link(f.own.path(), "1000-pathfd", dir.get());
  });
}

TEST_CASE("OBJ_PIN relative to a cwd inside bpffs is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pins only in user/ (cwd)", [&] {
    if (::chdir(f.open_dir.c_str())) return 100;
    return pin_own_link(f.own.path(), "1000-cwd");
  });
}

TEST_CASE("OBJ_PIN with an fsuid other than the euid is refused", "[policy]") {
  Fixture f;
  const Snapshot before = snapshot();
  // euid 1000 (owns the cgroup, names the pin), fsuid 1001 (would own the file).
  const int code = run_as(0, 0, {CAP_SETUID}, [&] {
    if (::setresuid(kOtherUid, kUserUid, kOtherUid)) return 120;
    ::setfsuid(kOtherUid);
    if (::setfsuid(static_cast<uid_t>(-1)) != static_cast<int>(kOtherUid)) return 121;
    return pin_own_link(f.own.path(), user_pin(kUserUid, "fsuid"));
  });
  if (stock_kernel() && code != EPERM)
    SKIP("unavailable on this kernel: pins charged to the uid checked (attempt "
         << outcome_name(code) << ")");
  CHECK(outcome_name(code) == "EPERM");
  CHECK(settled_changes(before) == "");
}

TEST_CASE("OBJ_PIN without the user's uid prefix is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "pin names start with <uid>-",
          [&] { return pin_own_link(f.own.path(), kLayout.user() + "/mine"); });
}

TEST_CASE("OBJ_PIN under another user's uid prefix is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no pins in another user's names",
          [&] { return pin_own_link(f.own.path(), user_pin(kOtherUid, "squat")); });
}

TEST_CASE("OBJ_PIN over another user's pin fails with EEXIST", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  // Another user's name is refused before it could collide: use an own name
  // taken by a file another user owns (made by root for the test).
  const std::string taken = user_pin(kUserUid, "taken");
  REQUIRE(::rename(victim.c_str(), taken.c_str()) == 0);
  refused(EEXIST, "no replacing pins", [&] { return pin_own_link(f.own.path(), taken); });
}

// --- files in the user directory -----------------------------------------------

TEST_CASE("unlink of another user's pin is refused", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  refused(EPERM, "no removing others' pins", [&] { return outcome(::unlink(victim.c_str())); });
}

TEST_CASE("rename of another user's pin is refused", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  refused(EPERM, "no renaming others' pins",
          [&] { return outcome(::rename(victim.c_str(), user_pin(kUserUid, "renamed").c_str())); });
}

TEST_CASE("hard link of another user's pin is refused", "[policy]") {
  Fixture f;
  const std::string victim = f.victim_pin();
  refused(EPERM, "no linking others' pins",
          [&] { return outcome(::link(victim.c_str(), user_pin(kUserUid, "hardlink").c_str())); });
}

TEST_CASE("moving an own pin out of the user directory is refused", "[policy]") {
  Fixture f;
  REQUIRE(as_user([&] { return pin_own_link(f.own.path(), user_pin(kUserUid, "mine")); }) ==
          kSucceeded);
  refused(EPERM, "no renames in user/", [&] {
    return outcome(::rename(user_pin(kUserUid, "mine").c_str(), (f.open_dir + "/moved").c_str()));
  });
}

TEST_CASE("mkdir and symlink in the user directory are refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no directories in user/",
          [] { return outcome(::mkdir(user_pin(kUserUid, "dir").c_str(), 0700)); });
  refused(EPERM, "no symlinks in user/",
          [] { return outcome(::symlink("/sys/fs/bpf", user_pin(kUserUid, "symlink").c_str())); });
}

// --- quotas -------------------------------------------------------------------

TEST_CASE("a link beyond the per-user quota is refused with EDQUOT", "[policy]") {
  Fixture f;
  refused(EDQUOT, "link quota", [&] {
    std::vector<UniqueFd> held;
    for (uint32_t i = 0; i < kLinkQuota; ++i) {
      held.emplace_back(own_link(f.own.path()));
      if (!held.back().valid()) return 100 + static_cast<int>(i);
    }
    const int code = outcome(own_link(f.own.path()));
    held.pop_back();  // a freed link makes room again
    UniqueFd again(own_link(f.own.path()));
    return again.valid() ? code : 110;
  });
}

TEST_CASE("a pin beyond the per-user quota is refused with EDQUOT", "[policy]") {
  Fixture f;
  refused(EDQUOT, "pin quota", [&] {
    for (uint32_t i = 0; i < kPinQuota; ++i)
      if (pin_own_link(f.own.path(), user_pin(kUserUid, "q" + std::to_string(i))) != kSucceeded)
        return 100 + static_cast<int>(i);
    const int code = pin_own_link(f.own.path(), user_pin(kUserUid, "over"));
    // Removing a pin makes room again.
    if (::unlink(user_pin(kUserUid, "q0").c_str())) return 110;
    if (pin_own_link(f.own.path(), user_pin(kUserUid, "again")) != kSucceeded) return 111;
    for (const char *name : {"q1", "q2", "again"}) ::unlink(user_pin(kUserUid, name).c_str());
    return code;
  });
}

// --- user namespaces ------------------------------------------------------------

namespace {

// As uid 0 of a new user namespace (uid 1000 outside): full capabilities
// there, none in the initial namespace.
int as_userns_root(const std::function<int()> &fn) {
  return as_user([&] {
    // The uid change made the process non-dumpable: /proc/self would be root's.
    if (::prctl(PR_SET_DUMPABLE, 1) || ::unshare(CLONE_NEWUSER)) return 120;
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << "0 " << kUserUid << " 1";
    std::ofstream("/proc/self/gid_map") << "0 " << kUserGid << " 1";
    if (::geteuid() != 0) return 121;
    return fn();
  });
}

}  // namespace

TEST_CASE("uid 0 in a user namespace gets no more than the user", "[policy]") {
  Fixture f;
  const Snapshot before = snapshot();
  const int map = as_userns_root(
      [] { return outcome(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr)); });
  const int root_link = as_userns_root([] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup("/sys/fs/cgroup"));
    return outcome(link_iter(prog.get(), cg.get()));
  });
  const int other_link = as_userns_root([&] {
    UniqueFd prog(open_granted_prog());
    UniqueFd cg(open_cgroup(f.other.path()));
    return outcome(link_iter(prog.get(), cg.get()));
  });
  INFO("MAP_CREATE " << outcome_name(map) << ", root cgroup link " << outcome_name(root_link)
                     << ", other's cgroup link " << outcome_name(other_link));
  if (stock_kernel() && (root_link != EPERM || other_link != EPERM || map != EPERM))
    SKIP("unavailable on this kernel: user namespace root is unprivileged");
  CHECK(outcome_name(map) == "EPERM");
  CHECK(outcome_name(root_link) == "EPERM");
  CHECK(outcome_name(other_link) == "EPERM");
  CHECK(settled_changes(before) == "");
}

// --- what users may do ------------------------------------------------------------

TEST_CASE("a user links the stats iterator to an owned cgroup, pins it and reads it", "[policy]") {
  Fixture f;
  const std::string path = user_pin(kUserUid, "mine");
  REQUIRE(as_user([&] { return pin_own_link(f.own.path(), path); }) == kSucceeded);
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_uid == kUserUid);
  CHECK((st.st_mode & 07777) == 0600);
  const int read = as_user([&] {
    auto text = read_file(path);
    if (!text) return errno;
    return stock_kernel() || text->find("runq_delay_count") != std::string::npos ? 0 : 101;
  });
  CHECK(read == 0);
}

TEST_CASE("a user opens the granted program relative to a directory fd", "[policy]") {
  Fixture f;
  CHECK(outcome_name(as_user([] {
          UniqueFd dir(::open(kLayout.progs().c_str(), O_RDONLY | O_DIRECTORY));
          LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY | BPF_F_PATH_FD,
                      .path_fd = dir.get());
          return outcome(bpf_obj_get_opts(cgprov::pin::kDumperProg, &opts));
        })) == "succeeded");
}

TEST_CASE("a user pins through a symlink that resolves to the user directory", "[policy]") {
  Fixture f;
  const std::string via = std::string(kAttackDir) + "/to-user";
  REQUIRE(::symlink(kLayout.user().c_str(), via.c_str()) == 0);
  CHECK(as_user([&] { return pin_own_link(f.own.path(), via + "/1000-via"); }) == kSucceeded);
  CHECK(std::filesystem::exists(user_pin(kUserUid, "via")));
}

TEST_CASE("privileged callers are not limited by the policy", "[policy]") {
  Fixture f;
  UniqueFd cg(open_cgroup("/sys/fs/cgroup"));
  UniqueFd link(link_iter(f.granted.get(), cg.get(), 0, BPF_CGROUP_ITER_ANCESTORS_UP));
  CHECK(link.valid());
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "x", 4, 4, 1, nullptr));
  CHECK(map.valid());
  const std::string path = std::string(kAttackDir) + "/root-map";
  CHECK(bpf_obj_pin(map.get(), path.c_str()) == 0);
}
