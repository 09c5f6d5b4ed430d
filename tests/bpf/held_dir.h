/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by tests/bpf/held_dir.bpf.c and tests/integration/held_dir_test.cpp. */
#ifndef CGPROV_TEST_HELD_DIR_H
#define CGPROV_TEST_HELD_DIR_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

/* Room for the options and bytes past them, for the size checks. */
#define HELD_OPTS_MAX 32

/* Context of the syscall programs, filled by the test. */
struct held_args {
	__s32 dir_fd;  /* hold: the directory */
	__u32 opts_sz; /* pin: the options' size given to the kfunc */
	__u64 cgroup_id;
	__u8 opts[HELD_OPTS_MAX]; /* pin: struct bpf_cgroup_iter_pin_opts, then zeros or not */
	__s32 ret;
	__u32 pad;
};

#endif /* CGPROV_TEST_HELD_DIR_H */
