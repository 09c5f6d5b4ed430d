// The pins a complete install has, and which of them are missing.
#pragma once

#include <string>
#include <vector>

#include "layout.hpp"
#include "result.hpp"

namespace cgprov {

// Paths of every pin a complete install makes, stats files aside.
Result<std::vector<std::string>> expected_pins(const Layout &layout);

// The expected pins that do not exist.
Result<std::vector<std::string>> missing_pins(const Layout &layout);

}  // namespace cgprov
