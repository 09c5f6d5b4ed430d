#!/usr/bin/env bash
# Run a command as root inside a virtme-ng guest.
#
# Usage: scripts/vm-run.sh [--stock] [--debug] [--cpus N] [--memory M]
#                          [--timeout SECONDS] [--append ARG]... -- CMD [ARG...]
#
#   --stock      boot Debian's packaged 6.12 kernel instead of the cgprov build
#   --debug      boot the PROVE_LOCKING build (make kernel KERNEL_FLAVOR=debug)
#   --cpus N     guest CPUs (default 2)
#   --memory M   guest memory (default 2G)
#   --timeout S  kill the guest after S seconds (default 1200)
#   --append ARG add a kernel command-line argument (e.g. lsm=capability)
#
# The repository is visible read-write at the same path, CMD runs from the
# repository root, output streams, and the guest's exit status is returned
# (124 on timeout). KVM is used only when a probe shows that it really runs a
# guest on this host; otherwise the guest runs under TCG.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/cgprov
kernel=patched cpus=2 memory=2G timeout=1200
append=()

usage() { sed -n '2,17p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--stock) kernel=stock; shift ;;
	--debug) kernel=debug; shift ;;
	--cpus) cpus=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append+=(--append "$2"); shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) echo "vm-run: unknown argument '$1'" >&2; usage ;;
	esac
done
[ $# -gt 0 ] || { echo "vm-run: no command given" >&2; usage; }
command -v vng >/dev/null || { echo "vm-run: vng missing: run 'make deps'" >&2; exit 1; }

case "$kernel" in
stock)
	image=$(ls -1 /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sort -V | tail -n1)
	[ -n "$image" ] || { echo "vm-run: no Debian 6.12 kernel in /boot: run 'make deps'" >&2; exit 1; }
	;;
patched) image=$("$repo/scripts/build-kernel.sh" --cached | tail -n1) ;;
debug) image=$("$repo/scripts/build-kernel.sh" --flavor debug --cached | tail -n1) ;;
esac
[ -f "$image" ] || exit 1

# One probe per host, remembered: does KVM actually run a guest here?
accel=()
probe=$cache/kvm-probe
if [ ! -f "$probe" ]; then
	mkdir -p "$cache"
	if [ -w /dev/kvm ] && timeout 90 vng --run "$image" --cpus 1 --memory 512M \
		--exec true >/dev/null 2>&1; then
		echo kvm > "$probe"
	else
		echo tcg > "$probe"
	fi
fi
[ "$(cat "$probe")" = kvm ] || accel=(--disable-kvm)

# Quote the command so vng's --exec hands it to the guest shell unchanged.
cmd=$(printf '%q ' "$@")
echo "vm-run: booting $(basename "$image") ($kernel, $(cat "$probe"), ${cpus} cpus, $memory)" >&2
# QEMU opens the guest's stdout and stderr again by path (/proc/self/fd/N,
# truncating): were they a file, every boot would overwrite what the file
# held. Pipes make `make test > log` keep the whole run.
set +e
# timeout without --foreground signals its whole process group: vng runs
# QEMU through a shell and virtme-run, and would leave it running.
timeout -k 10 "$timeout" vng --run "$image" "${accel[@]}" \
	--cpus "$cpus" --memory "$memory" --rwdir "$repo" --cwd "$repo" "${append[@]}" \
	--exec "$cmd" < /dev/null 2> >(cat >&2) | cat
status=${PIPESTATUS[0]}
set -e
[ "$status" = 124 ] && echo "vm-run: guest timed out after ${timeout}s" >&2
exit "$status"
