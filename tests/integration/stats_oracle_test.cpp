// The stats files against the kernel's own accounting: run-queue delays
// against each task's sched_info (/proc/PID/schedstat), reclaim delays
// against delay accounting (taskstats over generic netlink). Runs after
// `cgprov install` (tests/vm/provision/); tagged [provision][oracle].
#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "layout.hpp"
#include "stats_format.hpp"
#include "taskstats_client.hpp"
#include "unique_fd.hpp"
#include "vm_helpers.hpp"

using namespace cgprov::test;

namespace {

// Delay accounting's reclaim time lies within the episodes; the clocks
// differ (its local clock, the stats file's monotonic clock).
constexpr double kReclaimTolerance = 0.05;
// Run-queue delay: the stats file within 1 % of sched_info's, both ways.
constexpr std::pair<double, double> kRunqTolerance{0.99, 1.01};

// /proc/PID/schedstat: time on CPU, run-queue wait (run_delay), arrivals (pcount).
struct SchedInfo {
  uint64_t run_delay = 0;
  uint64_t pcount = 0;
};

SchedInfo sched_info_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  uint64_t on_cpu = 0;
  SchedInfo info;
  REQUIRE(in >> on_cpu >> info.run_delay >> info.pcount);
  return info;
}

using Clock = std::chrono::steady_clock;

void spin_for(std::chrono::milliseconds how_long) {
  const auto end = Clock::now() + how_long;
  while (Clock::now() < end) {
  }
}

void sleep_wake_for(std::chrono::milliseconds how_long, long nap_ns) {
  const auto end = Clock::now() + how_long;
  struct timespec nap = {0, nap_ns};
  while (Clock::now() < end) ::nanosleep(&nap, nullptr);
}

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(0, sizeof(set), &set)) ::_exit(2);
}

// A workload task, born in the cgroup (clone3 with CLONE_INTO_CGROUP), so
// that every run-queue wait of its life ends there and its sched_info
// (zeroed at fork) is exactly what the cgroup must count. It runs `work`,
// reports that it is done and waits, blocked, to be killed, so that its
// /proc/PID/schedstat can still be read.
struct Task {
  pid_t pid = -1;
  cgprov::UniqueFd from_child;
};

