#include "result.hpp"

#include <catch2/catch_test_macros.hpp>

TEST_CASE("errors name the step, the strerror text and the errno name") {
  cgprov::Error error{"pin /run/cgprov/x", EEXIST};
  CHECK(error.describe() == "pin /run/cgprov/x: File exists (EEXIST)");
  CHECK(cgprov::Error{"no errno here", 0}.describe() == "no errno here");
}

TEST_CASE("Result holds a value or an error, never both") {
  cgprov::Result<int> good = 42;
  REQUIRE(good.ok());
  CHECK(good.value() == 42);
  cgprov::Result<int> bad = cgprov::Error{"open x", ENOENT};
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().errnum == ENOENT);
  cgprov::Result<void> done;
  CHECK(done.ok());
  cgprov::Result<void> failed = cgprov::Error{"rmdir y", EBUSY};
  CHECK_FALSE(failed.ok());
}
