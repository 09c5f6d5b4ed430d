#!/usr/bin/env bash
# Inside the VM (see scripts/bench.sh). Each pair runs back to back in the
# same guest; rounds alternate so drift hits both sides alike. Prints one
# line per measurement and a summary table of the ratios; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/cgprov-bench
cgprov=build/cgprov
# The guest's own /run (cgprov mounts its bpffs instance at /run/cgprov).
[ "$(stat -f -c %T /run)" = tmpfs ] || mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
pin_daemon=build/cgprov-pin-daemon
root=/run/cgprov                    # cgprov's bpffs tree
daemon_pins=/sys/fs/bpf/pin-daemon  # where the baseline daemon pins
mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security

churn_n=${CGPROV_BENCH_CHURN:-300}
burst_n=${CGPROV_BENCH_BURST:-10000}  # cgroups per latency run, over all threads
read_n=${CGPROV_BENCH_READ:-2000}
pingpong_n=${CGPROV_BENCH_PINGPONG:-20000}
memory_n=${CGPROV_BENCH_MEMORY:-1000}
rounds=${CGPROV_BENCH_ROUNDS:-3}
dir=/sys/fs/cgroup/cgprov-bench
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p "$dir"
"$cgprov" uninstall >/dev/null

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { echo "$2 / $1" | bc -l | xargs printf '%.2f'; }
summary=()
row() { summary+=("$(printf '%-52s %12s %12s %7s' "$@")"); }

nothing() { :; }
install_quiet() { "$cgprov" install >/dev/null; }
uninstall_quiet() { "$cgprov" uninstall >/dev/null; }
# What the ACL policy's hooks cost: the policy's BPF-LSM links (the only LSM
# programs cgprov has) removed from an install.
# The privileged-daemon baseline: cgprov's programs loaded, its provisioner
# detached, and cgprov-pin-daemon linking and pinning each new cgroup below
# $dir in $daemon_pins. The daemon's counts go to $daemon_counts on stop.
daemon_counts=$(mktemp)
start_daemon() {
	install_quiet
	rm "$root/internal/link_provision" "$root/internal/link_unprovision"
	mkdir -p "$daemon_pins"
	coproc DAEMON { exec "$pin_daemon" "$dir" "$root/progs/stats" "$daemon_pins"; }
	local line
	read -r line <&"${DAEMON[0]}"
	[ "$line" = ready ] || { echo "bench: pin daemon did not start" >&2; exit 1; }
}
stop_daemon() { # sets daemon_stale: pins that outlived their cgroup by a second
	local pid=$DAEMON_PID out
	sleep 1
	exec {out}<&"${DAEMON[0]}"
	kill -TERM "$pid"
	cat <&"$out" > "$daemon_counts"
	wait "$pid" || { echo "bench: pin daemon failed" >&2; exit 1; }
	exec {out}<&-
	daemon_stale=$(find "$daemon_pins" -mindepth 1 | wc -l)
	rm -rf "$daemon_pins"
	uninstall_quiet
}
detach_policy() {
	local pin
	for pin in "$root"/internal/link_*; do
		bpftool link show pinned "$pin" | grep -q 'prog_type lsm' && rm "$pin"
	done
	return 0
}
# pair SETUP_A SETUP_B CLEANUP CMD...: median of CMD's output (one number)
# after SETUP_A and after SETUP_B, in alternating rounds; prints "A B".
pair() {
	local a=() b=() setup_a=$1 setup_b=$2 cleanup=$3
	shift 3
	for _ in $(seq "$rounds"); do
		"$setup_a"
		a+=("$("$@")")
		"$setup_b"
		b+=("$("$@")")
		"$cleanup"
	done
	echo "$(printf '%s\n' "${a[@]}" | median) $(printf '%s\n' "${b[@]}" | median)"
}

