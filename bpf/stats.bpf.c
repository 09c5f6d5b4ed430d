// SPDX-License-Identifier: GPL-2.0
/* Hierarchical per-cgroup delay stats through rstat, collected per CPU.
 *
 * Collectors run on the CPU where the event happens and write only that
 * CPU's slot cache (`slots`, a per-CPU array): the slot of the current
 * task's cgroup, claimed on first use, with plain stores inside a
 * sequence count. They then tell rstat that the cgroup has updates on
 * this CPU. rstat's flush visits each updated (cgroup, cpu) pair; the
 * flusher (fentry on bpf_rstat_flush) takes what the cgroup's slot on that
 * CPU gained since the last flush, and the cgroup's pending counters, and
 * adds it to the totals of the cgroup and of its ancestors. rstat
 * serializes flushes, so totals have one writer at a time and need no
 * atomics; and no cgroup keeps a copy of what it passed on (the kernel's
 * own base stats keep one per cgroup), which halves per-cgroup memory.
 * The cost is one storage lookup per ancestor and flushed pair. The
 * dumper, a sleepable cgroup iterator behind each stats file, flushes the
 * subtree of the cgroup it prints, never the whole tree.
 *
 * Shared cache lines are written only off the hot path: when all slots of
 * a set are taken by cgroups with unflushed events, the event goes to the
 * cgroup's pending counters (a second cgroup storage, made on first need)
 * with atomic operations instead.
 *
 * Per-cgroup state lives in cgroup storage: no cap, freed with the
 * cgroup. The provisioner (bpf/provisioner.bpf.c) creates the totals when
 * a cgroup is made, in sleepable context, so the collectors and the
 * flusher find them instead of allocating with IRQs off; and before a
 * cgroup is freed the kernel flushes it (at release), so its events reach
 * its ancestors.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cgprov_kfuncs.h"
#include "stats_map.h"

char LICENSE[] SEC("license") = "GPL";

/* Upper bound of compare-and-swap attempts for a maximum: each failed
 * attempt means another CPU raised the value meanwhile, so this is never
 * reached in practice; bpf_repeat() verifies the body once.
 */
#define MAX_CAS_ATTEMPTS (1 << 20)
/* Attempts of the flusher to read a slot between two writes of its CPU;
 * a slot that keeps changing is left for the next flush.
 */
#define SLOT_READ_ATTEMPTS 4

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CGPROV_SLOTS);
	__type(key, __u32);
	__type(value, struct cgprov_slot);
} slots SEC(".maps");

/* The flusher's working copy of a slot (it runs with IRQs off, so one per
 * CPU is never shared); counters do not fit in a BPF stack frame twice.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct cgprov_counters);
} scratch SEC(".maps");

/* What a task's run-queue waits added up to when the collector last saw
 * it, and when it entered reclaim (0 when not in reclaim).
 */
struct task_times {
	__u64 run_delay_seen;
	__u64 reclaim_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_times);
} task_times SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cgprov_cgroup_pending);
} cgroup_pending SEC(".maps");

extern const struct rq runqueues __ksym;

/* CLOCK_MONOTONIC when the loader loaded the collectors (set before load). */
const volatile __u64 collectors_loaded_ns;

/* A task's times, created on first sight. A task forked since the
 * collectors were loaded has every wait of its life counted: its
 * sched_info started at zero, and run_delay may already hold a wait cut
 * short by a migration before it first ran. An older task's waits count
 * from now on (earlier ones predate the install).
 */
static struct task_times *times_of(struct task_struct *task)
{
	struct task_times *t = bpf_task_storage_get(&task_times, task, 0, 0);

	if (t)
		return t;
	t = bpf_task_storage_get(&task_times, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t && task->start_time < collectors_loaded_ns)
		t->run_delay_seen = task->sched_info.run_delay;
	return t;
}

static struct cgroup *task_cgroup(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp;
}

/* floor(log2(ns)), 0 for 0 and 1, capped at the open-ended last bucket. */
static __u32 log2_bucket(__u64 ns)
{
	__u32 bucket = 0, shift;

	if (ns >> (CGPROV_RUNQ_HIST_BUCKETS - 1))
		return CGPROV_RUNQ_HIST_BUCKETS - 1;
	shift = (ns > 0xffff) << 4;
	ns >>= shift;
	bucket |= shift;
	shift = (ns > 0xff) << 3;
	ns >>= shift;
	bucket |= shift;
	shift = (ns > 0xf) << 2;
	ns >>= shift;
	bucket |= shift;
	shift = (ns > 0x3) << 1;
	ns >>= shift;
	bucket |= shift;
	return bucket | (ns >> 1);
}

