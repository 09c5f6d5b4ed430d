#!/usr/bin/env bash
# The policy suite on the stock kernel, against the layout an install would
# make: each protection the kernel lacks is reported as a skipped check
# with the attempt's outcome, never as a pass.
. "$(dirname "$0")/../lib.sh"

CGPROV_POLICY_STOCK=1 run_catch2 "[policy]"
finish
