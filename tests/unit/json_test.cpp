#include "json.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("JSON strings escape quotes, backslashes and control characters") {
  CHECK(cgprov::json_quote("plain") == "\"plain\"");
  CHECK(cgprov::json_quote("a \"b\" \\c") == "\"a \\\"b\\\" \\\\c\"");
  CHECK(cgprov::json_quote("line\nnext\ttab") == "\"line\\nnext\\ttab\"");
  CHECK(cgprov::json_quote(std::string_view("\x01", 1)) == "\"\\u0001\"");
}
