// The install marker: a one-entry array map pinned as internal/meta holding
// the installed version. It is written last by install and removed first by
// uninstall, so its presence means a complete install.
#pragma once

#include <optional>
#include <string>

#include "layout.hpp"
#include "result.hpp"

namespace cgprov {

inline constexpr size_t kMetaVersionSize = 64;  // bytes of the version string

std::optional<std::string> read_meta(const Layout &layout);

// Replace the marker atomically (pin under a temporary name, then rename).
Result<void> write_meta(const Layout &layout, const std::string &version);

}  // namespace cgprov