Task start_task(const std::string &cgroup, const std::function<void()> &work) {
  cgprov::UniqueFd cgroup_fd(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(cgroup_fd.valid());
  int to_parent[2];
  REQUIRE(::pipe2(to_parent, O_CLOEXEC) == 0);
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>(cgroup_fd.get());
  Task task;
  task.pid = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof(args)));
  REQUIRE(task.pid >= 0);
  if (task.pid == 0) {
    ::close(to_parent[0]);
    work();
    const char done = 1;
    if (::write(to_parent[1], &done, 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  ::close(to_parent[1]);
  task.from_child.reset(to_parent[0]);
  return task;
}

// /proc/PID/stat's state letter ('R' running or runnable, 'S' sleeping...).
char task_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto comm_end = line.rfind(')');  // the command name may hold spaces
  return comm_end != std::string::npos && comm_end + 2 < line.size() ? line[comm_end + 2] : '?';
}

// Returns once the task has done its work and sleeps in pause(): after
// its report it may still wait on a run queue before it gets there, a
// wait the stats file would count after /proc/PID/schedstat was read.
void wait_done(Task &task) {
  char done = 0;
  REQUIRE(::read(task.from_child.get(), &done, 1) == 1);
  const auto give_up = Clock::now() + std::chrono::seconds(10);
  while (task_state(task.pid) != 'S' && Clock::now() < give_up) ::usleep(1000);
  REQUIRE(task_state(task.pid) == 'S');
}

void reap(Task &task) {
  ::kill(task.pid, SIGKILL);
  ::waitpid(task.pid, nullptr, 0);
}

struct Comparison {
  uint64_t kernel_delay = 0, kernel_count = 0, stats_delay = 0, stats_count = 0;
};

// Runs the tasks to completion in a fresh cgroup and compares what its
// stats file counted with the sum of the tasks' own sched_info.
Comparison run_and_compare(const std::vector<std::function<void()>> &works) {
  TempCgroup cgroup;
  const auto before = stats_of(cgroup.path());
  std::vector<Task> tasks;
  for (const auto &work : works) tasks.push_back(start_task(cgroup.path(), work));
  Comparison c;
  for (auto &task : tasks) {
    wait_done(task);
    // Blocked in pause() from here on: no more waits on a run queue.
  }
  for (auto &task : tasks) {
    const SchedInfo now = sched_info_of(task.pid);
    c.kernel_delay += now.run_delay;
    c.kernel_count += now.pcount;
  }
  const auto after = stats_of(cgroup.path());
  for (auto &task : tasks) reap(task);
  c.stats_delay = after.at("runq_delay_total_ns") - before.at("runq_delay_total_ns");
  c.stats_count = after.at("runq_delay_count") - before.at("runq_delay_count");
  return c;
}

// The stats file's arrivals equal sched_info's, its delay within
// kRunqTolerance of sched_info's.
void check_within_tolerance(const Comparison &c) {
  CAPTURE(c.kernel_delay, c.stats_delay, c.kernel_count, c.stats_count);
  CHECK(static_cast<double>(c.stats_delay) >= kRunqTolerance.first * c.kernel_delay);
  CHECK(static_cast<double>(c.stats_delay) <= kRunqTolerance.second * c.kernel_delay);
  CHECK(c.stats_count == c.kernel_count);
}

void check_agreement(const Comparison &c) {
  CAPTURE(c.kernel_delay, c.stats_delay, c.kernel_count, c.stats_count);
  std::printf("# sched_info run_delay %llu ns over %llu arrivals; stats file %llu ns over %llu\n",
              static_cast<unsigned long long>(c.kernel_delay),
              static_cast<unsigned long long>(c.kernel_count),
              static_cast<unsigned long long>(c.stats_delay),
              static_cast<unsigned long long>(c.stats_count));
  REQUIRE(c.kernel_delay > 0);
  // The collector adds what sched_info_arrive() adds, when it adds it:
  // the same arrivals, and the same nanoseconds in every run seen so far.
  // The stats promise 5 %; 1 % is asserted, and any difference printed.
  if (c.stats_delay != c.kernel_delay)
    std::printf("# the stats file differs from sched_info by %lld ns\n",
                static_cast<long long>(c.stats_delay) - static_cast<long long>(c.kernel_delay));
  check_within_tolerance(c);
}

constexpr std::chrono::milliseconds kRun{1500};

}  // namespace

TEST_CASE("run-queue delay of busy loops sharing a CPU agrees with sched_info",
          "[provision][oracle]") {
  std::vector<std::function<void()>> works(3, [] {
    pin_to_cpu(0);
    spin_for(kRun);
  });
  check_agreement(run_and_compare(works));
}

TEST_CASE("run-queue delay of sleepers beside a CPU hog agrees with sched_info",
          "[provision][oracle]") {
  std::vector<std::function<void()>> works;
  works.emplace_back([] {
    pin_to_cpu(0);
    spin_for(kRun);
  });
  for (int i = 0; i < 4; ++i)
    works.emplace_back([] {
      pin_to_cpu(0);
      sleep_wake_for(kRun, 500000);  // 0.5 ms naps
    });
  check_agreement(run_and_compare(works));
}

TEST_CASE("run-queue delay of unpinned tasks that migrate agrees with sched_info",
          "[provision][oracle]") {
  std::vector<std::function<void()>> works;
  for (int i = 0; i < 4; ++i) works.emplace_back([] { spin_for(kRun); });
  for (int i = 0; i < 2; ++i) works.emplace_back([] { sleep_wake_for(kRun, 200000); });
  check_agreement(run_and_compare(works));
}

