#!/usr/bin/env bash
# Inside the VM (see scripts/bench.sh). Each pair runs back to back in the
# same guest; rounds alternate so drift hits both sides alike.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/cgprov-bench
cgprov=build/cgprov
mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security

churn_n=${CGPROV_BENCH_CHURN:-300}
read_n=${CGPROV_BENCH_READ:-2000}
rounds=${CGPROV_BENCH_ROUNDS:-3}
dir=/sys/fs/cgroup/cgprov-bench
mkdir -p "$dir"
"$cgprov" uninstall >/dev/null

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

nothing() { :; }
install_quiet() { "$cgprov" install >/dev/null; }
uninstall_quiet() { "$cgprov" uninstall >/dev/null; }
# What the ACL policy's hooks cost: the policy's BPF-LSM links (the only LSM
# programs cgprov has) removed from an install.
detach_policy() {
	local pin
	for pin in /sys/fs/bpf/cgprov/internal/link_*; do
		bpftool link show pinned "$pin" | grep -q 'prog_type lsm' && rm "$pin"
	done
	return 0
}
# churn_pair SETUP_A SETUP_B CLEANUP: median ns of mkdir+rmdir after SETUP_A
# and after SETUP_B, in alternating rounds; prints "A B".
churn_pair() {
	local a=() b=() r
	for r in $(seq "$rounds"); do
		"$1"
		a+=("$("$bench" churn "$dir" "$churn_n")")
		"$2"
		b+=("$("$bench" churn "$dir" "$churn_n")")
		"$3"
	done
	echo "$(printf '%s\n' "${a[@]}" | median) $(printf '%s\n' "${b[@]}" | median)"
}

read -r p q < <(churn_pair nothing install_quiet uninstall_quiet)
printf 'mkdir+rmdir of a cgroup: %d ns without cgprov, %d ns with (stats file pinned and unpinned in the kernel): ratio %.2f\n' \
	"$p" "$q" "$(echo "$q / $p" | bc -l)"
read -r w o < <(churn_pair install_quiet detach_policy uninstall_quiet)
printf 'mkdir+rmdir with cgprov: %d ns without the ACL policy attached, %d ns with it: ratio %.2f\n' \
	"$o" "$w" "$(echo "$w / $o" | bc -l)"

"$cgprov" install >/dev/null
stats=/sys/fs/bpf/cgprov/stats/$(stat -c %i "$dir")
cpu=() file=()
for r in $(seq "$rounds"); do
	cpu+=("$("$bench" read "$dir/cpu.stat" "$read_n")")
	file+=("$("$bench" read "$stats" "$read_n")")
done
c=$(printf '%s\n' "${cpu[@]}" | median)
f=$(printf '%s\n' "${file[@]}" | median)
printf 'reading one cgroup'"'"'s stats: %d ns for cgroupfs cpu.stat, %d ns for the cgprov stats file (rstat flush + iterator): ratio %.2f\n' \
	"$c" "$f" "$(echo "$f / $c" | bc -l)"
"$cgprov" uninstall >/dev/null
rmdir "$dir"
