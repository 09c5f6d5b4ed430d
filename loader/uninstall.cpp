// cgprov uninstall: remove every pin, the install marker first.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "bpf_objects.hpp"
#include "bpffs.hpp"
#include "bpffs_dirs.hpp"
#include "bpffs_mount.hpp"
#include "installer.hpp"
#include "object_pins.hpp"
#include "policy_install.hpp"

namespace cgprov {
namespace {

// Unpin everything in `dir`; returns how many pins it removed.
Result<size_t> clear_dir(const std::string &dir) {
  auto names = list_pins(dir);
  if (!names) return names.error();
  size_t removed = 0;
  for (const auto &name : names.value()) {
    const std::string path = dir + "/" + name;
    if (::unlink(path.c_str()) == 0)
      ++removed;
    else if (errno != ENOENT)
      return errno_error("unpin " + path);
  }
  return removed;
}

// A provisioner program still running when its link was unpinned can pin
// one more file; the link is released asynchronously (RCU, a work item and
// an RCU Tasks Trace grace period). Remove stats files until the directory
// itself can be removed: after that, late pins fail harmlessly.
constexpr auto kStatsRetry = std::chrono::milliseconds(20);
constexpr int kStatsAttempts = 500;  // 10 s

Result<size_t> remove_stats_dir(const std::string &dir) {
  size_t removed = 0;
  for (int attempt = 0; attempt < kStatsAttempts; ++attempt) {
    auto n = clear_dir(dir);
    if (!n) return n.error();
    removed += n.value();
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return removed;
    if (errno != ENOTEMPTY) return errno_error("rmdir " + dir);
    std::this_thread::sleep_for(kStatsRetry);
  }
  return Error{"rmdir " + dir + ": stats files keep appearing", ENOTEMPTY};
}

// The policy's links, opened so that its hooks stay attached while
// everything else goes (an unpinned link with an open fd stays attached),
// with check_bpf_cmd last: released in order, that hook, which refuses
// every bpf() command once the policy is closing, is the last to go.
Result<std::vector<UniqueFd>> hold_policy_links(const Layout &layout) {
  PolicySkel skel(policy_bpf__open());
  if (!skel) return errno_error("open policy BPF object");
  std::vector<UniqueFd> held;
  UniqueFd last;
  bpf_program *prog;
  bpf_object__for_each_program(prog, skel->obj) {
    if (!attached_by_link(prog)) continue;
    const std::string path = layout.internal() + "/" + link_pin_name(prog);
    if (!path_exists(path)) continue;
    auto fd = open_pinned(path);
    if (!fd) return fd.error();
    if (prog == skel->progs.check_bpf_cmd)
      last = std::move(fd.value());
    else
      held.push_back(std::move(fd.value()));
  }
  if (last.valid()) held.push_back(std::move(last));
  return held;
}

Result<size_t> uninstall_tree(const Layout &layout, const BpffsDirs &dirs) {
  size_t removed = 0;
  const std::string internal = layout.internal();
  // Close access first, while every hook is attached: from here on no
  // unprivileged bpf() command succeeds (no new program fd, link or pin).
  auto held = hold_policy_links(layout);
  if (!held) return held.error();
  if (auto r = close_policy(layout); !r) return r.error();
  // And no new program fd even for a privileged opener.
  const std::string dumper = layout.progs() + "/" + pin::kDumperProg;
  if (path_exists(dumper)) {
    if (auto r = unpin(dumper); !r) return r.error();
    ++removed;
  }
  // Not installed from here on; whatever remains is cleaned below or by the
  // next install or uninstall.
  if (path_exists(internal + "/" + pin::kMeta)) {
    if (auto r = unpin(internal + "/" + pin::kMeta); !r) return r.error();
    ++removed;
  }
  // Stop provisioning before removing stats files.
  ProvisionerSkel prov(provisioner_bpf__open());
  if (!prov) return errno_error("open provisioner BPF object");
  for (const bpf_program *p : {prov->progs.provision, prov->progs.unprovision}) {
    const std::string path = internal + "/" + link_pin_name(p);
    if (!path_exists(path)) continue;
    if (auto r = unpin(path); !r) return r.error();
    ++removed;
  }
  auto stats = remove_stats_dir(layout.stats());
  if (!stats) return stats.error();
  removed += stats.value();
  // Users' pins are links of cgprov's iterator: they go with it. Close
  // user/ first, so that no user pins anew while the policy goes away.
  if (dirs.user.valid() && ::fchmod(dirs.user.get(), kInternalDirMode))
    return errno_error("chmod " + layout.user());
  for (const auto &dir : {layout.user(), layout.progs(), internal}) {
    auto n = clear_dir(dir);
    if (!n) return n.error();
    removed += n.value();
  }
  for (const auto &dir : {layout.user(), layout.progs(), internal})
    if (::rmdir(dir.c_str()) && errno != ENOENT) return errno_error("rmdir " + dir);
  // The policy's hooks detach last, check_bpf_cmd after all others.
  for (auto &fd : held.value()) fd.reset();
  return removed;
}

}  // namespace

Result<size_t> uninstall_locked(const Layout &layout) {
  // Nothing here is touched unless it is proven root's (a directory a user
  // made is refused, and nothing is removed).
  auto dirs = open_bpffs_dirs(layout, /*create=*/false);
  if (!dirs) return dirs.error();
  if (!dirs.value().root.valid()) return size_t{0};  // nothing installed
  return uninstall_tree(layout, dirs.value());
}

Result<UniqueFd> lock_legacy(const Layout &layout, int held) {
  const std::string bpffs = std::filesystem::path(layout.legacy_root).parent_path().string();
  if (!on_bpffs(bpffs)) return UniqueFd();  // no system bpffs: no legacy tree
  // A second flock of the same directory would wait for the first.
  struct stat held_st{}, bpffs_st{};
  if (held >= 0 && ::fstat(held, &held_st) == 0 && ::stat(bpffs.c_str(), &bpffs_st) == 0 &&
      held_st.st_dev == bpffs_st.st_dev && held_st.st_ino == bpffs_st.st_ino)
    return UniqueFd();
  return lock_bpffs(bpffs);
}

Result<size_t> remove_legacy(const Layout &layout) {
  std::string foreign;
  auto dirs = open_legacy_dirs(layout, foreign);
  if (!dirs) return dirs.error();
  if (!foreign.empty()) warn(Error{"ignoring " + foreign + " (not made by cgprov)", 0});
  if (!dirs.value().root.valid()) return size_t{0};
  const Layout legacy = layout.legacy();
  auto removed = uninstall_tree(legacy, dirs.value());
  if (!removed) return removed;
  if (::rmdir(legacy.root.c_str()) && errno != ENOENT) return errno_error("rmdir " + legacy.root);
  return removed;
}

Result<size_t> uninstall(const Layout &layout) {
  auto lock = lock_instance(layout.root, /*create=*/false);
  if (!lock) return lock.error();
  size_t removed = 0;
  if (lock.value().valid()) {
    auto n = uninstall_locked(layout);
    if (!n) return n;
    removed += n.value();
    // Every fd in the instance is closed now: nothing left mounted.
    if (auto r = unmount_instance(lock.value().get(), layout.root); !r) return r.error();
  }
  auto legacy_lock = lock_legacy(layout, lock.value().get());
  if (!legacy_lock) return legacy_lock.error();
  auto legacy = remove_legacy(layout);
  if (!legacy) return legacy;
  return removed + legacy.value();
}

}  // namespace cgprov
