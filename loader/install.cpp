// cgprov install: load, attach and pin everything, backfill existing
// cgroups, and record the version last.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "bpf_objects.hpp"
#include "bpffs.hpp"
#include "bpffs_dirs.hpp"
#include "bpffs_mount.hpp"
#include "cgroup_fs.hpp"
#include "installer.hpp"
#include "meta.hpp"
#include "object_pins.hpp"
#include "pins.hpp"
#include "policy_install.hpp"
#include "stats_carry.hpp"

namespace cgprov {
namespace {

// Unpin links of programs this version no longer has (an upgrade that
// renamed or dropped one), so that no stale program stays attached.
Result<void> unpin_stale_links(const Layout &layout) {
  auto expected = expected_pins(layout);
  if (!expected) return expected.error();
  auto names = list_pins(layout.internal());
  if (!names) return names.error();
  for (const auto &name : names.value()) {
    const std::string path = layout.internal() + "/" + name;
    if (!name.starts_with("link_")) continue;
    if (std::find(expected.value().begin(), expected.value().end(), path) != expected.value().end())
      continue;
    if (auto r = unpin(path); !r) return r;
  }
  return {};
}

// Earlier releases made a stats file its cgroup's owner's: make it root's
// and read-only, as the provisioner makes new ones, so that its former
// owner can neither chmod it nor give it a second name.
Result<void> make_root_owned(const std::string &path) {
  struct stat st{};
  if (::fstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW)) {
    if (errno == ENOENT) return {};  // its cgroup was removed meanwhile
    return errno_error("stat stats file " + path);
  }
  constexpr uid_t owner = CGPROV_STATS_FILE_OWNER;
  if (st.st_uid != owner || st.st_gid != owner) {
    if (::fchownat(AT_FDCWD, path.c_str(), owner, owner, AT_SYMLINK_NOFOLLOW) && errno != ENOENT)
      return errno_error("chown stats file " + path + " to root");
  }
  if ((st.st_mode & 07777) != CGPROV_STATS_FILE_MODE) {
    if (::fchmodat(AT_FDCWD, path.c_str(), CGPROV_STATS_FILE_MODE, 0) && errno != ENOENT)
      return errno_error("chmod stats file " + path);
  }
  return {};
}

// Switch stats files that run another dumper to `dumper_fd`, keeping the
// files (and the cgroups' numbers, which live in the reused maps), and make
// each root's.
Result<size_t> update_stats_files(const Layout &layout, int dumper_fd) {
  auto names = list_pins(layout.stats());
  if (!names) return names.error();
  auto dumper = prog_info(dumper_fd);
  if (!dumper) return dumper.error();
  size_t updated = 0;
  for (const auto &name : names.value()) {
    const std::string path = layout.stats() + "/" + name;
    if (auto r = make_root_owned(path); !r) return r.error();
    auto fd = open_pinned(path);
    if (!fd) {
      if (fd.error().errnum == ENOENT) continue;  // its cgroup was removed meanwhile
      return fd.error();
    }
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    if (bpf_link_get_info_by_fd(fd.value().get(), &info, &len))
      return errno_error("read link info of " + path);
    if (info.type != BPF_LINK_TYPE_ITER)
      return Error{"stats file " + path + " is not an iterator link", 0};
    if (info.prog_id == dumper.value().id) continue;
    if (bpf_link_update(fd.value().get(), dumper_fd, nullptr))
      return errno_error("update stats file " + path);
    ++updated;
  }
  return updated;
}

// Runs the syscall program `prog_fd` once with `args` as its context, which
// the program writes its results back into.
template <typename Args>
Result<void> run_syscall_prog(int prog_fd, Args &args, const std::string &what) {
  LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &args, .ctx_size_in = sizeof(args));
  if (bpf_prog_test_run_opts(prog_fd, &run)) return errno_error("run " + what);
  return {};
}

