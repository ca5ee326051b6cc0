#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ci/run-tests on suites of its own, as TAP: -j N gives the same lines,
# suites.tsv and closing line as -j 1, in the order the suites were given
# even when a later one ends first; N suites do run at once; a failed,
# crashed or missing suite is counted; a bad -j is refused.
set -u
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/.." && pwd)
PLAN=6
. "$REPO/packaging/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-run-tests.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# suite NAME PASS FAIL: a TAP suite; "slow" waits until the file "$tmp/go"
# exists (made by "fast"), so it can only end after fast has run: with
# -j 2 both run at once, with -j 1 slow would wait forever (it gives up
# after 10 s and fails)
suite() {
	{
		echo '#!/bin/sh'
		echo "echo 1..$(($2 + $3))"
		i=0
		while [ $i -lt "$2" ]; do
			i=$((i + 1))
			echo "echo 'ok $i - p$i'"
		done
		while [ $i -lt $(($2 + $3)) ]; do
			i=$((i + 1))
			echo "echo 'not ok $i - f$i'"
		done
		case $1 in
		slow) echo "n=0; while [ ! -e '$tmp/go' ] && [ \$n -lt 100 ]; do n=\$((n + 1)); sleep 0.1; done; [ -e '$tmp/go' ]" ;;
		fast) echo ": >'$tmp/go'" ;;
		crash) echo "kill -SEGV \$\$" ;;
		esac
		[ "$3" -eq 0 ] || echo "exit 1"
	} >"$tmp/$1"
	chmod +x "$tmp/$1"
}
suite slow 2 0
suite fast 3 0
suite bad 1 1
suite crash 1 0
suite plain 4 0

run() { # run J OUT SUITES...: its output without times and paths, its rc
	j=$1 o=$2
	shift 2
	"$REPO/ci/run-tests" -j "$j" --results "$tmp/r$o" "$@" >"$tmp/$o.raw" 2>&1
	echo $? >"$tmp/$o.rc"
	grep -v '^results: \|^report: ' "$tmp/$o.raw" | sed 's/ *([0-9.]*s)$//' >"$tmp/$o.out"
	cut -f1-6 "$tmp/r$o/latest/suites.tsv" >"$tmp/$o.tsv"
}

run 2 a "$tmp/slow" "$tmp/fast" "$tmp/bad" "$tmp/crash" "$tmp/nosuch" "$tmp/plain"
if [ "$(cat "$tmp/a.rc")" = 1 ] && grep -q '^11 passed, 3 failed, 0 skipped$' "$tmp/a.out"; then
	ok "-j 2: the totals, exit 1 (a failure, a crash, a missing suite)"
else
	notok "-j 2: the totals, exit 1" "$(cat "$tmp/a.raw")"
fi
if grep -q '^slow .* 2 passed' "$tmp/a.out"; then
	ok "-j 2 runs two suites at once (slow ended only after fast began)"
else
	notok "-j 2 runs two suites at once" "$(cat "$tmp/a.raw")"
fi
order=$(awk '{ print $2 }' "$tmp/a.tsv" | tr '\n' ' ')
if [ "$order" = "slow fast bad crash nosuch plain " ] &&
	[ "$(grep -o '^[a-z][a-z]*  ' "$tmp/a.out" | tr -d ' ' | tr '\n' ' ')" = "slow fast bad crash plain " ]; then
	ok "-j 2: lines and suites.tsv in the order given"
else
	notok "-j 2: in the order given" "tsv: $order" "$(cat "$tmp/a.out")"
fi
rm -f "$tmp/go"
# the same at -j 1, without slow (it would wait for fast forever)
run 1 b "$tmp/fast" "$tmp/bad" "$tmp/crash" "$tmp/nosuch" "$tmp/plain"
rm -f "$tmp/go"
run 3 c "$tmp/fast" "$tmp/bad" "$tmp/crash" "$tmp/nosuch" "$tmp/plain"
if cmp -s "$tmp/b.out" "$tmp/c.out" && cmp -s "$tmp/b.tsv" "$tmp/c.tsv" &&
	[ "$(cat "$tmp/b.rc")" = "$(cat "$tmp/c.rc")" ]; then
	ok "-j 3 says what -j 1 says, line for line, with the same suites.tsv"
else
	notok "-j 3 says what -j 1 says" "$(diff "$tmp/b.out" "$tmp/c.out")" "$(diff "$tmp/b.tsv" "$tmp/c.tsv")"
fi
if [ -z "$(find "$tmp"/rb "$tmp"/rc -name '.slots')" ]; then
	ok "no scratch left in the results folder"
else
	notok "no scratch left in the results folder" "$(find "$tmp"/rb "$tmp"/rc -name '.slots')"
fi
"$REPO/ci/run-tests" -j 0 --results "$tmp/rz" "$tmp/plain" >"$tmp/z.out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q -- '-j takes' "$tmp/z.out"; then
	ok "-j 0 is refused (exit 2)"
else
	notok "-j 0 is refused" "exit $rc: $(cat "$tmp/z.out")"
fi
[ "$failed" -eq 0 ]