TEST_CASE("run-queue delay of a pipe ping-pong across CPUs agrees with sched_info",
          "[provision][oracle]") {
  int ping[2], pong[2];
  REQUIRE(::pipe(ping) == 0);
  REQUIRE(::pipe(pong) == 0);
  constexpr int kRounds = 3000;
  std::vector<std::function<void()>> works;
  works.emplace_back([&] {
    pin_to_cpu(0);
    char b = 0;
    for (int i = 0; i < kRounds; ++i)
      if (::write(ping[1], &b, 1) != 1 || ::read(pong[0], &b, 1) != 1) ::_exit(3);
  });
  works.emplace_back([&] {
    pin_to_cpu(1);
    char b = 0;
    for (int i = 0; i < kRounds; ++i)
      if (::read(ping[0], &b, 1) != 1 || ::write(pong[1], &b, 1) != 1) ::_exit(3);
  });
  // A hog on each CPU, so that every wakeup waits.
  for (int cpu = 0; cpu < 2; ++cpu)
    works.emplace_back([cpu] {
      pin_to_cpu(cpu);
      spin_for(kRun);
    });
  const Comparison c = run_and_compare(works);
  for (int fd : {ping[0], ping[1], pong[0], pong[1]}) ::close(fd);
  check_agreement(c);
}

// Child cgroups of `parent`, removed (their tasks reaped first) on
// destruction.
struct ChildCgroups {
  std::vector<std::string> paths;
  ChildCgroups(const std::string &parent, int count) {
    for (int i = 0; i < count; ++i) {
      paths.push_back(parent + "/c" + std::to_string(i));
      REQUIRE(::mkdir(paths.back().c_str(), 0755) == 0);
    }
  }
  ~ChildCgroups() {
    for (const auto &path : paths) ::rmdir(path.c_str());
  }
};