// The provisioner pins into the stats directory that the kernel holds from
// here on (its mount and dentry, as open here): nothing resolves a path
// inside mkdir or rmdir.
Result<void> hold_stats_dir(int hold_fd, int dir_fd, const std::string &path) {
  cgprov_hold_dir_args args{};
  args.dir_fd = dir_fd;
  if (auto r = run_syscall_prog(hold_fd, args, "hold_stats_dir for " + path); !r) return r;
  if (args.ret) return Error{"hold stats directory " + path, -args.ret};
  return {};
}

// Give every cgroup its stats file. A cgroup the walk cannot reach, or
// whose file cannot be made, is counted in the report with the reason and
// skipped: one user's cgroups never stop the install for everyone.
Result<void> backfill(const Layout &layout, int backfill_fd, InstallReport &report) {
  auto walk = walk_cgroups(layout.cgroupfs);
  if (!walk) return walk.error();
  for (const auto &[reason, count] : walk.value().skipped) report.skipped[reason] += count;
  for (const auto &cgroup : walk.value().cgroups) {
    cgprov_backfill_args args{};
    args.cgroup_id = cgroup.id;
    if (auto r = run_syscall_prog(backfill_fd, args, "backfill for " + cgroup.path); !r) return r;
    if (args.ret == 0)
      ++report.backfilled;
    else if (args.ret == -EEXIST)
      ++report.kept;
    else if (args.ret != -ENOENT)  // -ENOENT: removed meanwhile
      ++report.skipped["stats file: " + Error{"", -args.ret}.describe().substr(2)];
  }
  return {};
}

// Backfill, then switch files that an older provisioner, still finishing
// after its link was replaced, may have pinned meanwhile.
Result<void> provision_existing(const Layout &layout, int backfill_fd, int dumper_fd,
                                InstallReport &report) {
  if (auto r = backfill(layout, backfill_fd, report); !r) return r;
  auto updated = update_stats_files(layout, dumper_fd);
  if (!updated) return updated.error();
  report.updated_files += updated.value();
  return {};
}

// Policy first, then what it governs: user/ and the published iterator.
Result<void> publish(const Layout &layout, const BpffsDirs &dirs, const Policy &policy,
                     int dumper_fd) {
  if (auto r = install_policy(layout, policy, dumper_fd, dirs.user.get()); !r) return r;
  if (::fchmod(dirs.user.get(), kUserDirMode)) return errno_error("chmod " + layout.user());
  return replace_pin(dumper_fd, layout.progs() + "/" + pin::kDumperProg, kPublicProgMode);
}

// Where the map pinned as `name` that this install reuses is: in the tree,
// else, for an install moving a legacy tree, in that tree. A legacy
// install's maps are reused, not copied: the new programs then write the
// very maps the legacy programs write until the legacy tree is removed,
// so no event between a copy and the switch is lost, and the task storage
// (task_times), which user space could only copy task by task, needs no
// copy at all.
std::string reused_pin(const Layout &layout, const Layout *legacy, const char *name) {
  const std::string own = layout.internal() + "/" + name;
  if (!legacy || path_exists(own)) return own;
  return legacy->internal() + "/" + name;
}

