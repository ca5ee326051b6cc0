#!/bin/sh
# An ext4 root file system image of a folder, without loop mounts or root
# (mke2fs -d), sized at 1.5 times the tree plus 16 MiB.  The SD card's
# root partition, and what mclab qemu up --rootfs boots (out/rootfs.ext4:
# the image's own tree, the stand-in for a user's Buildroot rootfs.ext4).
#
# usage: mkrootfs.sh DIR OUT.ext4
set -eu
dir=$1 img=$2
mb=$(( $(du -sm "$dir" | cut -f1) * 3 / 2 + 16 ))
rm -f "$img"
mke2fs -q -t ext4 -L rootfs -d "$dir" -E root_owner=0:0 "$img" "${mb}M" \
	>/dev/null
