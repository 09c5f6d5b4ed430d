// cgprov link: an unprivileged user's own stats file for a cgroup they own,
// made as that user (OBJ_GET -> LINK_CREATE -> OBJ_PIN) under the policy.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "layout.hpp"
#include "result.hpp"

namespace cgprov {

struct LinkRequest {
  std::string cgroup;  // cgroupfs directory
  int order = 0;       // BPF_CGROUP_ITER_*
  std::string name;    // pinned as <user dir>/<euid>-<name>
};

// Whether `name` can be a pin name: 1-64 of [A-Za-z0-9_-] (bpffs refuses
// dots; slashes would leave the user directory).
bool valid_link_name(const std::string &name);

// `uid` of the caller's user namespace as the parent namespace sees it,
// given /proc/self/uid_map ("inside outside count" lines); nullopt if
// unmapped. In the initial namespace the map is the identity.
std::optional<uid_t> outside_uid(std::string_view uid_map, uid_t uid);

// The pin path for `name` of the calling user: the policy names pins by
// the uid outside a (single level of) user namespace.
Result<std::string> user_pin_path(const Layout &layout, const std::string &name);

// Create and pin the link; returns the pin's path. Errors carry the
// kernel's errno (EPERM: not granted, EDQUOT: quota, EEXIST: name taken).
Result<std::string> link_stats(const Layout &layout, const LinkRequest &request);

}  // namespace cgprov
