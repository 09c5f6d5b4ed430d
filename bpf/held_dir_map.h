/* SPDX-License-Identifier: GPL-2.0 */
/* A bpffs directory held by the kernel (bpf_fs_dir_hold()), kept as a kptr
 * in the single entry of an array map: the provisioner's stats directory,
 * and the kernel series tests' directory.
 */
#ifndef CGPROV_HELD_DIR_MAP_H
#define CGPROV_HELD_DIR_MAP_H

#include "cgprov_kfuncs.h"

#ifndef ENOENT
#define ENOENT 2
#endif

struct held_dir {
	struct bpf_fs_dir __kptr *dir;
};

/* Declares the array map NAME holding one directory. */
#define HELD_DIR_MAP(name)                                                                         \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, 1);                                                            \
		__type(key, __u32);                                                                \
		__type(value, struct held_dir);                                                    \
	} name SEC(".maps")

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

static __always_inline struct held_dir *held_dir_slot(void *map)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(map, &zero);
}

/* A reference on the directory held in @map, NULL if none is. */
static __always_inline struct bpf_fs_dir *held_dir_acquire(void *map)
{
	struct held_dir *held = held_dir_slot(map);
	struct bpf_fs_dir *dir = NULL, *rcu_dir;

	if (!held)
		return NULL;
	bpf_rcu_read_lock();
	rcu_dir = held->dir;
	if (rcu_dir)
		dir = bpf_fs_dir_acquire(rcu_dir);
	bpf_rcu_read_unlock();
	return dir;
}

/* Holds the directory open as @fd in the caller's table in @map, in place
 * of any held before. 0 or a negative errno.
 */
static __always_inline int held_dir_hold(void *map, int fd)
{
	struct held_dir *held = held_dir_slot(map);
	struct bpf_fs_dir *dir, *old;
	int err = 0;

	if (!held)
		return -ENOENT; /* not reached: an array has its entry */
	dir = bpf_fs_dir_hold(fd, &err);
	if (!dir)
		return err;
	old = bpf_kptr_xchg(&held->dir, dir);
	if (old)
		bpf_fs_dir_release(old);
	return 0;
}

#endif /* CGPROV_HELD_DIR_MAP_H */
