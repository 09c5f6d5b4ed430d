#!/usr/bin/env bash
# A patch that does not apply stops `make kernel` with the patch's name and
# the rejected hunk, before anything is built.
. "$(dirname "$0")/../vm/lib.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)

patches=$(mktemp -d)
trap 'rm -rf "$patches"' EXIT
cp "$repo"/kernel-patches/* "$patches/"
bad=$(sed -n 3p "$patches/series")
# Change a context line of the patch's first hunk so that it cannot apply.
awk '/^@@/ && !done { hunk = 1 } hunk && /^ / && !done { sub(/^ /, " MISMATCH "); done = 1 } { print }' \
	"$repo/kernel-patches/$bad" > "$patches/$bad"

out=$(CGPROV_PATCHES=$patches "$repo/scripts/build-kernel.sh" 2>&1)
status=$?
printf '%s\n' "$out" | sed 's/^/    /' | head -n 30
check "the build stops with exit status 1" test "$status" = 1
check "it names the patch that does not apply" grep -q "patch $bad does not apply" <<<"$out"
check "it shows the rejected hunk" grep -q '^  @@ ' <<<"$out"
check "the earlier patches applied" grep -q "PATCH    $(sed -n 2p "$patches/series")" <<<"$out"
check "nothing was configured or built" bash -c '! grep -qE "CONFIG|BUILD" <<<"$1"' _ "$out"
finish
