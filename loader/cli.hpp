// Command-line parsing (CLI11), separate from running, so it can be tested.
#pragma once

#include <string>
#include <vector>

#include "layout.hpp"
#include "policy_file.hpp"

namespace cgprov {

struct Command {
  enum class Kind { kProbe, kInstall, kUninstall, kStatus, kStat, kLink, kExport };
  Kind kind = Kind::kProbe;
  bool json = false;
  bool verbose = false;
  Layout layout;
  std::string version_tag;                       // install --version-tag
  std::vector<std::string> paths;                // stat PATH...
  std::string policy_path = kDefaultPolicyPath;  // install --policy
  bool policy_required = false;                  // --policy given: the file must exist
  std::string link_cgroup;                       // link --cgroup
  std::string link_order = "self";               // link --order
  std::string link_name;                         // link --name
  std::string export_format = "prometheus";      // export --format (or json with --json)
  std::string export_match;                      // export --match, "" for all
  std::string export_output;                     // export -o, "" for stdout
  bool export_http = false;                      // export --http
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
