// The installed product: stats files provisioned by the kernel on mkdir and
// removed on rmdir, with hierarchical numbers. Runs after `cgprov install`
// (tests/vm/provision/ sets that up); tagged [provision].
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "layout.hpp"
#include "stats_format.hpp"
#include "unique_fd.hpp"
#include "vm_helpers.hpp"

using namespace cgprov::test;

namespace {

const cgprov::Layout kLayout;

// Runs a child in `cgroup` that sleeps and wakes `wakeups` times, so each
// wakeup records a run-queue wait there. The naps are long enough that the
// task has always left the CPU when its timer fires: a wakeup that comes
// before is no wait (the task never left the run queue) and counts nothing.
void sleep_wake_in(const std::string &cgroup, int wakeups) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string procs = cgroup + "/cgroup.procs";
    FILE *f = std::fopen(procs.c_str(), "w");
    if (!f || std::fprintf(f, "0\n") < 0 || std::fclose(f)) ::_exit(1);
    struct timespec nap = {0, 2000000};  // 2 ms
    for (int i = 0; i < wakeups; ++i) ::nanosleep(&nap, nullptr);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

uint64_t delta(const std::map<std::string, uint64_t> &after,
               const std::map<std::string, uint64_t> &before, const std::string &key) {
  return after.at(key) - before.at(key);
}

}  // namespace

TEST_CASE("each cgroup's stats file exists as soon as mkdir returns", "[provision]") {
  TempCgroup base(kUserUid);
  // As the unprivileged owner of the subtree: mkdir a, a/b, a/b/c.
  int missing = run_as(kUserUid, kUserGid, {}, [&] {
    std::string path = base.path();
    for (const char *name : {"a", "b", "c"}) {
      path += std::string("/") + name;
      if (::mkdir(path.c_str(), 0755)) return kChildSetupFailed;
      struct stat st{};
      if (::stat(path.c_str(), &st)) return kChildSetupFailed;
      auto text = read_file(kLayout.stats_file(st.st_ino));
      if (!text || !cgprov::parse_stats(*text).ok()) return 1;
      if (text->find("runq_delay_count 0\n") != 0) return 2;
    }
    return 0;
  });
  CHECK(missing == 0);
}

// Restores a sysctl file's value when the test ends.
class SysctlOverride {
 public:
  SysctlOverride(std::string path, const std::string &value)
      : path_(std::move(path)), saved_(read_file(path_).value_or("")) {
    REQUIRE(write_file(path_, value));
  }
  ~SysctlOverride() { write_file(path_, saved_); }
  SysctlOverride(const SysctlOverride &) = delete;
  SysctlOverride &operator=(const SysctlOverride &) = delete;

 private:
  std::string path_, saved_;
};

TEST_CASE("stats files are root's and read-only: a cgroup's owner can neither chmod nor link them",
          "[provision]") {
  TempCgroup base(kUserUid);
  const std::string child = base.path() + "/owned";
  REQUIRE(run_as(kUserUid, kUserGid, {}, [&] { return ::mkdir(child.c_str(), 0755) ? 1 : 0; }) ==
          0);
  const std::string file = kLayout.stats_file(cgroup_id(child));
  struct stat st{};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK(st.st_gid == 0);
  CHECK((st.st_mode & 07777) == 0444);

  // Not the kernel's default (0); systemd's and Debian's sysctl defaults.
  SysctlOverride protect("/proc/sys/fs/protected_hardlinks", "1\n");
  const std::string second = kLayout.user() + "/" + std::to_string(kUserUid) + "-second";
  CHECK(run_as(kUserUid, kUserGid, {}, [&] { return ::chmod(file.c_str(), 0644) ? errno : 0; }) ==
        EPERM);
  CHECK(run_as(kUserUid, kUserGid, {},
               [&] { return ::link(file.c_str(), second.c_str()) ? errno : 0; }) == EPERM);
  CHECK(::access(second.c_str(), F_OK) != 0);
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0444);
  CHECK(st.st_nlink == 1);
  // ... and still reads it.
  CHECK(run_as(kUserUid, kUserGid, {}, [&] {
          auto text = read_file(file);
          return text && cgprov::parse_stats(*text).ok() ? 0 : 1;
        }) == 0);
}

// Reads inotify events until `want` arrived or 5 s passed.
bool saw_event(int fd, uint32_t want, const std::string &name) {
  alignas(inotify_event) char buf[4096];
  for (int i = 0; i < 50; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    for (ssize_t off = 0; off < n;) {
      auto *ev = reinterpret_cast<inotify_event *>(buf + off);
      if ((ev->mask & want) && ev->len && name == ev->name) return true;
      off += sizeof(inotify_event) + ev->len;
    }
  }
  return false;
}

