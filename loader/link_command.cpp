#include "link_command.hpp"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "cgroup_fs.hpp"
#include "unique_fd.hpp"

namespace cgprov {

bool valid_link_name(const std::string &name) {
  constexpr size_t kMaxName = 64;
  return !name.empty() && name.size() <= kMaxName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

std::optional<uid_t> outside_uid(std::string_view uid_map, uid_t uid) {
  std::istringstream lines{std::string(uid_map)};
  unsigned long long inside = 0, outside = 0, count = 0;
  while (lines >> inside >> outside >> count) {
    if (uid >= inside && uid - inside < count) return static_cast<uid_t>(outside + (uid - inside));
  }
  return std::nullopt;
}

Result<std::string> user_pin_path(const Layout &layout, const std::string &name) {
  std::ifstream in("/proc/self/uid_map");
  std::string map((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto uid = outside_uid(map, ::geteuid());
  if (!uid) return Error{"uid " + std::to_string(::geteuid()) + " is not mapped outside", 0};
  return layout.user() + "/" + std::to_string(*uid) + "-" + name;
}

Result<std::string> link_stats(const Layout &layout, const LinkRequest &request) {
  if (!valid_link_name(request.name))
    return Error{"invalid name '" + request.name + "': use 1-64 of A-Z a-z 0-9 _ -", 0};
  const std::string prog_path = layout.progs() + "/" + pin::kDumperProg;
  LIBBPF_OPTS(bpf_obj_get_opts, get_opts, .file_flags = BPF_F_RDONLY);
  UniqueFd prog(bpf_obj_get_opts(prog_path.c_str(), &get_opts));
  if (!prog.valid()) return errno_error("open the stats iterator " + prog_path);

  // Component by component: a user's deep tree may exceed PATH_MAX.
  auto opened = open_path(request.cgroup, O_RDONLY | O_DIRECTORY);
  if (!opened) return Error{"open cgroup " + request.cgroup, opened.error().errnum};
  UniqueFd cgroup = std::move(opened.value());
  union bpf_iter_link_info info{};
  info.cgroup.cgroup_fd = static_cast<uint32_t>(cgroup.get());
  info.cgroup.order = static_cast<bpf_cgroup_iter_order>(request.order);
  LIBBPF_OPTS(bpf_link_create_opts, link_opts, .iter_info = &info, .iter_info_len = sizeof(info));
  UniqueFd link(bpf_link_create(prog.get(), 0, BPF_TRACE_ITER, &link_opts));
  if (!link.valid()) return errno_error("link the stats iterator to " + request.cgroup);

  auto path = user_pin_path(layout, request.name);
  if (!path) return path.error();
  if (bpf_obj_pin(link.get(), path.value().c_str())) return errno_error("pin " + path.value());
  return path;
}

}  // namespace cgprov
