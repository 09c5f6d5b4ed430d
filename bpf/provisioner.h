/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between bpf/provisioner.bpf.c and the loader. */
#ifndef CGPROV_PROVISIONER_H
#define CGPROV_PROVISIONER_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

/* Stats files are read-only for everyone and root's (uid and gid 0):
 * nobody but root may chmod one, and with fs.protected_hardlinks nobody
 * else may hard-link it, so no second name keeps a removed cgroup's link.
 */
#define CGPROV_STATS_FILE_MODE 0444
#define CGPROV_STATS_FILE_OWNER 0

/* Counters of the provisioner, in the single entry of its status map. */
struct cgprov_provision_status {
	__u64 pinned;		/* stats files created (mkdir and backfill) */
	__u64 unpinned;		/* stats files removed on rmdir */
	__u64 pin_errors;	/* failed pins, last error in last_pin_error */
	__u64 unpin_errors;	/* failed unpins, last error in last_unpin_error */
	__s64 last_pin_error;	/* negative errno */
	__s64 last_unpin_error; /* negative errno */
};

/* Context of the backfill syscall program: one existing cgroup. */
struct cgprov_backfill_args {
	__u64 cgroup_id;
	__s32 ret; /* out: 0, -EEXIST (already provisioned) or an error */
	__u32 pad;
};

/* Context of the hold_stats_dir syscall program: the stats directory,
 * held by the kernel from then on (the loader's fd can be closed).
 */
struct cgprov_hold_dir_args {
	__s32 dir_fd;
	__s32 ret; /* out: 0 or a negative errno */
};

#endif /* CGPROV_PROVISIONER_H */