TEST_CASE("inotify watchers see the kernel create and remove stats files", "[provision]") {
  TempCgroup base;
  cgprov::UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  REQUIRE(watch.get() >= 0);
  REQUIRE(::inotify_add_watch(watch.get(), kLayout.stats().c_str(), IN_CREATE | IN_DELETE) >= 0);
  const std::string child = base.path() + "/watched";
  REQUIRE(::mkdir(child.c_str(), 0755) == 0);
  const std::string name = std::to_string(cgroup_id(child));
  CHECK(saw_event(watch.get(), IN_CREATE, name));
  REQUIRE(::rmdir(child.c_str()) == 0);
  CHECK(saw_event(watch.get(), IN_DELETE, name));
}

TEST_CASE("stats file disappears when its cgroup is removed", "[provision]") {
  TempCgroup base;
  const std::string child = base.path() + "/gone";
  REQUIRE(::mkdir(child.c_str(), 0755) == 0);
  const std::string file = kLayout.stats_file(cgroup_id(child));
  REQUIRE(::access(file.c_str(), F_OK) == 0);
  REQUIRE(::rmdir(child.c_str()) == 0);
  CHECK(::access(file.c_str(), F_OK) != 0);
}

TEST_CASE("run-queue delays add up the hierarchy, also after a child is removed", "[provision]") {
  TempCgroup base;
  const std::string a = base.path() + "/a", b = a + "/b", c = b + "/c";
  for (const auto &dir : {a, b, c}) REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
  const std::string count = "runq_delay_count", total = "runq_delay_total_ns";

  auto a0 = stats_of(a), b0 = stats_of(b), c0 = stats_of(c);
  for (const auto *s : {&a0, &b0, &c0}) CHECK(s->at(count) == 0);
  sleep_wake_in(c, 50);
  auto a1 = stats_of(a), b1 = stats_of(b), c1 = stats_of(c);
  CHECK(delta(c1, c0, count) >= 50);
  // No check that the waits took time: on an idle guest the scheduler's
  // clock may not advance between a wakeup and the switch (the test VM's
  // clock is coarse), and sched_info counts 0 ns as well. The oracle tests
  // compare non-zero totals with the kernel's.
  CHECK(c1.at("runq_delay_max_ns") <= c1.at(total));
  // b and a have no tasks of their own: exactly c's events.
  CHECK(delta(b1, b0, count) == delta(c1, c0, count));
  CHECK(delta(a1, a0, count) == delta(c1, c0, count));
  CHECK(delta(a1, a0, total) == delta(c1, c0, total));
  CHECK(a1.at("runq_delay_max_ns") >= c1.at("runq_delay_max_ns"));

  sleep_wake_in(a, 30);
  auto a2 = stats_of(a), b2 = stats_of(b), c2 = stats_of(c);
  CHECK(delta(a2, a1, count) >= 30);  // a's own events...
  CHECK(delta(b2, b1, count) == 0);   // ...reach neither child
  CHECK(delta(c2, c1, count) == 0);
  // New cgroups start at zero, so a = a's own events + b's (= c's).
  CHECK(a2.at(count) == b2.at(count) + delta(a2, a1, count));
  CHECK(a2.at(total) == b2.at(total) + delta(a2, a1, total));

  // The histogram counts every event once.
  uint64_t buckets = 0;
  for (const auto &[key, value] : a2)
    if (key.starts_with("runq_delay_log2_ns_")) buckets += value;
  CHECK(buckets == a2.at(count));

  // Events c has that nobody has read yet reach b and a when c is removed.
  sleep_wake_in(c, 40);
  REQUIRE(::rmdir(c.c_str()) == 0);
  auto a3 = stats_of(a), b3 = stats_of(b);
  CHECK(delta(b3, b2, count) >= 40);
  CHECK(delta(a3, a2, count) == delta(b3, b2, count));
  CHECK(delta(a3, a2, total) == delta(b3, b2, total));
  // ...and stay there.
  auto a4 = stats_of(a), b4 = stats_of(b);
  CHECK(b4.at(count) == b3.at(count));
  CHECK(a4.at(count) == a3.at(count));
}

TEST_CASE("1000 cgroups: every file appears and disappears, no dying cgroups remain",
          "[provision]") {
  TempCgroup base;
  constexpr int kCgroups = 1000;
  int missing = 0, left = 0;
  for (int i = 0; i < kCgroups; ++i) {
    const std::string child = base.path() + "/c" + std::to_string(i);
    REQUIRE(::mkdir(child.c_str(), 0755) == 0);
    const std::string file = kLayout.stats_file(cgroup_id(child));
    if (::access(file.c_str(), R_OK)) ++missing;
    REQUIRE(::rmdir(child.c_str()) == 0);
    if (::access(file.c_str(), F_OK) == 0) ++left;
  }
  CHECK(missing == 0);
  CHECK(left == 0);
  // base enables no controller for its children, so only a reference held
  // on a child (a pin that outlived its rmdir) could keep one dying.
  const auto base_dying = [&] {
    return keyed_value(read_file(base.path() + "/cgroup.stat").value_or(""),
                       "nr_dying_descendants");
  };
  long long dying = -1;
  for (int i = 0; i < 300 && (dying = base_dying()) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(dying == 0);
}
