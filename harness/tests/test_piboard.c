// SPDX-License-Identifier: MIT
/*
 * Unit tests for piboard.c: the kernel's header, config.txt with its
 * filters, and the board picked from a boot partition's files, on the
 * layouts of Buildroot's Pi configurations (raspberrypi0w, raspberrypi2,
 * raspberrypi3, raspberrypi3_64, zero2w_64, raspberrypi4), this
 * project's sdcard.img and Raspberry Pi OS's boot partition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "piboard.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void zimage_head(unsigned char *b)
{
	memset(b, 0, 64);
	b[36] = 0x18;
	b[37] = 0x28;
	b[38] = 0x6f;
	b[39] = 0x01;
}

static void arm64_head(unsigned char *b)
{
	memset(b, 0, 64);
	b[0] = 0x4d; /* "MZ" of the EFI stub */
	b[1] = 0x5a;
	memcpy(b + 56, "ARM\x64", 4);
}

/* A boot partition: which of its files are kernels of which kind. */
struct part {
	const char *zimage[4], *arm64[4], *junk[2];
};

static bool in(const char *const *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n && l[i]; i++)
		if (!strcmp(l[i], name))
			return true;
	return false;
}

static long head(void *arg, const char *name, unsigned char *buf, size_t len)
{
	const struct part *p = arg;

	assert_true(len >= 64);
	if (in(p->zimage, N(p->zimage), name)) {
		zimage_head(buf);
		return 64;
	}
	if (in(p->arm64, N(p->arm64), name)) {
		arm64_head(buf);
		return 64;
	}
	if (in(p->junk, N(p->junk), name)) {
		memset(buf, 'x', 64);
		return 64;
	}
	return -1;
}

static void test_kernel_kind(void **state)
{
	unsigned char b[64];

	(void)state;
	zimage_head(b);
	assert_int_equal(pi_kernel_kind(b, sizeof(b)), PI_KERNEL_ZIMAGE);
	assert_int_equal(pi_kernel_kind(b, 39), PI_KERNEL_UNKNOWN);
	arm64_head(b);
	assert_int_equal(pi_kernel_kind(b, sizeof(b)), PI_KERNEL_ARM64);
	assert_int_equal(pi_kernel_kind(b, 59), PI_KERNEL_UNKNOWN);
	memcpy(b, "\x1f\x8b\x08\x00", 4);
	memset(b + 56, 0, 8);
	assert_int_equal(pi_kernel_kind(b, sizeof(b)), PI_KERNEL_GZIP);
	memset(b, 0, sizeof(b));
	assert_int_equal(pi_kernel_kind(b, sizeof(b)), PI_KERNEL_UNKNOWN);
	assert_int_equal(pi_kernel_kind(NULL, 0), PI_KERNEL_UNKNOWN);
}

static void test_dtb_family(void **state)
{
	static const struct {
		const char *name;
		enum pi_family f;
	} t[] = {
		{ "bcm2708-rpi-zero-w.dtb", PI_ZERO },
		{ "bcm2835-rpi-zero.dtb", PI_ZERO },
		{ "bcm2708-rpi-b-plus.dtb", PI_1 },
		{ "bcm2835-rpi-a.dtb", PI_1 },
		{ "bcm2708-rpi-cm.dtb", PI_1 },
		{ "bcm2709-rpi-2-b.dtb", PI_2 },
		{ "bcm2836-rpi-2-b.dtb", PI_2 },
		{ "bcm2710-rpi-2-b.dtb", PI_2 },
		{ "bcm2710-rpi-3-b.dtb", PI_3 },
		{ "bcm2710-rpi-3-b-plus.dtb", PI_3 },
		{ "bcm2710-rpi-cm3.dtb", PI_3 },
		{ "bcm2837-rpi-3-b.dtb", PI_3 },
		{ "BCM2837-RPI-3-A-PLUS.DTB", PI_3 }, /* FAT: any case */
		{ "bcm2710-rpi-zero-2-w.dtb", PI_ZERO2 },
		{ "bcm2837-rpi-zero-2-w.dtb", PI_ZERO2 },
		{ "bcm2711-rpi-4-b.dtb", PI_4 },
		{ "bcm2711-rpi-400.dtb", PI_4 },
		{ "bcm2712-rpi-5-b.dtb", PI_5 },
		{ "overlays/miniuart-bt.dtbo", PI_UNKNOWN },
		{ "bcm2837-rpi-3-b.dts", PI_UNKNOWN },
		{ "bcm2837-3-b.dtb", PI_UNKNOWN },
		{ "dtbs/bcm2837-rpi-3-b.dtb", PI_3 },
	};

	(void)state;
	for (size_t i = 0; i < N(t); i++) {
		if (pi_dtb_family(t[i].name) != t[i].f)
			fail_msg("%s: %s, not %s", t[i].name,
				 pi_family_name(pi_dtb_family(t[i].name)),
				 pi_family_name(t[i].f));
	}
}

