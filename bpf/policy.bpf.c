// SPDX-License-Identifier: GPL-2.0
/* cgprov's BPF-LSM policy: per-program, per-operation grants for callers
 * without CAP_BPF or CAP_SYS_ADMIN (in the initial user namespace).
 *
 * - bpf(): every command is refused unless a grant needs it (OBJ_GET,
 *   LINK_CREATE, OBJ_PIN), and those only in the shape the grants allow.
 * - OBJ_GET and GET_FD_BY_ID: programs only with an OBJ_GET grant; maps and
 *   links never.
 * - Iterator links: only of programs with a LINK_CREATE grant, only on a
 *   cgroup the caller owns (its directory's uid), never the root, only in
 *   the granted walk orders; counted against the caller's link quota until
 *   the link is freed.
 * - Pins: only links the caller created, of programs with an OBJ_PIN grant,
 *   only directly in the user directory (compared by inode), under a name
 *   starting with "<uid>-"; counted against the pin quota until the file's
 *   inode is freed. In the user directory, unprivileged callers can only
 *   pin and unlink their own files: no mkdir, symlink, hard link, rename.
 * - Links cannot be updated by unprivileged callers.
 *
 * The hooks see objects the kernel already resolved from fds and user
 * pointers (kernel series patches 6-8), so a caller cannot swap the object
 * between the check and its use.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "policy.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1
#define EEXIST 17
#define EDQUOT 122
#define MAX_ERRNO 4095
/* include/uapi/linux/capability.h */
#define CAP_SYS_ADMIN 21
#define CAP_BPF 39
/* include/linux/kdev_t.h: the kernel's dev_t split */
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
/* Longest pin name prefix "<uid>-": 10 digits and the dash. */
#define UID_PREFIX_MAX 11

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgprov_policy_config);
} policy_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGPROV_MAX_GRANTS);
	__type(key, __u32); /* program ID */
	__type(value, struct cgprov_grant);
} policy_grants SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGPROV_MAX_USERS);
	__type(key, __u32); /* uid */
	__type(value, struct cgprov_usage);
} policy_usage SEC(".maps");

/* Links created under the policy: kernel address of the link -> creator's
 * uid. An entry lives exactly as long as its link (removed on free), so an
 * address is never mistaken for a later link's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGPROV_MAX_OWNED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} policy_links SEC(".maps");

/* Pin inodes in the user directory: kernel address of the inode -> owner,
 * removed when the inode is freed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGPROV_MAX_OWNED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} policy_pins SEC(".maps");

static struct cgprov_policy_config *config(void)
{
	__u32 zero = 0;
	struct cgprov_policy_config *cfg = bpf_map_lookup_elem(&policy_config, &zero);

	return cfg && cfg->enforce ? cfg : NULL;
}

/* An earlier LSM's verdict, passed on; the verifier wants it in [-4095, 0]. */
static int verdict(int ret)
{
	if (ret > 0 || ret < -MAX_ERRNO)
		return -EPERM;
	return ret;
}

/* capable(CAP_BPF) or capable(CAP_SYS_ADMIN), i.e. in the initial user
 * namespace (the only one at level 0): root of a user namespace is not
 * privileged here.
 */
static bool privileged(void)
{
	const struct cred *cred = bpf_get_current_task_btf()->cred;
	__u64 caps = cred->cap_effective.val;

	if (cred->user_ns->level != 0)
		return false;
	return caps & ((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_BPF));
}

/* Whether the policy decides a hook: no earlier LSM refused (ret), the
 * loader has written the policy, and the caller is not privileged.
 */
static bool policed(int ret)
{
	return !ret && config() && !privileged();
}

/* The caller's uid for ownership: its euid (in the initial namespace). */
static __u32 caller_uid(void)
{
	return bpf_get_current_task_btf()->cred->euid.val;
}

/* Files are created and removed with the fsuid: a caller whose fsuid is
 * not its euid could pin files owned by a uid whose quota is not charged.
 */
