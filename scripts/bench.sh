#!/usr/bin/env bash
# make bench: measure cgprov's costs side by side in one VM run and print
# ratios (never asserted: figures, not tests).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exec "$repo/scripts/vm-run.sh" --timeout 3600 -- scripts/bench-guest.sh