static const char cfg_br32[] = "# a sample, change it to your needs\n"
			       "start_file=start.elf\n"
			       "fixup_file=fixup.dat\n"
			       "\n"
			       "kernel=zImage\n"
			       "\n"
			       "# initramfs rootfs.cpio.gz\n"
			       "disable_overscan=1\n"
			       "gpu_mem_256=100\n"
			       "dtoverlay=miniuart-bt\n";

static const char cfg_br64[] = "start_file=start.elf\r\n"
			       "fixup_file=fixup.dat\r\n"
			       "kernel=Image\r\n"
			       "arm_64bit=1\r\n"
			       "dtoverlay=miniuart-bt\r\n";

static void test_config_parse(void **state)
{
	struct pi_config c;
	static const char filters[] =
		"kernel=zImage\n"
		"[pi4]\n"
		"kernel=kernel7l.img\n"
		"arm_64bit = 1\n"
		"[pi0]\n"
		"dtoverlay=dwc2,dr_mode=host\n"
		"[HDMI:1]\n"
		"device_tree=hdmi.dtb\n"
		"[all]\n"
		"  initramfs  initrd.gz followkernel  # ok\n"
		"enable_uart=1\n"
		"[none]\n"
		"cmdline=never.txt\n";

	(void)state;
	pi_config_parse(cfg_br32, PI_UNKNOWN, &c);
	assert_string_equal(c.kernel, "zImage");
	assert_int_equal(c.arm_64bit, -1);
	assert_string_equal(c.overlays, "miniuart-bt");
	assert_string_equal(c.initramfs, "");
	assert_int_equal(c.lines, 10);

	pi_config_parse(cfg_br64, PI_UNKNOWN, &c);
	assert_string_equal(c.kernel, "Image");
	assert_int_equal(c.arm_64bit, 1);

	pi_config_parse(filters, PI_UNKNOWN, &c);
	assert_string_equal(c.kernel, "zImage");
	assert_int_equal(c.arm_64bit, -1);
	assert_string_equal(c.overlays, "");
	assert_string_equal(c.device_tree, "");
	assert_string_equal(c.initramfs, "initrd.gz");
	assert_int_equal(c.enable_uart, 1);
	assert_string_equal(c.cmdline, "");

	pi_config_parse(filters, PI_4, &c);
	assert_string_equal(c.kernel, "kernel7l.img");
	assert_int_equal(c.arm_64bit, 1);

	pi_config_parse(filters, PI_ZERO2, &c); /* [pi0] holds on a Zero 2 */
	assert_string_equal(c.kernel, "zImage");
	assert_string_equal(c.overlays, "dwc2");

	pi_config_parse(NULL, PI_3, &c);
	assert_int_equal(c.lines, 0);
	assert_int_equal(c.arm_64bit, -1);
}

static const char *dtb; /* --dtb */

static int pick(const char *const *names, size_t n, const char *cfg,
		struct part *p, const char *board, struct pi_board *b,
		char *err, size_t errlen)
{
	int rc;

	err[0] = '\0';
	rc = pi_board_pick(names, n, cfg, head, p, board, dtb, b, err, errlen);
	if (rc == 0)
		print_message("# %s\n", b->why);
	else
		print_message("# refused: %s\n", err);
	return rc;
}

