#!/usr/bin/env bash
# What others made where cgprov keeps its tree, before an install (here:
# after the uninstall of 90-uninstall.sh, the same state as before the first
# install). At the legacy root, /sys/fs/bpf/cgprov under the 1777 system
# bpffs, a user's tree is not cgprov's: install leaves it alone. A foreign
# tree at cgprov's own root, /run/cgprov, or inside a legacy tree of root's
# is refused with one line naming the path and the cause: install,
# uninstall and status change nothing, and once it is gone the install
# works for everyone.
. "$(dirname "$0")/../lib.sh"

POLICY=$(dirname "$0")/policy.toml
ROOT=/run/cgprov
LEGACY=/sys/fs/bpf/cgprov

# What a refused command could have changed: every entry of both bpffs
# trees and of /run with owner and mode, the bpffs mounts, and the kernel's
# programs, maps and links.
snapshot() {
	find /sys/fs/bpf /run -xdev -printf '%p %U %m %y\n' 2>/dev/null | sort
	find "$ROOT" -printf '%p %U %m %y\n' 2>/dev/null | sort
	findmnt -rn -t bpf -o TARGET,OPTIONS
	for what in prog map link; do
		bpftool -j "$what" show 2>/dev/null | grep -o '"id":[0-9]*' | sort
	done
}

# refused NAME PATTERN CMD...: CMD exits 1 with a one-line error matching
# PATTERN and changes nothing.
refused() {
	local name=$1 pattern=$2 before after out status
	shift 2
	before=$(snapshot)
	out=$("$@" 2>&1)
	status=$?
	after=$(snapshot)
	check "$name: exit 1" test "$status" = 1
	check "$name: one line naming the path and the cause" bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -qE "$2" <<<"$1"' _ "$out" "$pattern"
	check "$name: nothing created or changed" diff <(echo "$before") <(echo "$after")
	[ "$status" = 1 ] || printf '    %s\n' "$out"
}

# unchanged NAME CMD...: CMD succeeds and leaves the user's legacy tree as
# it was.
leaves_users_tree() {
	local name=$1 before
	shift
	before=$(find "$LEGACY" -printf '%p %U %m %y\n' | sort)
	check "$name succeeds" "$@"
	check "$name leaves the user's $LEGACY as it was" bash -c \
		'[ "$1" = "$(find "$2" -printf "%p %U %m %y\n" | sort)" ]' _ "$before" "$LEGACY"
}

check "cgprov is not installed" test ! -e "$ROOT"
check "the system bpffs root is the kernel's default 1777" bash -c '[ "$(stat -c %a:%u /sys/fs/bpf)" = 1777:0 ]'

# 1. A user's whole tree at the legacy root, as the first attack did: not
#    cgprov's, so not moved, not removed, not reported.
as_user mkdir "$LEGACY" "$LEGACY/internal" "$LEGACY/stats" "$LEGACY/progs" "$LEGACY/user"
leaves_users_tree "install next to the user's $LEGACY" "$CGPROV" install --policy "$POLICY"
check "install made its own tree at $ROOT" test -d "$ROOT/stats"
check "status does not report the user's tree as a legacy install" bash -c "! '$CGPROV' status | grep -q '^legacy tree'"
leaves_users_tree "uninstall" "$CGPROV" uninstall
as_user rmdir "$LEGACY/internal" "$LEGACY/stats" "$LEGACY/progs" "$LEGACY/user" "$LEGACY"

# 2. A symlink of the user's at the legacy root: nothing is made or removed
#    through it.
as_user mkdir /sys/fs/bpf/attacker
as_user ln -s /sys/fs/bpf/attacker "$LEGACY"
check "install next to the user's symlink succeeds" "$CGPROV" install --policy "$POLICY"
check "uninstall succeeds" "$CGPROV" uninstall
check "the symlink is still the user's" bash -c '[ "$(stat -c %u "$1")" = "$2" ] && [ -L "$1" ]' _ "$LEGACY" "$CGPROV_TEST_UID"
check "nothing was made in the symlink's target" bash -c '[ -z "$(ls -A /sys/fs/bpf/attacker)" ]'
as_user rm "$LEGACY"
as_user rmdir /sys/fs/bpf/attacker

