// Replacing a file so that a reader sees the old or the new content whole.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "result.hpp"

namespace cgprov {

// Write `content` to a temporary file in `path`'s directory (".NAME.PID.tmp",
// which node_exporter's *.prom glob never matches), fsync it, give it
// `mode` and rename it over `path`. On failure the temporary is removed and
// `path` is unchanged.
Result<void> replace_file(const std::string &path, std::string_view content, mode_t mode = 0644);

}  // namespace cgprov
