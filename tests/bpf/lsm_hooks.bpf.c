// SPDX-License-Identifier: GPL-2.0
/* BPF-LSM programs on the hooks of the kernel series' second part: each
 * records what it sees for links of one iterator program (the test's) and
 * refuses when told to.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1
#define MAX_ERRNO 4095

/* Only links of this program are looked at: the rest of the system runs on. */
const volatile __u32 watched_prog_id;

/* What the hooks saw. */
__u32 attach_calls, pin_calls, update_calls, link_fd_calls;
__u32 seen_prog_id;
__u32 seen_old_prog_id; /* the program a link update replaces, 0 if none */
__u64 seen_cgroup_id;
__u32 seen_order;
__u64 seen_dir_ino;
char seen_name[16];

/* What to refuse, set by the test. */
__u64 deny_cgroup_id;
__u64 deny_dir_ino;
int update_verdict; /* returned for watched link updates: 0 or -errno */

/* An earlier LSM's verdict, passed on; the verifier wants it in [-4095, 0]. */
static int verdict(int ret)
{
	if (ret > 0 || ret < -MAX_ERRNO)
		return -EPERM;
	return ret;
}

static bool watched(struct bpf_prog *prog)
{
	return prog && prog->aux->id == watched_prog_id;
}

SEC("lsm.s/bpf_iter_link_attach")
int BPF_PROG(check_iter_attach, struct bpf_link *link, struct bpf_prog *prog,
	     const struct bpf_iter_aux_info *aux, int ret)
{
	if (ret || !watched(prog))
		return verdict(ret);
	attach_calls++;
	seen_prog_id = prog->aux->id;
	seen_cgroup_id = aux->cgroup.start->kn->id;
	seen_order = aux->cgroup.order;
	if (seen_cgroup_id == deny_cgroup_id)
		return -EPERM;
	return 0;
}

SEC("lsm.s/bpf_obj_pin")
int BPF_PROG(check_pin, struct bpf_prog *prog, struct bpf_map *map, struct bpf_link *link,
	     const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret || !link || !watched(link->prog))
		return verdict(ret);
	pin_calls++;
	seen_dir_ino = dir->dentry->d_inode->i_ino;
	bpf_probe_read_kernel_str(seen_name, sizeof(seen_name), dentry->d_name.name);
	if (seen_dir_ino == deny_dir_ino)
		return -EPERM;
	return 0;
}

SEC("lsm.s/bpf_link_update")
int BPF_PROG(check_update, struct bpf_link *link, struct bpf_prog *new_prog,
	     struct bpf_prog *old_prog, int ret)
{
	if (ret || !watched(link->prog))
		return verdict(ret);
	update_calls++;
	seen_old_prog_id = old_prog ? old_prog->aux->id : 0;
	return verdict(update_verdict);
}

SEC("lsm/bpf_link")
int BPF_PROG(check_link_fd, struct bpf_link *link, int ret)
{
	if (!ret && watched(link->prog))
		link_fd_calls++;
	return verdict(ret);
}
