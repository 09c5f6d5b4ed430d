// SPDX-License-Identifier: GPL-2.0
/* In-kernel provisioning of stats files.
 *
 * On every cgroup created on the default hierarchy, a sleepable program on
 * the faultable cgroup_mkdir_s tracepoint pins a cgroup_iter link of the
 * stats dumper as <stats_dir>/<cgroup id>, mode 0444, owned by root; on
 * removal, cgroup_rmdir_s flushes the cgroup's stats into its parent and
 * unpins the file, so no pin keeps a dying cgroup alive. The loader provisions cgroups that existed
 * before install through the backfill syscall program, with the same kfunc and the same settings.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cgprov_kfuncs.h"
#include "provisioner.h"
#include "stats_map.h"

char LICENSE[] SEC("license") = "GPL";

#define EEXIST 17
#define ENOENT 2
#define EINVAL 22
/* The default (v2) hierarchy is the first one registered: id 0. */
#define DFL_HIERARCHY_ID 0

/* Set by the loader before load, frozen afterwards. */
const volatile __u32 dumper_prog_id; /* the stats iterator program */
const volatile char stats_dir[CGPROV_DIR_MAX] = "/run/cgprov/stats";

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

static void pin_name(struct cgroup *cgrp, char name[CGPROV_NAME_MAX])
{
	__u64 id = cgrp->kn->id;

	bpf_snprintf(name, CGPROV_NAME_MAX, "%llu", &id, sizeof(id));
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
	char name[CGPROV_NAME_MAX];
	int err;

	/* Stats storage from birth, allocated here where sleeping is allowed. */
	bpf_cgrp_storage_get(&cgroup_stats, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	pin_name(cgrp, name);
	err = bpf_cgroup_iter_pin(cgrp, (const char *)stats_dir, name, sizeof(name), &opts);
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
	char name[CGPROV_NAME_MAX];
	int err;

	pin_name(cgrp, name);
	err = bpf_cgroup_iter_unpin((const char *)stats_dir, name, sizeof(name));
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

/* Loaded sleepable. The cgroup's storage is freed before rstat's final
 * flush of a released cgroup, so fold its pending stats into the parent
 * now; it has no tasks left to record anything after rmdir.
 */
SEC("tp_btf/cgroup_rmdir_s")
int BPF_PROG(unprovision, struct cgroup *cgrp)
{
	if (!on_default_hierarchy(cgrp))
		return 0;
	cgroup_rstat_flush(cgrp);
	unpin_stats(cgrp);
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
