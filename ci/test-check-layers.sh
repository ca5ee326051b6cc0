#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ci/check-layers.sh on small trees of its own, as TAP: it passes a tree in
# good shape and catches each fault it is there for (an upward call, an
# upward include, a call cycle through objects only, a loose file, an
# unlisted folder, a stale known cycle).  Needs cc and nm.
set -u
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/.." && pwd)
PLAN=7
. "$REPO/packaging/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-check-layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}

# a tree: router/src with two modules, harness/src with base < lab
mktree() {
	t=$tmp/$1
	rm -rf "$t"
	mkdir -p "$t/ci" "$t/packaging/tests" "$t/router/src" "$t/harness/src/base" \
		"$t/harness/src/lab"
	cp "$REPO/packaging/tests/tap.sh" "$t/packaging/tests/"
	printf 'layers: base lab\n' >"$t/ci/layers.known"
	printf 'int conf_parse(void);\n' >"$t/router/src/conf.h"
	printf '#include "conf.h"\nint conf_parse(void) { return 1; }\n' >"$t/router/src/conf.c"
	printf '#include "conf.h"\nint main(void) { return conf_parse(); }\n' >"$t/router/src/main.c"
	printf 'int util_x(void);\n' >"$t/harness/src/base/util.h"
	printf '#include "util.h"\nint util_x(void) { return 2; }\n' >"$t/harness/src/base/util.c"
	printf 'int lab_up(void);\nint lab_ns(void);\n' >"$t/harness/src/lab/lab.h"
	printf '#include "lab.h"\n#include "util.h"\nint lab_up(void) { return util_x() + lab_ns(); }\n' \
		>"$t/harness/src/lab/lab.c"
	printf '#include "lab.h"\nint lab_ns(void) { return 3; }\n' >"$t/harness/src/lab/lab_ns.c"
}

# build TREE: objects for every .c under it, in TREE/build
build() {
	(cd "$tmp/$1" && for c in router/src/*.c harness/src/*/*.c harness/src/*.c; do
		[ -e "$c" ] || continue
		mkdir -p "build/$(dirname "$c")"
		inc=
		for d in harness/src/*/ router/src; do inc="$inc -I$d"; done
		# shellcheck disable=SC2086
		$CC $inc -c -o "build/${c%.c}.o" "$c" || exit 1
	done)
}

# expect NAME TREE OK|FAIL [TEXT]: check-layers on TREE passes, or fails
# saying TEXT
expect() {
	build "$2" || { notok "$1" "the tree does not build"; return; }
	sh "$REPO/ci/check-layers.sh" "$tmp/$2" build >"$tmp/$2.out" 2>&1
	rc=$?
	if [ "$3" = OK ] && [ $rc -eq 0 ]; then
		ok "$1"
	elif [ "$3" = FAIL ] && [ $rc -ne 0 ] && grep -q -- "$4" "$tmp/$2.out"; then
		ok "$1"
	else
		notok "$1" "exit $rc, wanted $3 ${4:-}" "$(cat "$tmp/$2.out")"
	fi
}

mktree good
expect "a tree in good shape passes" good OK

mktree upcall
# base calls lab, declared by hand: no include shows it, only the object
# (util_y.c is module util: util.h is beside it)
printf 'int lab_up(void);\nint util_y(void) { return lab_up(); }\n' >"$tmp/upcall/harness/src/base/util_y.c"
expect "a call up a layer, with no include, fails" upcall FAIL "util (base) uses lab (lab), a higher layer"

mktree upinc
printf '#include "lab.h"\n' >>"$tmp/upinc/harness/src/base/util.h"
expect "an include up a layer fails" upinc FAIL "util (base) uses lab (lab), a higher layer"

mktree cycle
printf 'int main_hook(void);\nint conf_more(void) { return main_hook(); }\n' >"$tmp/cycle/router/src/conf_more.c"
printf '#include "conf.h"\nint main_hook(void);\nint main_hook(void) { return conf_parse(); }\n' \
	>"$tmp/cycle/router/src/hook.c"
printf 'int conf_more(void);\nint hook2(void) { return conf_more(); }\n' >>"$tmp/cycle/router/src/hook.c"
expect "a call cycle between modules fails" cycle FAIL "new: router/src: conf hook"

mktree loose
printf 'int stray(void) { return 0; }\n' >"$tmp/loose/harness/src/stray.c"
expect "a file outside the layer folders fails" loose FAIL "stray.c: in harness/src itself"

mktree unlisted
mkdir -p "$tmp/unlisted/harness/src/extra"
printf 'int extra(void) { return 0; }\n' >"$tmp/unlisted/harness/src/extra/extra.c"
expect "a folder that is not a listed layer fails" unlisted FAIL "harness/src/extra: not a layer"

mktree stale
printf 'cycle: harness/src: lab util\n' >>"$tmp/stale/ci/layers.known"
expect "a known cycle that is gone fails" stale FAIL "gone (remove them"
[ "$failed" -eq 0 ]
