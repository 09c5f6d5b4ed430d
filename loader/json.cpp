#include "json.hpp"

#include <nlohmann/json.hpp>

namespace cgprov {

std::string json_quote(std::string_view text) {
  // Invalid UTF-8 (a cgroup name is bytes) becomes U+FFFD instead of
  // producing invalid JSON.
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cgprov
