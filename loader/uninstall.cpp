// cgprov uninstall: remove every pin, the install marker first.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "bpf_objects.hpp"
#include "bpffs.hpp"
#include "installer.hpp"
#include "object_pins.hpp"

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

}  // namespace

Result<size_t> uninstall_locked(const Layout &layout) {
  size_t removed = 0;
  const std::string internal = layout.internal();
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
  if (::chmod(layout.user().c_str(), kInternalDirMode) && errno != ENOENT)
    return errno_error("chmod " + layout.user());
  for (const auto &dir : {layout.user(), layout.progs(), internal}) {
    auto n = clear_dir(dir);
    if (!n) return n.error();
    removed += n.value();
  }
  for (const auto &dir : {layout.user(), layout.progs(), internal, layout.root()})
    if (::rmdir(dir.c_str()) && errno != ENOENT) return errno_error("rmdir " + dir);
  return removed;
}

Result<size_t> uninstall(const Layout &layout) {
  auto lock = lock_bpffs(layout.bpffs);
  if (!lock) return lock.error();
  return uninstall_locked(layout);
}

}  // namespace cgprov
