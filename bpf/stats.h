/* SPDX-License-Identifier: GPL-2.0 */
/* Per-cgroup stats kept by bpf/stats.bpf.c, shared with the loader. */
#ifndef CGPROV_STATS_H
#define CGPROV_STATS_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

/* Run-queue delay histogram: bucket k counts delays in [2^k, 2^(k+1)) ns,
 * bucket 0 also counts 0 ns; the last bucket is open-ended (>= 2^31 ns,
 * about 2.1 s).
 */
#define CGPROV_RUNQ_HIST_BUCKETS 32

struct cgprov_delay {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
};

struct cgprov_counters {
	struct cgprov_delay runq;
	__u64 runq_hist[CGPROV_RUNQ_HIST_BUCKETS];
	struct cgprov_delay reclaim;
};

/* Value of the per-cgroup storage. `total` is the cgroup's own events plus
 * all its descendants', as of its last rstat flush; `pending` holds events
 * recorded in the cgroup or propagated from its children since then.
 */
struct cgprov_cgroup_stats {
	struct cgprov_counters total;
	struct cgprov_counters pending;
};

#endif /* CGPROV_STATS_H */
