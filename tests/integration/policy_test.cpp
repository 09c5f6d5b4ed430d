// The ACL policy (bpf/policy.bpf.c) against an unprivileged user: bpf()
// commands no grant needs, OBJ_GET, LINK_CREATE and commands on links. Each
// refusal case makes one attempt as uid 1000 (no capabilities) in a child
// process and asserts the exact errno and that nothing changed; see
// policy_harness.hpp for the stock kernel's report.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <thread>

#include "policy_harness.hpp"

using namespace cgprov::test;
using namespace cgprov::test::policy;
using cgprov::UniqueFd;

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
    return outcome(
        bpf_obj_get_opts((kLayout.internal() + "/" + cgprov::pin::kPolicyUsageMap).c_str(), &opts));
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
  const Snapshot before = quiet_snapshot();
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

enum class Swapped { kCgroupFd, kProgFd };

constexpr int kStockRaceLinks = 64;

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
    std::atomic<int> swaps{0};
    std::thread swapper([&] {
      // Yielding lets both threads run even on one CPU, so attempts see
      // both fds rather than whichever one a time slice left in place.
      for (bool mine = false; !stop; mine = !mine) {
        ::dup2(mine ? good : bad, slot);
        ++swaps;
        ::sched_yield();
      }
    });
    // Thread start-up can take longer than all the attempts: wait for it.
    while (swaps < 2) ::sched_yield();
    int unexpected = 0, links = 0;
    // Up to the quota; without a policy (no quota) enough links that one
    // made while the slot held the other fd is all but certain.
    const int most = stock_kernel() ? kStockRaceLinks : static_cast<int>(kLinkQuota);
    for (int i = 0; i < 2000 && links < most && !unexpected; ++i) {
      ::sched_yield();
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
    if (!link.valid() || !prog.valid()) return kChildSetupFailed;
    return outcome(bpf_link_update(link.get(), prog.get(), nullptr));
  });
}

TEST_CASE("LINK_DETACH of the user's own link is refused", "[policy]") {
  Fixture f;
  refused(EPERM, "no link detach", [&] {
    UniqueFd link(own_link(f.own.path()));
    if (!link.valid()) return kChildSetupFailed;
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
    if (!link.valid()) return kChildSetupFailed;
    return outcome(bpf_iter_create(link.get()));
  });
}
