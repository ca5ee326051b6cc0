#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The install test, printed as TAP for ci/run-tests:
#   - "make install DESTDIR=<scratch> PREFIX=/usr" succeeds and puts every
#     file in place (binaries, man pages, unit, init script, completions,
#     topologies) and nothing else; "make uninstall" removes them again;
#   - the INSTALLED binaries run: mcrouted -h, -v, -F on a good config (0)
#     and on a bad one (78, file:line:col), mcroutectl -h/-v, mclab --help/-v;
#   - --help of each installed binary matches its installed man page, both
#     ways (options, commands, mclab's per-command --options);
#   - the installed bash completions load and offer every command, option,
#     topology, node and interface they should.
# Nothing outside the scratch folder is written; it is removed at exit.
#
# usage: check-install.sh [REPO_ROOT]
#   REPO_ROOT defaults to the repository this script is in.  Pass another
#   tree (a copy with a deliberate mistake) to see the checks fail.
#   CHECK_INSTALL_BUILD, _CC, _SANITIZE (set by packaging.mk) make the
#   install reuse the build that make check-unit just made.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-$(cd "$here/../.." && pwd)}
ROOT=$(cd "$ROOT" && pwd) || exit 2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/check-install.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
D=$TMP/dest
SBIN=$D/usr/sbin
BIN=$D/usr/bin
MAN=$D/usr/share/man
COMP=$D/usr/share/bash-completion/completions
TOPOS=$D/usr/share/mcast-lab/topologies

PLAN=16
# shellcheck source=packaging/tests/tap.sh
. "$ROOT/packaging/tests/tap.sh"

# mk TARGET...: the top-level make, not the one that may be running us
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory \
		-C "$ROOT" ${CHECK_INSTALL_BUILD:+BUILD="$CHECK_INSTALL_BUILD"} \
		${CHECK_INSTALL_CC:+CC="$CHECK_INSTALL_CC"} \
		${CHECK_INSTALL_SANITIZE:+SANITIZE="$CHECK_INSTALL_SANITIZE"} \
		DESTDIR="$D" PREFIX=/usr "$@"
}

# render PAGE: the man page as plain text, one line per paragraph
render() {
	groff -man -Tutf8 -P-cbou -rLL=400n "$1" 2>/dev/null
}

# section NAME: the first word of each tag line (7 spaces in) of a section
section() {
	awk -v s="$1" '/^[^ ]/ { on = ($0 == s); next }
		on && /^       [^ ]/ { print $1 }'
}

# --- 1: make install -------------------------------------------------------

if mk install >"$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=\$scratch PREFIX=/usr"
else
	notok "make install DESTDIR=\$scratch PREFIX=/usr" \
		"$(tail -n 20 "$TMP/install.log")"
	# everything below needs the installed files
	while [ "$n" -lt "$PLAN" ]; do
		notok "check $((n + 1)) of the installed files" "make install failed (1)"
	done
	exit 1
fi

# --- 2, 3: every file in place, and nothing else -------------------------

err=$TMP/files
: >"$err"
: >"$TMP/expected"
# want MODE PATH: PATH (under DESTDIR) is a file with that mode
want() {
	echo "$D$2" >>"$TMP/expected"
	if [ ! -f "$D$2" ]; then
		echo "$2: missing" >>"$err"
		return
	fi
	m=$(stat -c %a "$D$2")
	[ "$m" = "$1" ] || echo "$2: mode $m, not $1" >>"$err"
}
want 755 /usr/sbin/mcrouted
want 755 /usr/sbin/mcroutectl
want 755 /usr/bin/mclab
want 644 /usr/share/man/man1/mclab.1
want 644 /usr/share/man/man5/mcrouted.conf.5
want 644 /usr/share/man/man8/mcrouted.8
want 644 /usr/share/man/man8/mcroutectl.8
want 644 /usr/lib/systemd/system/mcrouted.service
want 755 /etc/init.d/mcrouted
want 644 /usr/share/bash-completion/completions/mcroutectl
want 644 /usr/share/bash-completion/completions/mclab
for t in "$ROOT"/topologies/*.topo; do
	want 644 "/usr/share/mcast-lab/topologies/${t##*/}"
