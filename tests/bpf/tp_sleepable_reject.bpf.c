// SPDX-License-Identifier: GPL-2.0
/* Programs the verifier must refuse, one per rejected pattern. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

char buf[8];

/* Sleepable on the plain (non-faultable) cgroup_mkdir tracepoint. */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(sleepable_on_plain_tp, struct cgroup *cgrp, const char *path)
{
	return 0;
}

/* Non-sleepable on a faultable tracepoint, but calling a helper that may
 * fault: still refused, sleeping needs BPF_F_SLEEPABLE.
 */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(faulting_helper_not_sleepable, struct cgroup *cgrp)
{
	bpf_copy_from_user(buf, sizeof(buf), (void *)0);
	return 0;
}
