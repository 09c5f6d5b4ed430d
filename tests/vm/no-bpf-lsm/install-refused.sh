#!/usr/bin/env bash
# Booted with lsm=capability: the cgprov kernel without the BPF LSM active.
# install names what is missing and creates nothing.
. "$(dirname "$0")/../lib.sh"

check "the BPF LSM is not active in this boot" bash -c '! grep -qw bpf /sys/kernel/security/lsm'
install_refused "^Error: 'bpf' is not in the active LSM list \(capability\)$" "'bpf' is not in the active LSM list"
finish