/* Sequence counts are bumped (odd before a write, even after it) with
 * compare-and-swap, a full barrier on every JIT: a reader that sees the
 * same even count before and after its copy saw no write in between. Only one writer ever changes a
 * given count, so the swap always succeeds; it touches a line no other CPU writes.
 */
static void seq_bump(__u64 *seq)
{
	__u64 now = *seq;

	__sync_val_compare_and_swap(seq, now, now + 1);
}

/* A sequence count read with a full barrier. */
static __u64 seq_read(__u64 *seq)
{
	return __sync_fetch_and_add(seq, 0);
}

static void atomic_max(__u64 *slot, __u64 value)
{
	__u64 old = *slot;

	bpf_repeat(MAX_CAS_ATTEMPTS)
	{
		__u64 seen;

		if (value <= old)
			break;
		seen = __sync_val_compare_and_swap(slot, old, value);
		if (seen == old)
			break;
		old = seen;
	}
}

static struct cgprov_slot *slot_at(__u32 index, int cpu)
{
	return bpf_map_lookup_percpu_elem(&slots, &index, cpu);
}

static __u32 slot_set(__u64 cgroup_id)
{
	/* Fibonacci hashing: consecutive ids spread over the sets. */
	return ((cgroup_id * 0x9e3779b97f4a7c15ULL) >> 32) % CGPROV_SLOT_SETS;
}

static bool slot_free(const struct cgprov_slot *slot)
{
	return slot->cur.runq.count == slot->folded.runq.count &&
	       slot->cur.reclaim.count == slot->folded.reclaim.count;
}

/* This CPU's slot for @cgroup_id: the one it has, or a free one of its set,
 * claimed; NULL when every slot of the set holds unflushed events.
 */
static struct cgprov_slot *own_slot(__u64 cgroup_id)
{
	__u32 base = slot_set(cgroup_id) * CGPROV_SLOT_WAYS, key;
	struct cgprov_slot *slot, *spare = NULL;

	for (int way = 0; way < CGPROV_SLOT_WAYS; way++) {
		key = base + way;
		slot = bpf_map_lookup_elem(&slots, &key);
		if (!slot)
			return NULL;
		if (slot->cgroup_id == cgroup_id)
			return slot;
		if (!spare && slot_free(slot))
			spare = slot;
	}
	if (spare) {
		/* Counts equal their folded values, so the new owner starts
		 * with nothing to flush; the maximum is per owner.
		 */
		seq_bump(&spare->seq);
		spare->cgroup_id = cgroup_id;
		spare->cur.runq.max_ns = 0;
		spare->cur.reclaim.max_ns = 0;
		seq_bump(&spare->seq);
	}
	return spare;
}

static void add_delay(struct cgprov_delay *d, __u64 ns)
{
	d->count++;
	d->total_ns += ns;
	if (ns > d->max_ns)
		d->max_ns = ns;
}

static void add_delay_atomic(struct cgprov_delay *d, __u64 ns)
{
	__sync_fetch_and_add(&d->total_ns, ns);
	__sync_fetch_and_add(&d->count, 1);
	atomic_max(&d->max_ns, ns);
}

