#!/usr/bin/env bash
# The cgprov package (`make deb`, build/deb/cgprov_<version>_<arch>.deb):
# what it installs, its version against the binary's, what its maintainer
# scripts do to the units, lintian, and the manual page.
# shellcheck source=../vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb=build/deb/cgprov_${version}_$arch.deb
changes=build/deb/cgprov_${version}_$arch.changes
make_out=$(make --no-print-directory deb 2>&1)  # up to date: nothing is rebuilt
check "make deb writes $deb" test -f "$deb"
[ -f "$deb" ] || { printf '    %s\n' "$make_out" | tail -n 20; finish; }

lacks() { ! grep -qE -- "$1" <<<"$2"; }  # PATTERN TEXT
has_all() { # TEXT PATTERN...: every PATTERN is in TEXT
	local text=$1 p
	shift
	for p in "$@"; do grep -qE -- "$p" <<<"$text" || return 1; done
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
field() { dpkg-deb -f "$deb" "$1"; }

check "the package's version is debian/changelog's" test "$(field Version)" = "$version"
check "cgprov --version prints the package's version" \
	test "$("$root/usr/sbin/cgprov" --version)" = "cgprov $(field Version)"

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for path in ./usr/sbin/cgprov ./lib/systemd/system/cgprov.service \
	./lib/systemd/system/cgprov-export.service ./lib/systemd/system/cgprov-export.timer \
	./lib/systemd/system/cgprov-export-http.socket ./lib/systemd/system/cgprov-export-http@.service \
	./usr/lib/tmpfiles.d/cgprov-export.conf ./usr/lib/sysusers.d/cgprov-export.conf \
	./etc/cgprov/policy.toml \
	./usr/share/man/man8/cgprov.8.gz ./usr/share/doc/cgprov/README.md.gz \
	./usr/share/doc/cgprov/docs/design.md.gz ./usr/share/doc/cgprov/docs/testing.md.gz \
	./usr/share/bash-completion/completions/cgprov \
	./usr/share/doc/cgprov/copyright; do
	check "the package installs ${path#.}" grep -qxF "$path" <<<"$contents"
done
check "nothing in /usr/local" lacks '^\./usr/local' "$contents"

check "the only conffile is /etc/cgprov/policy.toml" \
	test "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/cgprov/policy.toml
check "the conffile is loader/policy.toml" cmp "$root/etc/cgprov/policy.toml" loader/policy.toml
check "the loader's default policy is the conffile" \
	grep -qF -- "--policy TEXT=/etc/cgprov/policy.toml" <<<"$("$root/usr/sbin/cgprov" install --help)"

depends=$(field Depends)
echo "    Depends: $depends"
check "Depends come from the shared libraries (libelf1, zlib1g, libstdc++6)" \
	has_all "$depends" libelf1 zlib1g 'libstdc\+\+6'
check "Depends has no libbpf (linked statically)" lacks libbpf "$depends"
check "the binary needs no libbpf.so" lacks 'NEEDED.*libbpf' "$(readelf -d "$root/usr/sbin/cgprov")"
check "Built-Using names libbpf" grep -q '^libbpf (= ' <<<"$(field Built-Using)"

unit=$root/lib/systemd/system
check "cgprov.service runs /usr/sbin/cgprov install" \
	grep -qx 'ExecStart=/usr/sbin/cgprov install .*' "$unit/cgprov.service"
check "cgprov.service documents man:cgprov(8)" grep -qx 'Documentation=man:cgprov(8)' "$unit/cgprov.service"
check "every unit that runs cgprov runs /usr/sbin/cgprov" \
	lacks '^ExecStart=' "$(grep -h '^ExecStart=' "$unit"/*.service | grep -v '^ExecStart=/usr/sbin/cgprov ')"

# dh_installsystemd's scripts: cgprov.service enabled and started, the
# export units enabled only if the admin had them enabled.
scripts=$(mktemp -d -p "$root")
dpkg-deb -e "$deb" "$scripts"
postinst=$(cat "$scripts/postinst")
# An enable line of UNIT, and the six lines before it, in postinst.
enable_of() { grep -B6 "deb-systemd-helper enable '$1'" <<<"$postinst"; }
sysusers_before_tmpfiles() {
	local users tmpfiles
	users=$(grep -n 'systemd-sysusers cgprov-export.conf' <<<"$postinst" | head -n1 | cut -d: -f1)
	tmpfiles=$(grep -n 'systemd-tmpfiles' <<<"$postinst" | head -n1 | cut -d: -f1)
	[ -n "$users" ] && [ -n "$tmpfiles" ] && [ "$users" -lt "$tmpfiles" ]
}
check "postinst makes the export's system user before its tmpfiles entry" sysusers_before_tmpfiles
check "postinst enables cgprov.service unconditionally" \
	has_all "$(enable_of cgprov.service)" "was-enabled defaults to true"
check "postinst starts cgprov.service on install, restarts it on upgrade" \
	has_all "$postinst" '_dh_action=restart' "_dh_action=start" "deb-systemd-invoke [$]_dh_action 'cgprov.service'"
for u in cgprov-export.timer cgprov-export-http.socket; do
	check "postinst enables $u only where it was enabled before" \
		has_all "$(enable_of "$u")" "debian-installed '$u'"
	check "postinst does not enable $u on a new install" lacks "was-enabled defaults to true" "$(enable_of "$u")"
done
check "prerm runs 'cgprov uninstall' on remove only" \
	has_all "$(cat "$scripts/prerm")" '^if \[ "[$]1" = remove \]' 'if ! cgprov uninstall; then'
check "postrm purges every unit's state" has_all "$(cat "$scripts/postrm")" \
	"deb-systemd-helper purge 'cgprov.service'" "deb-systemd-helper purge .*'cgprov-export.timer'"
for s in preinst postinst prerm postrm; do
	[ -f "$scripts/$s" ] && check "$s is valid sh" sh -n "$scripts/$s"
done

# lintian: nothing but what debian/cgprov.lintian-overrides explains.
lint=$(lintian --pedantic --display-info --display-experimental "$changes" 2>&1 |
	grep -v '^running with root privileges')
printf '    %s\n' "$lint" | grep -v '^    $'
check "lintian reports nothing that is not overridden" test -z "$lint"

# The manual page: renders without warnings and covers every command and
# option that --help lists.
page=$root/usr/share/man/man8/cgprov.8.gz
warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
check "man -l cgprov.8.gz renders without warnings" test -z "$warnings"
text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES "EXIT STATUS"; do
	check "the manual page has $section" grep -qx "$section" <<<"$text"
done
# The lines of a section of the rendered page, or of one command's entry.
section() { awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on' <<<"$text"; }
entry() { section COMMANDS | awk -v c="$1" '/^       [a-z]/ { on = ($1 == c) } on'; }  # 7 spaces (mawk has no {7})
options() { grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' | tr -d ' ,' | grep -vxE -- '-h|--help' | sort -u; }
defines() { grep -qE -- "^ {$1}([^ ]+, )?$2( |,|$)" <<<"$3"; }  # INDENT OPTION TEXT
commands=$("$root/usr/sbin/cgprov" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }')
check "cgprov --help lists the commands" test -n "$commands"
for cmd in $commands; do
	check "the manual page describes the command $cmd" test -n "$(entry "$cmd")"
	for opt in $("$root/usr/sbin/cgprov" "$cmd" --help | options); do
		check "the manual page describes $cmd's option $opt" defines 11 "$opt" "$(entry "$cmd")"
	done
done
for opt in -h --help $("$root/usr/sbin/cgprov" --help | sed '/^Subcommands:/q' | options); do
	check "the manual page describes the global option $opt" defines 7 "$opt" "$(section OPTIONS)"
done
finish
