// The stats file format: cgroupfs-style flat keyed lines, `key value`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.hpp"

namespace cgprov {

using StatLine = std::pair<std::string, uint64_t>;

// Parse a stats file. Keys are [a-z0-9_]+, values unsigned 64-bit decimal;
// anything else is an error naming the line.
Result<std::vector<StatLine>> parse_stats(std::string_view text);

}  // namespace cgprov
