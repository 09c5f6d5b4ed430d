/* SPDX-License-Identifier: GPL-2.0 */
/* The per-cgroup stats map, declared by every BPF object that uses it; the
 * loader makes them share one map (bpf_map__reuse_fd).
 */
#ifndef CGPROV_STATS_MAP_H
#define CGPROV_STATS_MAP_H

#include "stats.h"

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cgprov_cgroup_stats);
} cgroup_stats SEC(".maps");

#endif /* CGPROV_STATS_MAP_H */
