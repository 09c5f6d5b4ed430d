#include "json.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("JSON strings escape quotes, backslashes and control characters") {
  CHECK(cgprov::json_quote("plain") == "\"plain\"");
  CHECK(cgprov::json_quote("a \"b\" \\c") == "\"a \\\"b\\\" \\\\c\"");
  CHECK(cgprov::json_quote("line\nnext\ttab") == "\"line\\nnext\\ttab\"");
  CHECK(cgprov::json_quote(std::string_view("\x01", 1)) == "\"\\u0001\"");
}

TEST_CASE("JSON strings keep UTF-8 and replace invalid bytes with U+FFFD") {
  CHECK(cgprov::json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(cgprov::json_quote("a\xff"
                           "b") ==
        "\"a\xef\xbf\xbd"
        "b\"");
  CHECK(cgprov::json_quote("\xc3") == "\"\xef\xbf\xbd\"");  // truncated sequence
}
