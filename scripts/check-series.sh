#!/usr/bin/env bash
# Upstream hygiene for kernel-patches/: checkpatch --strict on every patch
# (findings must be explained in the patch's commit message), then (with
# --build) a kernel build after each patch in turn, so that every
# prefix of the series builds (bisectability). Builds are cached like
# `make kernel`'s.
#
# Usage: scripts/check-series.sh [--build]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=${XDG_CACHE_HOME:-$HOME/.cache}/cgprov/src/git
[ -x "$src/scripts/checkpatch.pl" ] || { echo "check-series: run 'make kernel' first (no source tree)" >&2; exit 1; }

mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$repo/kernel-patches/series")
status=0
for p in "${series[@]}"; do
	file=$repo/kernel-patches/$p
	if out=$(cd "$src" && ./scripts/checkpatch.pl --strict --no-tree --terse --show-types \
		"$file" 2>&1); then
		echo "checkpatch clean      $p"
	elif sed '/^---$/q' "$file" | grep -q 'checkpatch'; then
		# What remains is explained in the commit message: show it, pass.
		echo "checkpatch explained  $p ($(tail -n1 <<<"$out" | sed 's/^total: //'))"
	else
		echo "checkpatch FAIL       $p (findings not explained in the commit message)"
		printf '%s\n' "$out" | sed 's/^/    /'
		status=1
	fi
done

if [ "${1:-}" = --build ]; then
	for n in $(seq 1 "${#series[@]}"); do
		echo "build with patches 1..$n (${series[$((n - 1))]})"
		"$repo/scripts/build-kernel.sh" --patches "$n" >/dev/null || { status=1; break; }
	done
fi
exit "$status"