done
# the unit and the script name the installed daemon
grep -q '^ExecStart=/usr/sbin/mcrouted ' \
	"$D/usr/lib/systemd/system/mcrouted.service" 2>/dev/null ||
	echo "mcrouted.service: ExecStart is not /usr/sbin/mcrouted" >>"$err"
# shellcheck disable=SC2016
grep -qx 'EXEC="/usr/sbin/$DAEMON"' "$D/etc/init.d/mcrouted" 2>/dev/null ||
	echo "init.d/mcrouted: EXEC is not /usr/sbin/\$DAEMON" >>"$err"
check "installed: binaries, man1/5/8, unit, init script, completions, topologies" "$err"

find "$D" \( -type f -o -type l \) 2>/dev/null | sort >"$TMP/found"
sort -o "$TMP/expected" "$TMP/expected"
comm -23 "$TMP/found" "$TMP/expected" | sed "s|^$D|stray file: |" >"$TMP/stray"
check "make install puts nothing else under DESTDIR" "$TMP/stray"

# --- 4-7: the installed binaries run -------------------------------------

version=$(cat "$ROOT/VERSION" 2>/dev/null)
cat >"$TMP/good.conf" <<'EOF'
# the field report's config
mgroup from wlan0 group 225.1.2.3
mroute from wlan0 group 225.1.2.3 to usb0
EOF
cat >"$TMP/bad.conf" <<'EOF'
mgroup from wlan0 group 225.1.2.3
mroute from wlan0 group 225.1.2.3 too usb0
EOF

# run NAME EXPECTED_RC CMD...: output in $TMP/out, problems in $err
run() {
	name=$1 want_rc=$2
	shift 2
	"$@" >"$TMP/out" 2>&1 </dev/null
	rc=$?
	[ "$rc" = "$want_rc" ] ||
		echo "$name: exit $rc, want $want_rc: $(head -n 3 "$TMP/out")" >>"$err"
}

err=$TMP/mcrouted
: >"$err"
run "mcrouted -h" 0 "$SBIN/mcrouted" -h
grep -q '^Usage: mcrouted ' "$TMP/out" || echo "mcrouted -h: no 'Usage: mcrouted'" >>"$err"
cp "$TMP/out" "$TMP/mcrouted.help"
run "mcrouted -v" 0 "$SBIN/mcrouted" -v
grep -qx "mcrouted $version" "$TMP/out" ||
	echo "mcrouted -v: '$(cat "$TMP/out")', want 'mcrouted $version'" >>"$err"
check "installed mcrouted: -h (0, Usage), -v (the version)" "$err"

err=$TMP/mcroutedF
: >"$err"
run "mcrouted -F good.conf" 0 "$SBIN/mcrouted" -F "$TMP/good.conf"
grep -q 'OK' "$TMP/out" || echo "mcrouted -F good.conf: no OK" >>"$err"
run "mcrouted -f good.conf -F" 0 "$SBIN/mcrouted" -f "$TMP/good.conf" -F
run "mcrouted -F bad.conf" 78 "$SBIN/mcrouted" -F "$TMP/bad.conf"
grep -q "$TMP/bad.conf:2:[0-9][0-9]*: " "$TMP/out" ||
	echo "mcrouted -F bad.conf: no 'bad.conf:2:COL: ' in: $(cat "$TMP/out")" >>"$err"
run "mcrouted -F missing" 78 "$SBIN/mcrouted" -F "$TMP/nonexistent.conf"
check "installed mcrouted -F: good config 0, bad one 78 with file:line:col" "$err"

err=$TMP/ctl
: >"$err"
run "mcroutectl -h" 0 "$D/usr/sbin/mcroutectl" -h
grep -q '^Usage: mcroutectl ' "$TMP/out" || echo "mcroutectl -h: no 'Usage: mcroutectl'" >>"$err"
cp "$TMP/out" "$TMP/mcroutectl.help"
run "mcroutectl -v" 0 "$SBIN/mcroutectl" -v
grep -qx "mcroutectl $version" "$TMP/out" ||
	echo "mcroutectl -v: '$(cat "$TMP/out")', want 'mcroutectl $version'" >>"$err"
run "mcroutectl with no command" 64 "$SBIN/mcroutectl"
run "mcroutectl -u (no daemon) version" 69 "$SBIN/mcroutectl" -u "$TMP/none.sock" version
check "installed mcroutectl: -h, -v, 64 without a command, 69 without a daemon" "$err"

