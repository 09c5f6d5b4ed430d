#!/usr/bin/env bash
# Install everything cgprov needs on Debian 12 (bookworm): Debian packages,
# some from bookworm-backports, and virtme-ng from PyPI. Idempotent: a second
# run with everything present only checks.
set -euo pipefail

log() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { echo "deps: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install)"
. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || die "cgprov targets Debian 12 (bookworm); this is ${PRETTY_NAME:-unknown}"

# From bookworm-backports: the 6.12 kernel source and stock image, and tools
# new enough for it (libbpf 1.4, bpftool 7.5, Catch2 3, QEMU 10).
backports=(linux-source-6.12 linux-image-amd64 libbpf-dev bpftool libcatch2-dev qemu-system-x86)
# From bookworm.
base=(build-essential bc bison flex libelf-dev libssl-dev dwarves pahole cpio kmod
	rsync xz-utils zstd ccache git python3 python3-pip util-linux procps
	clang-19 llvm-19 lld-19 clang-format-19 libcli11-dev libtomlplusplus-dev libcap-dev zlib1g-dev
	pkg-config)

sources=/etc/apt/sources.list.d/cgprov-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	# Same mirror as the existing Debian sources.
	mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		grep -v security | head -n1 | tr -d ' ')
	mirror=${mirror:-http://deb.debian.org/debian}
	log APT "enable bookworm-backports from $mirror"
	cat > "$sources" <<SRC
Types: deb
URIs: ${mirror%/}
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || echo "$p"
	done
}

want_bp=$(missing "${backports[@]}")
want_base=$(missing "${base[@]}")
# The backports versions are required, not just any installed version.
dpkg --compare-versions "$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo 0)" ge 1:1.4 ||
	want_bp="$want_bp libbpf-dev"
dpkg --compare-versions "$(dpkg-query -W -f='${Version}' bpftool 2>/dev/null || echo 0)" ge 7.5 ||
	want_bp="$want_bp bpftool"

if [ -n "$want_bp$want_base" ]; then
	log APT "update"
	apt-get update -qq >/dev/null 2>&1 || apt-get update
	export DEBIAN_FRONTEND=noninteractive
	if [ -n "$want_base" ]; then
		log APT "install $(echo $want_base)"
		apt-get install -y -qq $want_base >/dev/null
	fi
	if [ -n "$want_bp" ]; then
		log APT "install -t bookworm-backports $(echo $want_bp)"
		apt-get install -y -qq -t bookworm-backports $want_bp >/dev/null
	fi
fi

if ! command -v vng >/dev/null 2>&1; then
	log PIP "virtme-ng"
	# Debian's own python3 refuses system-wide pip installs (PEP 668) unless told.
	python3 -m pip install -q --break-system-packages virtme-ng 2>&1 |
		grep -v 'Running pip as the' || true
	hash -r
	command -v vng >/dev/null 2>&1 || die "virtme-ng installed but 'vng' is not on PATH"
fi
log OK "dependencies present"
