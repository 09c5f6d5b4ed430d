// SPDX-License-Identifier: GPL-2.0
/* Hierarchical per-cgroup delay stats through rstat.
 *
 * Collectors record an event in the `pending` counters of the current
 * task's cgroup on the default hierarchy and tell rstat that the cgroup has
 * updates on this CPU. rstat's flush walks updated cgroups children first;
 * the flusher (fentry on bpf_rstat_flush) folds a cgroup's pending counters
 * into its totals and into its parent's pending counters. The dumper, a
 * sleepable cgroup iterator behind each stats file, flushes the subtree of
 * the cgroup it prints, never the whole tree.
 *
 * State lives in cgroup storage: no cap, freed with the cgroup. The
 * provisioner (bpf/provisioner.bpf.c) creates it when a cgroup is made, in
 * sleepable context, so the collectors and the flusher find it instead of
 * allocating with IRQs off; and before a cgroup is freed it flushes the
 * cgroup so its pending counters reach the parent.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cgprov_kfuncs.h"
#include "stats_map.h"

char LICENSE[] SEC("license") = "GPL";

/* When a task became runnable, and when it entered reclaim; 0 when none. */
struct task_times {
	__u64 runnable_ns;
	__u64 reclaim_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_times);
} task_times SEC(".maps");

static struct cgroup *task_cgroup(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp;
}

static __u32 log2_bucket(__u64 ns)
{
	__u32 bucket = 0;

	/* floor(log2(ns)), capped at the open-ended last bucket */
	while (ns > 1 && bucket < CGPROV_RUNQ_HIST_BUCKETS - 1) {
		ns >>= 1;
		bucket++;
	}
	return bucket;
}

static void atomic_max(__u64 *slot, __u64 value)
{
	__u64 old = *slot;

	/* Bounded retry: collectors on other CPUs may race for the slot. */
	for (int i = 0; i < 8 && value > old; i++) {
		__u64 seen = __sync_val_compare_and_swap(slot, old, value);

		if (seen == old)
			break;
		old = seen;
	}
}

static void add_delay(struct cgprov_delay *d, __u64 ns)
{
	__sync_fetch_and_add(&d->count, 1);
	__sync_fetch_and_add(&d->total_ns, ns);
	atomic_max(&d->max_ns, ns);
}

static struct cgprov_cgroup_stats *stats_of(struct cgroup *cgrp)
{
	return bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static void record_runq(struct task_struct *task, __u64 ns)
{
	struct cgroup *cgrp = task_cgroup(task);
	struct cgprov_cgroup_stats *s = stats_of(cgrp);

	if (!s)
		return;
	add_delay(&s->pending.runq, ns);
	__sync_fetch_and_add(
		&s->pending.runq_hist[log2_bucket(ns) & (CGPROV_RUNQ_HIST_BUCKETS - 1)], 1);
	cgroup_rstat_updated(cgrp, bpf_get_smp_processor_id());
}

static void record_reclaim(struct task_struct *task, __u64 ns)
{
	struct cgroup *cgrp = task_cgroup(task);
	struct cgprov_cgroup_stats *s = stats_of(cgrp);

	if (!s)
		return;
	add_delay(&s->pending.reclaim, ns);
	cgroup_rstat_updated(cgrp, bpf_get_smp_processor_id());
}

static void mark_runnable(struct task_struct *task)
{
	struct task_times *t;

	t = bpf_task_storage_get(&task_times, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t)
		t->runnable_ns = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *task)
{
	mark_runnable(task);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *task)
{
	mark_runnable(task);
	return 0;
}

/* Run-queue delay: from wakeup until the task runs. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_times *t;
	__u64 now;

	/* A wakeup of a task that had not yet left the CPU (it was still
	 * running or queued) leaves a stamp behind; it must not be taken for
	 * the next wakeup's.
	 */
	t = bpf_task_storage_get(&task_times, prev, 0, 0);
	if (t)
		t->runnable_ns = 0;

	t = bpf_task_storage_get(&task_times, next, 0, 0);
	if (!t || !t->runnable_ns)
		return 0;
	now = bpf_ktime_get_ns();
	record_runq(next, now - t->runnable_ns);
	t->runnable_ns = 0;
	return 0;
}

