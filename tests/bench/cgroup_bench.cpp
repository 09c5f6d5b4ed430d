// Micro-benchmarks run inside the VM by scripts/bench-guest.sh:
//   cgprov-bench churn DIR N           mkdir+rmdir of N cgroups under DIR: mean ns/op
//   cgprov-bench latency DIR N THREADS STATS_DIR
//                                      N mkdir, stat of STATS_DIR/<inode>, rmdir per
//                                       thread, THREADS threads at once: prints
//                                       "mkdir_p50 mkdir_p99 rmdir_p50 rmdir_p99
//                                       present_percent creations_per_s"
//   cgprov-bench lag DIR N STATS_DIR   N times: mkdir, wait for STATS_DIR/<inode>,
//                                       rmdir, wait for it to go: prints
//                                       "appear_p50 appear_p99 gone_p50 gone_p99
//                                       missing_percent" (ns after mkdir or rmdir
//                                       returned; 0 if already there or gone;
//                                       missing: not there within a second)
//   cgprov-bench read FILE N           N open+read+close of FILE: mean ns/op
//   cgprov-bench pingpong CPU CPU N    N round trips of one byte over two pipes
//                                       between tasks pinned to the two CPUs: mean
//                                       ns per round trip
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "unique_fd.hpp"

namespace {

using Clock = std::chrono::steady_clock;

long long ns_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

int churn(const std::string &dir, long n) {
  const std::string child = dir + "/bench";
  auto start = Clock::now();
  for (long i = 0; i < n; ++i) {
    if (::mkdir(child.c_str(), 0755) || ::rmdir(child.c_str())) {
      std::perror(child.c_str());
      return 1;
    }
  }
  std::printf("%lld\n", ns_since(start) / n);
  return 0;
}

struct Samples {
  std::vector<long long> mkdir_ns, rmdir_ns;
  long present = 0;
  bool failed = false;
};

// One thread's share of the burst: its own children, made and removed one
// after the other; whether the stats file exists is checked the moment
// mkdir returns.
void make_and_remove(const std::string &dir, const std::string &stats_dir, int thread, long n,
                     Samples &out) {
  out.mkdir_ns.reserve(n);
  out.rmdir_ns.reserve(n);
  for (long i = 0; i < n; ++i) {
    const std::string child = dir + "/t" + std::to_string(thread) + "-" + std::to_string(i);
    auto start = Clock::now();
    if (::mkdir(child.c_str(), 0755)) {
      out.failed = true;
      return;
    }
    out.mkdir_ns.push_back(ns_since(start));
    struct stat st{};
    if (::stat(child.c_str(), &st) == 0) {
      const std::string file = stats_dir + "/" + std::to_string(st.st_ino);
      if (::access(file.c_str(), F_OK) == 0) ++out.present;
    }
    start = Clock::now();
    if (::rmdir(child.c_str())) {
      out.failed = true;
      return;
    }
    out.rmdir_ns.push_back(ns_since(start));
  }
}

long long percentile(std::vector<long long> &v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int latency(const std::string &dir, long n, int threads, const std::string &stats_dir) {
  std::vector<Samples> samples(threads);
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t)
    workers.emplace_back(make_and_remove, dir, stats_dir, t, n, std::ref(samples[t]));
  for (auto &w : workers) w.join();
  const long long elapsed = ns_since(start);
  Samples all;
  for (auto &s : samples) {
    if (s.failed) {
      std::perror(dir.c_str());
      return 1;
    }
    all.mkdir_ns.insert(all.mkdir_ns.end(), s.mkdir_ns.begin(), s.mkdir_ns.end());
    all.rmdir_ns.insert(all.rmdir_ns.end(), s.rmdir_ns.begin(), s.rmdir_ns.end());
    all.present += s.present;
  }
  const long total = n * threads;
  std::printf("%lld %lld %lld %lld %.1f %.0f\n", percentile(all.mkdir_ns, 0.50),
              percentile(all.mkdir_ns, 0.99), percentile(all.rmdir_ns, 0.50),
              percentile(all.rmdir_ns, 0.99), 100.0 * all.present / total, total / (elapsed / 1e9));
  return 0;
}

// Waits until `file` exists (`want_present`) or is gone, using inotify
// events on its directory queued on `inotify_fd`: ns waited, 0 if it already
// was so, -1 if it was not within a second.
long long wait_for(int inotify_fd, const std::string &file, bool want_present) {
  const auto start = Clock::now();
  const auto settled = [&] { return (::access(file.c_str(), F_OK) == 0) == want_present; };
  if (settled()) return 0;
  alignas(inotify_event) char buf[16384];
  while (ns_since(start) < 1'000'000'000) {
    pollfd pfd{inotify_fd, POLLIN, 0};
    if (::poll(&pfd, 1, 100) > 0) {
      while (::read(inotify_fd, buf, sizeof(buf)) > 0) {  // drained: nonblocking
      }
    }
    if (settled()) return ns_since(start);
  }
  return -1;
}

int lag(const std::string &dir, long n, const std::string &stats_dir) {
  const cgprov::UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify.valid() ||
      ::inotify_add_watch(inotify.get(), stats_dir.c_str(), IN_CREATE | IN_DELETE) < 0) {
    std::perror(stats_dir.c_str());
    return 1;
  }
  std::vector<long long> appear, gone;
  long missing = 0;
  const std::string child = dir + "/lag";
  for (long i = 0; i < n; ++i) {
    struct stat st{};
    if (::mkdir(child.c_str(), 0755) || ::stat(child.c_str(), &st)) {
      std::perror(child.c_str());
      return 1;
    }
    const std::string file = stats_dir + "/" + std::to_string(st.st_ino);
    const long long a = wait_for(inotify.get(), file, true);
    if (::rmdir(child.c_str())) {
      std::perror(child.c_str());
      return 1;
    }
    const long long g = wait_for(inotify.get(), file, false);
    if (a < 0 || g < 0) {
      ++missing;
      continue;
    }
    appear.push_back(a);
    gone.push_back(g);
  }
  if (appear.empty()) {
    std::fprintf(stderr, "%s: no stats file appeared and went\n", stats_dir.c_str());
    return 1;
  }
  std::printf("%lld %lld %lld %lld %.1f\n", percentile(appear, 0.50), percentile(appear, 0.99),
              percentile(gone, 0.50), percentile(gone, 0.99), 100.0 * missing / n);
  return 0;
}

