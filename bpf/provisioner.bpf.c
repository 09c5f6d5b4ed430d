// SPDX-License-Identifier: GPL-2.0
/* In-kernel provisioning of stats files.
 *
 * On every cgroup created on the default hierarchy, a sleepable program on
 * the faultable cgroup_mkdir_s tracepoint pins a cgroup_iter link of the
 * stats dumper as <stats dir>/<cgroup id>, mode 0444, owned by root; on
 * removal, cgroup_rmdir_s unpins it, so no pin keeps a dying cgroup alive.
 * The stats directory is held by the kernel (held_stats_dir, filled by the
 * loader through hold_stats_dir before anything is attached): no path is
 * resolved inside mkdir or rmdir. The loader provisions cgroups that
 * existed before install through the backfill syscall program, with the
 * same kfunc and the same settings.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cgprov_kfuncs.h"
#include "held_dir_map.h"
#include "provisioner.h"
#include "stats_map.h"

char LICENSE[] SEC("license") = "GPL";

#define ENOENT 2
#define EBADF 9
#define EEXIST 17
#define EINVAL 22
/* The default (v2) hierarchy is the first one registered: id 0. */
#define DFL_HIERARCHY_ID 0

/* Set by the loader before load, frozen afterwards. */
const volatile __u32 dumper_prog_id; /* the stats iterator program */

/* The stats directory, held by the kernel for as long as this map lives. */
HELD_DIR_MAP(held_stats_dir);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgprov_provision_status);
} provision_status SEC(".maps");

static struct cgprov_provision_status *status(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&provision_status, &zero);
}

static bool on_default_hierarchy(struct cgroup *cgrp)
{
	return cgrp->root->hierarchy_id == DFL_HIERARCHY_ID;
}

static int pin_stats(struct cgroup *cgrp)
{
	struct cgprov_provision_status *st = status();
	struct bpf_cgroup_iter_pin_opts opts = {
		.prog_id = dumper_prog_id,
		.order = BPF_CGROUP_ITER_SELF_ONLY,
		.mode = CGPROV_STATS_FILE_MODE,
		.uid = CGPROV_STATS_FILE_OWNER,
		.gid = CGPROV_STATS_FILE_OWNER,
	};
	struct bpf_fs_dir *dir;
	int err = -EBADF;

	/* Stats storage from birth, allocated here where sleeping is allowed. */
	bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* The kfunc names the file by the cgroup's id in decimal. */
	dir = held_dir_acquire(&held_stats_dir);
	if (dir) {
		err = bpf_cgroup_iter_pin_at(cgrp, dir, &opts, sizeof(opts));
		bpf_fs_dir_release(dir);
	}
	if (!st)
		return err;
	if (!err) {
		__sync_fetch_and_add(&st->pinned, 1);
	} else if (err != -EEXIST) {
		__sync_fetch_and_add(&st->pin_errors, 1);
		st->last_pin_error = err;
	}
	return err;
}

static int unpin_stats(struct cgroup *cgrp)
{
	struct cgprov_provision_status *st = status();
	struct bpf_fs_dir *dir;
	int err = -EBADF;

	dir = held_dir_acquire(&held_stats_dir);
	if (dir) {
		err = bpf_cgroup_iter_unpin_at(cgrp, dir);
		bpf_fs_dir_release(dir);
	}
	if (!st)
		return err;
	if (!err) {
		__sync_fetch_and_add(&st->unpinned, 1);
	} else if (err != -ENOENT) {
		__sync_fetch_and_add(&st->unpin_errors, 1);
		st->last_unpin_error = err;
	}
	return err;
}

/* Loaded sleepable (BPF_F_SLEEPABLE set by the loader). */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(provision, struct cgroup *cgrp)
{
	if (on_default_hierarchy(cgrp))
		pin_stats(cgrp);
	return 0;
}

/* Loaded sleepable. The cgroup's pending stats need no flush here: the
 * kernel flushes a cgroup when it is released, before its storage is
 * freed, and until then a flush of any ancestor reaches it.
 */
SEC("tp_btf/cgroup_rmdir_s")
int BPF_PROG(unprovision, struct cgroup *cgrp)
{
	if (on_default_hierarchy(cgrp))
		unpin_stats(cgrp);
	return 0;
}

/* Hold the stats directory (run by the loader with bpf_prog_test_run,
 * before the programs above are attached), replacing any held before.
 */
SEC("syscall")
int hold_stats_dir(struct cgprov_hold_dir_args *args)
{
	args->ret = held_dir_hold(&held_stats_dir, args->dir_fd);
	return 0;
}

/* Backfill one existing cgroup (run by the loader with bpf_prog_test_run).
 * A cgroup removed while it is being provisioned is unprovisioned here:
 * its rmdir may have run before the pin existed.
 */
SEC("syscall")
int backfill(struct cgprov_backfill_args *args)
{
	struct cgroup *cgrp = bpf_cgroup_from_id(args->cgroup_id);

	if (!cgrp) {
		args->ret = -ENOENT;
		return 0;
	}
	if (on_default_hierarchy(cgrp)) {
		args->ret = pin_stats(cgrp);
		if (!args->ret && !(cgrp->self.flags & CSS_ONLINE)) {
			unpin_stats(cgrp);
			args->ret = -ENOENT;
		}
	} else {
		args->ret = -EINVAL;
	}
	bpf_cgroup_release(cgrp);
	return 0;
}
