#include "link_command.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("pins are named by the uid outside the caller's user namespace") {
  CHECK(cgprov::outside_uid("         0          0 4294967295\n", 1000) == 1000u);
  CHECK(cgprov::outside_uid("         0       1000          1\n", 0) == 1000u);
  CHECK(cgprov::outside_uid("0 1000 1\n1 100000 65536\n", 5) == 100004u);
  CHECK_FALSE(cgprov::outside_uid("0 1000 1\n", 1).has_value());
}

TEST_CASE("link names are one bpffs component without dots") {
  CHECK(cgprov::valid_link_name("web-1_a"));
  CHECK_FALSE(cgprov::valid_link_name("a.b"));
  CHECK_FALSE(cgprov::valid_link_name("../x"));
  CHECK_FALSE(cgprov::valid_link_name(""));
  CHECK_FALSE(cgprov::valid_link_name(std::string(65, 'a')));
}
