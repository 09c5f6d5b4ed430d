/* SPDX-License-Identifier: GPL-2.0 */
/* kfuncs cgprov's BPF programs call: the cgprov kernel series' cgroup_iter
 * pin/unpin (see kernel-patches/) and the stock cgroup and rstat kfuncs.
 */
#ifndef CGPROV_KFUNCS_H
#define CGPROV_KFUNCS_H

/* Create a cgroup_iter link for @cgrp running the iterator program
 * opts->prog_id, and pin it as @dir__str/@name. 0 or a negative errno.
 */
extern int bpf_cgroup_iter_pin(struct cgroup *cgrp, const char *dir__str, const char *name,
			       __u32 name__sz, const struct bpf_cgroup_iter_pin_opts *opts) __ksym;

/* Remove a pin made by bpf_cgroup_iter_pin(). 0 or a negative errno. */
extern int bpf_cgroup_iter_unpin(const char *dir__str, const char *name, __u32 name__sz) __ksym;

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

extern void cgroup_rstat_updated(struct cgroup *cgrp, int cpu) __ksym;
extern void cgroup_rstat_flush(struct cgroup *cgrp) __ksym;

#endif /* CGPROV_KFUNCS_H */