# 3. Root's legacy cgprov/ once left writable by others (an admin's
#    mistake) with a user's internal/ in it: a legacy install cgprov cannot
#    trust is refused, before anything is mounted.
mkdir -m 0777 "$LEGACY"
chmod 0777 "$LEGACY"
as_user mkdir "$LEGACY/internal"
chmod 0755 "$LEGACY"
refused "install next to the user's internal/ in root's legacy tree" "^Error: refusing $LEGACY/internal: owned by uid $CGPROV_TEST_UID, not root" \
	"$CGPROV" install --policy "$POLICY"
refused "uninstall of that legacy tree" "^Error: refusing $LEGACY/internal: owned by uid $CGPROV_TEST_UID" "$CGPROV" uninstall
rmdir "$LEGACY/internal" "$LEGACY"

# 4. A non-empty directory of another filesystem at the root.
mkdir -m 0755 "$ROOT"
echo data > "$ROOT/foreign"
refused "install over a non-empty directory at $ROOT" "^Error: refusing $ROOT: a non-empty directory of another filesystem" \
	"$CGPROV" install --policy "$POLICY"
refused "status of it" "^Error: refusing $ROOT: a non-empty directory of another filesystem" "$CGPROV" status
check "its file is still there" grep -qx data "$ROOT/foreign"
rm "$ROOT/foreign"
rmdir "$ROOT"

# 5. A bpffs mounted at the root with the kernel's default mode (1777):
#    anyone could make entries at its top.
mkdir -m 0755 "$ROOT"
mount -t bpf none "$ROOT"
refused "install into a 1777 bpffs at $ROOT" "^Error: refusing $ROOT: the root of a bpffs mount writable by others \(mode 1777\)" \
	"$CGPROV" install --policy "$POLICY"
umount "$ROOT"

# 6. cgprov's instance with a directory of root's others may write to (an
#    admin's mistake) and a user's entry in it.
mount -t bpf -o mode=0755 none "$ROOT"
mkdir -m 0777 "$ROOT/internal"
chmod 0777 "$ROOT/internal"
as_user mkdir "$ROOT/internal/x"
refused "install into root's world-writable internal/" "^Error: refusing $ROOT/internal: root's but writable by others \(mode 0777\)" \
	"$CGPROV" install --policy "$POLICY"
umount "$ROOT"
rmdir "$ROOT"

# 7. A directory inside the system bpffs that is not a mount's root.
mkdir -m 0755 /sys/fs/bpf/cgprov-root
refused "install with --root inside the system bpffs" "^Error: refusing /sys/fs/bpf/cgprov-root: inside another bpffs mount without being its root" \
	"$CGPROV" --root /sys/fs/bpf/cgprov-root install --policy "$POLICY"
rmdir /sys/fs/bpf/cgprov-root
refused "install with a new --root inside the system bpffs" "^Error: refusing /sys/fs/bpf/cgprov-new: inside another bpffs mount without being its root" \
	"$CGPROV" --root /sys/fs/bpf/cgprov-new install --policy "$POLICY"

# The legitimate install, once the foreign directories are gone.
check "install succeeds" "$CGPROV" install --policy "$POLICY"
check "every directory is root's, with its mode" bash -c \
	'[ "$(stat -c "%n %u %a" "$1" "$1"/* | tr "\n" " ")" = "$1 0 1755 $1/internal 0 700 $1/progs 0 755 $1/stats 0 755 $1/user 0 1733 " ]' _ "$ROOT"
mine=$(delegated_cgroup)
check "the user links" as_user "$CGPROV" link --cgroup "$mine" --name legit
for dir in "$ROOT" "$ROOT/stats" "$ROOT/progs"; do
	if as_user mkdir "$dir/mine" 2>/dev/null; then
		fail "the user cannot make a directory in $dir"
	else
		pass "the user cannot make a directory in $dir"
	fi
done
check "uninstall succeeds" "$CGPROV" uninstall
check "nothing of cgprov is left" test ! -e "$ROOT" -a ! -e "$LEGACY"
remove_cgroup_tree "$mine"
finish
