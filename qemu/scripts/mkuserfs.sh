#!/bin/sh
# The stand-in for a user's Buildroot root file system, for the case that
# boots one with mclab qemu up --rootfs: the image's tree without our
# agent and /init, with busybox init, a getty on the console and the
# hostname "buildroot", as Buildroot's default skeleton has (so it counts
# as ready at "buildroot login:").
#
# usage: mkuserfs.sh OUT IMG
set -eu
out=$1 img=$2
tmp=$img.tree
rm -rf "$tmp"
cp -a "$out/rootfs" "$tmp"
rm -f "$tmp/init" "$tmp/sbin/mcagent"
mkdir -p "$tmp/sbin" "$tmp/etc"
ln -sf ../bin/busybox "$tmp/sbin/init"
ln -sf ../bin/busybox "$tmp/sbin/getty"
cat >"$tmp/etc/inittab" <<'TAB'
# Buildroot-style inittab (busybox init)
::sysinit:/bin/busybox --install -s
::sysinit:/bin/hostname buildroot
console::respawn:/sbin/getty -L console 0 vt100
TAB
# Buildroot's skeleton: root with an empty password (login asks none)
printf 'root::19000:0:99999:7:::\n' >"$tmp/etc/shadow"
chmod 600 "$tmp/etc/shadow"
mkdir -p "$tmp/root"
"$(dirname "$0")/mkrootfs.sh" "$tmp" "$img"
rm -rf "$tmp"
