// cgprov's BPF objects: skeleton ownership, the version that identifies a
// build of them, and the pin names of their programs' links.
#pragma once

#include <bpf/libbpf.h>

#include <memory>
#include <string>
#include <vector>

#include "owned.hpp"
#include "policy.skel.h"
#include "provisioner.skel.h"
#include "result.hpp"
#include "stats.skel.h"
#include "unique_fd.hpp"

namespace cgprov {

using StatsSkel = Owned<stats_bpf, stats_bpf__destroy>;
using ProvisionerSkel = Owned<provisioner_bpf, provisioner_bpf__destroy>;
using PolicySkel = Owned<policy_bpf, policy_bpf__destroy>;

// "<release>-<hash>" where the hash covers all BPF objects: two loaders
// with the same version install identical programs.
std::string bpf_version();

// Pin name of the link that attaches `prog`: "link_<program name>".
std::string link_pin_name(const bpf_program *prog);

// Append `dir`/link_<program> for each program of `obj` attached by link.
void add_link_pins(bpf_object *obj, const std::string &dir, std::vector<std::string> &pins);

// Whether a program is attached through a pinned link (collectors, flusher,
// provisioner) rather than used by other means (iterator, syscall program).
bool attached_by_link(const bpf_program *prog);

// Whether the map pinned as `pinned_fd` has the type, sizes and flags that
// `map` declares, so that the programs can use it in its place.
bool map_compatible(int pinned_fd, const bpf_map *map);

}  // namespace cgprov