// Whether `cgroup` has an entry in the cgroup storage map `map_fd`.
bool has_storage(int map_fd, const std::string &cgroup) {
  cgprov::UniqueFd cgroup_fd(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(cgroup_fd.valid());
  std::vector<char> value(4096);  // larger than any stats value
  const int key = cgroup_fd.get();
  return bpf_map_lookup_elem(map_fd, &key, value.data()) == 0;
}

// More cgroups with events on one CPU than its slot cache has slots (32):
// the events that find every slot of their set taken go to their cgroup's
// pending counters, and still agree with sched_info, cgroup by cgroup and
// in the parent.
TEST_CASE("run-queue delays of more cgroups on a CPU than it has slots agree with sched_info",
          "[provision][oracle]") {
  constexpr int kCgroups = 64;  // twice the slots: by pigeonhole, sets overflow
  TempCgroup parent;
  const auto parent_before = stats_of(parent.path());
  Comparison sum;
  size_t with_pending = 0;
  {
    ChildCgroups children(parent.path(), kCgroups);
    std::vector<std::map<std::string, uint64_t>> before;
    for (const auto &child : children.paths) before.push_back(stats_of(child));
    std::vector<Task> tasks;
    for (const auto &child : children.paths)
      tasks.push_back(start_task(child, [] {
        pin_to_cpu(0);
        sleep_wake_for(std::chrono::milliseconds(600), 200000);  // 0.2 ms naps
      }));
    // A hog on the same CPU, so that every wakeup waits.
    tasks.push_back(start_task(children.paths[0], [] {
      pin_to_cpu(0);
      spin_for(std::chrono::milliseconds(600));
    }));
    for (auto &task : tasks) wait_done(task);
    std::vector<Comparison> per_child(kCgroups);
    for (size_t t = 0; t < tasks.size(); ++t) {
      const SchedInfo info = sched_info_of(tasks[t].pid);
      Comparison &c = per_child[t < static_cast<size_t>(kCgroups) ? t : 0];
      c.kernel_delay += info.run_delay;
      c.kernel_count += info.pcount;
    }
    const std::string pending_map = cgprov::Layout{}.internal() + "/" + cgprov::pin::kPendingMap;
    cgprov::UniqueFd pending_fd(bpf_obj_get(pending_map.c_str()));
    REQUIRE(pending_fd.valid());
    for (int i = 0; i < kCgroups; ++i) {
      const std::string &child = children.paths[i];
      with_pending += has_storage(pending_fd.get(), child);
      const auto after = stats_of(child);
      Comparison &c = per_child[i];
      c.stats_delay = after.at("runq_delay_total_ns") - before[i].at("runq_delay_total_ns");
      c.stats_count = after.at("runq_delay_count") - before[i].at("runq_delay_count");
      CAPTURE(child);
      check_within_tolerance(c);
      sum.kernel_delay += c.kernel_delay;
      sum.kernel_count += c.kernel_count;
    }
    // Read before the tasks are killed (their exits wait on the run queue).
    const auto parent_after = stats_of(parent.path());
    sum.stats_delay =
        parent_after.at("runq_delay_total_ns") - parent_before.at("runq_delay_total_ns");
    sum.stats_count = parent_after.at("runq_delay_count") - parent_before.at("runq_delay_count");
    for (auto &task : tasks) reap(task);
  }
  std::printf("# %zu of %d cgroups needed pending counters\n", with_pending, kCgroups);
  CHECK(with_pending > 0);
  check_agreement(sum);
}

// Anonymous memory of `bytes`, touched page by page.
void touch_anon(size_t bytes) {
  auto *mem = static_cast<char *>(
      ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (mem == MAP_FAILED) ::_exit(4);
  for (size_t i = 0; i < bytes; i += 4096) mem[i] = 1;
}

void set_oom_score_adj(int adj) { std::ofstream("/proc/self/oom_score_adj") << adj << "\n"; }

TEST_CASE("reclaim delay agrees with delay accounting's reclaim delay", "[provision][oracle]") {
  TaskstatsClient taskstats;
  REQUIRE(taskstats.ok());
  // Delay accounting counts only tasks forked while it is on.
  REQUIRE(write_file("/proc/sys/kernel/task_delayacct", "1\n"));
  REQUIRE(write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory\n"));
  TempCgroup parent;
  REQUIRE(write_file(parent.path() + "/cgroup.subtree_control", "+memory"));
  const std::string limited = parent.path() + "/limited";
  REQUIRE(::mkdir(limited.c_str(), 0755) == 0);
  REQUIRE(write_file(limited + "/memory.max", "16M"));
  const auto before = stats_of(limited);

  // Without swap nothing here can be reclaimed: the measured task's
  // charges beyond the limit reclaim in vain until the OOM killer takes
  // the victim, which asks to be chosen; the measured task refuses to be,
  // and lives on to be asked for its numbers.
  Task victim = start_task(limited, [] {
    set_oom_score_adj(1000);
    touch_anon(12 << 20);
  });
  wait_done(victim);
  Task task = start_task(limited, [] {
    // Delay accounting reads the CPU's local clock at both ends; on one
    // CPU the two ends read the same clock.
    pin_to_cpu(0);
    set_oom_score_adj(-1000);
    touch_anon(8 << 20);
  });
  wait_done(task);
  auto delays = taskstats.reclaim_of(task.pid);
  const auto after = stats_of(limited);
  reap(task);
  reap(victim);
  CHECK(write_file("/proc/sys/kernel/task_delayacct", "0"));
  REQUIRE(::rmdir(limited.c_str()) == 0);

  REQUIRE(delays.has_value());
  const uint64_t stats_delay =
      after.at("reclaim_delay_total_ns") - before.at("reclaim_delay_total_ns");
  const uint64_t stats_count = after.at("reclaim_delay_count") - before.at("reclaim_delay_count");
  CAPTURE(delays->count, delays->delay_ns, stats_count, stats_delay);
  std::printf("# delay accounting: %llu reclaims, %llu ns; stats file: %llu, %llu ns\n",
              static_cast<unsigned long long>(delays->count),
              static_cast<unsigned long long>(delays->delay_ns),
              static_cast<unsigned long long>(stats_count),
              static_cast<unsigned long long>(stats_delay));
  REQUIRE(delays->count > 0);
  // An episode is one reclaim call (the memcg_reclaim tracepoints around
  // do_try_to_free_pages()); delay accounting counts its passes, one, or
  // two when a pass that reclaimed nothing is retried over the whole
  // cgroup tree (memcg_full_walk). The victim never reclaimed (it fit), so
  // the cgroup's episodes are the measured task's.
  CHECK(stats_count <= delays->count);
  CHECK(delays->count <= 2 * stats_count);
  // The time of those passes is all in the episodes. The episodes also
  // hold what lies between the passes and the tracepoints, and each side
  // reads its own clock: usually 1 to 8 % more here, but once 80 % more in
  // the TCG test VM, so only the lower bound is checked.
  CHECK(stats_delay >= delays->delay_ns * (1 - kReclaimTolerance));
}