static struct cgprov_cgroup_stats *stats_of(struct cgroup *cgrp)
{
	return bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* A cgroup's pending counters, made on first need. In the collectors this
 * allocates under the run-queue lock: cgroup storage comes from the BPF
 * memory allocator's per-CPU caches, which never sleep or take locks.
 */
static struct cgprov_cgroup_pending *pending_of(struct cgroup *cgrp)
{
	return bpf_cgrp_storage_get(&cgroup_pending, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static void record(struct cgroup *cgrp, __u64 ns, bool runq)
{
	__u64 id = cgrp->kn->id;
	struct cgprov_slot *slot = own_slot(id);
	__u32 bucket = log2_bucket(ns) & (CGPROV_RUNQ_HIST_BUCKETS - 1);

	if (slot) {
		seq_bump(&slot->seq);
		if (runq) {
			slot->cur.runq_hist[bucket]++;
			add_delay(&slot->cur.runq, ns);
		} else {
			add_delay(&slot->cur.reclaim, ns);
		}
		seq_bump(&slot->seq);
	} else {
		struct cgprov_cgroup_pending *p = pending_of(cgrp);

		if (!p)
			return;
		if (runq) {
			__sync_fetch_and_add(&p->pending.runq_hist[bucket], 1);
			add_delay_atomic(&p->pending.runq, ns);
		} else {
			add_delay_atomic(&p->pending.reclaim, ns);
		}
	}
	cgroup_rstat_updated(cgrp, bpf_get_smp_processor_id());
}

/* Run-queue delay, as the scheduler's own sched_info counts it
 * (/proc/PID/schedstat): every wait on a run queue, after a wakeup, a
 * preemption, a fork or a migration, ends when the task next runs. The
 * tracepoint fires just before sched_info_arrive() adds the current wait
 * (rq clock minus sched_info.last_queued) to sched_info.run_delay;
 * run_delay already holds waits cut short by a migration's dequeue. The
 * collector records, at each arrival, how much run_delay is about to have
 * grown since it last saw the task: one wait, counted like pcount.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 queued = next->sched_info.last_queued, run_delay, ns;
	const struct rq *rq;
	struct task_times *t;

	/* sched_info_arrive() counts nothing for an unqueued task, nor for
	 * the idle task (pid 0).
	 */
	if (!queued || !next->pid)
		return 0;
	rq = bpf_this_cpu_ptr(&runqueues);
	run_delay = next->sched_info.run_delay + (rq->clock - queued);

	t = times_of(next);
	if (!t)
		return 0;
	ns = run_delay - t->run_delay_seen;
	t->run_delay_seen = run_delay;
	record(task_cgroup(next), ns, true);
	return 0;
}

static void reclaim_begin(void)
{
	struct task_times *t = times_of(bpf_get_current_task_btf());

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
	record(task_cgroup(task), now - t->reclaim_ns, false);
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

static struct cgprov_counters *scratch_counters(__u32 index)
{
	return bpf_map_lookup_elem(&scratch, &index);
}

/* Adds what @slot gained since its last fold to @delta and records it as
 * folded. False when the slot changed under every read attempt; it is
 * then left for the next flush.
 */
static bool take_slot(struct cgprov_slot *slot, __u64 cgroup_id, struct cgprov_counters *copy,
		      struct cgprov_counters *delta)
{
	for (int attempt = 0; attempt < SLOT_READ_ATTEMPTS; attempt++) {
		__u64 seq = seq_read(&slot->seq);

		if (seq & 1)
			continue;
		if (slot->cgroup_id != cgroup_id)
			return true;
		__builtin_memcpy(copy, &slot->cur, sizeof(*copy));
		if (seq_read(&slot->seq) != seq)
			continue;
		if (copy->runq.count == slot->folded.runq.count &&
		    copy->reclaim.count == slot->folded.reclaim.count)
			return true;

		delta->runq.count += copy->runq.count - slot->folded.runq.count;
		delta->runq.total_ns += copy->runq.total_ns - slot->folded.runq.total_ns;
		if (copy->runq.max_ns > delta->runq.max_ns)
			delta->runq.max_ns = copy->runq.max_ns;
		for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++)
			delta->runq_hist[i] += copy->runq_hist[i] - slot->folded.runq_hist[i];
		delta->reclaim.count += copy->reclaim.count - slot->folded.reclaim.count;
		delta->reclaim.total_ns += copy->reclaim.total_ns - slot->folded.reclaim.total_ns;
		if (copy->reclaim.max_ns > delta->reclaim.max_ns)
			delta->reclaim.max_ns = copy->reclaim.max_ns;

		/* The counts last, by atomic exchange (a full barrier): the
		 * owning CPU may reuse the slot as soon as they match.
		 */
		slot->folded.runq.total_ns = copy->runq.total_ns;
		for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++)
			slot->folded.runq_hist[i] = copy->runq_hist[i];
		slot->folded.reclaim.total_ns = copy->reclaim.total_ns;
		__sync_lock_test_and_set(&slot->folded.runq.count, copy->runq.count);
		__sync_lock_test_and_set(&slot->folded.reclaim.count, copy->reclaim.count);
		return true;
	}
	return false;
}

static void take_delay(struct cgprov_delay *pending, struct cgprov_delay *delta)
{
	__u64 max = __sync_lock_test_and_set(&pending->max_ns, 0);

	delta->count += __sync_lock_test_and_set(&pending->count, 0);
	delta->total_ns += __sync_lock_test_and_set(&pending->total_ns, 0);
	if (max > delta->max_ns)
		delta->max_ns = max;
}

static void take_pending(struct cgprov_counters *pending, struct cgprov_counters *delta)
{
	take_delay(&pending->runq, &delta->runq);
	take_delay(&pending->reclaim, &delta->reclaim);
	for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++)
		delta->runq_hist[i] += __sync_lock_test_and_set(&pending->runq_hist[i], 0);
}

