// JSON strings for the CLI's hand-assembled --json objects (status,
// install, errors), quoted by nlohmann::json.
#pragma once

#include <string>
#include <string_view>

namespace cgprov {

// `text` as a quoted JSON string, valid UTF-8 (invalid bytes: U+FFFD).
std::string json_quote(std::string_view text);

}  // namespace cgprov