static void reclaim_begin(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_times *t;

	t = bpf_task_storage_get(&task_times, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t)
		t->reclaim_ns = bpf_ktime_get_ns();
}

static void reclaim_end(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_times *t;
	__u64 now;

	t = bpf_task_storage_get(&task_times, task, 0, 0);
	if (!t || !t->reclaim_ns)
		return;
	now = bpf_ktime_get_ns();
	record_reclaim(task, now - t->reclaim_ns);
	t->reclaim_ns = 0;
}

/* Reclaim delay: direct reclaim, global or at a memcg limit, begin to end. */
SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(on_direct_reclaim_begin)
{
	reclaim_begin();
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(on_direct_reclaim_end)
{
	reclaim_end();
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(on_memcg_reclaim_begin)
{
	reclaim_begin();
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(on_memcg_reclaim_end)
{
	reclaim_end();
	return 0;
}

/* Moves *pending into *total and, when there is a parent, into its pending. */
static void fold_delay(struct cgprov_delay *pending, struct cgprov_delay *total,
		       struct cgprov_delay *parent_pending)
{
	__u64 count = __sync_lock_test_and_set(&pending->count, 0);
	__u64 ns = __sync_lock_test_and_set(&pending->total_ns, 0);
	__u64 max = __sync_lock_test_and_set(&pending->max_ns, 0);

	total->count += count;
	total->total_ns += ns;
	if (max > total->max_ns)
		total->max_ns = max;
	if (parent_pending) {
		__sync_fetch_and_add(&parent_pending->count, count);
		__sync_fetch_and_add(&parent_pending->total_ns, ns);
		atomic_max(&parent_pending->max_ns, max);
	}
}

SEC("fentry/bpf_rstat_flush")
int BPF_PROG(flush, struct cgroup *cgrp, struct cgroup *parent, int cpu)
{
	struct cgprov_cgroup_stats *s, *ps = NULL;

	s = bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, 0);
	if (!s)
		return 0;
	if (parent) {
		/* The provisioner gives every cgroup its storage at birth, so
		 * this rarely allocates; if it cannot (IRQs are off here), keep
		 * the pending counters and have the next flush retry.
		 */
		ps = stats_of(parent);
		if (!ps) {
			cgroup_rstat_updated(cgrp, cpu);
			return 0;
		}
	}

	fold_delay(&s->pending.runq, &s->total.runq, ps ? &ps->pending.runq : NULL);
	fold_delay(&s->pending.reclaim, &s->total.reclaim, ps ? &ps->pending.reclaim : NULL);
	for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++) {
		__u64 n = __sync_lock_test_and_set(&s->pending.runq_hist[i], 0);

		s->total.runq_hist[i] += n;
		if (ps)
			__sync_fetch_and_add(&ps->pending.runq_hist[i], n);
	}
	return 0;
}

/* The stats file: cgroupfs-style `key value` lines, documented in README. */
SEC("iter.s/cgroup")
int dump(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cgrp = ctx->cgroup;
	struct cgprov_cgroup_stats *s;
	struct cgprov_counters zero = {};
	struct cgprov_counters *c = &zero;

	if (!cgrp) /* end of iteration */
		return 0;

	cgroup_rstat_flush(cgrp);
	s = bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, 0);
	if (s)
		c = &s->total;

	BPF_SEQ_PRINTF(seq, "runq_delay_count %llu\n", c->runq.count);
	BPF_SEQ_PRINTF(seq, "runq_delay_total_ns %llu\n", c->runq.total_ns);
	BPF_SEQ_PRINTF(seq, "runq_delay_max_ns %llu\n", c->runq.max_ns);
	for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++)
		BPF_SEQ_PRINTF(seq, "runq_delay_log2_ns_%d %llu\n", i, c->runq_hist[i]);
	BPF_SEQ_PRINTF(seq, "reclaim_delay_count %llu\n", c->reclaim.count);
	BPF_SEQ_PRINTF(seq, "reclaim_delay_total_ns %llu\n", c->reclaim.total_ns);
	BPF_SEQ_PRINTF(seq, "reclaim_delay_max_ns %llu\n", c->reclaim.max_ns);
	return 0;
}
