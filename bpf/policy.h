/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between bpf/policy.bpf.c and the loader: the ACL policy's maps. */
#ifndef CGPROV_POLICY_H
#define CGPROV_POLICY_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

/* Operations a grant allows on one program, bits of cgprov_grant.ops. */
#define CGPROV_GRANT_OBJ_GET (1U << 0)	   /* BPF_OBJ_GET of its pin, read-only */
#define CGPROV_GRANT_LINK_CREATE (1U << 1) /* iterator links on owned cgroups */
#define CGPROV_GRANT_OBJ_PIN (1U << 2)	   /* pin own links of it in user/ */

/* Most programs with grants (the grants map's size). */
#define CGPROV_MAX_GRANTS 16
/* Most uids that ever had a link or pin since install (the usage map's
 * size; an entry stays once made, so its counters can be updated without
 * a lookup racing a delete).
 */
#define CGPROV_MAX_USERS 4096
/* Most links, and most pins, counted at once for all users together. When
 * full, further links or pins fail with EDQUOT.
 */
#define CGPROV_MAX_OWNED 65536

/* A grant, keyed by program ID in the grants map. The ID is the kernel's
 * reference to the program the loader loaded; load_time (boot-based ns)
 * tells that program from a later one that got the same ID, and the
 * bpf_prog_free hook removes the grant when the program goes away.
 */
struct cgprov_grant {
	__u64 load_time;
	__u32 ops;    /* CGPROV_GRANT_* */
	__u32 orders; /* bit (1 << BPF_CGROUP_ITER_*) per allowed walk order */
};

/* The single entry of the config map. */
struct cgprov_policy_config {
	__u64 enforce;	      /* 0 until the loader has written the policy */
	__u64 user_dir_ino;   /* inode of <bpffs>/cgprov/user */
	__u64 user_dir_dev;   /* and its superblock's device (new_encode_dev) */
	__u64 allowed_cmds;   /* bit (1 << BPF_*) per bpf() command unprivileged
			       * callers may issue, derived from the grants
			       */
	__u32 links_per_user; /* quota: live links created by one uid */
	__u32 pins_per_user;  /* quota: pins owned by one uid in user/ */
};

/* Per-uid usage, in the usage map keyed by uid. */
struct cgprov_usage {
	__u32 links;
	__u32 pins;
};

#endif /* CGPROV_POLICY_H */
