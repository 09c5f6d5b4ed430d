#!/usr/bin/env bash
# Directories a user made under the 1777 bpffs root before an install (here:
# after the uninstall of 90-uninstall.sh, the same state as before the first
# install) are refused with one line naming the path and its owner: install,
# uninstall and status change nothing, and once they are gone the install
# works for everyone.
. "$(dirname "$0")/../lib.sh"

POLICY=$(dirname "$0")/policy.toml
ROOT=/sys/fs/bpf/cgprov

# What a refused command could have changed: every bpffs entry with owner
# and mode, and the kernel's programs, maps and links.
snapshot() {
	find /sys/fs/bpf -printf '%p %U %m %y\n' | sort
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
	check "$name: one line naming the path and its owner" bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -qE "$2" <<<"$1"' _ "$out" "$pattern"
	check "$name: nothing created or changed" diff <(echo "$before") <(echo "$after")
	[ "$status" = 1 ] || printf '    %s\n' "$out"
}

check "cgprov is not installed" test ! -e "$ROOT"
check "the bpffs root is the kernel's default 1777" bash -c '[ "$(stat -c %a:%u /sys/fs/bpf)" = 1777:0 ]'

# 1. The whole tree made by the user, as the issue's attack did.
as_user mkdir "$ROOT" "$ROOT/internal" "$ROOT/stats" "$ROOT/progs" "$ROOT/user"
refused "install over the user's cgprov/" "^Error: refusing $ROOT: owned by uid $CGPROV_TEST_UID, not root" \
	"$CGPROV" install --policy "$POLICY"
refused "uninstall of the user's cgprov/" "^Error: refusing $ROOT: owned by uid $CGPROV_TEST_UID" "$CGPROV" uninstall
refused "status of the user's cgprov/" "^Error: refusing $ROOT: owned by uid $CGPROV_TEST_UID" "$CGPROV" status
check "the user's directories are still there, still the user's" bash -c \
	'[ "$(stat -c %u "$1" "$1/internal" "$1/user" | sort -u)" = "$2" ]' _ "$ROOT" "$CGPROV_TEST_UID"
as_user rmdir "$ROOT/internal" "$ROOT/stats" "$ROOT/progs" "$ROOT/user" "$ROOT"

# 2. A symlink to a directory of the user's.
as_user mkdir /sys/fs/bpf/attacker
as_user ln -s /sys/fs/bpf/attacker "$ROOT"
refused "install through the user's symlink" "^Error: refusing $ROOT: a symlink owned by uid $CGPROV_TEST_UID" \
	"$CGPROV" install --policy "$POLICY"
check "nothing was made in the symlink's target" bash -c '[ -z "$(ls -A /sys/fs/bpf/attacker)" ]'
as_user rm "$ROOT"
as_user rmdir /sys/fs/bpf/attacker

# 3. Root's cgprov/ left writable by others (an admin's mistake) with a
#    user's internal/ in it: root's is not enough.
mkdir -m 0777 "$ROOT"
chmod 0777 "$ROOT"
as_user mkdir "$ROOT/internal"
refused "install into root's world-writable cgprov/" "^Error: refusing $ROOT: root's but writable by others \(mode 0777\)" \
	"$CGPROV" install --policy "$POLICY"
chmod 0755 "$ROOT"
refused "install next to the user's internal/" "^Error: refusing $ROOT/internal: owned by uid $CGPROV_TEST_UID, not root" \
	"$CGPROV" install --policy "$POLICY"
rmdir "$ROOT/internal" "$ROOT"

# The legitimate install, once the user's directories are gone.
check "install succeeds" "$CGPROV" install --policy "$POLICY"
check "every directory is root's, with its mode" bash -c \
	'[ "$(stat -c "%n %u %a" "$1" "$1"/* | tr "\n" " ")" = "$1 0 755 $1/internal 0 700 $1/progs 0 755 $1/stats 0 755 $1/user 0 1733 " ]' _ "$ROOT"
mine=$(delegated_cgroup)
check "the user links" as_user "$CGPROV" link --cgroup "$mine" --name legit
if as_user mkdir "$ROOT/internal2" 2>/dev/null; then
	fail "the user cannot make a directory in cgprov/ now"
else
	pass "the user cannot make a directory in cgprov/ now"
fi
check "uninstall succeeds" "$CGPROV" uninstall
check "nothing of cgprov is left" test ! -e "$ROOT"
remove_cgroup_tree "$mine"
finish
