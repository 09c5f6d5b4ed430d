// Minimal JSON string escaping for the CLI's --json output.
#pragma once

#include <string>
#include <string_view>

namespace cgprov {

// `text` as a quoted JSON string.
std::string json_quote(std::string_view text);

}  // namespace cgprov
