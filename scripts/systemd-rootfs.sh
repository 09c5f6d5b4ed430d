#!/usr/bin/env bash
# Build (or reuse) the Debian 12 root filesystem the systemd suite boots:
# a minimal bookworm with systemd as PID 1, D-Bus, logind with
# pam_systemd, and a user alice (uid 1000). cgprov and the kernel are not
# in it: scripts/systemd-vm.sh installs their packages into a copy per run.
#
# Usage: scripts/systemd-rootfs.sh [--cached]
#
#   --cached  only look the tarball up: print it, or fail if it is not built
#
# The tarball is cached outside the repository in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/cgprov/rootfs/<hash>.tar
# where <hash> is the sha256 of this script (which holds the package list),
# the mirror and the suite. The last line printed is the tarball's path.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cached_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--cached) cached_only=1; shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "systemd-rootfs: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

log() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { echo "systemd-rootfs: $*" >&2; exit 1; }

suite=bookworm
# systemd as PID 1 (systemd-sysv), the system bus and the user's session
# bus (dbus-user-session: `systemd-run --user` talks to it), logind sessions
# from PAM (libpam-systemd; /etc/pam.d/login from login), the tools the
# guest test uses, and cgprov's runtime libraries (libbpf 1.4 from
# backports) so that installing its package needs no download.
packages=(systemd systemd-sysv dbus dbus-user-session libpam-systemd login passwd
	procps util-linux findutils libbpf1/bookworm-backports libelf1 zlib1g)

# shellcheck source=scripts/lib/apt-mirror.sh
. "$repo/scripts/lib/apt-mirror.sh"
mirror=$(debian_mirror /) ||
	die "no Debian archive found in the host's apt sources: add one, e.g. http://deb.debian.org/debian"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/cgprov/rootfs
hash=$({
	cat "$0"
	echo "mirror $mirror"
	echo "suite $suite"
} | sha256sum | cut -d' ' -f1)
tarball=$cache/$hash.tar

if [ -s "$tarball" ]; then
	log CACHED "$tarball"
	echo "$tarball"
	exit 0
fi
[ "$cached_only" = 0 ] || die "no root filesystem cached at $tarball: run scripts/systemd-rootfs.sh"
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap creates device nodes and owners)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run 'make deps'"

mkdir -p "$cache"
partial=$(mktemp "$cache/.partial-XXXXXX.tar")
trap 'rm -f "$partial"' EXIT
log ROOTFS "mmdebstrap $suite from $mirror (a few minutes)"
# The apt lists are kept so that a package's missing dependency can still
# be fetched when it is installed into a copy. Masked: apt's timers (no
# network in the guest) and systemd-firstboot, which would prompt on the
# console at the first boot of each copy.
# shellcheck disable=SC2016 # the hooks' $1 is the root, expanded by mmdebstrap
mmdebstrap --quiet --variant=apt --format=tar --skip=cleanup/apt/lists \
	--include="$(IFS=,; echo "${packages[*]}")" \
	--customize-hook='chroot "$1" useradd --uid 1000 --user-group --create-home --shell /bin/bash alice' \
	--customize-hook='echo cgprov-guest > "$1/etc/hostname"' \
	--customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer systemd-firstboot.service' \
	"$suite" "$partial" \
	"deb $mirror $suite main" "deb $mirror $suite-backports main" >&2 ||
	die "mmdebstrap failed (output above): check the network and the mirror $mirror"
mv "$partial" "$tarball"
trap - EXIT
log OK "$tarball"
echo "$tarball"
