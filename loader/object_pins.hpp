// Installing BPF objects into bpffs: pins that replace earlier ones
// atomically, maps kept across reinstalls, links pinned per program.
#pragma once

#include <bpf/libbpf.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "result.hpp"

namespace cgprov {

inline constexpr mode_t kPublicDirMode = 0755;
inline constexpr mode_t kInternalDirMode = 0700;
inline constexpr mode_t kInternalPinMode = 0600;
inline constexpr mode_t kPublicProgMode = 0444;
// Anyone may pin there (policy permitting); sticky: only owners remove.
inline constexpr mode_t kUserDirMode = 01733;

void warn(const Error &error);

// Pin `fd` at `path`, replacing what is there atomically (rename over it).
Result<void> replace_pin(int fd, const std::string &path, mode_t mode);

// Use the map pinned at `path`, if any, instead of creating a new one, so
// that its contents survive reinstalls and upgrades.
Result<void> reuse_pinned_map(bpf_map *map, const std::string &path);

Result<void> pin_map_if_new(const bpf_map *map, const std::string &path);

struct ProgInfo {
  uint32_t id = 0;
  uint64_t load_time = 0;  // ns since boot, as the kernel records it
};
Result<ProgInfo> prog_info(int prog_fd);

// Attach every program of `obj` that runs through a link, pinning each link
// in `dir` and replacing links pinned there by an earlier install.
Result<void> attach_all(bpf_object *obj, const std::string &dir);

}  // namespace cgprov
