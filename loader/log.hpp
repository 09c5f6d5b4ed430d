// Diagnostics: libbpf's log through one callback (debug lines only with -v),
// and the CLI's error/hint lines.
#pragma once

#include <string>

namespace cgprov {

// Route libbpf's messages to stderr; debug messages only when verbose.
void init_libbpf_log(bool verbose);

}  // namespace cgprov
