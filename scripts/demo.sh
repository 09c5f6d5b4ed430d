#!/usr/bin/env bash
# The main job: boot the patched kernel in a VM and show cgprov there.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exec "$repo/scripts/vm-run.sh" -- scripts/demo-guest.sh
