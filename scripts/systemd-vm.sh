#!/usr/bin/env bash
# The systemd suite: boot the patched kernel on a Debian 12 root filesystem
# with systemd as PID 1 and cgprov installed from its package, and check
# from inside the guest what a real boot does with cgprov.service
# (tests/systemd/guest.sh). Prints TAP; exit status 0 only if every check
# passed.
#
# Usage: scripts/systemd-vm.sh [--cgprov-deb FILE] [--kernel-deb FILE]
#                              [--results FILE] [--timeout SECONDS] [--keep]
#
#   --cgprov-deb FILE  cgprov's package (default: the newest build/deb/cgprov_*_amd64.deb)
#   --kernel-deb FILE  the kernel's package (default: scripts/build-kernel.sh --deb --cached)
#   --results FILE     where the TAP lines go (default: build/test-results/systemd.tap)
#   --timeout S        kill the guest after S seconds (default 900); counts as a failure
#   --keep             keep the guest's root directory and print its path
#
# Design:
# - The root filesystem is a minimal bookworm made by mmdebstrap and cached
#   by content (scripts/systemd-rootfs.sh). Each run extracts it into a
#   temporary directory and installs both packages there with apt-get in a
#   chroot, so their maintainer scripts run as on a real system: cgprov's
#   enables cgprov.service (it does not start it, there being no running
#   systemd in a chroot). Then the guest's test unit is added and enabled.
# - The root is that directory itself, shared over virtio-9p
#   (security_model=passthrough keeps owners, modes and device nodes): the
#   patched kernel has 9p built in and no disk filesystem, so its
#   configuration stays as the other suites use it, and the guest's results
#   are files on the host once QEMU exits. cache=mmap gives systemd's
#   shared writable mappings what they need.
# - QEMU runs directly (not virtme-ng, whose own init the other suites
#   use): the kernel is the one the kernel package installed in /boot,
#   PID 1 is the root's /sbin/init (systemd), the console (ttyS0) goes to
#   build/test-results/systemd-console.log. The guest powers itself off when
#   its test unit ends (SuccessAction=/FailureAction=poweroff); `timeout`
#   kills QEMU's process group if it does not, and a guest that hangs,
#   panics (panic=-1 with -no-reboot ends QEMU) or stops early is reported
#   as a failed check.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
results_dir=$repo/build/test-results
cgprov_deb='' kernel_deb='' results=$results_dir/systemd.tap timeout=900 keep=0

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--cgprov-deb) cgprov_deb=$2; shift 2 ;;
	--kernel-deb) kernel_deb=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) usage ;;
	*) echo "systemd-vm: unknown argument '$1'" >&2; usage ;;
	esac
done

