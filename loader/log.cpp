#include "log.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace cgprov {
namespace {

bool g_verbose = false;

int print_libbpf(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG && !g_verbose) return 0;
  return std::vfprintf(stderr, format, args);
}

}  // namespace

void init_libbpf_log(bool verbose) {
  g_verbose = verbose;
  libbpf_set_print(print_libbpf);
}

}  // namespace cgprov