int read_file(const std::string &file, long n) {
  char buf[16384];
  auto start = Clock::now();
  for (long i = 0; i < n; ++i) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::perror(file.c_str());
      return 1;
    }
    while (::read(fd, buf, sizeof(buf)) > 0) {
    }
    ::close(fd);
  }
  std::printf("%lld\n", ns_since(start) / n);
  return 0;
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(0, sizeof(set), &set)) {
    std::perror("sched_setaffinity");
    ::_exit(1);
  }
}

int pingpong(int cpu_a, int cpu_b, long n) {
  int ping[2], pong[2];
  if (::pipe(ping) || ::pipe(pong)) {
    std::perror("pipe");
    return 1;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  char byte = 0;
  if (child == 0) {
    pin_to(cpu_b);
    for (long i = 0; i < n; ++i)
      if (::read(ping[0], &byte, 1) != 1 || ::write(pong[1], &byte, 1) != 1) ::_exit(1);
    ::_exit(0);
  }
  pin_to(cpu_a);
  auto start = Clock::now();
  for (long i = 0; i < n; ++i)
    if (::write(ping[1], &byte, 1) != 1 || ::read(pong[0], &byte, 1) != 1) return 1;
  const long long elapsed = ns_since(start);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status)) return 1;
  std::printf("%lld\n", elapsed / n);
  return 0;
}

int usage(const char *self) {
  std::fprintf(stderr,
               "usage: %s churn DIR N | latency DIR N THREADS STATS_DIR | "
               "lag DIR N STATS_DIR | read FILE N | pingpong CPU CPU N\n",
               self);
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 4) return usage(argv[0]);
  const std::string what = argv[1];
  if (what == "churn" && argc == 4 && std::atol(argv[3]) > 0)
    return churn(argv[2], std::atol(argv[3]));
  if (what == "latency" && argc == 6 && std::atol(argv[3]) > 0 && std::atoi(argv[4]) > 0)
    return latency(argv[2], std::atol(argv[3]), std::atoi(argv[4]), argv[5]);
  if (what == "lag" && argc == 5 && std::atol(argv[3]) > 0)
    return lag(argv[2], std::atol(argv[3]), argv[4]);
  if (what == "read" && argc == 4 && std::atol(argv[3]) > 0)
    return read_file(argv[2], std::atol(argv[3]));
  if (what == "pingpong" && argc == 5 && std::atol(argv[4]) > 0)
    return pingpong(std::atoi(argv[2]), std::atoi(argv[3]), std::atol(argv[4]));
  return usage(argv[0]);
}
