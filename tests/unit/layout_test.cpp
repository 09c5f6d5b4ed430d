#include "layout.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("the layout follows the documented contract") {
  cgprov::Layout layout;
  CHECK(layout.root == "/run/cgprov");
  CHECK(layout.stats() == "/run/cgprov/stats");
  CHECK(layout.progs() == "/run/cgprov/progs");
  CHECK(layout.internal() == "/run/cgprov/internal");
  CHECK(layout.user() == "/run/cgprov/user");
  CHECK(layout.slice == "/sys/fs/cgroup/cgprov.slice");
}

TEST_CASE("a cgroup's stats file is named by its id in decimal") {
  cgprov::Layout layout;
  CHECK(layout.stats_file(1) == "/run/cgprov/stats/1");
  CHECK(layout.stats_file(18446744073709551615ULL) == "/run/cgprov/stats/18446744073709551615");
}

TEST_CASE("the root moves the whole layout") {
  cgprov::Layout layout;
  layout.root = "/mnt/cgprov";
  CHECK(layout.stats_file(7) == "/mnt/cgprov/stats/7");
  CHECK(layout.internal() == "/mnt/cgprov/internal");
}

TEST_CASE("the legacy layout is every earlier release's tree in the system's bpffs") {
  cgprov::Layout layout;
  const cgprov::Layout legacy = layout.legacy();
  CHECK(legacy.root == "/sys/fs/bpf/cgprov");
  CHECK(legacy.stats() == "/sys/fs/bpf/cgprov/stats");
  CHECK(legacy.internal() == "/sys/fs/bpf/cgprov/internal");
  CHECK(legacy.user() == "/sys/fs/bpf/cgprov/user");
  CHECK(legacy.cgroupfs == layout.cgroupfs);
}