static bool fsuid_is_euid(void)
{
	const struct cred *cred = bpf_get_current_task_btf()->cred;

	return cred->fsuid.val == cred->euid.val;
}

static struct cgprov_grant *grant_of(struct bpf_prog *prog)
{
	struct cgprov_grant *grant;
	__u32 id;

	if (!prog)
		return NULL;
	id = prog->aux->id;
	grant = bpf_map_lookup_elem(&policy_grants, &id);
	if (!grant || grant->load_time != prog->aux->load_time)
		return NULL;
	return grant;
}

static bool granted(struct bpf_prog *prog, __u32 op)
{
	struct cgprov_grant *grant = grant_of(prog);

	return grant && (grant->ops & op);
}

static struct cgprov_usage *usage_of(__u32 uid)
{
	struct cgprov_usage fresh = {};
	struct cgprov_usage *usage = bpf_map_lookup_elem(&policy_usage, &uid);

	if (usage)
		return usage;
	bpf_map_update_elem(&policy_usage, &uid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&policy_usage, &uid);
}

/* Take one unit of a quota counter; false when it is used up. */
static bool take(__u32 *counter, __u32 quota)
{
	if (__sync_fetch_and_add(counter, 1) < quota)
		return true;
	__sync_fetch_and_sub(counter, 1);
	return false;
}

/* An object counted for its owner (in policy_links or policy_pins) is
 * gone: forget it and give the owner back one link or pin.
 */
static __always_inline void release_owned(void *owners, __u64 key, bool is_link)
{
	struct cgprov_usage *usage;
	__u32 *owner = bpf_map_lookup_elem(owners, &key);

	if (!owner)
		return;
	usage = bpf_map_lookup_elem(&policy_usage, owner);
	if (usage && is_link)
		__sync_fetch_and_sub(&usage->links, 1);
	else if (usage)
		__sync_fetch_and_sub(&usage->pins, 1);
	bpf_map_delete_elem(owners, &key);
}

/* st_dev as user space sees it (new_encode_dev()). */
static __u64 user_dev(dev_t dev)
{
	__u32 major = dev >> MINORBITS, minor = dev & MINORMASK;

	return (minor & 0xff) | (major << 8) | ((__u64)(minor & ~0xffU) << 12);
}

static bool is_user_dir(struct inode *dir, const struct cgprov_policy_config *cfg)
{
	return dir && dir->i_ino == cfg->user_dir_ino &&
	       user_dev(dir->i_sb->s_dev) == cfg->user_dir_dev;
}

/* Whether a pin name starts with "<uid>-". */
static bool name_has_uid_prefix(struct dentry *dentry, __u32 uid)
{
	char name[UID_PREFIX_MAX + 1] = {};
	__u64 value = 0;
	int i;

	if (bpf_probe_read_kernel_str(name, sizeof(name), dentry->d_name.name) < 0)
		return false;
	for (i = 0; i < UID_PREFIX_MAX; i++) {
		char c = name[i];

		if (c == '-')
			return i > 0 && value == uid;
		if (c < '0' || c > '9' || (i == 0 && c == '0' && name[1] != '-'))
			return false;
		value = value * 10 + (c - '0');
	}
	return false;
}

SEC("lsm.s/bpf")
int BPF_PROG(check_bpf_cmd, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	struct cgprov_policy_config *cfg = config();

	if (ret || !cfg || privileged())
		return verdict(ret);
	if (cmd < 0 || cmd >= 64 || !(cfg->allowed_cmds & (1ULL << cmd)))
		return -EPERM;
	switch (cmd) {
	case BPF_OBJ_GET: /* programs only, which need no write access */
		if ((attr->file_flags & ~BPF_F_PATH_FD) != BPF_F_RDONLY)
			return -EPERM;
		break;
	case BPF_LINK_CREATE: /* iterator links; checked further on attach */
		if (attr->link_create.attach_type != BPF_TRACE_ITER)
			return -EPERM;
		break;
	}
	return 0;
}

