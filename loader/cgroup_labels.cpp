#include "cgroup_labels.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace cgprov {
namespace {

// Pod UIDs are UUIDs, or for static pods a hash: lowercase hex and dashes.
bool plausible_uid(std::string_view uid) {
  return !uid.empty() && std::all_of(uid.begin(), uid.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
  });
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool is_unit(std::string_view name) {
  constexpr std::array<std::string_view, 5> kSuffixes{".service", ".scope", ".socket", ".mount",
                                                      ".swap"};
  return std::any_of(kSuffixes.begin(), kSuffixes.end(), [&](std::string_view s) {
    return name.size() > s.size() && name.ends_with(s);
  });
}

// The pod UID in a pod's cgroup name, "" if `name` is not one. systemd
// driver: "kubepods[-<qos>]-pod<uid with '_' for '-'>.slice"; cgroupfs
// driver: "pod<uid>" below a "kubepods" component.
std::string pod_uid_of(std::string_view name, bool below_kubepods) {
  if (name.ends_with(".slice") && name.find("kubepods") != std::string_view::npos) {
    name.remove_suffix(std::string_view(".slice").size());
    const size_t pod = name.rfind("-pod");
    if (pod == std::string_view::npos) return "";
    std::string uid(name.substr(pod + 4));
    std::replace(uid.begin(), uid.end(), '_', '-');
    return plausible_uid(uid) ? uid : "";
  }
  if (below_kubepods && name.starts_with("pod") && plausible_uid(name.substr(3)))
    return std::string(name.substr(3));
  return "";
}

// The container id in the cgroup name below a pod: systemd driver
// "<runtime>-<id>.scope" (cri-containerd-, crio-, docker-), cgroupfs driver
// the id itself.
std::string container_id_of(std::string_view name) {
  if (name.ends_with(".scope")) {
    name.remove_suffix(std::string_view(".scope").size());
    const size_t dash = name.rfind('-');
    return dash == std::string_view::npos ? "" : std::string(name.substr(dash + 1));
  }
  return std::string(name);
}

}  // namespace

CgroupLabels parse_cgroup_labels(std::string_view cgroup) {
  CgroupLabels labels;
  labels.cgroup = cgroup.empty() ? "/" : std::string(cgroup);
  const auto parts = components(cgroup);

  for (std::string_view part : parts) {
    if (part.ends_with(".slice") && part.size() > 6) {
      labels.slice = std::string(part);
      continue;
    }
    if (is_unit(part)) labels.unit = std::string(part);
    break;  // the first non-slice component ends systemd's part of the path
  }

  bool below_kubepods = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "kubepods" || parts[i] == "kubepods.slice") below_kubepods = true;
    std::string uid = pod_uid_of(parts[i], below_kubepods);
    if (uid.empty()) continue;
    labels.pod_uid = std::move(uid);
    if (i + 1 < parts.size()) labels.container_id = container_id_of(parts[i + 1]);
    break;
  }
  return labels;
}

}  // namespace cgprov