err=$TMP/mclab
: >"$err"
run "mclab --help" 0 "$BIN/mclab" --help
grep -q '^usage: mclab ' "$TMP/out" || echo "mclab --help: no 'usage: mclab'" >>"$err"
cp "$TMP/out" "$TMP/mclab.help"
run "mclab --version" 0 "$BIN/mclab" --version
grep -qx "mclab $version" "$TMP/out" ||
	echo "mclab --version: '$(cat "$TMP/out")', want 'mclab $version'" >>"$err"
run "mclab with no command" 2 "$BIN/mclab"
check "installed mclab: --help, --version, 2 without a command" "$err"

# --- 8: the installed man pages render --------------------------------------

err=$TMP/render
: >"$err"
if command -v groff >/dev/null 2>&1; then
	for p in man1/mclab.1 man5/mcrouted.conf.5 man8/mcrouted.8 man8/mcroutectl.8; do
		[ -f "$MAN/$p" ] || { echo "$p: not installed" >>"$err"; continue; }
		groff -man -Tutf8 -ww "$MAN/$p" 2>&1 >/dev/null | sed "s|^|$p: |" >>"$err"
		render "$MAN/$p" | grep -q '^NAME' || echo "$p: no NAME" >>"$err"
	done
	check "installed man pages render without a groff warning" "$err"
else
	skip "installed man pages render without a groff warning" "no groff"
fi

# --- 9-11: --help matches the man pages ------------------------------------

# both LIST_A LIST_B WHAT_A WHAT_B: each word of A is in B and back
both() {
	a=" $(printf '%s\n' "$1" | tr '\n' ' ') "
	b=" $(printf '%s\n' "$2" | tr '\n' ' ') "
	for w in $1; do
		case $b in *" $w "*) ;; *) echo "$w: $3 has it, $4 does not" ;; esac
	done
	for w in $2; do
		case $a in *" $w "*) ;; *) echo "$w: $4 has it, $3 does not" ;; esac
	done
}

if ! command -v groff >/dev/null 2>&1; then
	skip "mcrouted -h and mcrouted.8 name the same options" "no groff"
	skip "mcroutectl -h and mcroutectl.8 name the same options and commands" "no groff"
	skip "mclab --help and mclab.1: same commands and options" "no groff"
