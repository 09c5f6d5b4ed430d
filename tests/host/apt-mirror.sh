#!/usr/bin/env bash
# scripts/lib/apt-mirror.sh finds the Debian mirror in every apt source
# layout deps.sh may meet: deb822 files only (Debian's container and cloud
# images), a classic sources.list, both, and none.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/scripts/lib/apt-mirror.sh"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
failed=0
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: want '$2', got '$3'"; failed=1; fi
}
layout() { rm -rf "${root:?}/etc"; mkdir -p "$root/etc/apt/sources.list.d"; }

layout
cat > "$root/etc/apt/sources.list.d/debian.sources" <<'SRC'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
SRC
expect "deb822 only: the first archive, trailing slash dropped" http://mirror.example/debian "$(debian_mirror "$root")"
has_suite bookworm-backports "$root"; expect "deb822 only: backports not configured" 1 $?

layout
cat > "$root/etc/apt/sources.list.d/debian.sources" <<'SRC'
Types: deb-src
URIs: http://src.example/debian

Enabled: no
Types: deb
URIs: http://disabled.example/debian

types: deb deb-src
uris: https://lower.example/debian
suites: bookworm bookworm-backports
SRC
expect "deb822: deb-src and disabled stanzas skipped, keys any case" https://lower.example/debian "$(debian_mirror "$root")"
has_suite bookworm-backports "$root"; expect "deb822: backports found" 0 $?

layout
cat > "$root/etc/apt/sources.list" <<'SRC'
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://classic.example/debian bookworm main
deb http://security.debian.org/debian-security bookworm-security main
SRC
expect "classic sources.list: options skipped" http://classic.example/debian "$(debian_mirror "$root")"
has_suite bookworm-backports "$root"; expect "classic: backports not configured" 1 $?

layout
echo "deb http://security.example/debian-security bookworm-security main" > "$root/etc/apt/sources.list"
echo "deb http://list-d.example/debian bookworm-backports main" > "$root/etc/apt/sources.list.d/bp.list"
expect "classic: a .list file in sources.list.d" http://list-d.example/debian "$(debian_mirror "$root")"
has_suite bookworm-backports "$root"; expect "classic: backports in a .list file found" 0 $?

layout
debian_mirror "$root" >/dev/null; expect "no sources at all: failure" 1 $?

exit "$failed"
