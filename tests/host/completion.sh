#!/usr/bin/env bash
# The bash completion (loader/cgprov.bash-completion), sourced in this
# non-interactive bash and driven through COMP_WORDS/COMP_CWORD: its
# subcommands and options are exactly the CLI's (build/cgprov --help, or
# loader/cli.cpp when there is no binary), the fixed choices of --format and
# --order, directories for directory options and `stat` paths, files for
# --policy and -o, and global options after the subcommand.
set -euo pipefail
# shellcheck source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
completion=loader/cgprov.bash-completion

# shellcheck source=../../loader/cgprov.bash-completion
. "$completion"

# complete_words WORD...: COMPREPLY for the last WORD (the one being
# completed), one per line, sorted.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_cgprov
	if [ "${#COMPREPLY[@]}" -gt 0 ]; then
		printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
	fi
}
lines() { printf '%s\n' "$@" | LC_ALL=C sort -u; } # WORD...: sorted, one per line
same() { # GOT WANT
	[ "$1" = "$2" ] && return 0
	printf 'got:\n%s\nwant:\n%s\n' "$1" "$2"
	return 1
}
has() { grep -qxF -- "$2" <<<"$1" || { printf 'no %s in:\n%s\n' "$2" "$1"; return 1; }; } # TEXT LINE
lacks() { ! grep -qxF -- "$2" <<<"$1" || { printf '%s in:\n%s\n' "$2" "$1"; return 1; }; }
all_dirs() { # TEXT: every line a directory, and at least one
	local p
	[ -n "$1" ] || { echo "no completions"; return 1; }
	while IFS= read -r p; do
		[ -d "$p" ] || { echo "not a directory: $p"; return 1; }
	done <<<"$1"
}

check "the file registers _cgprov for cgprov" \
	same "$(complete -p cgprov)" "complete -F _cgprov cgprov"
if command -v shellcheck >/dev/null; then
	check "shellcheck finds nothing at warning level in $completion" \
		shellcheck -x -S warning "$completion"
else
	skip "shellcheck finds nothing at warning level in $completion" "no shellcheck"
fi

# The CLI as it is: the binary's --help when there is one, else cli.cpp.
# Options are printed one name per line (`-o,--output` as -o and --output).
if [ -x "$CGPROV" ]; then
	source_of_truth="$CGPROV --help"
	cli_subcommands() {
		"$CGPROV" --help | awk '/^Subcommands:/ { s = 1; next } s && /^[^ ]/ { s = 0 } s && /^  [^ ]/ { print $1 }'
	}
	cli_options() { # [SUBCOMMAND]
		"$CGPROV" "$@" --help | awk '/^Options:/ { s = 1; next } s && /^[^ ]/ { s = 0 } s && /^  -/ { print $1 }' |
			tr ',' '\n'
	}
