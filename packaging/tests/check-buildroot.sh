#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Static checks of the packaging, printed as TAP for ci/run-tests:
#   - the Buildroot BR2_EXTERNAL tree (packaging/buildroot), since Buildroot
#     itself cannot be fetched here: variable names, the kernel config
#     fix-ups, Config.in symbols, external.desc names, referenced files;
#   - the systemd unit (systemd-analyze verify, when available);
#   - the SysV init script (sh -n, shellcheck when available);
#   - the man pages (groff -ww, man -l) and that they name every option,
#     command, exit code and default path that the code has.
#
# usage: check-buildroot.sh [REPO_ROOT]
#   REPO_ROOT defaults to the repository this script is in.  Pass another
#   tree (a copy with a deliberate mistake) to see the checks fail.
# Single quotes around $(...) below are Make text, not shell expansions.
# shellcheck disable=SC2016
set -u

here=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-$(cd "$here/../.." && pwd)}
ROOT=$(cd "$ROOT" && pwd) || exit 2
EXT=$ROOT/packaging/buildroot
PKG=$EXT/package/mcrouted
MK=$PKG/mcrouted.mk
UNIT=$ROOT/packaging/systemd/mcrouted.service
INIT=$ROOT/packaging/sysv/S41mcrouted
MAN=$ROOT/router/man

