#include "stats_format.hpp"

#include <catch2/catch_test_macros.hpp>

using cgprov::parse_stats;
using cgprov::StatLine;

TEST_CASE("stats files parse into key/value lines in file order") {
  auto stats = parse_stats("runq_delay_count 3\nrunq_delay_total_ns 1500\nreclaim_delay_count 0\n");
  REQUIRE(stats.ok());
  CHECK(stats.value() == std::vector<StatLine>{{"runq_delay_count", 3},
                                               {"runq_delay_total_ns", 1500},
                                               {"reclaim_delay_count", 0}});
}

TEST_CASE("an empty stats file (a dead cgroup's) parses as no lines") {
  auto stats = parse_stats("");
  REQUIRE(stats.ok());
  CHECK(stats.value().empty());
}

TEST_CASE("64-bit values parse without loss") {
  auto stats = parse_stats("runq_delay_max_ns 18446744073709551615\n");
  REQUIRE(stats.ok());
  CHECK(stats.value().at(0).second == 18446744073709551615ULL);
}

TEST_CASE("malformed stats lines are errors that name the line") {
  for (const char *text : {"no_value\n", "key 12x\n", "Key 1\n", "key -1\n", "key 1 2\n",
                           " key 1\n", "key 1", "key 18446744073709551616\n"}) {
    auto stats = parse_stats(text);
    INFO("text: " << text);
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().message.starts_with("stats line 1: "));
  }
  auto second = parse_stats("a 1\nb\n");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.starts_with("stats line 2: "));
}
