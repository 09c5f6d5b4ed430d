#!/usr/bin/env bash
# Build Debian's linux-source-6.12 with kernel-patches/series applied.
#
# Usage: scripts/build-kernel.sh [--flavor default|debug] [--print-dir] [--cached]
#                                [--patches N] [--deb]
#
#   --cached     only look the result up: print it, or fail if it is not built
#   --patches N  apply only the first N patches of the series (bisecting)
#   --deb        also package the kernel as linux-image-<release>_<version>_amd64.deb
#                (make bindeb-pkg, in the same build tree) and print its path
#
# The result is cached outside the repository in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/cgprov/kernel/<hash>/{bzImage,vmlinux.btf,config}
# where <hash> covers the source package version, every patch in the series,
# the config fragments and this script. A second run with nothing changed
# returns at once. The last line printed is the image path (--print-dir: the
# directory; --deb: the package, cached in the same directory).
# CGPROV_PATCHES=DIR applies DIR/series instead of kernel-patches/series.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
flavor=default
print_dir=0
cached_only=0
limit=
deb=0
while [ $# -gt 0 ]; do
	case "$1" in
	--flavor) flavor=$2; shift 2 ;;
	--print-dir) print_dir=1; shift ;;
	--cached) cached_only=1; shift ;;
	--patches) limit=$2; shift 2 ;;
	--deb) deb=1; shift ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	*) echo "build-kernel: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case "$flavor" in
default|debug) ;;
*) echo "build-kernel: unknown flavor '$flavor' (default, debug)" >&2; exit 2 ;;
esac

tarball=/usr/src/linux-source-6.12.tar.xz
patches=${CGPROV_PATCHES:-$repo/kernel-patches}  # the series to apply
fragments=("$patches/cgprov.config")
[ "$flavor" = debug ] && fragments+=("$patches/debug.config")

cache=${XDG_CACHE_HOME:-$HOME/.cache}/cgprov
git_tree=$cache/src/git
src=$cache/src/linux-6.12
out=$cache/build/$flavor
export CCACHE_DIR=$cache/ccache
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-10G}
# Reproducible version strings keep ccache hits across rebuilds.
export KBUILD_BUILD_TIMESTAMP="cgprov" KBUILD_BUILD_USER=cgprov KBUILD_BUILD_HOST=cgprov

log() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { echo "build-kernel: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "$tarball missing: run 'make deps' (package linux-source-6.12)"
command -v virtme-configkernel >/dev/null || die "virtme-configkernel missing: run 'make deps'"
src_version=$(dpkg-query -W -f='${Version}' linux-source-6.12)

# Every patch named in the series, in order; blank lines and comments skipped.
series=()
while read -r line; do
	line=${line%%#*}
	line=${line//[[:space:]]/}
	[ -n "$line" ] || continue
	[ -f "$patches/$line" ] || die "series names '$line' but kernel-patches/$line does not exist"
	series+=("$line")
done < "$patches/series"
if [ -n "$limit" ]; then
	[ "$limit" -le "${#series[@]}" ] 2>/dev/null || die "--patches $limit: the series has ${#series[@]} patches"
	series=("${series[@]:0:$limit}")
fi

hash=$({
	echo "source $src_version $(stat -c %s "$tarball")"
	echo "flavor $flavor"
	for p in "${series[@]}"; do echo "patch $p"; cat "$patches/$p"; done
	for f in "${fragments[@]}"; do echo "fragment ${f##*/}"; cat "$f"; done
	cat "$0"
} | sha256sum | cut -c1-16)
result=$cache/kernel/$hash
# The build's version string, "#1+<hash>" in `uname -v`, and the Debian
# revision of its package: the same in both builds, so that packaging
# relinks nothing.
revision=1+$hash

# The cached package of this kernel, if any.
cached_deb() {
	local f
	for f in "$result"/linux-image-*.deb; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	return 1
}
have_image() { [ -f "$result/bzImage" ] && [ -f "$result/vmlinux.btf" ]; }
print_result() {
	if [ "$deb" = 1 ]; then
		cached_deb
	elif [ "$print_dir" = 1 ]; then
		echo "$result"
	else
		echo "$result/bzImage"
	fi
}

if have_image && { [ "$deb" = 0 ] || cached_deb >/dev/null; }; then
	log CACHED "$result"
	print_result
	exit 0
fi
if [ "$cached_only" = 1 ]; then
	if have_image; then
		echo "build-kernel: no package of the $flavor kernel built for the current series and config: run 'make kernel-deb'" >&2
	else
		echo "build-kernel: no $flavor kernel built for the current series and config: run 'make kernel'" >&2
	fi
	exit 1
fi

# The series is applied in a git tree holding the pristine source (extracted
# and committed once); the result is synced into the build's source tree
# copying only files whose content changed, so a changed patch rebuilds only
# what it really touches.
if [ "$(cat "$git_tree/.git/cgprov-source" 2>/dev/null)" != "$src_version" ]; then
	log EXTRACT "$tarball"
	rm -rf "$git_tree" "$git_tree.tmp"
	mkdir -p "$git_tree.tmp"
	tar -xf "$tarball" -C "$git_tree.tmp" --strip-components=1
	git -C "$git_tree.tmp" init -q
	git -C "$git_tree.tmp" add -A -f  # Debian's .gitignore ignores everything
	git -C "$git_tree.tmp" -c user.name=cgprov -c user.email=cgprov@localhost \
		commit -q -m "linux-source-6.12 $src_version"
	git -C "$git_tree.tmp" tag pristine
	echo "$src_version" > "$git_tree.tmp/.git/cgprov-source"
	mv "$git_tree.tmp" "$git_tree"
fi

log RESET "$git_tree to pristine"
git -C "$git_tree" am --abort >/dev/null 2>&1 || true
git -C "$git_tree" checkout -q -f -B cgprov pristine
git -C "$git_tree" clean -q -fdx

for p in "${series[@]}"; do
	log PATCH "$p"
	if ! git -C "$git_tree" -c user.name=cgprov -c user.email=cgprov@localhost \
		am -q --keep-cr "$patches/$p" > "$cache/am.log" 2>&1; then
		git -C "$git_tree" am --abort >/dev/null 2>&1 || true
		echo "build-kernel: patch $p does not apply to linux-source-6.12 $src_version" >&2
		sed 's/^/  /' "$cache/am.log" >&2
		echo "  failing hunks:" >&2
		git -C "$git_tree" apply --reject "$patches/$p" >/dev/null 2>&1 || true
		find "$git_tree" -name '*.rej' -print0 | while IFS= read -r -d '' rej; do
			echo "  --- ${rej#"$git_tree"/}" >&2
			sed 's/^/  /' "$rej" >&2
		done
		git -C "$git_tree" checkout -q -f pristine -- . && git -C "$git_tree" clean -q -fdx
		exit 1
	fi
done

log SYNC "$src (changed files only)"
mkdir -p "$src"
rsync -a --checksum --delete --exclude=/.git "$git_tree/" "$src/"

log CONFIG "$(printf '%s ' "${fragments[@]##*/}")"
mkdir -p "$out"
rm -f "$out/.config"
custom=()
for f in "${fragments[@]}"; do custom+=(--custom "$f"); done
(cd "$src" && virtme-configkernel --defconfig "${custom[@]}" "O=$out") > "$cache/config.log" 2>&1 ||
	{ cat "$cache/config.log" >&2; die "kernel configuration failed"; }

# Every option the fragments ask for must have survived olddefconfig.
missing=0
for f in "${fragments[@]}"; do
	while read -r want; do
		case "$want" in
		CONFIG_*=*) grep -qxF "$want" "$out/.config" || { echo "  missing: $want" >&2; missing=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${want#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$out/.config" && { echo "  still set: $opt" >&2; missing=1; } ;;
		esac
	done < "$f"
done
[ "$missing" = 0 ] || die "the config fragment did not apply (see above); a dependency is unmet"

make_kernel=(make -C "$src" O="$out" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc"
	KBUILD_BUILD_VERSION="$revision")

# The package: `make bindeb-pkg` in the tree configured above. Its build
# step (`make all`) finds the image built; it installs /boot/vmlinuz-<release>,
# System.map and config (CONFIG_MODULES is off: no modules, no headers
# package). The debug-symbols package is not built.
package_kernel() {
	local version start images
	version=$(make -s -C "$src" kernelversion)-$revision
	log DEB "linux-image-*_${version} (make bindeb-pkg in $out)"
	start=$(date +%s)
	rm -f "$cache"/build/linux-*.deb "$cache"/build/linux-upstream_*
	if ! KDEB_PKGVERSION=$version KDEB_CHANGELOG_DIST=bookworm \
		DEB_BUILD_PROFILES=pkg.linux-upstream.nokerneldbg \
		DEB_BUILD_OPTIONS="parallel=$(nproc) terse" \
		"${make_kernel[@]}" bindeb-pkg > "$cache/deb.log" 2>&1; then
		grep -E 'error|Error' "$cache/deb.log" | head -40 >&2
		die "kernel packaging failed; full log: $cache/deb.log"
	fi
	# dpkg-buildpackage writes next to the build tree: keep the image package
	# only (not linux-libc-dev, .buildinfo, .changes).
	images=("$cache"/build/linux-image-*_"${version}"_*.deb)
	[ -f "${images[0]}" ] || die "make bindeb-pkg wrote no linux-image package; log: $cache/deb.log"
	cmp -s "$out/arch/x86/boot/bzImage" "$result/bzImage" ||
		log NOTE "the packaged image differs from the cached bzImage"
	mv "${images[0]}" "$result/"
	rm -f "$cache"/build/linux-*.deb "$cache"/build/linux-upstream_*
	log PACKAGED "in $(( $(date +%s) - start ))s"
}

if have_image; then
	package_kernel
	log CACHED "$result"
	print_result
	exit 0
fi

log BUILD "bzImage in $out (ccache: $CCACHE_DIR)"
start=$(date +%s)
if ! "${make_kernel[@]}" bzImage > "$cache/build.log" 2>&1; then
	grep -E 'error|Error' "$cache/build.log" | head -40 >&2
	die "kernel build failed; full log: $cache/build.log"
fi
log BUILT "in $(( $(date +%s) - start ))s"

mkdir -p "$result.tmp"
cp "$out/arch/x86/boot/bzImage" "$result.tmp/bzImage"
cp "$out/.config" "$result.tmp/config"
objcopy -O binary --only-section=.BTF "$out/vmlinux" "$result.tmp/vmlinux.btf"
cp "$out/System.map" "$result.tmp/System.map"
echo "$src_version" > "$result.tmp/source-version"
printf '%s\n' "${series[@]}" > "$result.tmp/series"
rm -rf "$result"
mv "$result.tmp" "$result"
ln -sfn "$result" "$cache/kernel/latest-$flavor"
[ "$deb" = 1 ] && package_kernel
log CACHED "$result"
print_result
