#include "stats_format.hpp"

#include <charconv>

namespace cgprov {
namespace {

bool valid_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

Result<std::vector<StatLine>> parse_stats(std::string_view text) {
  std::vector<StatLine> stats;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t end = text.find('\n');
    if (end == std::string_view::npos)
      return Error{"stats line " + std::to_string(line_no) + ": missing newline", 0};
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);

    size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value =
        space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    uint64_t number = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (!valid_key(key) || value.empty() || ec != std::errc{} || ptr != value.data() + value.size())
      return Error{"stats line " + std::to_string(line_no) + ": expected 'key value', got '" +
                       std::string(line) + "'",
                   0};
    stats.emplace_back(std::string(key), number);
  }
  return stats;
}

}  // namespace cgprov
