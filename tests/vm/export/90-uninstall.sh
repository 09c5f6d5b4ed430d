#!/usr/bin/env bash
# Uninstall; export then fails with a hint and writes nothing.
. "$(dirname "$0")/../lib.sh"

check "uninstall succeeds" "$CGPROV" uninstall
dir=$(mktemp -d)
out=$("$CGPROV" export -o "$dir/cgprov.prom" 2>&1)
status=$?
check "export without an install fails with exit 1" test "$status" = 1
check "and names the stats directory and the cause" grep -q "open stats directory /run/cgprov/stats: No such file or directory (ENOENT)" <<<"$out"
check "and hints at the install" grep -q "hint: is cgprov installed" <<<"$out"
check "and writes no file" test -z "$(ls -A "$dir")"
rm -rf "$dir"
finish
