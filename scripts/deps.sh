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
	pkg-config busybox-static nlohmann-json3-dev shellcheck libmnl-dev)

. "$(dirname "$0")/lib/apt-mirror.sh"
sources=/etc/apt/sources.list.d/cgprov-backports.sources
if ! has_suite bookworm-backports; then
	# Same mirror as the existing Debian sources (one-line or deb822 files).
	mirror=$(debian_mirror) ||
		die "no Debian archive found in /etc/apt/sources.list or /etc/apt/sources.list.d/ (*.list, *.sources): add one, e.g. http://deb.debian.org/debian"
	log APT "enable bookworm-backports from $mirror"
	cat > "$sources" <<SRC
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

# The export suite: a real node_exporter scraped with curl, promtool, and an
# OpenMetrics parser.
base+=(curl prometheus prometheus-node-exporter python3-prometheus-client)
# The systemd suite: mmdebstrap 1.5 (backports) makes its Debian root
# filesystem.
backports+=(mmdebstrap)

# Packages: `make deb` (debhelper, the manual page from scdoc; lintian and
# man-db for its test) and `make kernel-deb` (the kernel's bindeb-pkg runs
# dpkg-buildpackage and debhelper's dh_* tools).
base+=(dpkg-dev debhelper lintian scdoc man-db)

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
dpkg --compare-versions "$(dpkg-query -W -f='${Version}' mmdebstrap 2>/dev/null || echo 0)" ge 1.5 ||
	want_bp="$want_bp mmdebstrap"

apt_log=$(mktemp)
trap 'rm -f "$apt_log"' EXIT
apt_run() { # WHAT APT-ARGS...: run apt-get quietly; on failure show its output and stop
	local what=$1
	shift
	if ! apt-get "$@" > "$apt_log" 2>&1; then
		tail -n 20 "$apt_log" >&2
		die "apt-get $what failed (output above): check the network and the apt sources, then run 'make deps' again"
	fi
}
if [ -n "$want_bp$want_base" ]; then
	log APT "update"
	apt_run update update
	export DEBIAN_FRONTEND=noninteractive
	if [ -n "$want_base" ]; then
		log APT "install $(echo $want_base)"
		# shellcheck disable=SC2086 # package names are words
		apt_run "install of $(echo $want_base)" install -y $want_base
	fi
	if [ -n "$want_bp" ]; then
		log APT "install -t bookworm-backports $(echo $want_bp)"
		# shellcheck disable=SC2086
		apt_run "install from bookworm-backports of $(echo $want_bp)" install -y -t bookworm-backports $want_bp
	fi
fi

if ! command -v vng >/dev/null 2>&1; then
	log PIP "virtme-ng"
	# Debian's own python3 refuses system-wide pip installs (PEP 668) unless told.
	if ! python3 -m pip install -q --break-system-packages virtme-ng > "$apt_log" 2>&1; then
		tail -n 20 "$apt_log" >&2
		die "pip install virtme-ng failed (output above): check that PyPI is reachable, then run 'make deps' again"
	fi
	hash -r
	command -v vng >/dev/null 2>&1 || die "virtme-ng installed but 'vng' is not on PATH ($(python3 -m site --user-base)/bin?)"
fi
log OK "dependencies present"
