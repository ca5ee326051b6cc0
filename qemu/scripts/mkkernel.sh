#!/bin/sh
# Build our kernel for the emulated Pi (qemu -M virt and -M raspi3b) from
# Debian's linux-source-6.1: allnoconfig plus qemu/kernel/mclab.config,
# everything built in, no modules.  Debian's generic arm64 kernel spends
# 1.1-1.9 s under TCG before /init (platform drivers, PCI quirks, crypto
# and certificates) and then needs its NIC, conntrack and iptables modules
# loaded; this one has only what the two boards and the router use.
# Debian's kernel stays in the image (out/Image, and in sdcard.img: a
# distribution kernel as a user's SD card would bring its own).
#
# The source package is downloaded once (CACHE/src), unpacked once, and
# built out of tree in CACHE/kbuild, so a changed fragment rebuilds
# only what it changes.  A fragment option that does not end up in the
# final .config (a dependency missing, a name misspelt) is an error.
#
# The same source also builds the lab's x86_64 VM kernel (ARCH x86_64,
# qemu/kernel/vm-x86_64.config: harness/src/vm/vm.c boots it when the host's
# kernel cannot run the case suites), with the host's gcc, in
# CACHE/kbuild-x86_64.
#
# usage: mkkernel.sh CACHE OUT "FRAGMENT..." [ARCH]
# (the fragments merged in order on allnoconfig)
# ARCH arm64 (default) writes OUT/Image-mclab and OUT/config-mclab;
# ARCH x86_64 writes OUT/bzImage-vm and OUT/config-vm;
# ARCH arm (the SD card stand-ins' 32-bit kernel) writes OUT/zImage-pi32,
# OUT/config-pi32 and the DTBs of the boards it is for in OUT/dtbs32;
# ARCH arm-nomroute the same kernel without multicast routing (the broken
# stand-in of cases/image.c) as OUT/zImage-pi32-nomroute
set -eu
mkdir -p "$1" "$2"
cache=$(realpath "$1") out=$(realpath "$2") frags=""
for f in $3; do frags="$frags $(realpath "$f")"; done
src=$cache/src
pkg=linux-source-6.1
case ${4:-arm64} in
arm64)
	kb=$cache/kbuild
	export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	target=Image name=Image-mclab conf=config-mclab
	;;
arm)
	kb=$cache/kbuild-arm
	export ARCH=arm CROSS_COMPILE=arm-linux-gnueabi-
	target=zImage name=zImage-pi32 conf=config-pi32
	dtbs="bcm2835-rpi-zero-w.dtb bcm2837-rpi-3-b.dtb"
	;;
arm-nomroute)
	# a broken stand-in's kernel: pi32 without multicast routing
	kb=$cache/kbuild-arm-nomroute
	export ARCH=arm CROSS_COMPILE=arm-linux-gnueabi-
	target=zImage name=zImage-pi32-nomroute conf=config-pi32-nomroute
	;;
x86_64)
	kb=$cache/kbuild-x86_64
	export ARCH=x86_64 CROSS_COMPILE=
	target=bzImage name=bzImage-vm conf=config-vm
	;;
*)
	echo "mkkernel: ARCH $4: arm64, arm, arm-nomroute or x86_64" >&2
	exit 64
	;;
esac

for t in flex bison bc xz make "${CROSS_COMPILE}gcc"; do
	command -v "$t" >/dev/null ||
		{ echo "mkkernel: $t missing (ci/install-deps --qemu)" >&2; exit 1; }
done
mkdir -p "$src"
# the newest downloaded source package, or ""
newest() {
	deb=""
	for d in "$src/${pkg}_"*_all.deb; do
		if [ -e "$d" ]; then deb=$d; fi
	done
}
newest
# apt-get download writes into the current folder; as root it warns that
# _apt cannot write there, which is harmless
download() {
	(cd "$src" && apt-get download -q "$pkg" 2>&1) |
		grep -v '^W: Download is performed unsandboxed' || :
	newest
}
if [ -z "$deb" ]; then
	echo "  FETCH  $pkg (139 MB, once)"
	download
	# a machine whose package lists are empty or old: refresh them once
	if [ -z "$deb" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -q >/dev/null
		download
	fi
	[ -n "$deb" ] || { echo "mkkernel: cannot download $pkg (apt-get update as root?)" >&2; exit 1; }
fi
tree=$src/$pkg
if [ ! -e "$tree/.unpacked" ] || [ "$(cat "$tree/.unpacked")" != "${deb##*/}" ]; then
	echo "  UNPACK ${deb##*/}"
	rm -rf "$tree" "$src/tmp"
	mkdir -p "$src/tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ -C "$src/tmp"
	mv "$src/tmp/$pkg" "$tree"
	rmdir "$src/tmp"
	echo "${deb##*/}" >"$tree/.unpacked"
fi

mkdir -p "$kb"
echo "  KCONF  $kb/.config"
kconf() { # what it does, then the command: quiet unless it fails
	what=$1
	shift
	"$@" >"$kb/kconfig.log" 2>&1 ||
		{ echo "mkkernel: $what failed:" >&2; tail -20 "$kb/kconfig.log" >&2; exit 1; }
}
kconf allnoconfig make -s --no-print-directory -C "$tree" O="$kb" allnoconfig
# shellcheck disable=SC2086
kconf "merging$frags" env KCONFIG_CONFIG="$kb/.config" \
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$kb" "$kb/.config" $frags
kconf olddefconfig make -s --no-print-directory -C "$tree" O="$kb" olddefconfig
bad=0
# shellcheck disable=SC2086
# (a later fragment's value for an option wins, as in merge_config.sh)
cat $frags | grep -E '^CONFIG_[A-Z0-9_]+=' |
	awk -F= '{ v[$1] = $0 } END { for (o in v) print v[o] }' | while read -r l; do
	o=${l%%=*} v=${l#*=}
	got=$(grep -E "^$o=" "$kb/.config" || :)
	if [ "$v" = n ]; then
		[ -z "$got" ] && continue
	else
		[ "$got" = "$l" ] && continue
	fi
	echo "mkkernel: $l is ${got:-not set} in the final config (a dependency missing?)" >&2
	echo bad
done | grep -q bad && bad=1
[ $bad = 0 ] || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
echo "  KERNEL $out/$name ($jobs jobs; minutes on 2 cores the first time)"
make -s --no-print-directory -C "$tree" O="$kb" -j"$((jobs + 1))" "$target" >"$kb/build.log" 2>&1 ||
	{ tail -30 "$kb/build.log" >&2; exit 1; }
if [ -n "${dtbs:-}" ]; then
	mkdir -p "$out/dtbs32"
	for d in $dtbs; do
		make -s --no-print-directory -C "$tree" O="$kb" "$d" >>"$kb/build.log" 2>&1 ||
			{ tail -30 "$kb/build.log" >&2; exit 1; }
		cp "$kb/arch/$ARCH/boot/dts/$d" "$out/dtbs32/$d"
	done
fi
cp "$kb/arch/$ARCH/boot/$target" "$out/$name.new"
cp "$kb/.config" "$out/$conf"
mv "$out/$name.new" "$out/$name"