TMP=$(mktemp -d "${TMPDIR:-/tmp}/check-buildroot.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

PLAN=19
# shellcheck source=packaging/tests/tap.sh
. "$ROOT/packaging/tests/tap.sh"

# tags SECTION FILE: the tag lines (the line after each .TP) of a section
tags() {
	awk -v sec="$1" '
		/^\.SH/ { on = ($0 == ".SH " sec); next }
		on && /^\.TP/ { tp = 1; next }
		on && tp { print; tp = 0 }
	' "$2" 2>/dev/null
}

# --- Buildroot: external.desc and BR2_EXTERNAL_<NAME>_PATH ---------------

# 1
name=$(sed -n 's/^name:[[:space:]]*\([^[:space:]]*\)[[:space:]]*$/\1/p' \
	"$EXT/external.desc" 2>/dev/null)
if [ "$name" = "MCAST_LAB" ]; then
	ok "external.desc: name is MCAST_LAB"
else
	notok "external.desc: name is MCAST_LAB" "found name '$name'"
fi

# 2: every BR2_EXTERNAL_*_PATH in the tree names that same external
err=$TMP/paths
: >"$err"
find "$EXT" -type f \( -name '*.mk' -o -name 'Config.in*' \) | sort |
	while read -r f; do
		grep -o 'BR2_EXTERNAL_[A-Za-z0-9_]*_PATH' "$f" | sort -u |
			while read -r v; do
				[ "$v" = "BR2_EXTERNAL_${name}_PATH" ] ||
					echo "${f#"$ROOT"/}: $v does not match name '$name'"
			done
	done >>"$err"
check "BR2_EXTERNAL_<NAME>_PATH uses match external.desc" "$err"

# 3: external Config.in sources the package's Config.in, which exists
want="source \"\$BR2_EXTERNAL_${name}_PATH/package/mcrouted/Config.in\""
if grep -qxF "$want" "$EXT/Config.in" 2>/dev/null && [ -f "$PKG/Config.in" ]; then
	ok "Config.in sources package/mcrouted/Config.in"
else
	notok "Config.in sources package/mcrouted/Config.in" \
		"expected the line: $want"
fi

# 4: external.mk includes the package makefiles
if grep -q "^include .*\$(BR2_EXTERNAL_${name}_PATH)/package/\*/\*\.mk" \
	"$EXT/external.mk" 2>/dev/null; then
	ok "external.mk includes package/*/*.mk"
else
	notok "external.mk includes package/*/*.mk" \
		"no 'include \$(sort \$(wildcard \$(BR2_EXTERNAL_${name}_PATH)/package/*/*.mk))'"
fi

# 5: package Config.in: symbol, dependency, selects
err=$TMP/cfg
: >"$err"
sym=$(sed -n 's/^config[[:space:]]\{1,\}\([A-Za-z0-9_]*\).*/\1/p' \
	"$PKG/Config.in" 2>/dev/null | head -n 1)
[ "$sym" = "BR2_PACKAGE_MCROUTED" ] ||
	echo "first symbol is '$sym', not BR2_PACKAGE_MCROUTED" >>"$err"
for s in BR2_PACKAGE_LIBMNL BR2_PACKAGE_LIBNETFILTER_CONNTRACK \
	BR2_PACKAGE_LIBCAP; do
	grep -q "^[[:space:]]*select[[:space:]]\{1,\}$s\([[:space:]#]\|\$\)" \
		"$PKG/Config.in" 2>/dev/null || echo "no 'select $s'" >>"$err"
done
grep -q '^[[:space:]]*depends on[[:space:]]\{1,\}BR2_USE_MMU' \
	"$PKG/Config.in" 2>/dev/null || echo "no 'depends on BR2_USE_MMU'" >>"$err"
check "package Config.in: BR2_PACKAGE_MCROUTED, MMU, selects" "$err"

# --- Buildroot: mcrouted.mk ------------------------------------------------

# The variables the .mk assigns or defines, outside define bodies.
awk '
	/^define[[:space:]]/ { print $2; indef = 1; next }
	/^endef/ { indef = 0; next }
	indef || /^[[:space:]]*#/ || /^\t/ { next }
	/^[A-Za-z0-9_]+[[:space:]]*([+:?]?=)/ {
		v = $0; sub(/[[:space:]]*[+:?]?=.*/, "", v); print v
	}
' "$MK" 2>/dev/null | sort -u >"$TMP/vars"

# 6: every variable starts with MCROUTED_ (the package name, upper case)
err=$TMP/prefix
grep -v '^MCROUTED_' "$TMP/vars" |
	sed 's/$/: does not start with MCROUTED_ (Buildroot ignores it)/' >"$err"
[ -s "$TMP/vars" ] || echo "no variables found in ${MK#"$ROOT"/}" >>"$err"
check "mcrouted.mk: every variable starts with MCROUTED_" "$err"

# 7: every variable is one Buildroot reads, or is used in the file.  A
# misspelt suffix (MCROUTED_INSTALL_INIT_SYSVV) is silently ignored too.
known="VERSION SITE SITE_METHOD SOURCE LICENSE LICENSE_FILES DEPENDENCIES"
known="$known CPE_ID_VENDOR CPE_ID_PRODUCT CPE_ID_VERSION INSTALL_STAGING"
known="$known INSTALL_TARGET OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS BUILD_CMDS"
known="$known CONFIGURE_CMDS INSTALL_TARGET_CMDS INSTALL_STAGING_CMDS"
known="$known INSTALL_IMAGES_CMDS INSTALL_INIT_SYSV INSTALL_INIT_SYSTEMD"
known="$known INSTALL_INIT_OPENRC LINUX_CONFIG_FIXUPS BUSYBOX_CONFIG_FIXUPS"
known="$known USERS PERMISSIONS DEVICES POST_INSTALL_TARGET_HOOKS"
known="$known POST_BUILD_HOOKS PRE_BUILD_HOOKS HELP_CMDS"
err=$TMP/known
: >"$err"
while read -r v; do
	suffix=${v#MCROUTED_}
	case " $known " in *" $suffix "*) continue ;; esac
	grep -v "^define[[:space:]]*$v\$" "$MK" | grep -q "$v" && continue
	echo "$v: neither a Buildroot package variable nor used" >>"$err"
done <"$TMP/vars"
check "mcrouted.mk: no unknown, unused variables" "$err"

# 8: every $(MCROUTED_*) the file reads is defined (PKGDIR, DIR: Buildroot)
err=$TMP/refs
grep -o '\$(MCROUTED_[A-Za-z0-9_]*)' "$MK" 2>/dev/null | sort -u |
	sed 's/^\$(\(.*\))$/\1/' | while read -r v; do
		case $v in MCROUTED_PKGDIR | MCROUTED_DIR) continue ;; esac
		grep -qx "$v" "$TMP/vars" || echo "\$($v) is used but never set"
	done >"$err"
check "mcrouted.mk: every \$(MCROUTED_*) used is set" "$err"

# 9: generic-package, local site in this repository
err=$TMP/site
: >"$err"
[ "$(tail -n 1 "$MK" 2>/dev/null)" = '$(eval $(generic-package))' ] ||
	echo "the last line is not \$(eval \$(generic-package))" >>"$err"
