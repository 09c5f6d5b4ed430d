#!/usr/bin/env bash
# The tree is clean by its own rules: every tracked C++ file as
# clang-format (.clang-format) formats it, and every tracked shell script
# (by suffix or by shebang) without a shellcheck finding of warning level
# or above.
# shellcheck source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1

mapfile -t cxx < <(git ls-files '*.cpp' '*.hpp')
check "there are C++ files to check (${#cxx[@]})" test "${#cxx[@]}" -gt 0
check "clang-format leaves every C++ file as it is" clang-format-19 --dry-run --Werror "${cxx[@]}"

shell_scripts() {
	local f
	git ls-files | while read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh) echo "$f" ;;
		*) head -n1 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && echo "$f" ;;
		esac
	done
}
mapfile -t scripts < <(shell_scripts)
check "there are shell scripts to check (${#scripts[@]})" test "${#scripts[@]}" -gt 0
check "shellcheck finds nothing at warning level in any of them" shellcheck -x -S warning "${scripts[@]}"
finish
