// SPDX-License-Identifier: GPL-2.0
/* Programs on the faultable cgroup tracepoints, for the kernel series tests. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Only events caused by the test process are recorded. */
const volatile __u32 target_tgid;
/* Address of a marker string in the test process: copying it may fault,
 * which only a sleepable program may do.
 */
const volatile __u64 user_marker;

#define MARKER_LEN 16

__u64 mkdir_cgroup_id;
__u64 rmdir_cgroup_id;
char copied[MARKER_LEN];
long copy_ret = -1;
__u32 mkdir_calls;
__u32 rmdir_calls;
__u32 plain_calls;

static bool from_test_process(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

/* Loaded sleepable (BPF_F_SLEEPABLE set by the test before load). */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(sleepable_mkdir, struct cgroup *cgrp)
{
	if (!from_test_process())
		return 0;
	mkdir_cgroup_id = cgrp->kn->id;
	copy_ret = bpf_copy_from_user(copied, sizeof(copied), (void *)user_marker);
	mkdir_calls++;
	return 0;
}

/* Loaded sleepable. */
SEC("tp_btf/cgroup_rmdir_s")
int BPF_PROG(sleepable_rmdir, struct cgroup *cgrp)
{
	if (!from_test_process())
		return 0;
	rmdir_cgroup_id = cgrp->kn->id;
	rmdir_calls++;
	return 0;
}

/* Loaded non-sleepable: a plain program on a faultable tracepoint. */
SEC("tp_btf/cgroup_mkdir_s")
int BPF_PROG(plain_mkdir, struct cgroup *cgrp)
{
	if (from_test_process())
		plain_calls++;
	return 0;
}
