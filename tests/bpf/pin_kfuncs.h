/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by tests/bpf/pin_kfuncs.bpf.c and its test. */
#ifndef CGPROV_TEST_PIN_KFUNCS_H
#define CGPROV_TEST_PIN_KFUNCS_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

#define PIN_NAME_LEN 64

/* Directories a pin may target; the kfuncs take constant strings only. */
enum pin_dir {
	DIR_TEST,     /* bpffs directory the test creates */
	DIR_CGROUPFS, /* not bpffs */
	DIR_TMPFS,    /* not bpffs */
	DIR_MISSING,  /* does not exist */
	DIR_SYMLINK,  /* a symlink to DIR_TEST */
};

/* Context of the syscall programs, filled by the test. */
struct pin_args {
	__u64 cgroup_id;
	__u32 dir; /* enum pin_dir */
	__u32 prog_id;
	__u32 order;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	char name[PIN_NAME_LEN];
	__s32 ret;
	__u32 pad;
};

#endif /* CGPROV_TEST_PIN_KFUNCS_H */
