#include "layout.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("the bpffs layout follows the documented contract") {
  cgprov::Layout layout;
  CHECK(layout.root() == "/sys/fs/bpf/cgprov");
  CHECK(layout.stats() == "/sys/fs/bpf/cgprov/stats");
  CHECK(layout.progs() == "/sys/fs/bpf/cgprov/progs");
  CHECK(layout.internal() == "/sys/fs/bpf/cgprov/internal");
  CHECK(layout.slice == "/sys/fs/cgroup/cgprov.slice");
}

TEST_CASE("a cgroup's stats file is named by its id in decimal") {
  cgprov::Layout layout;
  CHECK(layout.stats_file(1) == "/sys/fs/bpf/cgprov/stats/1");
  CHECK(layout.stats_file(18446744073709551615ULL) ==
        "/sys/fs/bpf/cgprov/stats/18446744073709551615");
}

TEST_CASE("the bpffs mount point moves the whole layout") {
  cgprov::Layout layout;
  layout.bpffs = "/mnt/bpf";
  CHECK(layout.stats_file(7) == "/mnt/bpf/cgprov/stats/7");
}
