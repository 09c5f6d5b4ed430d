#!/usr/bin/env bash
# The tree is clean by its own rules: every tracked C++ and BPF C file as
# clang-format formats it (by the .clang-format of its directory, as `make
# format` does), and every tracked shell script
# (by suffix or by shebang) without a shellcheck finding of warning level
# or above.
# shellcheck source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' '*.bpf.c' 'bpf/*.h' 'tests/bpf/*.h')
check "there are C++ and BPF files to check (${#sources[@]})" test "${#sources[@]}" -gt 0
check "clang-format leaves every one as it is" clang-format-19 --dry-run --Werror "${sources[@]}"

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
