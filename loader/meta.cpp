#include "meta.hpp"

#include <bpf/bpf.h>
#include <stdio.h>

#include <array>
#include <cstring>

#include "bpffs.hpp"

namespace cgprov {

std::optional<std::string> read_meta(const Layout &layout) {
  auto fd = open_pinned(layout.internal() + "/" + pin::kMeta);
  if (!fd) return std::nullopt;
  std::array<char, kMetaVersionSize> value{};
  uint32_t key = 0;
  if (bpf_map_lookup_elem(fd.value().get(), &key, value.data())) return std::nullopt;
  return std::string(value.data(), strnlen(value.data(), value.size()));
}

Result<void> write_meta(const Layout &layout, const std::string &version) {
  if (version.size() >= kMetaVersionSize) return Error{"version '" + version + "' is too long", 0};
  LIBBPF_OPTS(bpf_map_create_opts, opts);
  UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "cgprov_meta", sizeof(uint32_t), kMetaVersionSize,
                             1, &opts));
  if (!fd.valid()) return errno_error("create meta map");
  std::array<char, kMetaVersionSize> value{};
  std::memcpy(value.data(), version.data(), version.size());
  uint32_t key = 0;
  if (bpf_map_update_elem(fd.get(), &key, value.data(), BPF_ANY)) return errno_error("write meta");
  const std::string final_path = layout.internal() + "/" + pin::kMeta;
  const std::string tmp_path = final_path + "_new";
  if (auto r = unpin(tmp_path); !r) return r;
  if (auto r = pin_object(fd.get(), tmp_path, 0600); !r) return r;
  if (::rename(tmp_path.c_str(), final_path.c_str())) {
    Error error = errno_error("rename " + tmp_path);
    if (auto r = unpin(tmp_path); !r) error.message += " (and " + r.error().describe() + ")";
    return error;
  }
  return {};
}

}  // namespace cgprov
