// SPDX-License-Identifier: GPL-2.0
/* A minimal cgroup iterator for the kfunc tests: prints the cgroup's id. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/cgroup")
int dump_cgroup_id(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;

	if (!cgrp) /* end of iteration */
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "cgroup_id %llu\n", cgrp->kn->id);
	return 0;
}
