#!/bin/sh
# A stand-in for a user's Buildroot SD card image of a 32-bit Pi, as close
# to Buildroot's output as Debian's packages allow, with nothing of ours
# in it: the genimage layout (MBR, 32 MiB vfat boot partition with the
# kernel, the DTB, config.txt and cmdline.txt; ext4 root), busybox init
# with Buildroot's rcS running /etc/init.d/S??*, a getty on the console
# ("buildroot login:", root without a password), and the field report's
# router: S41smcroute starting Debian's smcrouted with its
# /etc/smcroute.conf, and its mangle rule (TTL 64) in S42ttl.
#
#   zerow   Pi Zero W: armel userland, bcm2835-rpi-zero-w.dtb (raspi0)
#   pi3-32  Pi 3 in 32-bit mode: armhf userland, bcm2837-rpi-3-b.dtb
#           (raspi2b)
#   pi3-64  Pi 3 in 64-bit mode (Buildroot's raspberrypi3_64): arm64
#           userland, our arm64 Image, bcm2837-rpi-3-b.dtb (raspi3b)
#
# The 32-bit ones boot our 32-bit zImage (make -C qemu kernel32);
# Buildroot would give each its own (bcmrpi or bcm2709 defconfig).
#
# VARIANT makes a broken one, for the cases that must fail:
#   nomroute  the kernel lacks multicast routing (zImage-pi32-nomroute)
#   wrongif   smcroute.conf routes the group to eth0, not usb0
#   pi4       (with pi3-64) a Pi 4's boot partition (bcm2711-rpi-4-b.dtb,
#             [pi4] in config.txt): one qemu 7.2 has no machine for
#
# pi3-32 also sets up the field report's NAT (S43nat: MASQUERADE on usb0).
#
# usage: mkstandin.sh CACHE OUT BOARD IMAGE [VARIANT]
set -eu
cache=$1 out=$2 board=$3 img=$4 variant=${5:-}
kfile=zImage kernel=$out/zImage-pi32 dtbdir=$out/dtbs32 arm64=""
case $board in
zerow) arch=armel dtb=bcm2835-rpi-zero-w.dtb ;;
pi3-32) arch=armhf dtb=bcm2837-rpi-3-b.dtb ;;
pi3-64)
	arch=arm64 dtb=bcm2837-rpi-3-b.dtb kfile=Image
	kernel=$out/Image-mclab dtbdir=$out/dtbs arm64="arm_64bit=1"
	;;
*)
	echo "mkstandin: BOARD is zerow, pi3-32 or pi3-64" >&2
	exit 64
	;;
esac
route_to=usb0
case $variant in
"") ;;
nomroute) kernel=$out/zImage-pi32-nomroute ;;
wrongif) route_to=eth0 ;;
pi4) ;;
*)
	echo "mkstandin: VARIANT is nomroute or wrongif" >&2
	exit 64
	;;
esac
debs=$cache/debs-$arch
tmp=$img.tmp
rm -rf "$tmp"
mkdir -p "$tmp/root"
root=$tmp/root

for d in "$debs"/*.deb; do
	dpkg-deb -x "$d" "$root"
done
# merged /usr, as Debian's packages expect
for d in bin sbin lib; do
	if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
		mkdir -p "$root/usr/$d"
		cp -a "$root/$d/." "$root/usr/$d/"
		rm -rf "${root:?}/$d"
	fi
	mkdir -p "$root/usr/$d"
	ln -s "usr/$d" "$root/$d"
done
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/locale"
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
	"$root/var/run" "$root/etc/init.d" "$root/root" "$root/mnt"
ln -sf busybox "$root/usr/bin/sh"
# busybox's applets are linked at the first boot (it cannot run here)
ln -sf ../bin/busybox "$root/usr/sbin/init"
# iptables as Buildroot builds it by default: the legacy backend
for t in iptables iptables-save iptables-restore ip6tables; do
	ln -sf xtables-legacy-multi "$root/usr/sbin/$t"
done

cat >"$root/etc/inittab" <<'TAB'
# Buildroot's inittab (busybox init), for a 32-bit Pi stand-in
::sysinit:/bin/busybox mount -t proc proc /proc
::sysinit:/bin/busybox mount -o remount,rw /
::sysinit:/bin/busybox --install -s
::sysinit:/bin/mkdir -p /dev/pts /dev/shm
::sysinit:/bin/mount -a
::sysinit:/bin/hostname -F /etc/hostname
::sysinit:/etc/init.d/rcS
console::respawn:/sbin/getty -L console 0 vt100
::shutdown:/etc/init.d/rcK
::shutdown:/bin/umount -a -r
TAB
cat >"$root/etc/fstab" <<'TAB'
proc     /proc    proc   defaults 0 0
devpts   /dev/pts devpts defaults,gid=5,mode=620 0 0
tmpfs    /dev/shm tmpfs  mode=0777 0 0
tmpfs    /tmp     tmpfs  mode=1777 0 0
tmpfs    /run     tmpfs  mode=0755,nosuid,nodev 0 0
sysfs    /sys     sysfs  defaults 0 0
TAB
echo buildroot >"$root/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root::0:\n' >"$root/etc/group"
printf 'root::19000:0:99999:7:::\n' >"$root/etc/shadow"
chmod 600 "$root/etc/shadow"
printf 'Welcome to Buildroot\n' >"$root/etc/issue"
cat >"$root/etc/init.d/rcS" <<'RC'
#!/bin/sh
# Start all init scripts in /etc/init.d, in numerical order (Buildroot's)
for i in /etc/init.d/S??*; do
	[ ! -f "$i" ] && continue
	case "$i" in
	*.sh) (trap - INT QUIT TSTP; set start; . "$i") ;;
	*) "$i" start ;;
	esac
done
RC
sed 's/S??\*/K??*/; s/numerical/reverse/; s/start/stop/g' \
	"$root/etc/init.d/rcS" >"$root/etc/init.d/rcK"