read -r p q < <(pair nothing install_quiet uninstall_quiet "$bench" churn "$dir" "$churn_n")
echo "mkdir+rmdir of a cgroup: $p ns without cgprov, $q ns with: ratio $(ratio "$p" "$q")"
row "mkdir+rmdir, mean (ns)" "$p" "$q" "$(ratio "$p" "$q")"
read -r w o < <(pair install_quiet detach_policy uninstall_quiet "$bench" churn "$dir" "$churn_n")
echo "mkdir+rmdir with cgprov: $o ns without the ACL policy attached, $w ns with it: ratio $(ratio "$o" "$w")"
row "mkdir+rmdir, policy detached vs attached (ns)" "$o" "$w" "$(ratio "$o" "$w")"

# mkdir and rmdir apart, percentiles, sequential and a 4-thread burst.
for threads in 1 4; do
	kind=sequential
	[ "$threads" = 1 ] || kind="burst of $threads threads"
	per_thread=$((burst_n / threads))
	without=() with=() daemon=() stale=() missed=() overflows=()
	for _ in $(seq "$rounds"); do
		without+=("$("$bench" latency "$dir" "$per_thread" "$threads" "$root/stats")")
		"$cgprov" install >/dev/null
		with+=("$("$bench" latency "$dir" "$per_thread" "$threads" "$root/stats")")
		"$cgprov" uninstall >/dev/null
		start_daemon
		daemon+=("$("$bench" latency "$dir" "$per_thread" "$threads" "$daemon_pins")")
		stop_daemon
		stale+=("$daemon_stale")
		missed+=("$(awk '{ print $4 }' "$daemon_counts")")
		overflows+=("$(awk '{ print $8 }' "$daemon_counts")")
	done
	# Median of each column over the rounds.
	col() { printf '%s\n' "$@" | awk -v c="$col_n" '{ print $c }' | median; }
	for col_n in 1 2 3 4 6; do
		plain=$(col "${without[@]}") ours=$(col "${with[@]}") theirs=$(col "${daemon[@]}")
		case $col_n in
		1) name="mkdir p50 (ns)" ;; 2) name="mkdir p99 (ns)" ;; 3) name="rmdir p50 (ns)" ;;
		4) name="rmdir p99 (ns)" ;; 6) name="creations per second" ;;
		esac
		echo "$kind, $burst_n cgroups: $name: $plain without cgprov, $ours with, $theirs with the pin daemon: ratios $(ratio "$plain" "$ours"), $(ratio "$plain" "$theirs")"
		row "$kind: $name" "$plain" "$ours" "$(ratio "$plain" "$ours")"
		row "$kind: $name, pin daemon" "$plain" "$theirs" "$(ratio "$plain" "$theirs")"
	done
	col_n=5
	echo "$kind: stats file present when mkdir returned: $(col "${with[@]}") % of cgroups with cgprov, $(col "${daemon[@]}") % with the pin daemon"
	row "$kind: stats file present at mkdir return (%)" "-" "$(col "${with[@]}")" ""
	row "$kind: ... with the pin daemon (%)" "-" "$(col "${daemon[@]}")" ""
	left=$(printf '%s\n' "${stale[@]}" | median) gone=$(printf '%s\n' "${missed[@]}" | median)
	lost=$(printf '%s\n' "${overflows[@]}" | median)
	echo "$kind: pin daemon: $gone of $burst_n cgroups gone before it could pin, $left pins left a second after their cgroup was removed, $lost inotify queue overflows"
	row "$kind: pin daemon: cgroups missed / pins left / overflows" "$gone" "$left" "$lost"
done

# How long after mkdir the file appears, and after rmdir it goes.
lag_n=${CGPROV_BENCH_LAG:-500}
install_quiet
read -r ca cA cg cG cm < <("$bench" lag "$dir" "$lag_n" "$root/stats")
uninstall_quiet
start_daemon
read -r da dA dg dG dm < <("$bench" lag "$dir" "$lag_n" "$daemon_pins")
stop_daemon
echo "stats file appears after mkdir returned: p50 $ca ns, p99 $cA ns with cgprov; p50 $da ns, p99 $dA ns with the pin daemon"
echo "stats file goes after rmdir returned: p50 $cg ns, p99 $cG ns with cgprov; p50 $dg ns, p99 $dG ns with the pin daemon"
echo "not there (or not gone) within a second: $cm % with cgprov, $dm % with the pin daemon"
row "lag: file appears after mkdir, p50/p99 (ns)" "$ca/$cA" "$da/$dA" "cgprov/daemon"
row "lag: file goes after rmdir, p50/p99 (ns)" "$cg/$cG" "$dg/$dG" "cgprov/daemon"

