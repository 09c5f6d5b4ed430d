#!/usr/bin/env bash
# The guest runs the cgprov kernel with what cgprov needs built in.
. "$(dirname "$0")/../lib.sh"

check "kernel is the cgprov build ($(uname -r))" bash -c '[[ $(uname -r) == *-cgprov ]]'
check "BTF is exposed at /sys/kernel/btf/vmlinux" test -s /sys/kernel/btf/vmlinux

# /proc/config.gz on the cgprov build; Debian kernels keep theirs in /boot.
config() {
	if [ -r /proc/config.gz ]; then zcat /proc/config.gz
	elif [ -r "/boot/config-$(uname -r)" ]; then cat "/boot/config-$(uname -r)"
	else return 1
	fi
}
if config > /tmp/kconfig; then
	for opt in BPF_SYSCALL BPF_JIT DEBUG_INFO_BTF BPF_LSM SECURITY SECURITY_PATH \
		SECURITYFS CGROUPS MEMCG CGROUP_BPF CGROUP_SCHED FTRACE FUNCTION_TRACER \
		BPF_EVENTS USER_NS IKCONFIG_PROC; do
		check "CONFIG_$opt=y" grep -qx "CONFIG_$opt=y" /tmp/kconfig
	done
	check "bpf is in CONFIG_LSM" grep -qE '^CONFIG_LSM=".*\bbpf\b' /tmp/kconfig
else
	fail "kernel config readable (/proc/config.gz or /boot/config-$(uname -r))"
fi
check "bpf is in the active LSM list" grep -qw bpf /sys/kernel/security/lsm
finish
