#!/usr/bin/env bash
# The kernel series: faultable cgroup tracepoints, sleepable tp_btf programs,
# and the cgroup_iter pin/unpin kfuncs.
. "$(dirname "$0")/../lib.sh"
run_catch2 "[kernel]"
finish
