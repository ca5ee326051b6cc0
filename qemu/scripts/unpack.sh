#!/bin/sh
# Unpack the downloaded packages into one tree (CACHE/root), which is both
# the arm64 sysroot for cross-building and where the image takes its files
# from.  Absolute symlinks are made relative so that they resolve inside
# the tree.  Runs depmod -b for the kernel's modules.
#
# usage: unpack.sh CACHE_DIR
set -eu
cache=$1
root=$cache/root
rm -rf "$root" "$root.new"
mkdir -p "$root.new"
kpkg=$(cat "$cache/debs/kernel-package")
for deb in "$cache"/debs/*.deb; do
	case $(basename "$deb") in
	linux-image-*) case $(basename "$deb") in "${kpkg}_"*) ;; *) continue ;; esac ;;
	esac
	dpkg-deb -x "$deb" "$root.new"
done
find "$root.new" -type l -lname '/*' | while read -r l; do
	t=$(readlink "$l")
	ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$root.new$t")" "$l"
done
kver=${kpkg#linux-image-}
depmod -b "$root.new" "$kver"
echo "$kver" >"$root.new/kernel-version"
mv "$root.new" "$root"