# the field report's router: static routes from wlan0 to usb0
cat >"$root/etc/smcroute.conf" <<CONF
# /etc/smcroute.conf (the field report's)
mgroup from wlan0 group 225.1.2.3
mroute from wlan0 group 225.1.2.3 to $route_to
# and IPv6 (the field report's kernel has IPV6_MROUTE for it)
mroute from wlan0 group ff0e::1:3 to usb0
CONF
cat >"$root/etc/init.d/S41smcroute" <<'RC'
#!/bin/sh
# Start smcrouted (Buildroot's S41smcroute, in spirit)
case "$1" in
start)
	printf 'Starting smcroute: '
	smcrouted -f /etc/smcroute.conf && echo OK || echo FAIL
	;;
stop)
	printf 'Stopping smcroute: '
	smcroutectl kill >/dev/null 2>&1; echo OK
	;;
restart)
	"$0" stop
	"$0" start
	;;
esac
RC
cat >"$root/etc/init.d/S42ttl" <<'RC'
#!/bin/sh
# The field report's fix for TTL 1 senders: rewrite to 64 on wlan0
case "$1" in
start)
	iptables -t mangle -A PREROUTING -i wlan0 -d 224.0.0.0/4 \
		-j TTL --ttl-set 64
	;;
stop)
	iptables -t mangle -F PREROUTING
	;;
esac
RC
if [ "$board" = pi3-32 ]; then
	cat >"$root/etc/init.d/S43nat" <<'RC'
#!/bin/sh
# The field report's NAT: the USB side's traffic leaves with usb0's address
case "$1" in
start)
	iptables -t nat -A POSTROUTING -o usb0 -j MASQUERADE
	;;
stop)
	iptables -t nat -F POSTROUTING
	;;
esac
RC
fi
chmod 755 "$root"/etc/init.d/*

# the boot partition, as genimage lays out Buildroot's rpi-firmware
boot_mb=32
cat >"$tmp/config.txt" <<CFG
# Please note that this is only a sample, we recommend you to change it to
# fit your needs.
start_file=start.elf
fixup_file=fixup.dat

kernel=$kfile
$arm64

# To use an external initramfs file
#initramfs rootfs.cpio.gz

# Disable overscan assuming the display supports displaying the full
# resolution
disable_overscan=1

# How much memory in MB to assign to the GPU on Pi models having
# 256, 512 or 1024 MB total memory
gpu_mem_256=100
gpu_mem_512=100
gpu_mem_1024=100

# fixes rpi (3B, 3B+, 3A+, 4B and Zero W) ttyAMA0 serial console
dtoverlay=miniuart-bt
CFG
echo "root=/dev/mmcblk0p2 rootwait console=tty1 console=ttyAMA0,115200" \
	>"$tmp/cmdline.txt"
cp "$kernel" "$tmp/$kfile"
dtbfile=$dtbdir/$dtb
if [ "$variant" = pi4 ]; then
	# Buildroot's raspberrypi4_64 names: the Foundation's DTB, [pi4]
	dtbfile=$tmp/bcm2711-rpi-4-b.dtb
	cp "$dtbdir/$dtb" "$dtbfile"
	printf '\n[pi4]\narm_boost=1\n' >>"$tmp/config.txt"
fi
mkfs.vfat -C -n BOOT "$tmp/boot.vfat" $((boot_mb * 1024)) >/dev/null
mcopy -i "$tmp/boot.vfat" "$tmp/$kfile" "$dtbfile" \
	"$tmp/config.txt" "$tmp/cmdline.txt" ::

# the root partition
root_mb=$(( $(du -sm "$root" | cut -f1) * 3 / 2 + 16 ))
mke2fs -q -t ext4 -L rootfs -d "$root" "$tmp/rootfs.ext4" "${root_mb}M"

# the disk: genimage's layout, a power of two in size
size=$("$(dirname "$0")/mkdisk.sh" "$tmp/boot.vfat" "$tmp/rootfs.ext4" "$tmp/disk")
mv "$tmp/disk" "$img"
rm -rf "$tmp"
echo "  $img: $board${variant:+ ($variant)}, ${size} MiB (boot ${boot_mb} MiB vfat, rootfs ${root_mb} MiB ext4, $arch)"
