#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The source tree's shape, as TAP for ci/run-tests (issue 16's ratchet).
#
# A module is FOO.h or FOO_int.h with the FOO.c and FOO_*.c beside it in
# the same folder (lab.h, lab.c, lab_ns.c, lab_int.h: one module "lab");
# a file with no such header is a module of its own.  Between modules
# there are two kinds of edge: an #include "x.h", and a call, read from
# the built objects with nm (a symbol one object uses and another
# defines).  Checked:
#   - no cycle among the modules of router/src, nor of harness/src, over
#     includes and calls together, but the ones listed in ci/layers.known
#     ("cycle: a b c", members sorted), which may only shrink: a listed
#     cycle that is gone fails too, so that the list is kept true;
#   - harness/src is in folders, one a layer, ordered lowest first by the
#     "layers:" line of ci/layers.known; no include and no call goes from
#     a layer to a higher one, and every folder is a listed layer;
#   - a header's name is unique across harness/src (every folder is on
#     the include path);
#   - no C file over 900 lines but those listed there ("lines: N FILE",
#     a ceiling each may not grow past).
#
# usage: check-layers.sh [REPO_ROOT [BUILD_DIR]]
# BUILD_DIR (or $MCLAB_BUILD, default build/cc) holds the objects that
# the call graph is read from; the check fails when one is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-$(cd "$here/.." && pwd)}
BUILD=${2:-${MCLAB_BUILD:-build/cc}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
KNOWN=$ROOT/ci/layers.known
MAX=900
PLAN=8
. "$ROOT/packaging/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# files TREE: "path folder module" for every .c and .h below TREE (one
# folder deep at most), path relative to ROOT, folder "." for TREE itself
files() {
	(cd "$ROOT" && for f in "$1"/*.[ch] "$1"/*/*.[ch]; do
		[ -e "$f" ] || continue
		d=$(dirname "$f")
		s=$(basename "$f")
		s=${s%.*}
		m=$s
		p=
		rest=$s
		while :; do
			head=${rest%%_*}
			p=${p:+${p}_}$head
			if [ "$p" != "$s" ] && { [ -e "$d/$p.h" ] || [ -e "$d/${p}_int.h" ]; }; then
				m=$p
				break
			fi
			[ "$rest" = "$head" ] && break
			rest=${rest#*_}
		done
		[ "$m" = "$s" ] && m=${s%_int}
		fd=${d#"$1"}
		fd=${fd#/}
		echo "$f ${fd:-.} $m"
	done)
}

# edges TREE FILES: "from to" between modules, includes and calls
edges() {
	awk '{ print $1, $3 }' "$2" >"$tmp/mod"
	# includes: a header by its name, wherever in the tree it is
	awk '$1 ~ /\.h$/ { n = $1; sub(".*/", "", n); print n, $3 }' "$2" >"$tmp/hdr"
	while read -r f d m; do
		grep -o '^#include "[^"]*\.h"' "$ROOT/$f" | sed 's/^#include "//; s/"$//; s|.*/||' |
			while read -r h; do echo "$m $h"; done
	done <"$2" | awk 'NR == FNR { h[$1] = $2; next } ($2 in h) { print $1, h[$2] }' \
		"$tmp/hdr" - >"$tmp/inc"
	# calls: per object, what it defines and what it uses
	: >"$tmp/def"
	: >"$tmp/use"
	while read -r f d m; do
		case $f in *.c) ;; *) continue ;; esac
		o=$BUILD/${f%.c}.o
		if [ ! -e "$o" ]; then
			echo "$f" >>"$tmp/noobj"
			continue
		fi
		nm -P -g "$o" 2>/dev/null | awk -v m="$m" '
			$2 == "U" { print $1, m >> "'"$tmp/use"'"; next }
			$1 != "main" { print $1, m >> "'"$tmp/def"'" }'
	done <"$2"
	awk 'NR == FNR { d[$1] = $2; next } ($1 in d) { print $2, d[$1] }' \
		"$tmp/def" "$tmp/use" >"$tmp/call"
	cat "$tmp/inc" "$tmp/call" | awk '$1 != $2' | sort -u
}

# cycles EDGES: one line per strongly connected set of modules, "a b c"
cycles() {
	awk '
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
	}' "$1" | while read -r line; do
		echo "$line" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'
		echo
	done | sort
}

sed -n 's/^cycle: //p' "$KNOWN" | sort >"$tmp/known"
: >"$tmp/noobj"
: >"$tmp/found"
for tree in router/src harness/src; do
	files "$tree" >"$tmp/files"
	edges "$tree" "$tmp/files" >"$tmp/edges.${tree%%/*}"
	cycles "$tmp/edges.${tree%%/*}" | sed "s|^|$tree: |" >>"$tmp/found"
	[ "$tree" = harness/src ] && cp "$tmp/files" "$tmp/files.harness"
done
check "every source file's object is built ($BUILD), so that its calls are read" "$tmp/noobj"
new=$(comm -23 "$tmp/found" "$tmp/known")
gone=$(comm -13 "$tmp/found" "$tmp/known")
n_edges=$(cat "$tmp/edges.router" "$tmp/edges.harness" | wc -l)
if [ -n "$new" ]; then
	notok "no module cycle (includes and calls) but the known ones" "new: $new"
else
	ok "no module cycle over $n_edges include and call edges but the known ones ($(wc -l <"$tmp/known") known)"
fi
if [ -n "$gone" ]; then
	notok "ci/layers.known lists only cycles that exist" "gone (remove them from ci/layers.known): $gone"
else
	ok "ci/layers.known lists only cycles that exist"
fi

# The layers of harness/src
layers=$(sed -n 's/^layers: //p' "$KNOWN")
awk '$2 == "." { print $1 ": in harness/src itself, not in a layer folder" }' \
	"$tmp/files.harness" >"$tmp/loose"
check "every harness/src file is in a layer folder" "$tmp/loose"
awk '{ print $2 }' "$tmp/files.harness" | sort -u | while read -r d; do
	[ "$d" = . ] && continue
	case " $layers " in *" $d "*) ;; *) echo "harness/src/$d: not a layer in ci/layers.known" ;; esac
done >"$tmp/unlisted"
check "every harness/src folder is a layer ordered in ci/layers.known" "$tmp/unlisted"
# module -> layer rank; then every edge must go to the same or a lower rank
echo "$layers" | tr ' ' '\n' | awk 'NF { print $1, NR }' >"$tmp/rank"
awk 'NR == FNR { r[$1] = $2; next } { print $3, $2, r[$2] }' "$tmp/rank" \
	"$tmp/files.harness" | sort -u >"$tmp/modlayer"
awk 'NR == FNR { l[$1] = $2; r[$1] = $3; next }
	r[$1] != "" && r[$2] != "" && r[$2] > r[$1] {
		print $1 " (" l[$1] ") uses " $2 " (" l[$2] "), a higher layer"
	}' "$tmp/modlayer" "$tmp/edges.harness" >"$tmp/upward"
check "no include or call goes up a layer ($layers)" "$tmp/upward"
awk '$1 ~ /\.h$/ { n = $1; sub(".*/", "", n); print n }' "$tmp/files.harness" |
	sort | uniq -d | sed 's/$/: in more than one harness\/src folder/' >"$tmp/duph"
check "every harness/src header name is unique" "$tmp/duph"

: >"$tmp/long"
(cd "$ROOT" && for f in router/src/*.[ch] router/tests/*.[ch] harness/src/*/*.[ch] \
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
