// cgprov uninstall: remove every pin, the install marker first.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "bpffs.hpp"
#include "installer.hpp"

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

// Time for a provisioner program already running when its link was
// unpinned to finish, so that its pin is seen by the second sweep.
constexpr auto kInFlightGrace = std::chrono::milliseconds(200);

}  // namespace

Result<size_t> uninstall(const Layout &layout) {
  size_t removed = 0;
  const std::string internal = layout.internal();
  // Not installed from here on; whatever remains is cleaned below or by the
  // next install or uninstall.
  if (path_exists(internal + "/" + pin::kMeta)) {
    if (auto r = unpin(internal + "/" + pin::kMeta); !r) return r.error();
    ++removed;
  }
  // Stop provisioning before removing stats files.
  for (const char *name : {"link_provision", "link_unprovision"}) {
    const std::string path = internal + "/" + name;
    if (!path_exists(path)) continue;
    if (auto r = unpin(path); !r) return r.error();
    ++removed;
  }
  for (int sweep = 0; sweep < 2; ++sweep) {
    auto n = clear_dir(layout.stats());
    if (!n) return n.error();
    removed += n.value();
    if (sweep == 0) std::this_thread::sleep_for(kInFlightGrace);
  }
  for (const auto &dir : {layout.progs(), internal}) {
    auto n = clear_dir(dir);
    if (!n) return n.error();
    removed += n.value();
  }
  for (const auto &dir : {layout.stats(), layout.progs(), internal, layout.root()})
    if (::rmdir(dir.c_str()) && errno != ENOENT) return errno_error("rmdir " + dir);
  return removed;
}

}  // namespace cgprov
