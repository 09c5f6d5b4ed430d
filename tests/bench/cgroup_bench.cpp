// Micro-benchmarks run inside the VM by scripts/bench-guest.sh:
//   cgprov-bench churn DIR N    mkdir+rmdir of N cgroups under DIR, ns/op
//   cgprov-bench read FILE N    N open+read+close of FILE, ns/op
// Prints one number: the mean nanoseconds per operation.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

int churn(const std::string &dir, long n) {
  const std::string child = dir + "/bench";
  auto start = Clock::now();
  for (long i = 0; i < n; ++i) {
    if (::mkdir(child.c_str(), 0755) || ::rmdir(child.c_str())) {
      std::perror(child.c_str());
      return 1;
    }
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  std::printf("%lld\n", static_cast<long long>(ns / n));
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
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  std::printf("%lld\n", static_cast<long long>(ns / n));
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4 || std::atol(argv[3]) <= 0) {
    std::fprintf(stderr, "usage: %s churn DIR N | read FILE N\n", argv[0]);
    return 2;
  }
  const std::string what = argv[1];
  if (what == "churn") return churn(argv[2], std::atol(argv[3]));
  if (what == "read") return read_file(argv[2], std::atol(argv[3]));
  std::fprintf(stderr, "unknown benchmark '%s'\n", argv[1]);
  return 2;
}
