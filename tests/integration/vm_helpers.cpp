#include "vm_helpers.hpp"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "layout.hpp"
#include "stats_format.hpp"

namespace cgprov::test {
namespace {

std::string g_libbpf_log;
libbpf_print_fn_t g_previous_print = nullptr;

int capture_print(enum libbpf_print_level, const char *format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int len = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (len <= 0) return 0;
  std::string text(static_cast<size_t>(len) + 1, '\0');
  vsnprintf(text.data(), text.size(), format, args);
  text.pop_back();
  g_libbpf_log += text;
  return 0;
}

[[noreturn]] void throw_errno(const std::string &what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

bool write_file(const std::string &path, const std::string &text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  return ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::optional<std::string> read_file(const std::string &path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

long long keyed_value(const std::string &text, const std::string &key) {
  std::istringstream lines(text);
  std::string k;
  long long v;
  while (lines >> k >> v)
    if (k == key) return v;
  return -1;
}

long long wait_dying(const std::string &cgroup, long long want) {
  long long dying = -1;
  for (int i = 0; i < 300; ++i) {
    dying = keyed_value(read_file(cgroup + "/cgroup.stat").value_or(""), "nr_dying_descendants");
    if (dying == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return dying;
}

uint64_t cgroup_id(const std::string &path) {
  struct stat st{};
  if (::stat(path.c_str(), &st)) throw_errno("stat " + path);
  return st.st_ino;
}

std::map<std::string, uint64_t> stats_of(const std::string &cgroup) {
  const std::string file = cgprov::Layout{}.stats_file(cgroup_id(cgroup));
  auto text = read_file(file);
  if (!text) throw_errno("read " + file);
  auto parsed = cgprov::parse_stats(*text);
  if (!parsed.ok()) throw std::runtime_error("parse " + file + ": " + parsed.error().describe());
  return {parsed.value().begin(), parsed.value().end()};
}

TempCgroup::TempCgroup(std::optional<uid_t> delegate_to) {
  char tmpl[] = "/sys/fs/cgroup/cgprov-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw_errno("mkdtemp in /sys/fs/cgroup");
  path_ = tmpl;
  if (delegate_to) {
    for (const char *file : {"", "/cgroup.procs", "/cgroup.threads", "/cgroup.subtree_control"})
      if (::chown((path_ + file).c_str(), *delegate_to, *delegate_to))
        throw_errno("chown " + path_ + file);
  }
}

TempCgroup::~TempCgroup() { remove_tree(path_); }

void remove_tree(const std::string &path) {
  // Deepest first; cgroup directories are removed with rmdir, files with unlink.
  std::error_code ec;
  std::vector<std::filesystem::path> dirs;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec))
      ::unlink(it->path().c_str());  // not followed: the iterator does not either
    else if (it->is_directory(ec))
      dirs.push_back(it->path());
    else if (!path.starts_with("/sys/fs/cgroup"))
      ::unlink(it->path().c_str());
  }
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) ::rmdir(d->c_str());
  ::rmdir(path.c_str());
}

TempBpffsDir::TempBpffsDir(const std::string &path) : path_(path) {
  remove_tree(path_);
  if (::mkdir(path_.c_str(), 0755)) throw_errno("mkdir " + path_);
}

TempBpffsDir::~TempBpffsDir() { remove_tree(path_); }

std::string child_status_name(int status) {
  switch (status) {
    case kChildSucceeded:
      return "succeeded";
    case kChildNoIdentity:
      return "could not take its identity";
    case kChildSetupFailed:
      return "setup failed";
    case kChildAfterFailed:
      return "a step after the attempt failed";
    default:
      break;
  }
  if (status < 0) return "child died";
  const char *name = strerrorname_np(status);
  return name ? name : "status " + std::to_string(status);
}

int run_as(uid_t uid, gid_t gid, const std::vector<int> &caps, const std::function<int()> &fn) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    // Keep the permitted set across the uid change, then cut it to `caps`.
    if (::prctl(PR_SET_KEEPCAPS, 1) || ::setgroups(0, nullptr) || ::setresgid(gid, gid, gid) ||
        ::setresuid(uid, uid, uid))
      ::_exit(kChildNoIdentity);
    cap_t state = ::cap_init();
    std::vector<cap_value_t> values(caps.begin(), caps.end());
    if (!values.empty()) {
      ::cap_set_flag(state, CAP_PERMITTED, static_cast<int>(values.size()), values.data(), CAP_SET);
      ::cap_set_flag(state, CAP_EFFECTIVE, static_cast<int>(values.size()), values.data(), CAP_SET);
    }
    if (::cap_set_proc(state)) ::_exit(kChildNoIdentity);
    ::cap_free(state);
    std::fflush(nullptr);
    ::_exit(fn());
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) throw_errno("waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

uint32_t prog_id(bpf_program *prog) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len))
    throw_errno(std::string("read info of program ") + bpf_program__name(prog));
  return info.id;
}

LibbpfLogCapture::LibbpfLogCapture() {
  g_libbpf_log.clear();
  g_previous_print = libbpf_set_print(capture_print);
}

LibbpfLogCapture::~LibbpfLogCapture() { libbpf_set_print(g_previous_print); }

const std::string &LibbpfLogCapture::text() const { return g_libbpf_log; }

}  // namespace cgprov::test
