// Owners of C objects that come with their own destroy function: libbpf
// links and skeletons, directory streams. One unique_ptr for all of them.
#pragma once

#include <bpf/libbpf.h>
#include <dirent.h>

#include <memory>

namespace cgprov {

// Calls `Destroy` on a non-null object.
template <auto Destroy>
struct CallDestroy {
  template <typename T>
  void operator()(T *object) const {
    if (object) Destroy(object);
  }
};

template <typename T, auto Destroy>
using Owned = std::unique_ptr<T, CallDestroy<Destroy>>;

using UniqueDir = Owned<DIR, ::closedir>;
using LinkPtr = Owned<bpf_link, bpf_link__destroy>;

}  // namespace cgprov
