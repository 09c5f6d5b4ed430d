#include "cgroup_fs.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("a path outside cgroup2 is refused with a message naming it") {
  auto id = cgprov::cgroup_id_of("/tmp");
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().describe() == "cgroup /tmp: not on a cgroup2 filesystem");
}

TEST_CASE("a missing path is refused with its errno") {
  auto id = cgprov::cgroup_id_of("/nonexistent/cgroup");
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().describe() == "cgroup /nonexistent/cgroup: No such file or directory (ENOENT)");
}
