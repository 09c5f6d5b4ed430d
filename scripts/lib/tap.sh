# shellcheck shell=bash
# Sourced by scripts/test.sh (host) and tests/vm/run.sh (guest): TAP lines
# as cgprov's drivers read them, `ok - NAME`, `ok - NAME # SKIP why` and
# `not ok - NAME`.

# tap_count FILE: print "PASSED FAILED SKIPPED" for FILE's TAP lines (a
# skip is not a pass).
tap_count() {
	local ok skip fail
	ok=$(grep -cE '^ok ' "$1" || true)
	skip=$(grep -cE '^ok .*# SKIP' "$1" || true)
	fail=$(grep -cE '^not ok ' "$1" || true)
	echo "$((ok - skip)) $fail $skip"
}

# tap_label NAME < OUTPUT: OUTPUT's TAP lines, each named after the test
# NAME that printed them.
tap_label() { grep -E '^(not )?ok ' | sed -E "s|^((not )?ok - )|\1$1: |"; }

# tap_has_lines FILE: whether FILE holds any TAP line.
tap_has_lines() { grep -qE '^(not )?ok ' "$1"; }