site=$(sed -n 's/^MCROUTED_SITE[[:space:]]*=[[:space:]]*//p' "$MK" 2>/dev/null)
method=$(sed -n 's/^MCROUTED_SITE_METHOD[[:space:]]*=[[:space:]]*//p' "$MK" 2>/dev/null)
[ "$method" = "local" ] || echo "MCROUTED_SITE_METHOD is '$method', not local" >>"$err"
sitedir=$(printf '%s' "$site" | sed "s|\\\$(BR2_EXTERNAL_${name}_PATH)|$EXT|")
if [ -f "$sitedir/Makefile" ] && [ -f "$sitedir/router/router.mk" ] &&
	[ "$(cd "$sitedir" && pwd)" = "$ROOT" ]; then
	:
else
	echo "MCROUTED_SITE '$site' is not the repository top ($sitedir)" >>"$err"
fi
for d in libmnl libnetfilter_conntrack libcap host-pkgconf; do
	grep -q "^MCROUTED_DEPENDENCIES.*[[:space:]=]$d\([[:space:]]\|\$\)" "$MK" ||
		echo "MCROUTED_DEPENDENCIES lacks $d" >>"$err"
done
check "mcrouted.mk: generic-package, local site, dependencies" "$err"

# 10: the fix-up block exists and enables each kernel option
err=$TMP/fixups
awk '/^define[[:space:]]+MCROUTED_LINUX_CONFIG_FIXUPS[[:space:]]*$/ { on = 1; next }
	on && /^endef/ { exit }
	on { print }' "$MK" 2>/dev/null >"$TMP/fixups.body"
if [ ! -s "$TMP/fixups.body" ]; then
	echo "no 'define MCROUTED_LINUX_CONFIG_FIXUPS' block" >"$err"
else
	: >"$err"
	for o in CONFIG_IP_MULTICAST CONFIG_IP_MROUTE \
		CONFIG_IP_MROUTE_MULTIPLE_TABLES CONFIG_IPV6 CONFIG_IPV6_MROUTE \
		CONFIG_NETFILTER_XT_TARGET_HL CONFIG_IP_NF_MANGLE \
		CONFIG_IP6_NF_MANGLE CONFIG_NF_NAT CONFIG_IP_NF_TARGET_MASQUERADE \
		CONFIG_NF_CONNTRACK CONFIG_NF_CT_NETLINK; do
		grep -q "^[[:space:]]*\$(call KCONFIG_ENABLE_OPT,[[:space:]]*${o}[[:space:]]*)[[:space:]]*\$" \
			"$TMP/fixups.body" || echo "does not enable $o" >>"$err"
	done
fi
check "mcrouted.mk: MCROUTED_LINUX_CONFIG_FIXUPS enables every option" "$err"

# 11: files the .mk installs from the package folder or the source tree
err=$TMP/files
: >"$err"
grep -o '\$(MCROUTED_PKGDIR)/[A-Za-z0-9_./-]*' "$MK" 2>/dev/null | sort -u |
	while read -r f; do
		p=$PKG/${f#'$(MCROUTED_PKGDIR)/'}
		[ -f "$p" ] || echo "$f: no such file (${p#"$ROOT"/})"
	done >>"$err"
grep -o '\$(@D)/[A-Za-z0-9_./-]*' "$MK" 2>/dev/null | sort -u |
	while read -r f; do
		p=${f#'$(@D)/'}
		case $p in '' | build/* | '$('*) continue ;; esac
		[ -f "$ROOT/$p" ] || echo "$f: no such file in the repository"
	done >>"$err"
grep -q '^define MCROUTED_INSTALL_INIT_SYSV$' "$MK" ||
	echo "no MCROUTED_INSTALL_INIT_SYSV" >>"$err"
grep -q '^define MCROUTED_INSTALL_INIT_SYSTEMD$' "$MK" ||
	echo "no MCROUTED_INSTALL_INIT_SYSTEMD" >>"$err"
check "mcrouted.mk: installed files exist, both init systems" "$err"

# 12: the make targets that MCROUTED_BUILD_CMDS builds exist (dry run)
if command -v make >/dev/null 2>&1; then
	bdir=$(sed -n 's/^MCROUTED_BUILD_DIR[[:space:]]*=[[:space:]]*//p' "$MK")
	bdir=${bdir:-build/buildroot}
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -n -C "$ROOT" BUILD="$bdir" "$bdir/mcrouted" "$bdir/mcroutectl" \
		>"$TMP/make.out" 2>&1; then
		ok "MCROUTED_BUILD_CMDS targets exist in the Makefile"
	else
		notok "MCROUTED_BUILD_CMDS targets exist in the Makefile" \
			"$(tail -n 5 "$TMP/make.out")"
	fi
else
	skip "MCROUTED_BUILD_CMDS targets exist in the Makefile" "no make"
fi

# --- init script -----------------------------------------------------------

# 13
err=$TMP/init
: >"$err"
if [ ! -x "$INIT" ]; then
	echo "${INIT#"$ROOT"/} is missing or not executable" >>"$err"
else
	sh -n "$INIT" 2>>"$err"
	for w in 'start-stop-daemon' '/etc/default/mcrouted' 'MCROUTED_ARGS' \
		'PIDFILE'; do
		grep -qF "$w" "$INIT" || echo "does not mention $w" >>"$err"
	done
	# the patterns of the items of 'case "$1" in'
	actions=$(awk '/^[[:space:]]*case "\$1" in/ { on = 1; next }
		on && /^[[:space:]]*esac/ { exit }
		on && /^[[:space:]]*[a-z|]+\)/ {
			sub(/^[[:space:]]*/, ""); sub(/\).*/, ""); gsub(/\|/, " ")
			print }' "$INIT" | tr '\n' ' ')
	for a in start stop restart reload; do
		case " $actions " in
		*" $a "*) ;;
		*) echo "the case statement does not handle '$a'" >>"$err" ;;
		esac
	done
	if command -v shellcheck >/dev/null 2>&1; then
		shellcheck -s sh "$INIT" >>"$err" 2>&1
	fi
	[ -L "$PKG/S41mcrouted" ] || [ -f "$PKG/S41mcrouted" ] ||
		echo "package/mcrouted/S41mcrouted is missing" >>"$err"
	if [ -e "$PKG/S41mcrouted" ] && ! cmp -s "$PKG/S41mcrouted" "$INIT"; then
		echo "package/mcrouted/S41mcrouted differs from packaging/sysv" >>"$err"
	fi
