// SPDX-License-Identifier: GPL-2.0
/* cgprov's BPF-LSM policy: per-program, per-operation grants for callers
 * without CAP_BPF or CAP_SYS_ADMIN (in the initial user namespace).
 *
 * - bpf(): every command is refused unless a grant needs it (OBJ_GET,
 *   LINK_CREATE, OBJ_PIN), and those only in the shape the grants allow;
 *   while the policy is closing (uninstall), every command is refused.
 * - OBJ_GET and GET_FD_BY_ID: programs only with an OBJ_GET grant; maps and
 *   links never.
 * - Iterator links: only of programs with a LINK_CREATE grant, only on a
 *   cgroup of the default hierarchy the caller owns (its directory's uid),
 *   never the root, only in the granted walk orders; charged to the
 *   caller's account (its euid, or the owner of its outermost user
 *   namespace) until the link is freed.
 * - Pins: only links the caller created, of programs with an OBJ_PIN grant,
 *   only directly in the user directory (compared by inode), under a name
 *   starting with "<uid>-"; charged before the file exists (refused if the
 *   charge cannot be taken) until the file's inode is freed. In the user
 *   directory, unprivileged callers can only pin and unlink their own
 *   files: no mkdir, symlink, hard link, rename.
 * - Links cannot be updated by unprivileged callers.
 *
 * The policy is one frozen value published through a map-in-map: a hook
 * looks it up once and sees the old policy or the new one, never a mix.
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
/* kernel/user_namespace.c: a namespace is created only below level 33. */
#define MAX_USERNS_LEVEL 33
/* The default (v2) cgroup hierarchy is the first one registered: id 0. */
#define DFL_HIERARCHY_ID 0

/* The policy value the loader published (see struct cgprov_policy_config):
 * an inner array map, never written after it is published.
 */
struct policy_config_value {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgprov_policy_config);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct policy_config_value);
} policy_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CGPROV_USAGE_BUCKETS);
	__type(key, __u32);
	__type(value, struct cgprov_usage_bucket);
} policy_usage SEC(".maps");

/* Links created under the policy: kernel address of the link -> its
 * creator and account. An entry lives exactly as long as its link (removed
 * on free), so an address is never mistaken for a later link's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGPROV_MAX_OWNED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct cgprov_link_owner);
} policy_links SEC(".maps");

/* Pins in the user directory: kernel address of the inode -> the account
 * charged, removed when the inode is freed. Between the creation check
 * (inode_create) and the new inode (d_instantiate), the entry is keyed by
 * the address of the new dentry: the charge is taken before the file
 * exists, so a pin that cannot be counted is refused.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGPROV_MAX_OWNED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} policy_pins SEC(".maps");

/* The published policy, whatever its state (NULL before the loader wrote
 * one). A hook looks it up once and uses only that value.
 */
static struct cgprov_policy_config *published(void)
{
	__u32 zero = 0;
	void *inner = bpf_map_lookup_elem(&policy_config, &zero);

	if (!inner)
		return NULL;
	return bpf_map_lookup_elem(inner, &zero);
}

/* The policy to enforce: NULL if none is written yet. */
static struct cgprov_policy_config *enforced_config(void)
{
	struct cgprov_policy_config *cfg = published();

	return cfg && cfg->state ? cfg : NULL;
}

static bool closing(const struct cgprov_policy_config *cfg)
{
	return cfg->state != CGPROV_POLICY_OPEN;
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
	return !ret && enforced_config() && !privileged();
}

/* The caller's uid for ownership: its euid (in the initial namespace). */
static __u32 caller_uid(void)
{
	return bpf_get_current_task_btf()->cred->euid.val;
}

/* The account charged for what the caller creates: its euid, or, inside
 * user namespaces, the owner of the outermost one (the uid that created
 * the first-level namespace). Every uid of a subordinate range mapped into
 * a user's namespaces is charged to that user, so a range cannot multiply
 * the quota nor fill the usage table.
 */
static __u32 account_uid(void)
{
	const struct cred *cred = bpf_get_current_task_btf()->cred;
	struct user_namespace *ns = cred->user_ns;
	int i;

	if (ns->level == 0)
		return cred->euid.val;
	for (i = 0; i < MAX_USERNS_LEVEL && ns->level > 1; i++)
		ns = ns->parent;
	if (ns->level != 1)
		return (__u32)-1; /* cannot happen: nesting is limited */
	return ns->owner.val;
}

/* Files are created and removed with the fsuid: a caller whose fsuid is
 * not its euid could pin files owned by a uid whose quota is not charged.
 */
static bool fsuid_is_euid(void)
{
	const struct cred *cred = bpf_get_current_task_btf()->cred;

	return cred->fsuid.val == cred->euid.val;
}

static const struct cgprov_grant *grant_of(const struct cgprov_policy_config *cfg,
					   struct bpf_prog *prog)
{
	__u32 id;
	int i;

