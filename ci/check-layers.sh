#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The source tree's shape, as TAP for ci/run-tests (issue 16's ratchet):
#   - no #include cycle among the modules of router/src (a module: FOO.c
#     and FOO.h; FOO_int.h belongs to FOO), and in harness/src none but
#     the ones listed in ci/layers.known ("cycle: a b c", the members
#     sorted), which may only shrink: a listed cycle that is gone fails
#     too, so that the list is kept true;
#   - no C file over 900 lines but those listed there ("lines: N FILE",
#     a ceiling each may not grow past).
#
# usage: check-layers.sh [REPO_ROOT]
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-$(cd "$here/.." && pwd)}
KNOWN=$ROOT/ci/layers.known
MAX=900
PLAN=4
. "$ROOT/packaging/tests/tap.sh"

# The include cycles of one folder: one line per strongly connected set
# of modules, members sorted, "a b c".
cycles() {
	for f in "$1"/*.c "$1"/*.h; do
		[ -e "$f" ] || continue
		m=$(basename "$f")
		m=${m%.*}
		m=${m%_int}
		grep -o '^#include "[^"]*\.h"' "$f" | sed 's/^#include "//; s/\.h"$//; s/_int$//' |
			while read -r inc; do
				[ -e "$1/$inc.h" ] && [ "$inc" != "$m" ] && echo "$m $inc"
			done
	done | sort -u | awk '
	{ e[$1, $2] = 1; n[$1] = 1; n[$2] = 1 }
	END {
		k = 0
		for (v in n) id[k++] = v
		for (i = 0; i < k; i++) for (j = 0; j < k; j++)
			r[i, j] = ((id[i], id[j]) in e)
		for (m = 0; m < k; m++) for (i = 0; i < k; i++)
			if (r[i, m]) for (j = 0; j < k; j++)
				if (r[m, j]) r[i, j] = 1
		for (i = 0; i < k; i++) {
			if (!r[i, i] || done[i]) continue
			line = ""
			for (j = 0; j < k; j++)
				if (r[i, j] && r[j, i]) { done[j] = 1; line = line " " id[j] }
			print substr(line, 2)
		}
	}' | while read -r line; do
		echo "$line" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'
		echo
	done | sort
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

cycles "$ROOT/router/src" >"$tmp/router"
if [ -s "$tmp/router" ]; then
	notok "router/src: no include cycle" "$(sed 's/^/cycle: /' "$tmp/router")"
else
	ok "router/src: no include cycle"
fi

cycles "$ROOT/harness/src" >"$tmp/harness"
sed -n 's/^cycle: //p' "$KNOWN" | sort >"$tmp/known"
new=$(comm -23 "$tmp/harness" "$tmp/known")
gone=$(comm -13 "$tmp/harness" "$tmp/known")
if [ -n "$new" ]; then
	notok "harness/src: no include cycle but the known ones" "new: $new"
else
	ok "harness/src: no include cycle but the known ones ($(wc -l <"$tmp/known") known)"
fi
if [ -n "$gone" ]; then
	notok "ci/layers.known lists only cycles that exist" "gone (remove them from ci/layers.known): $gone"
else
	ok "ci/layers.known lists only cycles that exist"
fi

: >"$tmp/long"
(cd "$ROOT" && for f in router/src/*.[ch] router/tests/*.[ch] harness/src/*.[ch] \
	harness/tests/*.[ch] harness/tools/*.[ch] cases/*.[ch] bench/*.[ch] fuzz/*.[ch] \
	qemu/agent/*.[ch]; do
	[ -e "$f" ] || continue
	n=$(wc -l <"$f")
	[ "$n" -le $MAX ] && continue
	ceil=$(awk -v f="$f" '$1 == "lines:" && $3 == f { print $2 }' "$KNOWN")
	if [ -z "$ceil" ]; then
		echo "$f: $n lines (over $MAX, not in ci/layers.known)"
	elif [ "$n" -gt "$ceil" ]; then
		echo "$f: $n lines, more than its ceiling $ceil"
	fi
done) >"$tmp/long"
check "no source file over $MAX lines but the known ones, none past its ceiling" "$tmp/long"
[ "$failed" -eq 0 ]