Result<void> install_all(const InstallOptions &options, const BpffsDirs &dirs, const Layout *legacy,
                         InstallReport &report) {
  const Layout &layout = options.layout;
  const std::string internal = layout.internal();

  StatsSkel stats(stats_bpf__open());
  if (!stats) return errno_error("open stats BPF object");
  const std::pair<bpf_map *, const char *> stats_maps[] = {
      {stats->maps.cgroup_stats, pin::kStatsMap},
      {stats->maps.cgroup_pending, pin::kPendingMap},
      {stats->maps.task_times, pin::kTaskTimesMap},
      {stats->maps.slots, pin::kSlotsMap},
  };
  // An install of an earlier stats layout, in this tree or in the legacy
  // tree being moved: its totals are carried over. The new map is pinned
  // only once its programs run, so a killed install carries again into a
  // fresh map.
  std::vector<const Layout *> old_trees{&layout};
  if (legacy) old_trees.push_back(legacy);
  auto old_stats = open_old_stats(old_trees);
  if (!old_stats) return old_stats.error();
  const OldStats &old = old_stats.value();
  const bool carry = old.map.valid() && !path_exists(reused_pin(layout, legacy, pin::kStatsMap));
  for (const auto &[map, name] : stats_maps)
    if (auto r = reuse_pinned_map(map, reused_pin(layout, legacy, name)); !r) return r;
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);  // the clock of task_struct::start_time
  stats->rodata->collectors_loaded_ns =
      static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(now.tv_nsec);
  if (stats_bpf__load(stats.get())) return errno_error("load stats BPF programs");
  for (const auto &[map, name] : stats_maps) {
    if (carry && map == stats->maps.cgroup_stats) continue;
    if (auto r = pin_map_if_new(map, internal + "/" + name); !r) return r;
  }
  if (carry) {
    // Before the new programs run: nothing else writes the new map yet.
    // Events between this flush and the attach below are not counted.
    if (auto r = flush_old_stats(old); !r) return r;
    auto carried = carry_old_stats(old, bpf_map__fd(stats->maps.cgroup_stats));
    if (!carried) return carried.error();
    report.carried_cgroups = carried.value();
    report.carried_layout = layout_name(old.layout);
  }
  if (auto r = attach_all(stats->obj, internal); !r) return r;
  if (carry)
    if (auto r = pin_map_if_new(stats->maps.cgroup_stats, internal + "/" + pin::kStatsMap); !r)
      return r;
  // Old maps in this tree go once the new map is pinned; a legacy tree
  // keeps its maps until it is removed, after this install is complete.
  for (StatsLayout old_layout : {StatsLayout::v1, StatsLayout::v2})
    if (auto r = unpin_old_stats(layout, old_layout); !r) return r;

  // Programs first, so that stats files made from here on use this dumper.
  const int dumper_fd = bpf_program__fd(stats->progs.dump);
  if (auto r = publish(layout, dirs, options.policy, dumper_fd); !r) return r;
  auto dumper = prog_info(dumper_fd);
  if (!dumper) return dumper.error();
  ProvisionerSkel prov(provisioner_bpf__open());
  if (!prov) return errno_error("open provisioner BPF object");
  prov->rodata->dumper_prog_id = dumper.value().id;
  // libbpf 1.4 has no tp_btf.s section: ask for sleepable programs by flag.
  for (bpf_program *p : {prov->progs.provision, prov->progs.unprovision})
    if (bpf_program__set_flags(p, bpf_program__flags(p) | BPF_F_SLEEPABLE))
      return errno_error(std::string("set sleepable on ") + bpf_program__name(p));
  if (auto r = reuse_pinned_map(prov->maps.provision_status,
                                reused_pin(layout, legacy, pin::kStatusMap));
      !r)
    return r;
  // One stats map: the provisioner creates each cgroup's entry at birth.
  if (bpf_map__reuse_fd(prov->maps.cgroup_stats, bpf_map__fd(stats->maps.cgroup_stats)))
    return errno_error("share the stats map with the provisioner");
  if (provisioner_bpf__load(prov.get())) return errno_error("load provisioner BPF programs");
  if (auto r = pin_map_if_new(prov->maps.provision_status, internal + "/" + pin::kStatusMap); !r)
    return r;

  if (auto r = hold_stats_dir(bpf_program__fd(prov->progs.hold_stats_dir), dirs.stats.get(),
                              layout.stats());
      !r)
    return r;

  const int backfill_fd = bpf_program__fd(prov->progs.backfill);
  if (auto r = replace_pin(backfill_fd, internal + "/" + pin::kBackfillProg, kInternalPinMode); !r)
    return r;
  if (auto r = attach_all(prov->obj, internal); !r) return r;
  if (auto r = unpin_stale_links(layout); !r) return r;

  if (auto r = provision_existing(layout, backfill_fd, dumper_fd, report); !r) return r;
  return write_meta(layout, options.version);
}