else
	source_of_truth=loader/cli.cpp
	cli_text=$(tr -s ' \n\t' ' ' < loader/cli.cpp)
	cli_subcommands() {
		grep -oE 'add_subcommand\( ?"[^"]+"' <<<"$cli_text" | sed -E 's/.*"(.*)"/\1/'
	}
	cli_options() { # [SUBCOMMAND]: CLI11's own -h,--help, app's or the subcommand's variable's
		local var=app
		if [ $# = 1 ]; then
			var=$(grep -oE "auto \*[a-z_]+ = ?app\.add_subcommand\( ?\"$1\"" <<<"$cli_text" |
				sed -E 's/auto \*([a-z_]+) .*/\1/')
		fi
		{
			echo -h,--help
			grep -oE "(^|[^a-z_])$var ?(\.|->) ?(add_option|add_flag|set_version_flag)\( ?\"-[^\"]*\"" <<<"$cli_text" |
				sed -E 's/.*"(.*)"/\1/'
		} | tr ',' '\n'
	}
fi
echo "# subcommands and options from $source_of_truth"
mapfile -t subcommands < <(cli_subcommands)
check "the CLI has subcommands (${#subcommands[@]})" test "${#subcommands[@]}" -gt 0

check "position 1 completes exactly the CLI's subcommands" \
	same "$(complete_words cgprov '')" "$(lines "${subcommands[@]}")"
check "'cgprov st' completes stat and status" \
	same "$(complete_words cgprov st)" "$(lines stat status)"
check "'cgprov --root /run/cgprov st' skips the option's value" \
	same "$(complete_words cgprov --root /run/cgprov st)" "$(lines stat status)"

mapfile -t global_options < <(cli_options)
check "'cgprov -' completes exactly the CLI's global options" \
	same "$(complete_words cgprov -)" "$(lines "${global_options[@]}")"
after_subcommand=()
for option in "${global_options[@]}"; do
	# --version is the top level's; it ends the run before any subcommand
	if [ "$option" != --version ]; then
		after_subcommand+=("$option")
	fi
done
for sub in "${subcommands[@]}"; do
	mapfile -t own < <(cli_options "$sub")
	check "'cgprov $sub -' completes its options and the global ones" \
		same "$(complete_words cgprov "$sub" -)" "$(lines "${own[@]}" "${after_subcommand[@]}")"
done

check "'cgprov export --format ' completes the three formats" \
	same "$(complete_words cgprov export --format '')" "$(lines prometheus openmetrics json)"
check "'cgprov export --format=o' (one word) completes --format=openmetrics" \
	same "$(complete_words cgprov export --format=o)" "--format=openmetrics"
check "'cgprov export --format = j' (split at =) completes json" \
	same "$(complete_words cgprov export --format = j)" "json"
check "'cgprov -j export --format ' after a global flag completes the formats" \
	same "$(complete_words cgprov -j export --format '')" "$(lines prometheus openmetrics json)"
check "'cgprov link --order d' completes the two descendants-* orders" \
	same "$(complete_words cgprov link --order d)" "$(lines descendants-pre descendants-post)"
check "'cgprov link --order ' completes the three orders" \
	same "$(complete_words cgprov link --order '')" "$(lines self descendants-pre descendants-post)"
check "'cgprov link --name ' completes nothing (free text)" \
	same "$(complete_words cgprov link --name '')" ""

install_options=$(complete_words cgprov install --)
for option in --policy --cgroup --version-tag; do
	check "'cgprov install --' includes $option" has "$install_options" "$option"
done
check "'cgprov install --' does not include --http" lacks "$install_options" --http
check "'cgprov install --' includes the global --root after the subcommand" \
	has "$install_options" --root
check "'cgprov status --ro' completes the global --root (fallthrough)" \
	same "$(complete_words cgprov status --ro)" "--root"
check "'cgprov export -o FILE --' leaves out --http (they exclude each other)" \
	lacks "$(complete_words cgprov export -o out.prom --)" --http
check "'cgprov export --http -' leaves out -o and --output" \
	bash -c '! grep -qxE -- "-o|--output" <<<"$1"' _ "$(complete_words cgprov export --http -)"

stat_sysfs=$(complete_words cgprov stat /sys/fs/)
check "'cgprov stat /sys/fs/' completes directories" all_dirs "$stat_sysfs"
if [ -d /sys/fs/cgroup ]; then
	check "'cgprov stat /sys/fs/' includes /sys/fs/cgroup" has "$stat_sysfs" /sys/fs/cgroup
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/a dir" "$tmp/b"
touch "$tmp/file.toml"
check "'cgprov stat DIR/' completes only directories, blanks kept" \
	same "$(complete_words cgprov stat "$tmp/")" "$(lines "$tmp/a dir" "$tmp/b")"
check "'cgprov stat A B' completes directories for every path" \
	same "$(complete_words cgprov stat /sys "$tmp/")" "$(lines "$tmp/a dir" "$tmp/b")"
check "'cgprov --root DIR/' completes directories" \
	same "$(complete_words cgprov --root "$tmp/")" "$(lines "$tmp/a dir" "$tmp/b")"
check "'cgprov link --cgroup DIR/' completes directories" \
	same "$(complete_words cgprov link --cgroup "$tmp/")" "$(lines "$tmp/a dir" "$tmp/b")"
check "'cgprov install --policy DIR/' completes files" \
	same "$(complete_words cgprov install --policy "$tmp/")" \
	"$(lines "$tmp/a dir" "$tmp/b" "$tmp/file.toml")"
check "'cgprov export -o DIR/f' completes files" \
	same "$(complete_words cgprov export -o "$tmp/f")" "$tmp/file.toml"
check "'cgprov status ' completes nothing" same "$(complete_words cgprov status '')" ""
finish