else
	render "$MAN/man8/mcrouted.8" >"$TMP/mcrouted.8.txt"
	h=$(sed -n 's/^  \(-[A-Za-z]\).*/\1/p' "$TMP/mcrouted.help" | sort -u)
	m=$(section OPTIONS <"$TMP/mcrouted.8.txt" | grep '^-' | sort -u)
	both "$h" "$m" "mcrouted -h" "mcrouted.8 OPTIONS" >"$TMP/d8"
	[ -n "$h" ] || echo "no options found in mcrouted -h" >>"$TMP/d8"
	for x in 64 69 76 77 78; do
		grep -q "$x" "$TMP/mcrouted.help" ||
			echo "mcrouted -h does not name exit status $x" >>"$TMP/d8"
	done
	check "mcrouted -h and mcrouted.8 name the same options" "$TMP/d8"

	render "$MAN/man8/mcroutectl.8" >"$TMP/mcroutectl.8.txt"
	h=$(sed -n 's/^  \(-[A-Za-z]\).*/\1/p' "$TMP/mcroutectl.help" | sort -u)
	m=$(section OPTIONS <"$TMP/mcroutectl.8.txt" | grep '^-' | sort -u)
	both "$h" "$m" "mcroutectl -h" "mcroutectl.8 OPTIONS" >"$TMP/dctl"
	h=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\).*/\1/p' "$TMP/mcroutectl.help" | sort -u)
	m=$(section COMMANDS <"$TMP/mcroutectl.8.txt" | sort -u)
	both "$h" "$m" "mcroutectl -h" "mcroutectl.8 COMMANDS" >>"$TMP/dctl"
	[ -n "$h" ] || echo "no commands found in mcroutectl -h" >>"$TMP/dctl"
	sub=$(sed -n 's/^  show \[\(.*\)\].*/\1/p' "$TMP/mcroutectl.help" | tr '|' ' ')
	for s in $sub; do
		grep -q "^       show .*[[|]${s}[]|]" "$TMP/mcroutectl.8.txt" ||
			echo "show $s: in mcroutectl -h, not in mcroutectl.8" >>"$TMP/dctl"
	done
	check "mcroutectl -h and mcroutectl.8 name the same options and commands" "$TMP/dctl"

	render "$MAN/man1/mclab.1" >"$TMP/mclab.1.txt"
	err=$TMP/dlab
	: >"$err"
	h=$(sed -n 's/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p' "$TMP/mclab.help" | sort -u)
	m=$(section COMMANDS <"$TMP/mclab.1.txt" | sort -u)
	both "$h" "$m" "mclab --help" "mclab.1 COMMANDS" >>"$err"
	[ -n "$h" ] || echo "no commands found in mclab --help" >>"$err"
	# each command's --options: the help's entry against the SYNOPSIS line
	for c in $h; do
		ho=$(awk -v c="$c" '/^  [a-z]/ { on = ($1 == c) } /^[^ ]|^$/ { on = 0 }
			on' "$TMP/mclab.help" | grep -o -- '--[a-z][a-z-]*' | sort -u)
		mo=$(awk -v c="$c" '/^[^ ]/ { on = ($0 == "SYNOPSIS"); next }
			on && $1 == "mclab" && $2 == c' "$TMP/mclab.1.txt" |
			grep -o -- '--[a-z][a-z-]*' | sort -u)
		awk '/^[^ ]/ { on = ($0 == "SYNOPSIS"); next }
			on && $1 == "mclab" { print $2 }' "$TMP/mclab.1.txt" | grep -qx "$c" ||
			echo "$c: not in the SYNOPSIS of mclab.1" >>"$err"
		both "$ho" "$mo" "mclab --help ($c)" "mclab.1 SYNOPSIS ($c)" >>"$err"
	done
	# global options: the help's "Options:" in the man page; every option
	# of the man page is accepted by mclab (--lab takes an ID)
	sed -n 's/^Options: //p' "$TMP/mclab.help" | grep -o -- '--[a-z][a-z-]*' |
		while read -r o; do
			section OPTIONS <"$TMP/mclab.1.txt" | grep -qx -- "$o" ||
				echo "$o: in mclab --help Options, not in mclab.1 OPTIONS"
		done >>"$err"
	awk '/^[^ ]/ { on = ($0 == "OPTIONS"); next } on && /^       -/' \
		"$TMP/mclab.1.txt" | grep -o -- '--*[a-z][a-z-]*' | while read -r o; do
		"$BIN/mclab" "$o" >/dev/null 2>&1 </dev/null ||
			"$BIN/mclab" "$o" x help >/dev/null 2>&1 </dev/null ||
			echo "$o: in mclab.1 OPTIONS, mclab refuses it"
	done >>"$err"
	check "mclab --help and mclab.1: same commands and options" "$err"
fi

# --- 12-15: the installed completions --------------------------------------

err=$TMP/comp-sh
: >"$err"
for f in mcroutectl mclab; do
	[ -f "$COMP/$f" ] || { echo "$f: not installed" >>"$err"; continue; }
	bash -n "$COMP/$f" >>"$err" 2>&1
	if command -v shellcheck >/dev/null 2>&1; then
		shellcheck -s bash "$COMP/$f" >>"$err" 2>&1
	fi
done
check "completions: bash -n, shellcheck" "$err"

# A bash that loads the installed completions and answers "comp WORD...":
# the candidates for the last word, one a line.
cat >"$TMP/comp.bash" <<'EOF'
for f in mcroutectl mclab; do
	if [ -r "$COMP/$f" ]; then . "$COMP/$f"; fi
done
comp() {
	local f
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	f=$(complete -p "${1##*/}" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
	[ -n "$f" ] || { echo "no completion for ${1##*/}"; return; }
	"$f" "${1##*/}" "${COMP_WORDS[COMP_CWORD]}" ""
	printf '%s\n' "${COMPREPLY[@]}"
}
EOF

# offers WHAT EXPECTED_WORDS -- WORD...: every expected word is a candidate
offers() {
	what=$1 words=$2
	shift 3
	(cd "$TMP/empty" && COMP=$COMP MCLAB_TOPOLOGIES=$TOPOS \
		_MCLAB_STATE_DIR=$TMP/state bash -c '. "$1"; shift; comp "$@"' \
		comp "$TMP/comp.bash" "$@") >"$TMP/cands" 2>&1
	if grep -q '^no completion for' "$TMP/cands"; then
		echo "$what: $(grep '^no completion for' "$TMP/cands")"
		return
	fi
	for w in $words; do
		grep -qx -- "$w" "$TMP/cands" ||
			echo "$what: '$*' does not offer '$w' (got: $(tr '\n' ' ' <"$TMP/cands"))"
	done
}
mkdir -p "$TMP/empty" "$TMP/state"
printf 'id 4242\npid 4242\ntopo %s\nresults /tmp\n' "$TOPOS/pi-router.topo" \
	>"$TMP/state/4242.state"

if ! command -v bash >/dev/null 2>&1; then
	skip "mcroutectl completion: every command of -h, show's subcommands, options" "no bash"
	skip "mclab completion: every command and --option of --help" "no bash"
	skip "mclab completion: topologies, labs, nodes, interfaces, routers" "no bash"
else
	err=$TMP/comp-ctl
	h=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\).*/\1/p' "$TMP/mcroutectl.help")
	sub=$(sed -n 's/^  show \[\(.*\)\].*/\1/p' "$TMP/mcroutectl.help" | tr '|' ' ')
	{
		[ -n "$h" ] || echo "no commands in mcroutectl -h"
		offers mcroutectl "$h" -- /usr/sbin/mcroutectl ''
		offers mcroutectl "$h" -- mcroutectl -j -u /run/x.sock ''
		offers mcroutectl "$sub" -- mcroutectl show ''
		offers mcroutectl "-h -j -u -v" -- mcroutectl -
		offers mcroutectl "lo" -- mcroutectl add ''
	} >"$err"
	check "mcroutectl completion: every command of -h, show's subcommands, options" "$err"

	err=$TMP/comp-lab
	: >"$err"
	h=$(sed -n 's/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p' "$TMP/mclab.help")
	offers mclab "$h" -- "$BIN/mclab" '' >>"$err"
	for c in $h; do
		o=$(awk -v c="$c" '/^  [a-z]/ { on = ($1 == c) } /^[^ ]|^$/ { on = 0 }
			on' "$TMP/mclab.help" | grep -o -- '--[a-z][a-z-]*' | sort -u)
		[ -n "$o" ] && offers mclab "$o" -- "$BIN/mclab" "$c" -- >>"$err"
	done
	offers mclab "--lab --help --version" -- "$BIN/mclab" -- >>"$err"
	check "mclab completion: every command and --option of --help" "$err"

	err=$TMP/comp-val
	t=$(for f in "$ROOT"/topologies/*.topo; do
		f=${f##*/}
		echo "${f%.topo}"
	done)
	{
		offers mclab "$t" -- mclab up ''
		offers mclab "$t" -- mclab --lab 4242 bench ''
		offers mclab "4242" -- mclab --lab ''
		offers mclab "snd rtr rcv" -- mclab exec ''
		offers mclab "snd rtr rcv" -- mclab --lab 4242 capture ''
		offers mclab "wlan0 usb0" -- mclab capture rtr ''
		offers mclab "eth0" -- mclab ping snd 225.1.2.3 --if ''
		offers mclab "mcrouted smcroute igmpproxy" -- mclab up pi-router --router ''
		offers mclab "--" -- mclab exec rtr ''
		offers mclab "ip" -- mclab exec rtr -- ip
	} >"$err"
	check "mclab completion: topologies, labs, nodes, interfaces, routers" "$err"
fi

# --- 16: make uninstall ------------------------------------------------------

err=$TMP/uninstall
: >"$err"
mk uninstall >"$TMP/uninstall.log" 2>&1 ||
	{ echo "make uninstall failed:"; tail -n 10 "$TMP/uninstall.log"; } >>"$err"
find "$D" \( -type f -o -type l \) | sed "s|^$D|left behind: |" >>"$err"
check "make uninstall DESTDIR=\$scratch removes every installed file" "$err"

if [ "$n" -ne "$PLAN" ]; then
	echo "# planned $PLAN checks, ran $n"
	exit 1
fi
[ "$failed" -eq 0 ]