/* A new fd for an existing program (OBJ_GET, PROG_GET_FD_BY_ID). */
SEC("lsm.s/bpf_prog")
int BPF_PROG(check_prog_fd, struct bpf_prog *prog, int ret)
{
	if (!policed(ret))
		return verdict(ret);
	return granted(prog, CGPROV_GRANT_OBJ_GET) ? 0 : -EPERM;
}

SEC("lsm.s/bpf_map")
int BPF_PROG(check_map_fd, struct bpf_map *map, fmode_t fmode, int ret)
{
	if (!policed(ret))
		return verdict(ret);
	return -EPERM;
}

SEC("lsm.s/bpf_link")
int BPF_PROG(check_link_fd, struct bpf_link *link, int ret)
{
	if (!policed(ret))
		return verdict(ret);
	return -EPERM;
}

SEC("lsm.s/bpf_link_update")
int BPF_PROG(check_link_update, struct bpf_link *link, struct bpf_prog *new_prog,
	     struct bpf_prog *old_prog, int ret)
{
	if (!policed(ret))
		return verdict(ret);
	return -EPERM;
}

SEC("lsm.s/bpf_iter_link_attach")
int BPF_PROG(check_iter_attach, struct bpf_link *link, struct bpf_prog *prog,
	     const struct bpf_iter_aux_info *aux, int ret)
{
	struct cgprov_policy_config *cfg = config();
	struct cgprov_grant *grant;
	struct cgprov_usage *usage;
	struct kernfs_iattrs *owner;
	struct cgroup *cgrp;
	__u64 key = (__u64)link;
	__u32 uid = caller_uid();
	long err;

	if (ret || !cfg || privileged())
		return verdict(ret);
	grant = grant_of(prog);
	if (!grant || !(grant->ops & CGPROV_GRANT_LINK_CREATE))
		return -EPERM;
	/* Granted programs are cgroup iterators: a start cgroup is set. */
	cgrp = aux->cgroup.start;
	if (!cgrp || cgrp->level == 0 || aux->cgroup.order >= 32 ||
	    !(grant->orders & (1U << aux->cgroup.order)))
		return -EPERM;
	/* No attributes: never chowned, so root's. Root's cgroups are never
	 * "owned" by a caller without capabilities, even one with euid 0.
	 */
	owner = cgrp->kn->iattr;
	if (!owner || owner->ia_uid.val != uid || uid == 0)
		return -EPERM;
	/* While a reinstall replaces this program, the old and the new one
	 * both run: the first to record the link counts it.
	 */
	err = bpf_map_update_elem(&policy_links, &key, &uid, BPF_NOEXIST);
	if (err == -EEXIST)
		return 0;
	if (err)
		return -EDQUOT; /* the map is full */
	usage = usage_of(uid);
	if (!usage || !take(&usage->links, cfg->links_per_user)) {
		bpf_map_delete_elem(&policy_links, &key);
		return -EDQUOT;
	}
	return 0;
}

SEC("lsm/bpf_link_free")
void BPF_PROG(release_link, struct bpf_link *link)
{
	release_owned(&policy_links, (__u64)link, true);
}

static long drop_grant(struct bpf_map *map, __u32 *id, struct cgprov_grant *grant, __u64 *load_time)
{
	if (grant->load_time == *load_time)
		bpf_map_delete_elem(map, id);
	return 0;
}

/* The kernel clears a program's ID before this hook: find its grant by the
 * load time recorded with it. A clash with another program's load time can
 * only remove a grant, never add one.
 */
SEC("lsm/bpf_prog_free")
void BPF_PROG(release_grant, struct bpf_prog *prog)
{
	__u64 load_time = prog->aux->load_time;

	bpf_for_each_map_elem(&policy_grants, drop_grant, &load_time, 0);
}