log() { printf '  %-8s %s\n' "$1" "$2" >&2; }
die() { echo "systemd-vm: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (chroot, and QEMU's 9p passthrough keeps owners)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run 'make deps'"

if [ -z "$cgprov_deb" ]; then
	cgprov_deb=$(find "$repo/build/deb" -maxdepth 1 -name 'cgprov_*_amd64.deb' 2>/dev/null | sort -V | tail -n1)
	[ -n "$cgprov_deb" ] || die "no build/deb/cgprov_*_amd64.deb: run 'make deb'"
fi
if [ -z "$kernel_deb" ]; then
	kernel_deb=$("$repo/scripts/build-kernel.sh" --deb --cached | tail -n1) ||
		die "no kernel package: run 'make kernel-deb'"
fi
for deb in "$cgprov_deb" "$kernel_deb"; do
	[ -f "$deb" ] || die "$deb: no such package"
done
tarball=$("$repo/scripts/systemd-rootfs.sh" | tail -n1)

mkdir -p "$results_dir" "$(dirname "$results")"
console=$results_dir/systemd-console.log
journal=$results_dir/systemd-journal.log
: > "$results"
record() { echo "$1" | tee -a "$results"; }

prepare_start=$(date +%s)
work=$(mktemp -d /var/tmp/cgprov-systemd-XXXXXX)
root=$work/root
cleanup() {
	if [ "$keep" = 1 ]; then
		log KEPT "$root"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

log ROOTFS "extract $(basename "$tarball")"
mkdir "$root"
tar -xf "$tarball" -C "$root" --numeric-owner

# Both packages through apt, in a chroot with its own /proc that goes away
# with it; apt may fetch a dependency the root filesystem lacks.
mkdir -p "$root/tmp/packages"
cp "$cgprov_deb" "$kernel_deb" "$root/tmp/packages/"
rm -f "$root/etc/resolv.conf"  # were it a symlink, cp would write through it
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" "$@"; }
log APT "install $(basename "$cgprov_deb") $(basename "$kernel_deb")"
if ! in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	"/tmp/packages/$(basename "$cgprov_deb")" "/tmp/packages/$(basename "$kernel_deb")" \
	> "$results_dir/systemd-apt.log" 2>&1; then
	tail -n 20 "$results_dir/systemd-apt.log" >&2
	record "not ok - systemd: apt-get installs cgprov's and the kernel's packages (log: $results_dir/systemd-apt.log)"
	exit 1
fi
record "ok - systemd: apt-get installs cgprov's and the kernel's packages"
rm -rf "$root/tmp/packages"
# The guest removes, purges and installs cgprov's package again at the end.
mkdir -p "$root/var/lib/cgprov-systemd-test"
cp "$cgprov_deb" "$root/var/lib/cgprov-systemd-test/cgprov.deb"
in_root systemd-machine-id-setup > /dev/null

enabled=$(in_root systemctl is-enabled cgprov.service 2>&1 || true)
if [ "$enabled" = enabled ]; then
	record "ok - systemd: cgprov's package enables cgprov.service"
else
	record "not ok - systemd: cgprov's package enables cgprov.service (is-enabled: $enabled)"
fi

# The guest side: tests/vm/lib.sh's helpers, the scripts, their unit.
guest_dir=$root/usr/lib/cgprov-systemd-test
install -d "$guest_dir" "$root/var/lib/cgprov-systemd-test"
install -m 0644 "$repo/tests/vm/lib.sh" "$repo/tests/systemd/common.sh" "$guest_dir/"
install -m 0755 "$repo/tests/systemd/guest.sh" "$repo/tests/systemd/user.sh" \
	"$repo/tests/systemd/user-scope.sh" "$guest_dir/"
install -m 0644 "$repo/tests/systemd/cgprov-systemd-test.service" "$root/etc/systemd/system/"
in_root systemctl enable --quiet cgprov-systemd-test.service

mapfile -t images < <(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*')
[ "${#images[@]}" = 1 ] || die "expected one /boot/vmlinuz-* from $(basename "$kernel_deb"), found ${#images[@]}"
image=${images[0]}

# No getty: the root has no udev, so dev-ttyS0.device would never appear
# and serial-getty@ttyS0 would hold the boot for 90 s.
append="console=ttyS0 root=cgprovroot rootfstype=9p systemd.getty_auto=0"
append+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=mmap rw panic=-1"
log READY "root prepared in $(($(date +%s) - prepare_start)) s"
log BOOT "$(basename "$image") with systemd (TCG, timeout ${timeout}s; console: $console)"
start=$(date +%s)
set +e
# timeout (without --foreground) signals its whole process group, QEMU in it.
timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
	-display none -vga none -monitor none -nic none -no-reboot \
	-serial "file:$console" \
	-fsdev "local,id=root,path=$root,security_model=passthrough,multidevs=remap" \
	-device virtio-9p-pci,fsdev=root,mount_tag=cgprovroot \
	-kernel "$image" -append "$append" < /dev/null
status=$?
set -e
log DONE "guest ran $(($(date +%s) - start)) s, QEMU exit status $status"

guest_results=$root/var/lib/cgprov-systemd-test/results.log
[ -f "$root/var/lib/cgprov-systemd-test/journal.log" ] &&
	cp "$root/var/lib/cgprov-systemd-test/journal.log" "$journal"
if [ -f "$guest_results" ]; then
	# Comments (the boot time among them) as they are, other detail indented.
	grep -E '^# ' "$guest_results" | tee -a "$results"
	grep -vE '^((not )?ok |# )' "$guest_results" | sed 's/^/    /'
	grep -E '^(not )?ok ' "$guest_results" | sed -E 's/^(not )?ok - /&systemd: /' | while IFS= read -r line; do
		record "$line"
	done
fi
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	record "not ok - systemd: the guest finished within ${timeout}s (killed; console: $console)"
elif ! grep -qx '# done' "$guest_results" 2>/dev/null; then
	record "not ok - systemd: the guest ran its checks to the end (QEMU exit status $status; console: $console)"
	[ -f "$console" ] && tail -n 30 "$console" | sed 's/^/    /' >&2
else
	record "ok - systemd: the guest ran its checks to the end and powered off"
fi
! grep -q '^not ok ' "$results"
