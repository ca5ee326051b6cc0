#!/bin/sh
# Put a boot partition image (vfat) and a root one (ext4) on an MBR disk
# as genimage does for Buildroot's Pi images: a 1 MiB gap, the bootable
# FAT32 (LBA) partition, the Linux one; the disk's size a power of two in
# MiB (qemu's SD card model insists).  Prints that size.
#
# usage: mkdisk.sh BOOT.vfat ROOT.ext4 DISK
set -eu
boot=$1 root=$2 disk=$3
boot_mb=$(( ($(stat -c %s "$boot") + 1048575) / 1048576 ))
root_mb=$(( ($(stat -c %s "$root") + 1048575) / 1048576 ))
need=$((1 + boot_mb + root_mb))
size=1
while [ $size -lt $need ]; do size=$((size * 2)); done
truncate -s 0 "$disk"
truncate -s "${size}M" "$disk"
sfdisk -q "$disk" <<PART
label: dos
start=2048, size=$((boot_mb * 2048)), type=c, bootable
start=$((2048 + boot_mb * 2048)), size=$((root_mb * 2048)), type=83
PART
dd if="$boot" of="$disk" bs=1M seek=1 conv=notrunc status=none
dd if="$root" of="$disk" bs=1M seek=$((1 + boot_mb)) conv=notrunc status=none
echo "$size"
