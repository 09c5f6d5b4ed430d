#!/usr/bin/env bash
# The policy against an unprivileged user: tests/integration/policy_*test.cpp.
. "$(dirname "$0")/../lib.sh"

run_catch2 "[policy]"
finish