static void test_buildroot_boards(void **state)
{
	static const char *const zero_w[] = {
		"bcm2708-rpi-zero-w.dtb",
		"bootcode.bin",
		"cmdline.txt",
		"config.txt",
		"fixup.dat",
		"start.elf",
		"overlays",
		"zImage",
	};
	static const char *const pi2[] = { "bcm2709-rpi-2-b.dtb", "config.txt",
					   "zImage", "start.elf" };
	static const char *const pi3[] = {
		"bcm2710-rpi-cm3.dtb",
		"bcm2710-rpi-3-b-plus.dtb",
		"bcm2710-rpi-3-b.dtb",
		"config.txt",
		"zImage",
	};
	static const char *const pi3_64[] = {
		"bcm2710-rpi-3-b.dtb",
		"bcm2710-rpi-3-b-plus.dtb",
		"bcm2710-rpi-cm3.dtb",
		"config.txt",
		"Image",
	};
	static const char *const zero2_64[] = { "bcm2710-rpi-zero-2-w.dtb",
						"config.txt", "Image" };
	static const char *const pi4[] = { "bcm2711-rpi-4-b.dtb",
					   "bcm2711-rpi-cm4.dtb", "config.txt",
					   "zImage" };
	struct part p = { .zimage = { "zImage" }, .arm64 = { "Image" } };
	struct pi_board b;
	char err[300];

	(void)state;
	assert_int_equal(pick(zero_w, N(zero_w), cfg_br32, &p, NULL, &b, err,
			      sizeof(err)),
			 0);
	assert_int_equal(b.family, PI_ZERO);
	assert_string_equal(b.machine, "raspi0");
	assert_string_equal(b.qemu, "qemu-system-arm");
	assert_string_equal(b.kernel, "zImage");
	assert_string_equal(b.dtb, "bcm2708-rpi-zero-w.dtb");
	assert_false(b.arm64);

	assert_int_equal(
		pick(pi2, N(pi2), cfg_br32, &p, NULL, &b, err, sizeof(err)), 0);
	assert_string_equal(b.machine, "raspi2b");
	assert_int_equal(b.family, PI_2);
	assert_string_equal(b.dtb, "bcm2709-rpi-2-b.dtb");

	assert_int_equal(
		pick(pi3, N(pi3), cfg_br32, &p, NULL, &b, err, sizeof(err)), 0);
	assert_string_equal(b.machine, "raspi2b");
	assert_int_equal(b.family, PI_3);
	assert_string_equal(b.dtb, "bcm2710-rpi-3-b.dtb"); /* not the CM3 */
	assert_non_null(strstr(b.why, "32-bit mode"));

	assert_int_equal(pick(pi3_64, N(pi3_64), cfg_br64, &p, NULL, &b, err,
			      sizeof(err)),
			 0);
	assert_string_equal(b.machine, "raspi3b");
	assert_string_equal(b.qemu, "qemu-system-aarch64");
	assert_string_equal(b.kernel, "Image");
	assert_string_equal(b.dtb, "bcm2710-rpi-3-b.dtb");
	assert_true(b.arm64);

	assert_int_equal(pick(zero2_64, N(zero2_64), cfg_br64, &p, NULL, &b,
			      err, sizeof(err)),
			 0);
	assert_string_equal(b.machine, "raspi3b");
	assert_int_equal(b.family, PI_ZERO2);
	assert_string_equal(b.dtb, "bcm2710-rpi-zero-2-w.dtb");

	/* Pi 4: refused in one line, with the fall-back */
	assert_int_equal(pick(pi4, N(pi4), cfg_br32, &p, NULL, &b, err,
			      sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "Pi 4"));
	assert_non_null(strstr(err, "--rootfs"));
	assert_null(strchr(err, '\n'));
}

static void test_other_layouts(void **state)
{
	/* this project's sdcard.img: mainline DTB names, Debian's Image */
	static const char *const ours[] = { "Image", "bcm2837-rpi-3-b.dtb",
					    "cmdline.txt", "config.txt",
					    "initramfs.cpio" };
	static const char ours_cfg[] =
		"arm_64bit=1\nkernel=Image\n"
		"initramfs initramfs.cpio followkernel\n";
	/* Raspberry Pi OS (32-bit): every DTB and four kernels, no kernel= */
	static const char *const pios[] = {
		"bcm2708-rpi-b.dtb",   "bcm2708-rpi-zero-w.dtb",
		"bcm2709-rpi-2-b.dtb", "bcm2710-rpi-3-b.dtb",
		"bcm2711-rpi-4-b.dtb", "kernel.img",
		"kernel7.img",	       "kernel7l.img",
		"kernel8.img",	       "config.txt",
	};
	struct part p = { .zimage = { "zImage" }, .arm64 = { "Image" } };
	struct part po = { .zimage = { "kernel.img", "kernel7.img",
				       "kernel7l.img" },
			   .arm64 = { "kernel8.img" } };
	struct pi_board b;
	char err[300];

	(void)state;
	assert_int_equal(pick(ours, N(ours), ours_cfg, &p, NULL, &b, err,
			      sizeof(err)),
			 0);
	assert_string_equal(b.machine, "raspi3b");
	assert_string_equal(b.dtb, "bcm2837-rpi-3-b.dtb");

	assert_int_equal(pick(pios, N(pios), "dtparam=audio=on\n", &po, NULL,
			      &b, err, sizeof(err)),
			 0);
	assert_string_equal(b.machine, "raspi2b");
	assert_string_equal(b.kernel, "kernel7.img");
	assert_string_equal(b.dtb, "bcm2710-rpi-3-b.dtb");
	/* with arm_64bit=1, the same card boots kernel8.img on a Pi 3 */
	assert_int_equal(pick(pios, N(pios), "arm_64bit=1\n", &po, NULL, &b,
			      err, sizeof(err)),
			 0);
	assert_string_equal(b.machine, "raspi3b");
	assert_string_equal(b.kernel, "kernel8.img");
	/* --board picks the Zero W's DTB and kernel.img */
	assert_int_equal(pick(pios, N(pios), "", &po, "raspi0", &b, err,
			      sizeof(err)),
			 0);
	assert_string_equal(b.kernel, "kernel.img");
	assert_string_equal(b.dtb, "bcm2708-rpi-zero-w.dtb");
	assert_non_null(strstr(b.why, "--board"));
	/* device_tree= wins */
	assert_int_equal(pick(pios, N(pios),
			      "device_tree=bcm2709-rpi-2-b.dtb\n", &po, NULL,
			      &b, err, sizeof(err)),
			 0);
	assert_int_equal(b.family, PI_2);
	assert_string_equal(b.dtb, "bcm2709-rpi-2-b.dtb");
	assert_string_equal(b.kernel, "kernel7.img");
}