// The already-installed path: same version, complete.
Result<void> reprovision(const Layout &layout, const BpffsDirs &dirs, const Policy &policy,
                         InstallReport &report) {
  auto backfill_fd = open_pinned(layout.internal() + "/" + pin::kBackfillProg);
  if (!backfill_fd) return backfill_fd.error();
  auto dumper_fd = open_pinned(layout.progs() + "/" + pin::kDumperProg);
  if (!dumper_fd) return dumper_fd.error();
  if (auto r = apply_policy(layout, policy, dumper_fd.value().get(), dirs.user.get()); !r) return r;
  if (::fchmod(dirs.user.get(), kUserDirMode)) return errno_error("chmod " + layout.user());
  return provision_existing(layout, backfill_fd.value().get(), dumper_fd.value().get(), report);
}

}  // namespace

Result<InstallReport> install(const InstallOptions &options) {
  const Layout &layout = options.layout;
  auto lock = lock_instance(layout.root, /*create=*/true);
  if (!lock) return lock.error();
  auto legacy_lock = lock_legacy(layout, lock.value().get());
  if (!legacy_lock) return legacy_lock.error();
  // Before anything is mounted or made: a legacy tree that cannot be
  // trusted is refused here, with nothing created or changed.
  std::string foreign;
  auto legacy_dirs = open_legacy_dirs(layout, foreign);
  if (!legacy_dirs) return legacy_dirs.error();
  if (!foreign.empty()) warn(Error{"ignoring " + foreign + " (not made by cgprov)", 0});
  const bool has_legacy = legacy_dirs.value().root.valid();
  legacy_dirs.value() = BpffsDirs{};
  const Layout legacy = layout.legacy();

  auto instance = mount_instance(lock.value().get(), layout.root);
  if (!instance) return instance.error();
  // A directory a user made is refused here, with nothing created or
  // changed.
  auto dirs = open_bpffs_dirs(layout, /*create=*/true);
  // Unmount what this install mounted, once nothing in it is open.
  auto undo_mount = [&] {
    if (dirs) dirs.value() = BpffsDirs{};
    instance.value().root.reset();
    if (!instance.value().mounted_now) return;
    if (auto r = unmount_instance(lock.value().get(), layout.root); !r) warn(r.error());
  };
  if (!dirs) {
    Error error = dirs.error();
    undo_mount();
    return error;
  }
  InstallReport report;
  report.version = options.version;
  auto previous = read_meta(layout);
  // Everything else done: the legacy tree goes, and with it its programs.
  auto finish = [&]() -> Result<InstallReport> {
    if (!has_legacy) return report;
    auto removed = remove_legacy(layout);
    if (!removed)
      return Error{"installed at " + layout.root + ", but the removal of " + layout.legacy_root +
                       " failed (run cgprov install again): " + removed.error().message,
                   removed.error().errnum};
    report.moved_from = layout.legacy_root;
    return report;
  };

  if (previous && *previous == options.version) {
    auto missing = missing_pins(layout);
    if (missing && missing.value().empty()) {
      // Same version, complete: only make sure every cgroup has its file.
      report.kind = InstallReport::Kind::kAlreadyInstalled;
      if (auto r = reprovision(layout, dirs.value(), options.policy, report); !r) return r.error();
      return finish();
    }
  }

  auto internal_pins = list_pins(layout.internal());
  const bool leftovers = !previous && internal_pins && !internal_pins.value().empty();
  auto legacy_version = has_legacy ? read_meta(legacy) : std::nullopt;
  if (previous || legacy_version) {
    report.kind = InstallReport::Kind::kUpgraded;
    report.previous_version = previous ? *previous : *legacy_version;
  } else if (leftovers || has_legacy) {
    report.kind = InstallReport::Kind::kRecovered;
  }

  auto done = install_all(options, dirs.value(), has_legacy ? &legacy : nullptr, report);
  if (!done) {
    // A tree that was empty is emptied again (a legacy tree, untouched,
    // stays installed); an upgrade or a recovery keeps the earlier state,
    // which the next install converges from.
    if (!previous && !leftovers) {
      if (auto r = uninstall_locked(layout); !r) warn(r.error());
      undo_mount();
    }
    return done.error();
  }
  return finish();
}

}  // namespace cgprov
