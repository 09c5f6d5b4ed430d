/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between bpf/policy.bpf.c and the loader: the ACL policy's maps. */
#ifndef CGPROV_POLICY_H
#define CGPROV_POLICY_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/bpf.h>
#include <linux/types.h>
#endif

/* Operations a grant allows on one program, bits of cgprov_grant.ops. */
#define CGPROV_GRANT_OBJ_GET (1U << 0)	   /* BPF_OBJ_GET of its pin, read-only */
#define CGPROV_GRANT_LINK_CREATE (1U << 1) /* iterator links on owned cgroups */
#define CGPROV_GRANT_OBJ_PIN (1U << 2)	   /* pin own links of it in user/ */

/* Most programs with grants (the config's grant table). */
#define CGPROV_MAX_GRANTS 16
/* The usage table: uids are hashed (with a per-install secret, so that
 * nobody can aim at another uid's bucket) into CGPROV_USAGE_BUCKETS
 * buckets of CGPROV_USAGE_WAYS slots. A slot whose counters are both zero
 * is free: an account's slot is released the moment its last link or pin
 * goes, under the same bucket lock that every increment takes, so a
 * release can never race an increment into a lost update.
 */
#define CGPROV_USAGE_BUCKETS_LOG2 12
#define CGPROV_USAGE_BUCKETS (1U << CGPROV_USAGE_BUCKETS_LOG2)
#define CGPROV_USAGE_WAYS 8
/* Most links, and most pins, counted at once for all users together. When
 * full, further links or pins fail with EDQUOT.
 */
#define CGPROV_MAX_OWNED 65536

/* Policy states (cgprov_policy_config.state). */
#define CGPROV_POLICY_OPEN 1	/* grants apply */
#define CGPROV_POLICY_CLOSING 2 /* uninstall: no grant applies, bpf() refused */

/* One grant. The ID is the kernel's reference to the program the loader
 * loaded; load_time (boot-based ns) tells that program from a later one
 * that got the same ID.
 */
struct cgprov_grant {
	__u64 load_time;
	__u32 prog_id;
	__u32 ops;    /* CGPROV_GRANT_* */
	__u32 orders; /* bit (1 << BPF_CGROUP_ITER_*) per allowed walk order */
	__u32 pad;
};

/* The whole policy, one immutable value: the single entry of an array map
 * that the loader fills, freezes and then publishes by storing it in the
 * policy_config map-in-map. Replacing it is one pointer store, so a hook
 * (which looks the value up once) sees either the old policy or the new
 * one, never a mix of their fields.
 */
struct cgprov_policy_config {
	__u64 state;	      /* CGPROV_POLICY_*; 0: not enforced */
	__u64 user_dir_ino;   /* inode of <bpffs>/cgprov/user */
	__u64 user_dir_dev;   /* and its superblock's device (new_encode_dev) */
	__u64 allowed_cmds;   /* bit (1 << BPF_*) per bpf() command unprivileged
			       * callers may issue, derived from the grants
			       */
	__u64 usage_seed;     /* secret of the usage table's hash; kept for the
			       * lifetime of the usage map
			       */
	__u32 links_per_user; /* quota: live links charged to one account */
	__u32 pins_per_user;  /* quota: pins charged to one account in user/ */
	__u32 nr_grants;
	__u32 pad;
	struct cgprov_grant grants[CGPROV_MAX_GRANTS];
};

/* Usage of one account (a uid in the initial user namespace; see
 * account_uid() in policy.bpf.c). Free when links == pins == 0.
 */
struct cgprov_usage {
	__u32 uid;
	__u32 links;
	__u32 pins;
};

struct cgprov_usage_bucket {
	struct bpf_spin_lock lock;
	struct cgprov_usage slots[CGPROV_USAGE_WAYS];
};

/* Who created a link counted in policy_links: the euid (the only one who
 * may pin it) and the account charged for it.
 */
struct cgprov_link_owner {
	__u32 creator;
	__u32 account;
};

/* The usage bucket of `uid` (multiplicative hashing with a secret). */
static inline __u32 cgprov_usage_bucket_of(__u32 uid, __u64 seed)
{
	__u32 h = (uid ^ (__u32)seed) * ((__u32)(seed >> 32) | 1);

	return h >> (32 - CGPROV_USAGE_BUCKETS_LOG2);
}

#endif /* CGPROV_POLICY_H */
