/* SPDX-License-Identifier: MIT */
/*
 * Which Raspberry Pi an SD card image is for, and which qemu machine can
 * run it, read from what the card's boot partition holds: the kernel's
 * header (a 32-bit zImage or an arm64 Image), config.txt (kernel=,
 * device_tree=, arm_64bit=, initramfs, and its [pi*] filters) and the
 * names of the DTBs there (the Foundation's bcm2708/9/10/11 names and
 * mainline's bcm2835/6/7 ones, as Buildroot copies them).
 *
 * Everything here is pure (bytes or text in, struct out), so it is
 * unit-tested on samples of each board's layout; reading the partition
 * is sdcard.c's job.
 *
 *   board          kernel    qemu
 *   Pi Zero/Zero W  zImage   qemu-system-arm -M raspi0     (ARMv6)
 *   Pi 1            zImage   qemu-system-arm -M raspi1ap   (ARMv6)
 *   Pi 2            zImage   qemu-system-arm -M raspi2b    (ARMv7)
 *   Pi 3, Zero 2 W  zImage   qemu-system-arm -M raspi2b    (32-bit)
 *   Pi 3, Zero 2 W  Image    qemu-system-aarch64 -M raspi3b
 *   Pi 4, 400, CM4, Pi 5     none in qemu 7.2: refused, with the
 *                            fall-back (--rootfs: the image's root file
 *                            system on our kernel)
 */
#ifndef MCLAB_PIBOARD_H
#define MCLAB_PIBOARD_H

#include <stdbool.h>
#include <stddef.h>

enum pi_kernel {
	PI_KERNEL_UNKNOWN = 0,
	PI_KERNEL_ZIMAGE, /* 32-bit ARM, magic 0x016f2818 at 0x24 */
	PI_KERNEL_ARM64, /* arm64 Image, "ARM\x64" at 0x38 */
	PI_KERNEL_GZIP, /* gzip'ed (an Image.gz as kernel8.img) */
};

/* What the kernel file's first bytes say it is (pure). */
enum pi_kernel pi_kernel_kind(const void *head, size_t len);
const char *pi_kernel_name(enum pi_kernel k);

/* The Pi families, as config.txt's filters and the DTBs name them. */
enum pi_family {
	PI_UNKNOWN = 0,
	PI_ZERO, /* Zero, Zero W: BCM2835, ARMv6 */
	PI_1, /* A, B, A+, B+, CM1: BCM2835 */
	PI_2, /* 2 B: BCM2836, Cortex-A7 */
	PI_3, /* 3 B, 3 B+, 3 A+, CM3: BCM2837 */
	PI_ZERO2, /* Zero 2 W: RP3A0 (BCM2837's cores) */
	PI_4, /* 4 B, 400, CM4: BCM2711 */
	PI_5, /* 5, CM5: BCM2712 */
};

const char *pi_family_name(enum pi_family f);
/* The family a DTB's file name is for; PI_UNKNOWN for others (overlays). */
enum pi_family pi_dtb_family(const char *dtb_name);

/* config.txt, as far as booting it in qemu goes. */
struct pi_config {
	char kernel[128]; /* kernel=, "" when not set */
	char device_tree[128]; /* device_tree= */
	char initramfs[128]; /* initramfs FILE [followkernel|ADDR] */
	char cmdline[128]; /* cmdline= (the file holding the command line) */
	int arm_64bit; /* arm_64bit=1: 1, =0: 0, not set: -1 */
	int enable_uart; /* enable_uart=, -1 when not set */
	char overlays[256]; /* dtoverlay= names, space-separated */
	int lines; /* lines read */
};

/*
 * Parse config.txt for a board of family f (PI_UNKNOWN: only the lines
 * that hold on every board: before any filter, under [all]).  A [pi*]
 * filter holds for its own family ([pi0] also for the Zero 2 W, as on
 * the board); filters on things qemu has none of ([HDMI:1], [EDID=...],
 * [gpio...], [0x...] serials) do not hold.  Later lines win.  Pure.
 */
void pi_config_parse(const char *text, enum pi_family f, struct pi_config *c);

/* The qemu machine for a board, or why there is none. */
struct pi_board {
	enum pi_family family;
	bool arm64; /* runs an arm64 kernel */
	const char *machine; /* "raspi0", "raspi1ap", "raspi2b", "raspi3b" */
	const char *qemu; /* "qemu-system-arm" or "qemu-system-aarch64" */
	const char *cpu; /* what qemu's machine emulates, for the report */
	char kernel[128]; /* the boot partition's kernel file */
	char dtb[256]; /* the DTB file for it (--dtb's path), "" when none */
	char why[256]; /* how it was chosen, one line */
};

/*
 * Reads up to len bytes from the start of the boot partition's file name
 * into buf; the count, or -1 when there is no such file.
 */
typedef long (*pi_head_fn)(void *arg, const char *name, unsigned char *buf,
			   size_t len);

/*
 * What a boot partition's files can boot.  names: its top-level file
 * names; cfg_text: config.txt (NULL when none); head: reads a kernel
 * file's first bytes; board: "raspi0", "raspi1ap", "raspi2b" or
 * "raspi3b" to override the choice, or NULL; dtb: a DTB of the user's
 * (--dtb; its file name says the board when it is a known one, else the
 * kernel's kind does: raspi3b for arm64, raspi2b for 32-bit), or NULL.  The kernel is the one the
 * firmware would load: config.txt's kernel= for the board, else by the
 * Foundation's names (kernel8.img with arm_64bit=1, kernel7.img,
 * kernel.img) or Buildroot's (zImage, Image).  0 with *out filled, or -1
 * with one line in err: no kernel, a kernel of no known kind, no DTB for
 * it, a board that does not run that kernel, or a board qemu cannot
 * emulate (naming the fall-back).  Pure but for head().
 */
int pi_board_pick(const char *const *names, size_t n, const char *cfg_text,
		  pi_head_fn head, void *arg, const char *board,
		  const char *dtb, struct pi_board *out, char *err,
		  size_t errlen);

/* The machines --board takes, "raspi0 raspi1ap raspi2b raspi3b". */
const char *pi_board_names(void);

#endif
