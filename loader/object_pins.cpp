#include "object_pins.hpp"

#include <bpf/bpf.h>
#include <stdio.h>

#include <iostream>
#include <memory>

#include "bpf_objects.hpp"
#include "bpffs.hpp"

namespace cgprov {

void warn(const Error &error) { std::cerr << "Warning: " << error.describe() << "\n"; }

Result<void> replace_pin(int fd, const std::string &path, mode_t mode) {
  const std::string tmp = path + "_new";
  if (auto r = unpin(tmp); !r) return r;
  if (auto r = pin_object(fd, tmp, mode); !r) return r;
  if (::rename(tmp.c_str(), path.c_str())) {
    Error error = errno_error("rename " + tmp);
    if (auto r = unpin(tmp); !r) warn(r.error());
    return error;
  }
  return {};
}

Result<void> reuse_pinned_map(bpf_map *map, const std::string &path) {
  if (!path_exists(path)) return {};
  auto fd = open_pinned(path);
  if (!fd) return fd.error();
  if (!map_compatible(fd.value().get(), map))
    return Error{"map " + path +
                     " was made by an incompatible version; 'cgprov uninstall' "
                     "first (this resets the stats)",
                 0};
  if (bpf_map__reuse_fd(map, fd.value().get())) return errno_error("reuse map " + path);
  return {};
}

Result<void> pin_map_if_new(const bpf_map *map, const std::string &path) {
  if (path_exists(path)) return {};
  return pin_object(bpf_map__fd(map), path, kInternalPinMode);
}

Result<ProgInfo> prog_info(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_prog_get_info_by_fd(prog_fd, &info, &len)) return errno_error("read program info");
  return ProgInfo{info.id, info.load_time};
}

namespace {

// Attach `prog` through a link pinned in `dir`, replacing a link pinned
// there by an earlier install: tracing links cannot switch programs (no
// LINK_UPDATE), so the new link is attached first and renamed over the old
// pin, which detaches the old program. While both are attached, an event is
// handled twice; the programs are written so that the second run finds
// nothing left to do (a timestamp already consumed, a pin that exists).
Result<void> attach_or_replace(bpf_program *prog, const std::string &dir) {
  const std::string path = dir + "/" + link_pin_name(prog);
  LinkPtr link(bpf_program__attach(prog));
  if (!link) return errno_error(std::string("attach ") + bpf_program__name(prog));
  if (auto r = replace_pin(bpf_link__fd(link.get()), path, kInternalPinMode); !r) return r;
  bpf_link__disconnect(link.get());  // the pin keeps it attached
  return {};
}

}  // namespace

Result<void> attach_all(bpf_object *obj, const std::string &dir) {
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    if (!attached_by_link(prog)) continue;
    if (auto r = attach_or_replace(prog, dir); !r) return r;
  }
  return {};
}

}  // namespace cgprov
