// SPDX-License-Identifier: GPL-2.0
/* Drives the held-directory kfuncs of the kernel series (bpf_fs_dir_hold(),
 * bpf_cgroup_iter_pin_at(), bpf_cgroup_iter_unpin_at()) for its tests:
 * syscall programs run by the test with chosen arguments, and a
 * provisioner pair on the faultable cgroup tracepoints that pins into the
 * held directory.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "cgprov_kfuncs.h"
#include "held_dir_map.h"
#include "held_dir.h"

char LICENSE[] SEC("license") = "GPL";

#define ENOENT 2
#define EBADF 9

HELD_DIR_MAP(held_dir);

/* Provisioner settings and counters for the tracepoint programs. */
const volatile __u32 provision_prog_id;
__u64 watched_parent_id; /* only children of this cgroup are provisioned */
__u32 provisioned;
__u32 unprovisioned;
__u32 provision_errors;
int last_error;

SEC("syscall")
int hold(struct held_args *args)
{
	args->ret = held_dir_hold(&held_dir, args->dir_fd);
	return 0;
}

/* Drops the held directory (as freeing the map would). */
SEC("syscall")
int drop(struct held_args *args)
{
	struct held_dir *h = held_dir_slot(&held_dir);
	struct bpf_fs_dir *old;

	if (!h)
		return 0;
	old = bpf_kptr_xchg(&h->dir, NULL);
	if (old)
		bpf_fs_dir_release(old);
	args->ret = 0;
	return 0;
}

SEC("syscall")
int pin(struct held_args *args)
{
	__u8 opts[HELD_OPTS_MAX];
	struct bpf_fs_dir *dir;
	struct cgroup *cgrp;
	__u32 sz = args->opts_sz;

	/* The verifier needs the size within the buffer, and not zero. */
	if (sz > sizeof(opts))
		sz = sizeof(opts);
	if (sz < 1)
		sz = 1;
	__builtin_memcpy(opts, args->opts, sizeof(opts));
	cgrp = bpf_cgroup_from_id(args->cgroup_id);
	if (!cgrp) {
		args->ret = -ENOENT;
		return 0;
	}
	dir = held_dir_acquire(&held_dir);
	if (dir) {
		args->ret = bpf_cgroup_iter_pin_at(
			cgrp, dir, (const struct bpf_cgroup_iter_pin_opts *)opts, sz);
		bpf_fs_dir_release(dir);
	} else {
		args->ret = -EBADF;
	}
	bpf_cgroup_release(cgrp);
	return 0;
}

SEC("syscall")
int unpin(struct held_args *args)
{
	struct bpf_fs_dir *dir;
	struct cgroup *cgrp;

	cgrp = bpf_cgroup_from_id(args->cgroup_id);
	if (!cgrp) {
		args->ret = -ENOENT;
		return 0;
	}
	dir = held_dir_acquire(&held_dir);
	if (dir) {
		args->ret = bpf_cgroup_iter_unpin_at(cgrp, dir);
		bpf_fs_dir_release(dir);
	} else {
		args->ret = -EBADF;
	}
	bpf_cgroup_release(cgrp);
	return 0;
}

static bool watched(struct cgroup *cgrp)
{
	struct kernfs_node *parent = cgrp->kn->parent;

	return parent && parent->id == watched_parent_id;
}

static void count(int err, __u32 *done)
{
	if (err) {
		provision_errors++;
		last_error = err;
	} else {
		(*done)++;
	}
}

/* Loaded sleepable. */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(provision, struct cgroup *cgrp)
{
	struct bpf_cgroup_iter_pin_opts opts = {
		.prog_id = provision_prog_id,
		.order = BPF_CGROUP_ITER_SELF_ONLY,
		.mode = 0444,
	};
	struct bpf_fs_dir *dir;

	if (!watched(cgrp))
		return 0;
	dir = held_dir_acquire(&held_dir);
	if (!dir) {
		count(-EBADF, &provisioned);
		return 0;
	}
	count(bpf_cgroup_iter_pin_at(cgrp, dir, &opts, sizeof(opts)), &provisioned);
	bpf_fs_dir_release(dir);
	return 0;
}

/* Loaded sleepable. */
SEC("tp_btf/cgroup_rmdir_s")
int BPF_PROG(unprovision, struct cgroup *cgrp)
{
	struct bpf_fs_dir *dir;

	if (!watched(cgrp))
		return 0;
	dir = held_dir_acquire(&held_dir);
	if (!dir) {
		count(-EBADF, &unprovisioned);
		return 0;
	}
	count(bpf_cgroup_iter_unpin_at(cgrp, dir), &unprovisioned);
	bpf_fs_dir_release(dir);
	return 0;
}

/* Refused at load: a tracing program may not hold a directory by fd. */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(hold_from_tracepoint, struct cgroup *cgrp)
{
	int err = 0;
	struct bpf_fs_dir *dir = bpf_fs_dir_hold(0, &err);

	if (dir)
		bpf_fs_dir_release(dir);
	return 0;
}

/* Refused at load: a held directory read outside an RCU read section is
 * not trusted, so it cannot be passed to the pin kfunc.
 */
SEC("syscall")
int pin_without_reference(struct held_args *args)
{
	struct bpf_cgroup_iter_pin_opts opts = {};
	struct held_dir *h = held_dir_slot(&held_dir);
	struct cgroup *cgrp;
	struct bpf_fs_dir *dir;

	if (!h)
		return 0;
	dir = h->dir;
	if (!dir)
		return 0;
	cgrp = bpf_cgroup_from_id(args->cgroup_id);
	if (!cgrp)
		return 0;
	args->ret = bpf_cgroup_iter_pin_at(cgrp, dir, &opts, sizeof(opts));
	bpf_cgroup_release(cgrp);
	return 0;
}
