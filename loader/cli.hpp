// Command-line parsing (CLI11), separate from running, so it can be tested.
#pragma once

#include <string>
#include <vector>

#include "layout.hpp"

namespace cgprov {

struct Command {
  enum class Kind { kProbe, kInstall, kUninstall, kStatus, kStat };
  Kind kind = Kind::kProbe;
  bool json = false;
  bool verbose = false;
  Layout layout;
  std::string version_tag;         // install --version-tag
  std::vector<std::string> paths;  // stat PATH...
};

// Outcome of parsing: a command to run, or an exit status with what was
// printed already (help: 0, usage error: 2).
struct ParsedArgs {
  bool run = false;
  int exit_status = 0;
  Command command;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

ParsedArgs parse_args(int argc, const char *const *argv);

}  // namespace cgprov
