// The design cgprov replaces, for comparison in `make bench`: a privileged
// daemon that watches a cgroup tree with inotify and, for each new cgroup,
// creates a cgroup_iter link of the stats program and pins it; when the
// cgroup is removed it unpins the file, which releases the link and the
// cgroup.
//
//   cgprov-pin-daemon WATCH_DIR PROG_PIN PIN_DIR
//
// Watches WATCH_DIR and every directory created below it, pins
// PIN_DIR/<cgroup inode number> (the name cgprov's stats files have), prints
// "ready" once the watch is in place, and runs until SIGTERM or SIGINT; then
// it prints "created N missed N unpinned N overflows N" (missed: cgroups
// already gone when the daemon got to them; overflows: times the inotify
// queue overflowed and events were lost) and exits 0.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "unique_fd.hpp"

namespace {

using cgprov::UniqueFd;

struct Counts {
  long created = 0, missed = 0, unpinned = 0;
  long overflows = 0;  // events the kernel dropped: their cgroups stay unpinned or pinned
};

class PinDaemon {
 public:
  PinDaemon(UniqueFd inotify, UniqueFd prog, std::string pin_dir)
      : inotify_(std::move(inotify)), prog_(std::move(prog)), pin_dir_(std::move(pin_dir)) {}

  // Watches `dir`; false (errno set) if the watch cannot be added.
  bool watch(const std::string &dir) {
    const int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(),
                                       IN_CREATE | IN_DELETE | IN_ONLYDIR | IN_EXCL_UNLINK);
    if (wd < 0) return false;
    dirs_[wd] = dir;
    return true;
  }

  int inotify_fd() const { return inotify_.get(); }

  // Handles the events queued; false on a read error.
  bool handle_events() {
    alignas(inotify_event) char buf[64 * 1024];
    const ssize_t len = ::read(inotify_.get(), buf, sizeof(buf));
    if (len < 0) return errno == EINTR;
    for (ssize_t off = 0; off < len;) {
      const auto *ev = reinterpret_cast<const inotify_event *>(buf + off);
      off += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        ++counts_.overflows;
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        dirs_.erase(ev->wd);
        continue;
      }
      if (!(ev->mask & IN_ISDIR) || ev->len == 0) continue;
      const auto dir = dirs_.find(ev->wd);
      if (dir == dirs_.end()) continue;
      const std::string path = dir->second + "/" + ev->name;
      if (ev->mask & IN_CREATE) provision(path);
      if (ev->mask & IN_DELETE) unprovision(path);
    }
    return true;
  }

  const Counts &counts() const { return counts_; }

 private:
  void provision(const std::string &cgroup) {
    UniqueFd fd(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st{};
    if (!fd.valid() || ::fstat(fd.get(), &st)) {
      ++counts_.missed;  // removed before the daemon got to it
      return;
    }
    // Children appear below it before the watch exists: those are missed
    // too, as they would be in any inotify-based daemon.
    watch(cgroup);
    union bpf_iter_link_info info{};
    info.cgroup.cgroup_fd = fd.get();
    info.cgroup.order = BPF_CGROUP_ITER_SELF_ONLY;
    LIBBPF_OPTS(bpf_link_create_opts, opts, .iter_info = &info, .iter_info_len = sizeof(info));
    UniqueFd link(::bpf_link_create(prog_.get(), 0, BPF_TRACE_ITER, &opts));
    const std::string file = pin_dir_ + "/" + std::to_string(st.st_ino);
    if (!link.valid() || ::bpf_obj_pin(link.get(), file.c_str())) {
      ++counts_.missed;
      return;
    }
    inodes_[cgroup] = st.st_ino;
    ++counts_.created;
  }

  void unprovision(const std::string &cgroup) {
    const auto it = inodes_.find(cgroup);
    if (it == inodes_.end()) return;
    const std::string file = pin_dir_ + "/" + std::to_string(it->second);
    if (::unlink(file.c_str()) == 0) ++counts_.unpinned;
    inodes_.erase(it);
  }

  UniqueFd inotify_, prog_;
  std::string pin_dir_;
  std::map<int, std::string> dirs_;              // watch descriptor -> directory
  std::map<std::string, unsigned long> inodes_;  // cgroup path -> pinned inode number
  Counts counts_;
};

int fail(const char *step, const std::string &object) {
  std::fprintf(stderr, "cgprov-pin-daemon: %s %s: %s\n", step, object.c_str(),
               std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s WATCH_DIR PROG_PIN PIN_DIR\n", argv[0]);
    return 2;
  }
  const std::string watch_dir = argv[1], prog_pin = argv[2], pin_dir = argv[3];
  UniqueFd prog(::bpf_obj_get(prog_pin.c_str()));
  if (!prog.valid()) return fail("open program", prog_pin);
  UniqueFd inotify(::inotify_init1(IN_CLOEXEC));
  if (!inotify.valid()) return fail("create", "inotify instance");
  PinDaemon daemon(std::move(inotify), std::move(prog), pin_dir);
  if (!daemon.watch(watch_dir)) return fail("watch", watch_dir);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  if (::sigprocmask(SIG_BLOCK, &stop_signals, nullptr)) return fail("block", "signals");
  UniqueFd stop(::signalfd(-1, &stop_signals, SFD_CLOEXEC));
  if (!stop.valid()) return fail("create", "signalfd");
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    pollfd fds[] = {{daemon.inotify_fd(), POLLIN, 0}, {stop.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return fail("poll", "inotify and signalfd");
    }
    if ((fds[0].revents & POLLIN) && !daemon.handle_events()) return fail("read", "inotify events");
    if (fds[1].revents & POLLIN) break;
  }
  const Counts &c = daemon.counts();
  std::printf("created %ld missed %ld unpinned %ld overflows %ld\n", c.created, c.missed,
              c.unpinned, c.overflows);
  return 0;
}
