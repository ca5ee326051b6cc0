#!/bin/sh
# A Buildroot-style SD card image for the Pi, without loop mounts or root:
#   MBR; partition 1: vfat "boot" (Image, DTBs, initramfs, config.txt,
#   cmdline.txt, kernel.config); partition 2: ext4 "rootfs" (the same
#   tree as the initramfs, made with mke2fs -d).  The size is a power of
#   two (qemu's SD card model insists).
#
# usage: mksdcard.sh OUT IMAGE
set -eu
out=$1 img=$2
tmp=$img.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
kver=$(cat "$out/kernel-version")

# the boot partition
boot_mb=64
cat >"$tmp/config.txt" <<CFG
# Raspberry Pi firmware config (mcast-lab image)
arm_64bit=1
enable_uart=1
kernel=Image
device_tree=bcm2837-rpi-3-b.dtb
initramfs initramfs.cpio followkernel
CFG
# console on the PL011; the image runs from its initramfs (root= is for
# the firmware's benefit: the ext4 partition holds the same tree)
echo "console=ttyAMA0 root=/dev/mmcblk0p2 rootwait quiet cryptomgr.notests initcall_blacklist=crypto_kdf108_init,init_kprobe_trace,load_system_certificate_list" \
	>"$tmp/cmdline.txt"
mkfs.vfat -C -n BOOT "$tmp/boot.vfat" $((boot_mb * 1024)) >/dev/null
mcopy -i "$tmp/boot.vfat" "$out/Image" "$out/initramfs.cpio" \
	"$tmp/config.txt" "$tmp/cmdline.txt" "$out"/dtbs/*.dtb ::
mcopy -i "$tmp/boot.vfat" "$out/config" ::kernel.config

# the root partition
"$(dirname "$0")/mkrootfs.sh" "$out/rootfs" "$tmp/rootfs.ext4"
root_mb=$(( $(stat -c %s "$tmp/rootfs.ext4") / 1048576 ))

# the disk: genimage's layout, a power of two in size
size=$("$(dirname "$0")/mkdisk.sh" "$tmp/boot.vfat" "$tmp/rootfs.ext4" "$tmp/disk")
mv "$tmp/disk" "$img"
rm -rf "$tmp"
echo "  $img: ${size} MiB (boot ${boot_mb} MiB vfat, rootfs ${root_mb} MiB ext4, kernel $kver)"
