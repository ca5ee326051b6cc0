#!/bin/sh
# Download the Debian arm64 packages the image is made of, once per machine:
# qemu/cache/debs/ keeps them, and .stamp-<list hash> says the set is
# complete.  Needs apt with the arm64 architecture enabled (done here when
# run as root: dpkg --add-architecture arm64 && apt-get update).
#
# usage: fetch.sh CACHE_DIR
set -eu
cache=$1
debs=$cache/debs
# The kernel is whatever linux-image-arm64 points at today; it is resolved
# once and remembered in debs/kernel-package.
PKGS="busybox-static iptables libip4tc2 libip6tc2 libxtables12 libmnl0 \
libnetfilter-conntrack3 libnfnetlink0 libnftnl11 libmnl-dev \
libnetfilter-conntrack-dev libnfnetlink-dev libcap-dev libcap2 smcroute"
stamp=$debs/.stamp-$(echo "$PKGS" | md5sum | cut -c1-8)
[ -e "$stamp" ] && exit 0

mkdir -p "$debs"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$(id -u)" != 0 ]; then
		echo "fetch: arm64 is not a dpkg architecture here; as root run:" >&2
		echo "  dpkg --add-architecture arm64 && apt-get update" >&2
		exit 1
	fi
	dpkg --add-architecture arm64
	apt-get update -q
fi
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$kpkg" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -q
	kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
[ -n "$kpkg" ] || { echo "fetch: cannot resolve linux-image-arm64:arm64" >&2; exit 1; }
kpkg=${kpkg%:arm64}
echo "fetch: $kpkg and$(echo " $PKGS" | wc -w) packages (arm64)"
list="$kpkg:arm64"
for p in $PKGS; do list="$list $p:arm64"; done
# apt-get download writes into the current folder; as root it warns that
# _apt cannot write there, which is harmless.
# shellcheck disable=SC2086
# (each package is checked below: the pipe's status does not matter)
(cd "$debs" && apt-get download -q $list 2>&1) |
	grep -v '^W: Download is performed unsandboxed' || :
for p in $kpkg $PKGS; do
	ls "$debs/${p}_"*_arm64.deb >/dev/null 2>&1 ||
		{ echo "fetch: $p:arm64 was not downloaded" >&2; exit 1; }
done
echo "$kpkg" >"$debs/kernel-package"
touch "$stamp"