static void fold_delay(struct cgprov_delay *total, const struct cgprov_delay *delta)
{
	total->count += delta->count;
	total->total_ns += delta->total_ns;
	if (delta->max_ns > total->max_ns)
		total->max_ns = delta->max_ns;
}

static void push_delay(struct cgprov_delay *pending, const struct cgprov_delay *delta)
{
	if (!delta->count && !delta->max_ns)
		return;
	__sync_fetch_and_add(&pending->count, delta->count);
	__sync_fetch_and_add(&pending->total_ns, delta->total_ns);
	atomic_max(&pending->max_ns, delta->max_ns);
}

static void push_pending(struct cgprov_counters *pending, const struct cgprov_counters *delta)
{
	push_delay(&pending->runq, &delta->runq);
	push_delay(&pending->reclaim, &delta->reclaim);
	for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++)
		if (delta->runq_hist[i])
			__sync_fetch_and_add(&pending->runq_hist[i], delta->runq_hist[i]);
}

static void fold_total(struct cgprov_cgroup_stats *s, const struct cgprov_counters *delta)
{
	seq_bump(&s->seq);
	fold_delay(&s->total.runq, &delta->runq);
	fold_delay(&s->total.reclaim, &delta->reclaim);
	for (int i = 0; i < CGPROV_RUNQ_HIST_BUCKETS; i++)
		s->total.runq_hist[i] += delta->runq_hist[i];
	seq_bump(&s->seq);
}

/* The parent of @cgrp, NULL for the root. The flusher's arguments are not
 * trusted pointers (fentry), so no kfunc that takes a reference applies;
 * the walk reads the cgroup's own css: its parent css, and that css's
 * cgroup. A descendant's reference keeps every ancestor alive.
 */
static struct cgroup *parent_of(struct cgroup *cgrp)
{
	struct cgroup_subsys_state *css = cgrp->self.parent;

	return css ? css->cgroup : NULL;
}

/* Whether every ancestor the flush of @cgrp writes has its totals (and,
 * past the last, its pending counters), made here if missing. The
 * provisioner makes them at birth; a cgroup older than the install gets
 * them at backfill or here. With IRQs off an allocation may fail: the
 * flush is then put off, with nothing taken.
 */
static bool ancestors_ready(struct cgroup *cgrp)
{
	struct cgroup *a = parent_of(cgrp);

	for (int hop = 0; hop < CGPROV_FLUSH_ANCESTORS && a; hop++, a = parent_of(a))
		if (!stats_of(a))
			return false;
	return !a || pending_of(a);
}

/* Adds @delta to the totals of @cgrp's ancestors, and past the last one it
 * climbs to, to the next one's pending counters; that one is on rstat's
 * updated tree of @cpu (as every ancestor of an updated cgroup is), and is
 * marked again in case its flush in this walk is already over.
 */
static void add_to_ancestors(struct cgroup *cgrp, const struct cgprov_counters *delta, int cpu)
{
	struct cgroup *a = parent_of(cgrp);
	struct cgprov_cgroup_pending *p;

	for (int hop = 0; hop < CGPROV_FLUSH_ANCESTORS && a; hop++, a = parent_of(a)) {
		/* Made by ancestors_ready(), kept until the cgroup is freed. */
		struct cgprov_cgroup_stats *s = bpf_cgrp_storage_get(&cgroup_stats, a, 0, 0);

		if (s)
			fold_total(s, delta);
	}
	if (!a)
		return;
	p = bpf_cgrp_storage_get(&cgroup_pending, a, 0, 0);
	if (p) {
		push_pending(&p->pending, delta);
		cgroup_rstat_updated(a, cpu);
	}
}

SEC("fentry/bpf_rstat_flush")
int BPF_PROG(flush, struct cgroup *cgrp, struct cgroup *parent, int cpu)
{
	struct cgprov_counters *copy = scratch_counters(0), *delta = scratch_counters(1);
	struct cgprov_cgroup_pending *p;
	struct cgprov_cgroup_stats *s;
	__u64 id = cgrp->kn->id;
	__u32 base = slot_set(id) * CGPROV_SLOT_WAYS;
	bool complete = true;

	if (!copy || !delta)
		return 0;
	__builtin_memset(delta, 0, sizeof(*delta));
	s = stats_of(cgrp);
	if (s && !ancestors_ready(cgrp)) {
		cgroup_rstat_updated(cgrp, cpu);
		return 0;
	}

	/* Without storage (it could not be allocated) the slot's events have
	 * nowhere to go: they are dropped, freeing the slot.
	 */
	for (int way = 0; way < CGPROV_SLOT_WAYS; way++) {
		struct cgprov_slot *slot = slot_at(base + way, cpu);

		if (slot && !take_slot(slot, id, copy, delta))
			complete = false;
	}
	if (!complete)
		cgroup_rstat_updated(cgrp, cpu);
	if (!s)
		return 0;
	p = bpf_cgrp_storage_get(&cgroup_pending, cgrp, 0, 0);
	if (p)
		take_pending(&p->pending, delta);
	if (!delta->runq.count && !delta->reclaim.count && !delta->runq.max_ns &&
	    !delta->reclaim.max_ns)
		return 0;

	fold_total(s, delta);
	add_to_ancestors(cgrp, delta, cpu);
	return 0;
}

