// Labels a cgroup path carries: systemd's slice and unit, Kubernetes' pod
// and container, from the path's components alone (no runtime is asked).
#pragma once

#include <string>
#include <string_view>

namespace cgprov {

struct CgroupLabels {
  std::string cgroup;        // path below the cgroup2 root, "/" for the root
  std::string slice;         // innermost *.slice before the unit, "" if none
  std::string unit;          // first non-slice component that is a systemd unit
  std::string pod_uid;       // Kubernetes pod UID, dashes restored
  std::string container_id;  // container id below the pod
};

// `cgroup` is "/" or "/a/b" (no trailing slash). systemd: the slice is the
// last *.slice component before the first unit (*.service, *.scope,
// *.socket, *.mount, *.swap), as systemd's cg_path_get_unit() reads a path.
// Kubernetes, either cgroup driver:
//   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/cri-containerd-<id>.scope
//   /kubepods/burstable/pod<uid>/<id>
CgroupLabels parse_cgroup_labels(std::string_view cgroup);

}  // namespace cgprov