	if (!prog || closing(cfg))
		return NULL;
	id = prog->aux->id;
	for (i = 0; i < CGPROV_MAX_GRANTS; i++) {
		const struct cgprov_grant *grant = &cfg->grants[i];

		if (i >= cfg->nr_grants)
			break;
		if (grant->prog_id == id && grant->load_time == prog->aux->load_time)
			return grant;
	}
	return NULL;
}

static bool granted(const struct cgprov_policy_config *cfg, struct bpf_prog *prog, __u32 op)
{
	const struct cgprov_grant *grant = grant_of(cfg, prog);

	return grant && (grant->ops & op);
}

static struct cgprov_usage_bucket *bucket_of(const struct cgprov_policy_config *cfg, __u32 uid)
{
	__u32 index = cgprov_usage_bucket_of(uid, cfg->usage_seed);

	return bpf_map_lookup_elem(&policy_usage, &index);
}

/* Charge one link or pin to `uid`, within `quota`; false when the quota is
 * used up or the uid's bucket has no free slot. The whole decision is made
 * under the bucket's lock, as is every release (give()).
 */
static __always_inline bool take(const struct cgprov_policy_config *cfg, __u32 uid, bool is_link,
				 __u32 quota)
{
	struct cgprov_usage_bucket *bucket = bucket_of(cfg, uid);
	struct cgprov_usage *slot = NULL, *free = NULL;
	bool ok = false;
	int i;

	if (!bucket)
		return false;
	bpf_spin_lock(&bucket->lock);
	for (i = 0; i < CGPROV_USAGE_WAYS; i++) {
		struct cgprov_usage *s = &bucket->slots[i];

		if (s->links || s->pins) {
			if (s->uid == uid) {
				slot = s;
				break;
			}
		} else if (!free) {
			free = s;
		}
	}
	if (!slot && free) {
		slot = free;
		slot->uid = uid;
	}
	if (slot && is_link && slot->links < quota) {
		slot->links++;
		ok = true;
	} else if (slot && !is_link && slot->pins < quota) {
		slot->pins++;
		ok = true;
	}
	bpf_spin_unlock(&bucket->lock);
	return ok;
}

/* Give back one link or pin of `uid`; a slot left with nothing is free. */
static __always_inline void give(const struct cgprov_policy_config *cfg, __u32 uid, bool is_link)
{
	struct cgprov_usage_bucket *bucket = bucket_of(cfg, uid);
	int i;

	if (!bucket)
		return;
	bpf_spin_lock(&bucket->lock);
	for (i = 0; i < CGPROV_USAGE_WAYS; i++) {
		struct cgprov_usage *s = &bucket->slots[i];

		if (!(s->links || s->pins) || s->uid != uid)
			continue;
		if (is_link && s->links)
			s->links--;
		else if (!is_link && s->pins)
			s->pins--;
		break;
	}
	bpf_spin_unlock(&bucket->lock);
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
	struct cgprov_policy_config *cfg = enforced_config();

	if (ret || !cfg || privileged())
		return verdict(ret);
	/* Closing (uninstall): every command, whatever the grants said. */
	if (closing(cfg) || cmd < 0 || cmd >= 64 || !(cfg->allowed_cmds & (1ULL << cmd)))
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
	struct cgprov_policy_config *cfg = enforced_config();

	if (ret || !cfg || privileged())
		return verdict(ret);
	return granted(cfg, prog, CGPROV_GRANT_OBJ_GET) ? 0 : -EPERM;
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
	struct cgprov_policy_config *cfg = enforced_config();
	struct cgprov_link_owner owner = {};
	const struct cgprov_grant *grant;
	struct kernfs_iattrs *iattr;
	struct cgroup *cgrp;
	__u64 key = (__u64)link;
	long err;

	if (ret || !cfg || privileged())
		return verdict(ret);
	grant = grant_of(cfg, prog);
	if (!grant || !(grant->ops & CGPROV_GRANT_LINK_CREATE))
		return -EPERM;
	/* Granted programs are cgroup iterators: a start cgroup is set. Only
	 * the default hierarchy: a user may mount a v1 hierarchy of its own in
	 * a user namespace and own every cgroup there.
	 */
	cgrp = aux->cgroup.start;
	if (!cgrp || cgrp->level == 0 || cgrp->root->hierarchy_id != DFL_HIERARCHY_ID ||
	    aux->cgroup.order >= 32 || !(grant->orders & (1U << aux->cgroup.order)))
		return -EPERM;
	/* No attributes: never chowned, so root's. Root's cgroups are never
	 * "owned" by a caller without capabilities, even one with euid 0.
	 */
	owner.creator = caller_uid();
	owner.account = account_uid();
	iattr = cgrp->kn->iattr;
	if (!iattr || iattr->ia_uid.val != owner.creator || owner.creator == 0)
		return -EPERM;
	/* While a reinstall replaces this program, the old and the new one
	 * both run: the first to record the link counts it.
	 */
	err = bpf_map_update_elem(&policy_links, &key, &owner, BPF_NOEXIST);
	if (err == -EEXIST)
		return 0;
	if (err)
		return -EDQUOT; /* the map is full */
	if (!take(cfg, owner.account, true, cfg->links_per_user)) {
		bpf_map_delete_elem(&policy_links, &key);
		return -EDQUOT;
	}
	return 0;
}