# Context switches with the collectors attached and without.
for cpus in "0 0" "0 1"; do
	read -r p q < <(pair uninstall_quiet install_quiet uninstall_quiet \
		"$bench" pingpong $cpus "$pingpong_n")
	where="same CPU"
	[ "$cpus" = "0 0" ] || where="across CPUs"
	echo "pipe ping-pong round trip, $where: $p ns without collectors, $q ns with: ratio $(ratio "$p" "$q")"
	row "pipe ping-pong round trip, $where (ns)" "$p" "$q" "$(ratio "$p" "$q")"
done

"$cgprov" install >/dev/null
stats=$root/stats/$(stat -c %i "$dir")
for f in cpu.stat memory.stat; do
	theirs=() ours=()
	for _ in $(seq "$rounds"); do
		theirs+=("$("$bench" read "$dir/$f" "$read_n")")
		ours+=("$("$bench" read "$stats" "$read_n")")
	done
	c=$(printf '%s\n' "${theirs[@]}" | median)
	s=$(printf '%s\n' "${ours[@]}" | median)
	echo "reading one cgroup's stats: $c ns for cgroupfs $f, $s ns for the cgprov stats file: ratio $(ratio "$c" "$s")"
	row "read: cgroupfs $f vs stats file (ns)" "$c" "$s" "$(ratio "$c" "$s")"
done

# Readers beside cgroup creation and removal (a single cgroup's stats file
# is read without cgroup_mutex): mkdir+rmdir while two unprivileged loops
# read the root cgroup's stats file, against two loops on its cpu.stat.
readers=()
stop_readers() {
	local pid
	for pid in "${readers[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true  # killed: not an error
	done
	readers=()
}
start_readers() { # FILE
	stop_readers
	for _ in 1 2; do
		setpriv --reuid=1000 --regid=1000 --clear-groups -- "$bench" read "$1" 1000000000 >/dev/null &
		readers+=($!)
	done
}
cpu_stat_readers() { start_readers /sys/fs/cgroup/cpu.stat; }
stats_file_readers() { start_readers "$root/stats/$(stat -c %i /sys/fs/cgroup)"; }
read -r p q < <(pair cpu_stat_readers stats_file_readers stop_readers "$bench" churn "$dir" "$churn_n")
echo "mkdir+rmdir beside two readers of the root cgroup: $p ns with cpu.stat readers, $q ns with stats file readers: ratio $(ratio "$p" "$q")"
row "mkdir+rmdir beside 2 readers: cpu.stat vs stats file (ns)" "$p" "$q" "$(ratio "$p" "$q")"
"$cgprov" uninstall >/dev/null

# Kernel memory per provisioned cgroup: Slab + Percpu growth over
# $memory_n cgroups, with cgprov less without.
kernel_kb() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '$1 == "Slab:" || $1 == "Percpu:" { s += $2 } END { print s }' /proc/meminfo
}
growth() { # kB of kernel memory that $memory_n new cgroups take
	local before after
	before=$(kernel_kb)
	seq -f "$dir/m%g" "$memory_n" | xargs mkdir  # few processes: exec is slow under TCG
	after=$(kernel_kb)
	seq -f "$dir/m%g" "$memory_n" | xargs rmdir
	echo $((after - before))
}
read -r p q < <(pair uninstall_quiet install_quiet uninstall_quiet growth)
per=$(((q - p) * 1024 / memory_n))
echo "kernel memory (Slab + Percpu) of $memory_n cgroups: $p kB without cgprov, $q kB with: $per bytes per provisioned cgroup"
row "kernel memory of $memory_n cgroups (kB)" "$p" "$q" "$(ratio "$p" "$q")"
row "kernel memory per provisioned cgroup (bytes)" "" "$per" ""
rmdir "$dir"

echo
printf '%-52s %12s %12s %7s\n' "summary ($(nproc) CPUs, $rounds rounds, medians)" "without" "with" "ratio"
printf '%s\n' "${summary[@]}"
