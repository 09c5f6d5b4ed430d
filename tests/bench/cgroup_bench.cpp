// Micro-benchmarks run inside the VM by scripts/bench-guest.sh:
//   cgprov-bench churn DIR N           mkdir+rmdir of N cgroups under DIR: mean ns/op
//   cgprov-bench latency DIR N THREADS  N mkdir, stat of the stats file, rmdir per
//                                       thread, THREADS threads at once: prints
//                                       "mkdir_p50 mkdir_p99 rmdir_p50 rmdir_p99
//                                       present_percent creations_per_s"
//   cgprov-bench read FILE N           N open+read+close of FILE: mean ns/op
//   cgprov-bench pingpong CPU CPU N    N round trips of one byte over two pipes
//                                       between tasks pinned to the two CPUs: mean
//                                       ns per round trip
#include <fcntl.h>
#include <sched.h>
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
void make_and_remove(const std::string &dir, int thread, long n, Samples &out) {
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
      const std::string file = "/run/cgprov/stats/" + std::to_string(st.st_ino);
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

int latency(const std::string &dir, long n, int threads) {
  std::vector<Samples> samples(threads);
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t)
    workers.emplace_back(make_and_remove, dir, t, n, std::ref(samples[t]));
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
               "usage: %s churn DIR N | latency DIR N THREADS | read FILE N | "
               "pingpong CPU CPU N\n",
               self);
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 4) return usage(argv[0]);
  const std::string what = argv[1];
  if (what == "churn" && argc == 4 && std::atol(argv[3]) > 0)
    return churn(argv[2], std::atol(argv[3]));
  if (what == "latency" && argc == 5 && std::atol(argv[3]) > 0 && std::atoi(argv[4]) > 0)
    return latency(argv[2], std::atol(argv[3]), std::atoi(argv[4]));
  if (what == "read" && argc == 4 && std::atol(argv[3]) > 0)
    return read_file(argv[2], std::atol(argv[3]));
  if (what == "pingpong" && argc == 5 && std::atol(argv[4]) > 0)
    return pingpong(std::atoi(argv[2]), std::atoi(argv[3]), std::atol(argv[4]));
  return usage(argv[0]);
}