fi
check "S41mcrouted: sh -n, shellcheck, start/stop/restart/reload" "$err"

# --- systemd unit ----------------------------------------------------------

# 14: the settings the daemon relies on
err=$TMP/unitkeys
: >"$err"
for l in 'Type=notify' 'ExecStart=/usr/sbin/mcrouted -n -s' \
	'ExecReload=/usr/sbin/mcroutectl reload' \
	'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW' \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK' \
	'ProtectSystem=strict' 'ReadWritePaths=/run' 'NoNewPrivileges=yes'; do
	grep -q "^$l\( .*\)\{0,1\}\$" "$UNIT" 2>/dev/null ||
		echo "no line '$l' (optionally followed by more words)" >>"$err"
done
grep -q '^PrivateNetwork=yes' "$UNIT" 2>/dev/null &&
	echo "PrivateNetwork=yes would hide the interfaces to route" >>"$err"
check "mcrouted.service: notify, reload, capabilities, sandbox" "$err"

# 15: systemd-analyze verify, in a scratch root so that it needs neither a
# running systemd nor installed binaries.  It exits 0 on unknown keys and
# bad values, so any output at all is a failure.
units=
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -f "$d/multi-user.target" ] && units=$d && break
done
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify mcrouted.service" "no systemd-analyze (apt-get install systemd)"
elif [ -z "$units" ]; then
	skip "systemd-analyze verify mcrouted.service" "no systemd units on this machine"
else
	r=$TMP/root
	mkdir -p "$r/usr/sbin" "$r/usr/lib/systemd" "$r/etc/systemd/system"
	cp -R "$units" "$r/usr/lib/systemd/system"
	for b in mcrouted mcroutectl; do
		printf '#!/bin/sh\nexit 0\n' >"$r/usr/sbin/$b"
		chmod 755 "$r/usr/sbin/$b"
	done
	cp "$UNIT" "$r/etc/systemd/system/mcrouted.service" 2>"$TMP/verify"
	SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no --root="$r" \
		mcrouted.service >>"$TMP/verify" 2>&1 ||
		echo "systemd-analyze verify exited with $?" >>"$TMP/verify"
	sed -i "s|$r||g" "$TMP/verify"
	check "systemd-analyze verify mcrouted.service" "$TMP/verify"
fi

# --- man pages -------------------------------------------------------------

pages="mcrouted.8 mcrouted.conf.5 mcroutectl.8"

# 16: groff -ww: no warnings
err=$TMP/groff
: >"$err"
if command -v groff >/dev/null 2>&1; then
	for p in $pages; do
		if [ ! -f "$MAN/$p" ]; then
			echo "$p: missing" >>"$err"
			continue
		fi
		groff -man -Tutf8 -ww "$MAN/$p" 2>"$TMP/g" >/dev/null ||
			echo "$p: groff exited with $?" >>"$err"
		sed "s|^|$p: |" "$TMP/g" >>"$err"
	done
	check "man pages: groff -man -ww prints no warning" "$err"
