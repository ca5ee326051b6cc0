# shellcheck shell=sh
# TAP helpers for the packaging tests (sourced).  The caller sets PLAN.
#   ok NAME / notok NAME DETAIL... / skip NAME REASON
#   check NAME ERRFILE: ok when ERRFILE is empty, else not ok with its text

n=0
failed=0
echo "1..$PLAN"

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
notok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
check() {
	if [ -s "$2" ]; then
		notok "$1" "$(head -n 40 "$2")"
	else
		ok "$1"
	fi
}
