#!/bin/sh
# Assemble the guest's root tree and its initramfs from the unpacked
# packages (CACHE/root), the cross-built router and agent, and /init.
#
# usage: mkimage.sh CACHE OUT MCROUTED MCROUTECTL MCAGENT INIT
# writes OUT/rootfs/, OUT/initramfs.cpio, OUT/Image, OUT/config,
#        OUT/dtbs/ (the kernel's Raspberry Pi DTBs) and
#        OUT/bcm2837-rpi-3-b-qemu.dtb (Bluetooth node removed: with it the
#        PL011 console's input is dead under qemu)
set -eu
cache=$1 out=$2 mcrouted=$3 mcroutectl=$4 mcagent=$5 init=$6
root=$cache/root
kver=$(cat "$root/kernel-version")
cross=/usr/aarch64-linux-gnu/lib
r=$out/rootfs.new
rm -rf "$r"
mkdir -p "$r"/bin "$r"/sbin "$r"/usr/bin "$r"/usr/sbin "$r"/etc "$r"/proc \
	"$r"/sys "$r"/dev "$r"/tmp "$r"/run "$r"/root "$r"/boot "$r"/var \
	"$r"/lib/aarch64-linux-gnu "$r"/lib/modules/"$kver" "$r"/etc/mcrouted

