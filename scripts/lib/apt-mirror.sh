# shellcheck shell=bash
# Sourced by scripts/deps.sh and tests/host/apt-mirror.sh.
#
# debian_mirror [ROOT]: print the Debian archive URI that ROOT's apt sources
# use (ROOT defaults to /), reading both layouts apt accepts: one-line
# entries in etc/apt/sources.list and *.list files, and deb822 stanzas in
# etc/apt/sources.list.d/*.sources. Security archives are skipped. Prints
# nothing and returns 1 when no Debian archive is configured.
debian_mirror() {
	local root=${1:-} f uri
	local files=()
	for f in "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*.list \
		"$root"/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 1
	uri=$(
		for f in "${files[@]}"; do
			case "$f" in
			*.sources)
				# deb822: "URIs: uri [uri...]" inside a stanza whose Types has deb.
				awk 'function flush() { if (deb && enabled && uris != "") print uris; deb = 0; enabled = 1; uris = "" }
					BEGIN { enabled = 1 }
					/^[[:space:]]*#/ { next }
					/^[[:space:]]*$/ { flush(); next }
					tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
					tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
					tolower($1) == "uris:" { for (i = 2; i <= NF; i++) uris = uris " " $i }
					END { flush() }' "$f" | tr ' ' '\n'
				;;
			*)
				# one-line: "deb [options] uri suite components"
				awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } print $i }' "$f"
				;;
			esac
		done | grep -E '^https?://' | grep -v -- '-security' | grep -v '/debian-security' | head -n1
	) || true
	[ -n "$uri" ] || return 1
	echo "${uri%/}"
}

# has_suite SUITE [ROOT]: is SUITE already configured in ROOT's apt sources?
has_suite() {
	local suite=$1 root=${2:-} f
	for f in "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*.list \
		"$root"/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -v '^[[:space:]]*#' "$f" | grep -qw -- "$suite" && return 0
	done
	return 1
}