/* Attempts of the dumper to copy totals between two flushes. */
#define TOTALS_READ_ATTEMPTS 8

/* The stats file: cgroupfs-style `key value` lines, documented in README,
 * printed from one consistent copy of the totals in four calls (the
 * helper takes at most 12 values a call).
 */
SEC("iter.s/cgroup")
int dump(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cgrp = ctx->cgroup;
	struct cgprov_cgroup_stats *s;
	struct cgprov_counters c = {};
	const __u64 *h = c.runq_hist;

	if (!cgrp) /* end of iteration */
		return 0;

	cgroup_rstat_flush(cgrp);
	s = bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, 0);
	if (s) {
		for (int attempt = 0; attempt < TOTALS_READ_ATTEMPTS; attempt++) {
			__u64 before = seq_read(&s->seq);

			if (before & 1)
				continue;
			__builtin_memcpy(&c, &s->total, sizeof(c));
			if (seq_read(&s->seq) == before)
				break;
		}
	}

	BPF_SEQ_PRINTF(seq,
		       "runq_delay_count %llu\nrunq_delay_total_ns %llu\nrunq_delay_max_ns %llu\n"
		       "runq_delay_log2_ns_0 %llu\nrunq_delay_log2_ns_1 %llu\n"
		       "runq_delay_log2_ns_2 %llu\nrunq_delay_log2_ns_3 %llu\n"
		       "runq_delay_log2_ns_4 %llu\nrunq_delay_log2_ns_5 %llu\n"
		       "runq_delay_log2_ns_6 %llu\nrunq_delay_log2_ns_7 %llu\n"
		       "runq_delay_log2_ns_8 %llu\n",
		       c.runq.count, c.runq.total_ns, c.runq.max_ns, h[0], h[1], h[2], h[3], h[4],
		       h[5], h[6], h[7], h[8]);
	BPF_SEQ_PRINTF(seq,
		       "runq_delay_log2_ns_9 %llu\nrunq_delay_log2_ns_10 %llu\n"
		       "runq_delay_log2_ns_11 %llu\nrunq_delay_log2_ns_12 %llu\n"
		       "runq_delay_log2_ns_13 %llu\nrunq_delay_log2_ns_14 %llu\n"
		       "runq_delay_log2_ns_15 %llu\nrunq_delay_log2_ns_16 %llu\n"
		       "runq_delay_log2_ns_17 %llu\nrunq_delay_log2_ns_18 %llu\n"
		       "runq_delay_log2_ns_19 %llu\nrunq_delay_log2_ns_20 %llu\n",
		       h[9], h[10], h[11], h[12], h[13], h[14], h[15], h[16], h[17], h[18], h[19],
		       h[20]);
	BPF_SEQ_PRINTF(seq,
		       "runq_delay_log2_ns_21 %llu\nrunq_delay_log2_ns_22 %llu\n"
		       "runq_delay_log2_ns_23 %llu\nrunq_delay_log2_ns_24 %llu\n"
		       "runq_delay_log2_ns_25 %llu\nrunq_delay_log2_ns_26 %llu\n"
		       "runq_delay_log2_ns_27 %llu\nrunq_delay_log2_ns_28 %llu\n"
		       "runq_delay_log2_ns_29 %llu\nrunq_delay_log2_ns_30 %llu\n"
		       "runq_delay_log2_ns_31 %llu\nreclaim_delay_count %llu\n",
		       h[21], h[22], h[23], h[24], h[25], h[26], h[27], h[28], h[29], h[30], h[31],
		       c.reclaim.count);
	BPF_SEQ_PRINTF(seq, "reclaim_delay_total_ns %llu\nreclaim_delay_max_ns %llu\n",
		       c.reclaim.total_ns, c.reclaim.max_ns);
	return 0;
}