SEC("lsm/bpf_link_free")
void BPF_PROG(release_link, struct bpf_link *link)
{
	struct cgprov_policy_config *cfg = published();
	__u64 key = (__u64)link;
	struct cgprov_link_owner *owner = bpf_map_lookup_elem(&policy_links, &key);
	__u32 account;

	if (!owner)
		return;
	account = owner->account;
	bpf_map_delete_elem(&policy_links, &key);
	if (cfg)
		give(cfg, account, true);
}

SEC("lsm.s/bpf_obj_pin")
int BPF_PROG(check_pin, struct bpf_prog *prog, struct bpf_map *map, struct bpf_link *link,
	     const struct path *dir, struct dentry *dentry, int ret)
{
	struct cgprov_policy_config *cfg = enforced_config();
	struct cgprov_link_owner *owner;
	__u64 key = (__u64)link;
	__u32 uid = caller_uid();

	if (ret || !cfg || privileged())
		return verdict(ret);
	if (!link || !granted(cfg, link->prog, CGPROV_GRANT_OBJ_PIN) || !fsuid_is_euid())
		return -EPERM;
	owner = bpf_map_lookup_elem(&policy_links, &key);
	if (!owner || owner->creator != uid)
		return -EPERM;
	if (!is_user_dir(dir->dentry->d_inode, cfg) || !name_has_uid_prefix(dentry, uid))
		return -EPERM;
	/* Charged in reserve_pin, once the VFS has made its own checks. */
	return 0;
}

/* A file about to be created in the user directory (only pins create files
 * there: check_pin ran, and the VFS checked the directory's mode): charge
 * it now, while the creation can still be refused, and remember the charge
 * under the new dentry. Creations in the directory hold its inode lock, so
 * the room made here in policy_pins is still there in count_pin.
 */
SEC("lsm/inode_create")
int BPF_PROG(reserve_pin, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	struct cgprov_policy_config *cfg = enforced_config();
	__u64 key = (__u64)dentry;
	__u32 account, *stale;

	if (ret || !cfg || privileged() || !is_user_dir(dir, cfg))
		return verdict(ret);
	if (closing(cfg))
		return -EPERM;
	/* A charge left under this address by a creation that failed after
	 * this hook (out of memory): give it back before charging anew.
	 */
	stale = bpf_map_lookup_elem(&policy_pins, &key);
	if (stale) {
		account = *stale;
		bpf_map_delete_elem(&policy_pins, &key);
		give(cfg, account, false);
	}
	account = account_uid();
	if (!take(cfg, account, false, cfg->pins_per_user))
		return -EDQUOT;
	if (bpf_map_update_elem(&policy_pins, &key, &account, BPF_NOEXIST)) {
		give(cfg, account, false);
		return -EDQUOT; /* the map is full */
	}
	return 0;
}

/* The new file exists: move its charge from the dentry to the inode, where
 * release_pin finds it when the inode is freed. A file with no charge was
 * made by a privileged caller (not limited).
 */
SEC("lsm/d_instantiate")
void BPF_PROG(count_pin, struct dentry *dentry, struct inode *inode)
{
	struct cgprov_policy_config *cfg = published();
	__u64 key = (__u64)dentry;
	__u32 account, *charged;

	if (!cfg || !inode || !is_user_dir(dentry->d_parent->d_inode, cfg))
		return;
	charged = bpf_map_lookup_elem(&policy_pins, &key);
	if (!charged)
		return;
	account = *charged;
	bpf_map_delete_elem(&policy_pins, &key);
	key = (__u64)inode;
	/* Cannot fail (the delete made room, under the directory lock); if it
	 * did, the charge stays under the dentry: kept, never lost.
	 */
	if (bpf_map_update_elem(&policy_pins, &key, &account, BPF_NOEXIST)) {
		key = (__u64)dentry;
		bpf_map_update_elem(&policy_pins, &key, &account, BPF_ANY);
	}
}

SEC("lsm/inode_free_security")
void BPF_PROG(release_pin, struct inode *inode)
{
	struct cgprov_policy_config *cfg = published();
	__u64 key = (__u64)inode;
	__u32 account, *charged = bpf_map_lookup_elem(&policy_pins, &key);

	if (!charged)
		return;
	account = *charged;
	bpf_map_delete_elem(&policy_pins, &key);
	if (cfg)
		give(cfg, account, false);
}

/* In the user directory, unprivileged callers only pin and unlink. */
static int user_dir_change(struct inode *dir)
{
	struct cgprov_policy_config *cfg = enforced_config();

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
	struct cgprov_policy_config *cfg = enforced_config();
	struct inode *inode = dentry->d_inode;

	if (ret || !cfg || privileged() || !is_user_dir(dir, cfg))
		return verdict(ret);
	if (!inode || inode->i_uid.val != bpf_get_current_task_btf()->cred->fsuid.val)
		return -EPERM;
	return 0;
}