else
	skip "man pages: groff -man -ww prints no warning" "no groff"
fi

# 17: man -l renders each page, with its NAME, and without errors
err=$TMP/manl
: >"$err"
if command -v man >/dev/null 2>&1; then
	for p in $pages; do
		[ -f "$MAN/$p" ] || { echo "$p: missing" >>"$err"; continue; }
		MANWIDTH=80 man -l "$MAN/$p" \
			>"$TMP/m" 2>"$TMP/me" </dev/null
		sed "s|^|$p: |" "$TMP/me" >>"$err"
		grep -q '^NAME' "$TMP/m" || echo "$p: no NAME section in man -l output" >>"$err"
	done
	check "man pages: man -l renders them" "$err"
else
	skip "man pages: man -l renders them" "no man"
fi

# 18: mcrouted.8 matches main.c: every getopt letter, exit codes, paths
err=$TMP/mcrouted8
: >"$err"
main=$ROOT/router/src/main.c
opts=$(sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' "$main" | tr -d ':+')
[ -n "$opts" ] || echo "cannot find the getopt string in main.c" >>"$err"
for c in $(printf '%s' "$opts" | sed 's/./& /g'); do
	tags OPTIONS "$MAN/mcrouted.8" | grep -q "^\.B[IR]* \\\\-$c\\([ \"]\\|\$\\)" ||
		echo "mcrouted.8 does not describe -$c (main.c has it)" >>"$err"
done
for x in 64 69 76 77 78; do
	tags "EXIT STATUS" "$MAN/mcrouted.8" | grep -qx "\.B $x" ||
		echo "mcrouted.8: exit status $x is not described" >>"$err"
done
for d in DEFAULT_CONF DEFAULT_SOCK DEFAULT_PID; do
	v=$(sed -n "s/^#define $d \"\\(.*\\)\"/\\1/p" "$main")
	grep -qF "$v" "$MAN/mcrouted.8" 2>/dev/null ||
		echo "mcrouted.8 does not name $v ($d)" >>"$err"
done
for s in SIGHUP SIGTERM; do
	grep -q "$s" "$MAN/mcrouted.8" 2>/dev/null || echo "mcrouted.8: no $s" >>"$err"
done
check "mcrouted.8 names every option, exit code and path of main.c" "$err"

# 19: mcroutectl.8 and mcrouted.conf.5 match mcroutectl.c and conf.h
err=$TMP/ctl8
: >"$err"
ctl=$ROOT/router/src/mcroutectl.c
cmds=$(sed -n 's/^[[:space:]]*"  \([a-z][a-z]*\)[ \\].*/\1/p' "$ctl" | sort -u)
[ -n "$cmds" ] || echo "cannot find the commands in mcroutectl.c" >>"$err"
for c in $cmds; do
	tags COMMANDS "$MAN/mcroutectl.8" | grep -q "^\.B[R]* $c\\([ \"]\\|\$\\)" ||
		echo "mcroutectl.8 does not describe the command '$c'" >>"$err"
done
copts=$(sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' "$ctl" | tr -d ':+')
for c in $(printf '%s' "$copts" | sed 's/./& /g'); do
	tags OPTIONS "$MAN/mcroutectl.8" | grep -q "^\.B[IR]* \\\\-$c\\([ \"]\\|\$\\)" ||
		echo "mcroutectl.8 does not describe -$c (mcroutectl.c has it)" >>"$err"
done
for x in 1 64 69; do
	tags "EXIT STATUS" "$MAN/mcroutectl.8" | grep -qx "\.B $x" ||
		echo "mcroutectl.8: exit status $x is not described" >>"$err"
done
for d in phyint mgroup mroute include conntrack-flush; do
	m=$(printf '%s' "$d" | sed 's/-/\\\\-/g')
	grep -q "^\.SS $m\$" "$MAN/mcrouted.conf.5" 2>/dev/null ||
		echo "mcrouted.conf.5 has no section for '$d'" >>"$err"
done
check "mcroutectl.8 and mcrouted.conf.5 match the code" "$err"

if [ "$n" -ne "$PLAN" ]; then
	echo "# planned $PLAN checks, ran $n"
	exit 1
fi
[ "$failed" -eq 0 ]
