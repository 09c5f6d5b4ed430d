#include "cgroup_labels.hpp"

#include <catch2/catch_test_macros.hpp>

using cgprov::parse_cgroup_labels;

TEST_CASE("the root cgroup is labelled / and carries nothing else") {
  auto l = parse_cgroup_labels("/");
  CHECK(l.cgroup == "/");
  CHECK(l.slice.empty());
  CHECK(l.unit.empty());
  CHECK(l.pod_uid.empty());
  CHECK(l.container_id.empty());
}

TEST_CASE("systemd paths give the innermost slice and the first unit") {
  auto service = parse_cgroup_labels("/system.slice/ssh.service");
  CHECK(service.cgroup == "/system.slice/ssh.service");
  CHECK(service.slice == "system.slice");
  CHECK(service.unit == "ssh.service");

  // Below the user manager: the unit is user@1000.service, as systemd's
  // cg_path_get_unit() reads it; deeper slices and scopes do not count.
  auto user =
      parse_cgroup_labels("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope");
  CHECK(user.slice == "user-1000.slice");
  CHECK(user.unit == "user@1000.service");

  auto scope = parse_cgroup_labels("/user.slice/user-1000.slice/session-3.scope");
  CHECK(scope.unit == "session-3.scope");

  auto slice_only = parse_cgroup_labels("/machine.slice");
  CHECK(slice_only.slice == "machine.slice");
  CHECK(slice_only.unit.empty());

  auto sub = parse_cgroup_labels("/system.slice/docker.service/inner");
  CHECK(sub.unit == "docker.service");

  auto plain = parse_cgroup_labels("/workload/a");
  CHECK(plain.slice.empty());
  CHECK(plain.unit.empty());
  CHECK(parse_cgroup_labels("/.slice").slice.empty());
  CHECK(parse_cgroup_labels("/x/.service").unit.empty());
}

TEST_CASE("kubepods under the systemd cgroup driver give pod UID and container id") {
  const std::string id = "4f9c1e0b7d2a3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";
  auto burstable = parse_cgroup_labels(
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-containerd-" +
      id + ".scope");
  CHECK(burstable.pod_uid == "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  CHECK(burstable.container_id == id);
  CHECK(burstable.slice == "kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice");
  CHECK(burstable.unit == "cri-containerd-" + id + ".scope");

  auto guaranteed = parse_cgroup_labels(
      "/kubepods.slice/kubepods-pod11112222_3333_4444_5555_666677778888.slice/crio-" + id +
      ".scope");
  CHECK(guaranteed.pod_uid == "11112222-3333-4444-5555-666677778888");
  CHECK(guaranteed.container_id == id);

  auto pod_only = parse_cgroup_labels(
      "/kubepods.slice/kubepods-besteffort.slice/"
      "kubepods-besteffort-pod11112222_3333_4444_5555_666677778888.slice");
  CHECK(pod_only.pod_uid == "11112222-3333-4444-5555-666677778888");
  CHECK(pod_only.container_id.empty());

  auto qos_only = parse_cgroup_labels("/kubepods.slice/kubepods-burstable.slice");
  CHECK(qos_only.pod_uid.empty());
}

TEST_CASE("kubepods under the cgroupfs driver give pod UID and container id") {
  auto burstable = parse_cgroup_labels(
      "/kubepods/burstable/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/abc123def456");
  CHECK(burstable.pod_uid == "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  CHECK(burstable.container_id == "abc123def456");
  CHECK(burstable.slice.empty());
  CHECK(burstable.unit.empty());

  auto guaranteed = parse_cgroup_labels("/kubepods/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/c0ffee");
  CHECK(guaranteed.pod_uid == "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  CHECK(guaranteed.container_id == "c0ffee");

  // "pod..." outside kubepods, or not hex, is not a pod.
  CHECK(parse_cgroup_labels("/pod0a1b2c3d/c0ffee").pod_uid.empty());
  CHECK(parse_cgroup_labels("/kubepods/podman/x").pod_uid.empty());
}