static void test_refusals(void **state)
{
	static const char *const pi3[] = { "bcm2710-rpi-3-b.dtb", "zImage",
					   "Image", "junk.img" };
	static const char *const nodtb[] = { "zImage", "config.txt" };
	static const char *const nokernel[] = { "bcm2710-rpi-3-b.dtb",
						"config.txt" };
	struct part p = { .zimage = { "zImage" },
			  .arm64 = { "Image" },
			  .junk = { "junk.img" } };
	struct pi_board b;
	char err[300];

	(void)state;
	/* a 32-bit kernel on raspi3b, a 64-bit one on raspi2b */
	assert_int_equal(pick(pi3, N(pi3), "kernel=zImage\n", &p, "raspi3b", &b,
			      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "--board raspi2b"));
	assert_int_equal(pick(pi3, N(pi3), "kernel=Image\n", &p, "raspi2b", &b,
			      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "--board raspi3b"));
	assert_int_equal(pick(pi3, N(pi3), "kernel=Image\n", &p, "raspi9", &b,
			      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "raspi0 raspi1ap raspi2b raspi3b"));
	/* a kernel that is neither */
	assert_int_equal(pick(pi3, N(pi3), "kernel=junk.img\n", &p, NULL, &b,
			      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "junk.img: neither"));
	/* kernel= or device_tree= naming a file that is not there */
	assert_int_equal(pick(pi3, N(pi3), "kernel=gone.img\n", &p, NULL, &b,
			      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "kernel=gone.img"));
	assert_int_equal(
		pick(pi3, N(pi3),
		     "kernel=zImage\ndevice_tree=bcm2837-rpi-3-b.dtb\n", &p,
		     NULL, &b, err, sizeof(err)),
		-1);
	assert_non_null(strstr(err, "device_tree=bcm2837-rpi-3-b.dtb"));
	/* no DTB: say how to give one */
	assert_int_equal(
		pick(nodtb, N(nodtb), "", &p, NULL, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--dtb"));
	/* ... unless --board says which board it is */
	assert_int_equal(pick(nodtb, N(nodtb), "", &p, "raspi2b", &b, err,
			      sizeof(err)),
			 0);
	assert_string_equal(b.dtb, "");
	/* ... or --dtb gives one: by its name, else the kernel's kind */
	dtb = "/home/me/bcm2708-rpi-zero-w.dtb";
	assert_int_equal(
		pick(nodtb, N(nodtb), "", &p, NULL, &b, err, sizeof(err)), 0);
	assert_string_equal(b.machine, "raspi0");
	assert_string_equal(b.dtb, dtb);
	dtb = "/home/me/board.dtb";
	assert_int_equal(
		pick(nodtb, N(nodtb), "", &p, NULL, &b, err, sizeof(err)), 0);
	assert_string_equal(b.machine, "raspi2b");
	assert_non_null(strstr(b.why, "(--dtb)"));
	dtb = NULL;
	assert_int_equal(pick(nokernel, N(nokernel), "", &p, NULL, &b, err,
			      sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no kernel"));
	assert_int_equal(pick(nokernel, N(nokernel), NULL, &p, NULL, &b, err,
			      sizeof(err)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_kind),
		cmocka_unit_test(test_dtb_family),
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_buildroot_boards),
		cmocka_unit_test(test_other_layouts),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("piboard", tests, NULL, NULL);
}