SEC("lsm.s/bpf_obj_pin")
int BPF_PROG(check_pin, struct bpf_prog *prog, struct bpf_map *map, struct bpf_link *link,
	     const struct path *dir, struct dentry *dentry, int ret)
{
	struct cgprov_policy_config *cfg = config();
	struct cgprov_usage *usage;
	__u64 key = (__u64)link;
	__u32 uid = caller_uid();
	__u32 *creator;

	if (ret || !cfg || privileged())
		return verdict(ret);
	if (!link || !granted(link->prog, CGPROV_GRANT_OBJ_PIN) || !fsuid_is_euid())
		return -EPERM;
	creator = bpf_map_lookup_elem(&policy_links, &key);
	if (!creator || *creator != uid)
		return -EPERM;
	if (!is_user_dir(dir->dentry->d_inode, cfg) || !name_has_uid_prefix(dentry, uid))
		return -EPERM;
	/* Pins into the user directory hold its inode lock: counting here and
	 * adding the pin once it exists (d_instantiate) cannot race.
	 */
	usage = usage_of(uid);
	if (!usage || usage->pins >= cfg->pins_per_user)
		return -EDQUOT;
	/* Make sure count_pin will find room for the pin; its key is another
	 * address, but inserts are serialized by the same directory lock.
	 */
	key = (__u64)dentry;
	if (bpf_map_update_elem(&policy_pins, &key, &uid, BPF_NOEXIST))
		return -EDQUOT;
	bpf_map_delete_elem(&policy_pins, &key);
	return 0;
}

/* A new file in the user directory (a pin that succeeded): count it for
 * its owner until its inode is freed.
 */
SEC("lsm/d_instantiate")
void BPF_PROG(count_pin, struct dentry *dentry, struct inode *inode)
{
	struct cgprov_policy_config *cfg = config();
	struct cgprov_usage *usage;
	__u64 key = (__u64)inode;
	__u32 owner;

	if (!cfg || !inode || !is_user_dir(dentry->d_parent->d_inode, cfg))
		return;
	owner = inode->i_uid.val;
	if (bpf_map_update_elem(&policy_pins, &key, &owner, BPF_NOEXIST))
		return;
	usage = usage_of(owner);
	if (usage)
		__sync_fetch_and_add(&usage->pins, 1);
}

SEC("lsm/inode_free_security")
void BPF_PROG(release_pin, struct inode *inode)
{
	release_owned(&policy_pins, (__u64)inode, false);
}

/* In the user directory, unprivileged callers only pin and unlink. */
static int user_dir_change(struct inode *dir)
{
	struct cgprov_policy_config *cfg = config();

	if (!cfg || privileged() || !is_user_dir(dir, cfg))
		return 0;
	return -EPERM;
}

SEC("lsm/inode_mkdir")
int BPF_PROG(deny_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ret ? verdict(ret) : user_dir_change(dir);
}

SEC("lsm/inode_symlink")
int BPF_PROG(deny_symlink, struct inode *dir, struct dentry *dentry, const char *old_name, int ret)
{
	return ret ? verdict(ret) : user_dir_change(dir);
}

SEC("lsm/inode_link")
int BPF_PROG(deny_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry,
	     int ret)
{
	if (ret)
		return verdict(ret);
	if (user_dir_change(dir))
		return -EPERM;
	return user_dir_change(old_dentry->d_parent->d_inode);
}

SEC("lsm/inode_rename")
int BPF_PROG(deny_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return verdict(ret);
	if (user_dir_change(old_dir))
		return -EPERM;
	return user_dir_change(new_dir);
}

/* Unlink of another user's file in the user directory (the directory is
 * sticky as well; this holds even if an admin changes its mode).
 */
SEC("lsm/inode_unlink")
int BPF_PROG(check_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	struct cgprov_policy_config *cfg = config();
	struct inode *inode = dentry->d_inode;

	if (ret || !cfg || privileged() || !is_user_dir(dir, cfg))
		return verdict(ret);
	if (!inode || inode->i_uid.val != bpf_get_current_task_btf()->cred->fsuid.val)
		return -EPERM;
	return 0;
}
