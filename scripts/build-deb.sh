#!/usr/bin/env bash
# Build the cgprov Debian package with dpkg-buildpackage, in a copy of the
# working tree (tracked and untracked, not ignored files), so that the tree
# itself stays clean. The package, .buildinfo and .changes end up in
# build/deb/; the last line printed is the package's path.
#
# Usage: scripts/build-deb.sh VMLINUX_BTF
#   VMLINUX_BTF: BTF of the patched kernel, for bpf/vmlinux.h
#   (the Makefile passes scripts/build-kernel.sh --cached --print-dir's).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/deb

log() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { echo "build-deb: $*" >&2; exit 1; }

[ $# = 1 ] || die "usage: scripts/build-deb.sh VMLINUX_BTF"
btf=$1
[ -s "$btf" ] || die "no kernel BTF at '$btf': run 'make kernel'"
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage missing: run 'make deps'"

version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
src=$out/src/cgprov-$version

log COPY "$src"
rm -rf "$out/src"
mkdir -p "$src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
	while IFS= read -r -d '' file; do
		[ -e "$repo/$file" ] && printf '%s\0' "$file"  # tracked but deleted: skipped
	done | rsync -a --from0 --files-from=- "$repo/" "$src/"

cd "$src"
dpkg-checkbuilddeps 2> "$out/checkbuilddeps.log" ||
	die "$(cat "$out/checkbuilddeps.log"): run 'make deps'"
log DEB "cgprov $version (log: $out/build.log)"
if ! VMLINUX_BTF=$btf dpkg-buildpackage -b --no-sign > "$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	die "dpkg-buildpackage failed; full log: $out/build.log"
fi

# What the .changes lists: the package, its debug symbols, the .buildinfo.
rm -f "$out"/cgprov_* "$out"/cgprov-dbgsym_*
mv "$out/src/cgprov_${version}_$arch".{deb,buildinfo,changes} "$out/"
dbgsym=$out/src/cgprov-dbgsym_${version}_$arch.deb  # not with DEB_BUILD_OPTIONS=noautodbgsym
if [ -f "$dbgsym" ]; then mv "$dbgsym" "$out/"; fi
rm -rf "$out/src"
echo "$out/cgprov_${version}_$arch.deb"
