/* SPDX-License-Identifier: GPL-2.0 */
/* kfuncs cgprov's BPF programs call: the cgprov kernel series' cgroup_iter
 * held directory and pin/unpin (see kernel-patches/) and the stock cgroup and rstat kfuncs.
 */
#ifndef CGPROV_KFUNCS_H
#define CGPROV_KFUNCS_H

/* A bpffs directory held by the kernel (mount and dentry), made by a
 * syscall program from a directory fd of its caller; NULL with *err set on
 * failure. Programs keep it as a kptr and take a reference to use it.
 */
extern struct bpf_fs_dir *bpf_fs_dir_hold(int fd, int *err) __ksym;
extern struct bpf_fs_dir *bpf_fs_dir_acquire(struct bpf_fs_dir *dir) __ksym;
extern void bpf_fs_dir_release(struct bpf_fs_dir *dir) __ksym;

/* Create a cgroup_iter link for @cgrp running the iterator program
 * opts->prog_id, and pin it in @dir named by the cgroup's id in decimal.
 * 0 or a negative errno.
 */
extern int bpf_cgroup_iter_pin_at(struct cgroup *cgrp, struct bpf_fs_dir *dir,
				  const struct bpf_cgroup_iter_pin_opts *opts,
				  __u32 opts__sz) __ksym;

/* Remove the file of @cgrp from @dir if it is a pinned cgroup_iter link of
 * @cgrp. 0 or a negative errno.
 */
extern int bpf_cgroup_iter_unpin_at(struct cgroup *cgrp, struct bpf_fs_dir *dir) __ksym;

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

extern void cgroup_rstat_updated(struct cgroup *cgrp, int cpu) __ksym;
extern void cgroup_rstat_flush(struct cgroup *cgrp) __ksym;

#endif /* CGPROV_KFUNCS_H */