# busybox and its applets
cp "$root/bin/busybox" "$r/bin/busybox"
# the applet list cannot be asked from an arm64 binary here: install the
# links the image needs by name (busybox --install -s at boot adds the rest)
for a in sh ash cat echo ls mkdir mount umount sleep ip ping ping6 sysctl \
	insmod modprobe rmmod lsmod cttyhack setsid hostname wc grep sed awk \
	ps kill killall cp mv rm ln chmod dmesg uname head tail tr cut \
	ifconfig route stat date true false test [ printf env tee sort \
	xargs find poweroff reboot halt nc seq pidof timeout du df free vi; do
	ln -sf busybox "$r/bin/$a"
done
ln -sf busybox "$r/bin/init"
printf '::respawn:/bin/cttyhack /bin/sh -l\n::ctrlaltdel:/bin/true\n' >"$r/etc/inittab"
cp "$init" "$r/init"
chmod 755 "$r/init"

# copy_elf FILE DEST: an arm64 ELF and the shared libraries it needs
libdirs="$root/lib/aarch64-linux-gnu $root/usr/lib/aarch64-linux-gnu $cross"
copy_libs() {
	for lib in $(readelf -d "$1" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$r/lib/aarch64-linux-gnu/$lib" ] && continue
		for d in $libdirs; do
			if [ -e "$d/$lib" ]; then
				cp -L "$d/$lib" "$r/lib/aarch64-linux-gnu/$lib"
				copy_libs "$d/$lib"
				break
			fi
		done
		[ -e "$r/lib/aarch64-linux-gnu/$lib" ] ||
			{ echo "mkimage: $lib (needed by $1) not found" >&2; exit 1; }
	done
}
copy_elf() {
	cp -L "$1" "$2"
	copy_libs "$1"
}
cp -L "$cross/ld-linux-aarch64.so.1" "$r/lib/ld-linux-aarch64.so.1"

copy_elf "$mcrouted" "$r/usr/sbin/mcrouted"
copy_elf "$mcroutectl" "$r/usr/sbin/mcroutectl"
cp "$mcagent" "$r/sbin/mcagent"
# Debian's smcroute, for ROUTER=smcroute in the guest (libsystemd and its
# libraries come along: +1.9 MB)
copy_elf "$root/usr/sbin/smcrouted" "$r/usr/sbin/smcrouted"
copy_elf "$root/usr/sbin/smcroutectl" "$r/usr/sbin/smcroutectl"
# conntrack (the harness's nf_ct_flush() for a VM router node)
copy_elf "$root/usr/sbin/conntrack" "$r/usr/sbin/conntrack"
# iptables (legacy: x_tables modules, no nftables needed)
copy_elf "$root/usr/sbin/xtables-legacy-multi" "$r/usr/sbin/xtables-legacy-multi"
# iptables waits (up to 10 s) for /init's background module loading
cat >"$r/usr/sbin/xtables-wait" <<'SH'
#!/bin/sh
i=0
while [ ! -e /run/nf.ready ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
exec /usr/sbin/xtables-legacy-multi "${0##*/}" "$@"
SH
chmod 755 "$r/usr/sbin/xtables-wait"
for t in iptables ip6tables iptables-save ip6tables-save iptables-restore \
	ip6tables-restore; do
	ln -sf xtables-wait "$r/usr/sbin/$t"
done
mkdir -p "$r/usr/lib/aarch64-linux-gnu/xtables"
# the extensions the cases and the field report use (all 122: +7 MB of
# initramfs, ~0.1 s more boot under TCG)
for e in ipt_TTL ipt_ttl ip6t_HL ip6t_hl ipt_icmp ip6t_icmp6 xt_HL xt_TTL \
	xt_MASQUERADE xt_SNAT xt_DNAT xt_REDIRECT xt_standard xt_udp xt_tcp \
	xt_conntrack xt_state xt_pkttype xt_mark xt_MARK xt_comment \
	xt_addrtype xt_multiport xt_LOG xt_limit; do
	f="$root/usr/lib/aarch64-linux-gnu/xtables/lib$e.so"
	if [ -e "$f" ]; then
		copy_elf "$f" "$r/usr/lib/aarch64-linux-gnu/xtables/"
	fi
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
echo 'root:x:0:' >"$r/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$r/etc/hosts"
printf 'udp 17 UDP\nicmp 1 ICMP\ntcp 6 TCP\nipv6-icmp 58 IPv6-ICMP\n' >"$r/etc/protocols"
cp "$root/boot/config-$kver" "$r/boot/config-$kver"
cp "$root/boot/config-$kver" "$out/config"

# modules: what the profiles and the cases need, with their dependencies.
# Three lists, loaded by /init: the virt board's, the Pi's, and netfilter's
# (loaded after the agent is up; /run/nf.ready marks the end).
# strip_sig: drop the appended signature (12-byte trailer + signature +
# magic): verifying it costs ~20 ms a module under TCG; the kernel then only
# notes "module verification failed" once.
strip_sig() {
	magic=$(tail -c 28 "$1")
	if [ "$magic" = "~Module signature appended~" ]; then
		siglen=$(tail -c 32 "$1" | head -c 4 | od -An -tu1 |
			awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
		size=$(stat -c %s "$1")
		truncate -s $((size - 28 - 12 - siglen)) "$1"
	fi
}
add_mods() { # LIST-FILE MODULE...
	list=$1
	shift
	: >"$r/etc/$list"
	modprobe -d "$root" -S "$kver" -D -a "$@" | while read -r cmd path _; do
		[ "$cmd" = insmod ] || continue
		rel=${path#"$root"/lib/modules/"$kver"/}
		grep -qxF "$kver/$rel" "$r"/etc/modules.* && continue
		mkdir -p "$r/lib/modules/$kver/$(dirname "$rel")"
		cp "$path" "$r/lib/modules/$kver/$rel"
		strip_sig "$r/lib/modules/$kver/$rel"
		echo "$kver/$rel" >>"$r/etc/$list"
	done
}
add_mods modules.virt virtio_net virtio_pci virtio_console
# phy-generic: the "usb-nop-xceiv" PHY dwc2 waits for (not a symbol
# dependency: without it dwc2 probes only at the 10 s deferred-probe timeout)
add_mods modules.raspi phy_generic dwc2 cdc_ether rndis_host
# conntrack netlink first: mcrouted needs it at start (/run/ct.ready), the
# iptables tables and targets only when iptables runs (/run/nf.ready; the
# image's iptables waits for it)
add_mods modules.ct nf_conntrack_netlink
add_mods modules.nf xt_HL iptable_mangle ip6table_mangle iptable_nat \
	ip6table_nat xt_MASQUERADE iptable_filter ip6table_filter \
	nf_conntrack_netlink xt_conntrack xt_pkttype xt_addrtype xt_comment \
	xt_mark
# block devices and ext4 for mclab.root (mclab qemu up --rootfs): virtio
# disks on virt, the SD card (sdhci-iproc, or the bcm2835 sdhost) on the Pi
# (after the others: their lists stay as they were)
add_mods modules.blk virtio_blk ext4 sdhci_iproc bcm2835
cp "$root/lib/modules/$kver"/modules.order "$root/lib/modules/$kver"/modules.builtin* "$r/lib/modules/$kver/"
depmod -b "$r" "$kver"

# the initramfs, uncompressed: unpacking 4.6 MB of gzip costs the guest
# ~0.35 s under TCG, loading 18 MB more costs qemu nothing noticeable
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$out/initramfs.cpio.new"
rm -rf "$out/rootfs"
mv "$r" "$out/rootfs"
mv "$out/initramfs.cpio.new" "$out/initramfs.cpio"

# kernel and DTBs
cp "$root/boot/vmlinuz-$kver" "$out/Image"
rm -rf "$out/dtbs"
mkdir -p "$out/dtbs"
cp "$root"/usr/lib/linux-image-"$kver"/broadcom/bcm2837-rpi-*.dtb \
	"$root"/usr/lib/linux-image-"$kver"/broadcom/bcm2710-rpi-*.dtb \
	"$out/dtbs/" 2>/dev/null || true
cp "$root/usr/lib/linux-image-$kver/broadcom/bcm2837-rpi-3-b.dtb" \
	"$out/bcm2837-rpi-3-b-qemu.dtb"
fdtput -r "$out/bcm2837-rpi-3-b-qemu.dtb" /soc/serial@7e201000/bluetooth
echo "$kver" >"$out/kernel-version"
