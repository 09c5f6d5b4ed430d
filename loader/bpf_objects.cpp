#include "bpf_objects.hpp"

#include <bpf/bpf.h>

#include <cstdio>

#include "version.hpp"

namespace cgprov {
namespace {

// FNV-1a, 64 bit: identifies a build of the BPF objects, not a security hash.
uint64_t fnv1a(const void *data, size_t size, uint64_t hash) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  const auto *bytes = static_cast<const unsigned char *>(data);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * kPrime;
  return hash;
}

}  // namespace

std::string bpf_version() {
  constexpr uint64_t kOffsetBasis = 0xcbf29ce484222325ULL;
  size_t size = 0;
  const void *stats = stats_bpf__elf_bytes(&size);
  uint64_t hash = fnv1a(stats, size, kOffsetBasis);
  const void *provisioner = provisioner_bpf__elf_bytes(&size);
  hash = fnv1a(provisioner, size, hash);
  const void *policy = policy_bpf__elf_bytes(&size);
  hash = fnv1a(policy, size, hash);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return std::string(release_version()) + "-" + std::string(hex, 12);
}

std::string link_pin_name(const bpf_program *prog) {
  return std::string("link_") + bpf_program__name(prog);
}

void add_link_pins(bpf_object *obj, const std::string &dir, std::vector<std::string> &pins) {
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    if (attached_by_link(prog)) pins.push_back(dir + "/" + link_pin_name(prog));
  }
}

bool attached_by_link(const bpf_program *prog) {
  switch (bpf_program__type(prog)) {
    case BPF_PROG_TYPE_SYSCALL:
      return false;
    case BPF_PROG_TYPE_TRACING:
      return bpf_program__expected_attach_type(prog) != BPF_TRACE_ITER;
    default:
      return true;
  }
}

bool map_compatible(int pinned_fd, const bpf_map *map) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_map_get_info_by_fd(pinned_fd, &info, &len)) return false;
  return info.type == static_cast<uint32_t>(bpf_map__type(map)) &&
         info.key_size == bpf_map__key_size(map) && info.value_size == bpf_map__value_size(map) &&
         info.max_entries == bpf_map__max_entries(map) && info.map_flags == bpf_map__map_flags(map);
}

}  // namespace cgprov
