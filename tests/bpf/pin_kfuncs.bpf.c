// SPDX-License-Identifier: GPL-2.0
/* Drives bpf_cgroup_iter_pin()/bpf_cgroup_iter_unpin() (by path) for the kernel series
 * tests: syscall programs run by the test with chosen arguments, and a
 * provisioner pair on the faultable cgroup tracepoints.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "cgprov_kfuncs.h"
#include "pin_kfuncs.h"

char LICENSE[] SEC("license") = "GPL";

/* The path-based pair (kernel series patch 5), kept for objects built
 * against it; cgprov itself uses the held-directory kfuncs.
 */
extern int bpf_cgroup_iter_pin(struct cgroup *cgrp, const char *dir__str, const char *name,
			       __u32 name__sz, const struct bpf_cgroup_iter_pin_opts *opts) __ksym;
extern int bpf_cgroup_iter_unpin(const char *dir__str, const char *name, __u32 name__sz) __ksym;

#define ENOENT 2
#define NAME_LEN PIN_NAME_LEN

static const char test_dir[] = "/sys/fs/bpf/cgprov-test";
static const char cgroupfs_dir[] = "/sys/fs/cgroup";
static const char tmpfs_dir[] = "/tmp";
static const char missing_dir[] = "/sys/fs/bpf/cgprov-test-missing";
static const char symlink_dir[] = "/tmp/cgprov-test-link";

/* Provisioner settings and counters for the tracepoint programs. */
const volatile __u32 provision_prog_id;
const volatile __u32 provision_uid;
__u64 watched_parent_id; /* only children of this cgroup are provisioned */
__u32 provisioned;
__u32 unprovisioned;
__u32 provision_errors;
int last_error;

static int pin_in(__u32 dir, struct cgroup *cgrp, const char *name,
		  const struct bpf_cgroup_iter_pin_opts *opts)
{
	switch (dir) {
	case DIR_TEST:
		return bpf_cgroup_iter_pin(cgrp, test_dir, name, NAME_LEN, opts);
	case DIR_CGROUPFS:
		return bpf_cgroup_iter_pin(cgrp, cgroupfs_dir, name, NAME_LEN, opts);
	case DIR_TMPFS:
		return bpf_cgroup_iter_pin(cgrp, tmpfs_dir, name, NAME_LEN, opts);
	case DIR_MISSING:
		return bpf_cgroup_iter_pin(cgrp, missing_dir, name, NAME_LEN, opts);
	default:
		return bpf_cgroup_iter_pin(cgrp, symlink_dir, name, NAME_LEN, opts);
	}
}

SEC("syscall")
int pin(struct pin_args *args)
{
	struct bpf_cgroup_iter_pin_opts opts = {
		.prog_id = args->prog_id,
		.order = args->order,
		.mode = args->mode,
		.uid = args->uid,
		.gid = args->gid,
	};
	char name[NAME_LEN];
	struct cgroup *cgrp;

	__builtin_memcpy(name, args->name, NAME_LEN);
	cgrp = bpf_cgroup_from_id(args->cgroup_id);
	if (!cgrp) {
		args->ret = -ENOENT;
		return 0;
	}
	args->ret = pin_in(args->dir, cgrp, name, &opts);
	bpf_cgroup_release(cgrp);
	return 0;
}

SEC("syscall")
int unpin(struct pin_args *args)
{
	char name[NAME_LEN];

	__builtin_memcpy(name, args->name, NAME_LEN);
	if (args->dir == DIR_TEST)
		args->ret = bpf_cgroup_iter_unpin(test_dir, name, NAME_LEN);
	else
		args->ret = bpf_cgroup_iter_unpin(cgroupfs_dir, name, NAME_LEN);
	return 0;
}

/* The pin's name: the cgroup id in decimal. */
static void id_name(struct cgroup *cgrp, char *name)
{
	__u64 id = cgrp->kn->id;

	bpf_snprintf(name, NAME_LEN, "%llu", &id, sizeof(id));
}

static bool watched(struct cgroup *cgrp)
{
	struct kernfs_node *parent = cgrp->kn->parent;

	return parent && parent->id == watched_parent_id;
}

/* Loaded sleepable. */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(provision, struct cgroup *cgrp)
{
	struct bpf_cgroup_iter_pin_opts opts = {
		.prog_id = provision_prog_id,
		.order = BPF_CGROUP_ITER_SELF_ONLY,
		.mode = 0444,
		.uid = provision_uid,
		.gid = provision_uid,
	};
	char name[NAME_LEN];
	int err;

	if (!watched(cgrp))
		return 0;
	id_name(cgrp, name);
	err = bpf_cgroup_iter_pin(cgrp, test_dir, name, NAME_LEN, &opts);
	if (err) {
		provision_errors++;
		last_error = err;
	} else {
		provisioned++;
	}
	return 0;
}

/* Loaded sleepable. */
SEC("tp_btf/cgroup_rmdir_s")
int BPF_PROG(unprovision, struct cgroup *cgrp)
{
	char name[NAME_LEN];
	int err;

	if (!watched(cgrp))
		return 0;
	id_name(cgrp, name);
	err = bpf_cgroup_iter_unpin(test_dir, name, NAME_LEN);
	if (err) {
		provision_errors++;
		last_error = err;
	} else {
		unprovisioned++;
	}
	return 0;
}
