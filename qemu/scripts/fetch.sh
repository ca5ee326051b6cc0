#!/bin/sh
# Download the Debian arm64 packages the image is made of, once per machine:
# qemu/cache/debs/ keeps them, and .stamp-<list hash> says the set is
# complete.  Needs apt with the arm64 architecture enabled (done here when
# run as root: dpkg --add-architecture arm64 && apt-get update).
#
# With ARCH armel or armhf, or arm64 and "standin", it downloads the SD
# card stand-ins' userland instead (glibc, busybox, smcroute, iptables and
# their libraries, no kernel: the stand-ins boot ours) into
# CACHE/debs-ARCH.
#
# usage: fetch.sh CACHE_DIR [ARCH [standin]]
set -eu
cache=$1
arch=${2:-arm64}
standin=${3:-}
[ "$arch" = arm64 ] || standin=standin
debs=$cache/debs
# The kernel is whatever linux-image-arm64 points at today; it is resolved
# once and remembered in debs/kernel-package.  conntrack: the harness
# flushes the guest's table with it (its libraries are iptables' too).
# smcroute (ROUTER=smcroute in the guest) needs libsystemd0 and its
# libraries: libgcrypt20, libgpg-error0, liblz4-1, liblzma5, libzstd1.
PKGS="busybox-static iptables libip4tc2 libip6tc2 libxtables12 libmnl0 \
libnetfilter-conntrack3 libnfnetlink0 libnftnl11 libmnl-dev \
libnetfilter-conntrack-dev libnfnetlink-dev libcap-dev libcap2 smcroute \
conntrack libsystemd0 libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1"
if [ -n "$standin" ]; then
	debs=$cache/debs-$arch
	PKGS="libc6 busybox-static smcroute libsystemd0 libgcrypt20 \
libgpg-error0 liblz4-1 liblzma5 libzstd1 libcap2 iptables libip4tc2 \
libip6tc2 libxtables12 libmnl0 libnetfilter-conntrack3 libnfnetlink0 \
libnftnl11"
fi
stamp=$debs/.stamp-$(echo "$PKGS" | md5sum | cut -c1-8)
[ -e "$stamp" ] && exit 0

mkdir -p "$debs"
# only what is not there yet: a package added to PKGS downloads alone
have() { ls "$debs/${1}_"*_"$arch".deb >/dev/null 2>&1; }
arch_apt() {
	dpkg --print-foreign-architectures | grep -qx "$arch" && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "fetch: $arch is not a dpkg architecture here; as root run:" >&2
		echo "  dpkg --add-architecture $arch && apt-get update" >&2
		exit 1
	fi
	dpkg --add-architecture "$arch"
	apt-get update -q
}
kpkg=$(cat "$debs/kernel-package" 2>/dev/null || :)
if [ -n "$standin" ]; then
	kpkg=""
elif [ -z "$kpkg" ]; then
	arch_apt
	kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$kpkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -q
		kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$kpkg" ] || { echo "fetch: cannot resolve linux-image-arm64:arm64" >&2; exit 1; }
	kpkg=${kpkg%:arm64}
fi
list=""
for p in $kpkg $PKGS; do have "$p" || list="$list $p:$arch"; done
if [ -n "$list" ]; then
	arch_apt
	echo "fetch ($arch):$list" | sed "s/:$arch//g"
	# apt-get download writes into the current folder; as root it warns
	# that _apt cannot write there, which is harmless.
	# shellcheck disable=SC2086
	# (each package is checked below: the pipe's status does not matter)
	(cd "$debs" && apt-get download -q $list 2>&1) |
		grep -v '^W: Download is performed unsandboxed' || :
fi
for p in $kpkg $PKGS; do
	have "$p" || { echo "fetch: $p:$arch was not downloaded" >&2; exit 1; }
done
[ -z "$kpkg" ] || echo "$kpkg" >"$debs/kernel-package"
touch "$stamp"
