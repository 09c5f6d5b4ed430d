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

/* The per-CPU slot cache: each CPU has CGPROV_SLOT_SETS sets of
 * CGPROV_SLOT_WAYS slots; a cgroup's events on a CPU go to a slot of the
 * set its id hashes to.
 */
#define CGPROV_SLOT_SETS 8
#define CGPROV_SLOT_WAYS 4
#define CGPROV_SLOTS (CGPROV_SLOT_SETS * CGPROV_SLOT_WAYS)

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

/* Value of the per-cgroup storage (map `cgroup_stats`, pinned as
 * internal/cgroup_stats_v3). `total` is the cgroup's own events plus all
 * its descendants', as of their last rstat flush: each flush of a cgroup
 * adds what it took to the cgroup and to its ancestors. Written only by
 * the flusher (which rstat serializes), inside `seq` (odd while it writes).
 * 312 bytes: with the storage element's header it fits a 512-byte
 * allocation.
 */
struct cgprov_cgroup_stats {
	__u64 seq;
	struct cgprov_counters total;
};

/* The value of map `cgroup_pending` (internal/cgroup_pending): what
 * reached a cgroup since its last flush and is not in its slots, added to
 * atomically and taken by the flusher with atomic exchanges. A cgroup has
 * one only once something had no free slot to go to: an event (every slot
 * of its set on that CPU held unflushed events), or a flushed delta of a
 * descendant deeper than the flusher climbs (CGPROV_FLUSH_ANCESTORS).
 */
struct cgprov_cgroup_pending {
	struct cgprov_counters pending;
};

/* Ancestors a flush of a cgroup adds its delta to. Beyond them the delta
 * goes to the next ancestor's pending counters, which that ancestor's own
 * flush carries on up. systemd's and kubelet's trees are 4-6 levels deep.
 */
#define CGPROV_FLUSH_ANCESTORS 8

/* The second layout (pinned as internal/cgroup_stats_v2): the per-CPU
 * engine with each cgroup's pending counters in its storage, read once by
 * an upgrade that carries each cgroup's totals over into `total`.
 */
struct cgprov_cgroup_stats_v2 {
	__u64 seq;
	struct cgprov_counters total;
	struct cgprov_counters pending;
};

/* The first layout (cgprov 0.1, pinned as internal/cgroup_stats), read
 * once by an upgrade that carries each cgroup's totals over into `total`.
 */
struct cgprov_cgroup_stats_v1 {
	struct cgprov_counters total;
	struct cgprov_counters pending;
};

/* One cgroup's events on one CPU since it claimed the slot. Only the
 * owning CPU writes `cgroup_id`, `seq` (odd while it writes) and `cur`;
 * only the flusher writes `folded`, the value of `cur` it last moved into
 * the cgroup. A slot is free when its counts equal their folded values.
 */
struct cgprov_slot {
	__u64 cgroup_id;
	__u64 seq;
	struct cgprov_counters cur;
	struct cgprov_counters folded;
};

#endif /* CGPROV_STATS_H */
