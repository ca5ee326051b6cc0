// SPDX-License-Identifier: MIT
/*
 * Unit tests for sdcard.c: the MBR's first partition (pure), and images
 * laid out as Buildroot's genimage does (MBR, vfat boot partition, a root
 * partition), made here with sfdisk, mkfs.vfat and mtools: the files
 * listed, a kernel's head read, the board picked, cmdline.txt read, and
 * the image left as it was.  Without those tools the image tests skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdcard.h"

static char dir[64];

static void test_mbr(void **state)
{
	unsigned char s[512] = { 0 };

	(void)state;
	assert_int_equal(sd_mbr_first(s, sizeof(s)), -1); /* no 55AA */
	s[510] = 0x55;
	s[511] = 0xaa;
	assert_int_equal(sd_mbr_first(s, sizeof(s)), -1); /* empty entry */
	s[446 + 4] = 0x0c; /* FAT32 LBA */
	s[454] = 0x00;
	s[455] = 0x08; /* LBA 2048 */
	assert_int_equal(sd_mbr_first(s, sizeof(s)), 2048LL * 512);
	assert_int_equal(sd_mbr_first(s, 511), -1);
	s[455] = 0;
	assert_int_equal(sd_mbr_first(s, sizeof(s)), -1); /* LBA 0 */
	assert_int_equal(sd_boot_offset("/nonexistent/sdcard.img"), -1);
}

static bool have(const char *tool)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/*
 * An image: 1 MiB gap, a 16 MiB vfat boot partition holding files (NULL
 * terminated names, contents from dir), a small root partition.
 */
static void make_image(const char *img, const char *const *files)
{
	char list[1024] = "";

	for (size_t i = 0; files[i]; i++) {
		strcat(list, " ");
		strcat(list, dir);
		strcat(list, "/");
		strcat(list, files[i]);
	}
	assert_int_equal(run("cd %s && rm -f %s && truncate -s 20M %s && "
			     "printf 'start=2048, size=32768, type=c\\n"
			     "start=34816, type=83\\n' | "
			     "sfdisk -q %s >/dev/null && "
			     "truncate -s 16M boot.vfat && "
			     "mkfs.vfat -n BOOT boot.vfat >/dev/null && "
			     "mcopy -i boot.vfat%s ::/ && "
			     "dd if=boot.vfat of=%s bs=1M seek=1 conv=notrunc "
			     "status=none && rm boot.vfat",
			     dir, img, img, img, list, img),
			 0);
}

static int setup(void **state)
{
	(void)state;
	if (!have("sfdisk") || !have("mkfs.vfat") || !have("mcopy"))
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/mclab-sdtest.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (dir[0])
		run("rm -rf %s", dir);
	return 0;
}

#define SKIP_WITHOUT_TOOLS()                                               \
	do {                                                               \
		if (!dir[0]) {                                             \
			print_message("# SKIP reason: needs sfdisk, "      \
				      "mkfs.vfat and mtools (dosfstools, " \
				      "fdisk, mtools)\n");                 \
			skip();                                            \
		}                                                          \
	} while (0)

static uint64_t file_sum(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint64_t h = 1469598103934665603ULL;
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 1099511628211ULL;
	fclose(f);
	return h;
}

static void test_zero_w_image(void **state)
{
	static const char *const files[] = { "bcm2708-rpi-zero-w.dtb",
					     "cmdline.txt", "config.txt",
					     "zImage", NULL };
	static const char cfg[] = "start_file=start.elf\nkernel=zImage\n"
				  "dtoverlay=miniuart-bt\n";
	static const char cmd[] = "root=/dev/mmcblk0p2 rootwait console=tty1 "
				  "console=ttyAMA0,115200\n";
	unsigned char z[4096] = { 0 }, *buf;
	char img[128], err[300];
	struct sd_boot b;
	uint64_t before;
	long n;

	(void)state;
	SKIP_WITHOUT_TOOLS();
	z[36] = 0x18;
	z[37] = 0x28;
	z[38] = 0x6f;
	z[39] = 0x01;
	write_file("zImage", z, sizeof(z));
	write_file("bcm2708-rpi-zero-w.dtb", "\xd0\x0d\xfe\xed", 4);
	write_file("config.txt", cfg, sizeof(cfg) - 1);
	write_file("cmdline.txt", cmd, sizeof(cmd) - 1);
	make_image("zerow.img", files);
	snprintf(img, sizeof(img), "%s/zerow.img", dir);
	before = file_sum(img);

	assert_int_equal(sd_boot_offset(img), 1048576);
	assert_int_equal(sd_inspect(img, NULL, NULL, &b, err, sizeof(err)), 0);
	print_message("# %s\n", b.board.why);
	assert_int_equal(b.nnames, 4);
	assert_string_equal(b.board.machine, "raspi0");
	assert_string_equal(b.board.dtb, "bcm2708-rpi-zero-w.dtb");
	assert_string_equal(b.board.kernel, "zImage");
	assert_string_equal(b.cfg.overlays, "miniuart-bt");
	assert_string_equal(b.cmdline, "root=/dev/mmcblk0p2 rootwait "
				       "console=tty1 console=ttyAMA0,115200");
	assert_non_null(strstr(b.config, "kernel=zImage"));

	/* a head, and the whole file */
	n = sd_read(img, b.off, "zImage", 64, &buf);
	assert_int_equal(n, 64);
	assert_int_equal(buf[36], 0x18);
	free(buf);
	n = sd_read(img, b.off, "zImage", 1u << 20, &buf);
	assert_int_equal(n, sizeof(z));
	free(buf);
	assert_int_equal(sd_read(img, b.off, "nothere.txt", 64, &buf), -1);
	assert_null(buf);
	sd_boot_free(&b);

	/* --board raspi2b on it: the Pi 2 without a DTB */
	assert_int_equal(sd_inspect(img, "raspi2b", NULL, &b, err, sizeof(err)),
			 0);
	assert_string_equal(b.board.machine, "raspi2b");
	sd_boot_free(&b);
	assert_true(file_sum(img) == before);
}

static void test_not_an_sd_image(void **state)
{
	static const char *const files[] = { "config.txt", NULL };
	char img[128], err[300];
	struct sd_boot b;

	(void)state;
	SKIP_WITHOUT_TOOLS();
	snprintf(img, sizeof(img), "%s/zeros.img", dir);
	assert_int_equal(run("truncate -s 1M %s", img), 0);
	assert_int_equal(sd_inspect(img, NULL, NULL, &b, err, sizeof(err)), -1);
	print_message("# %s\n", err);
	assert_non_null(strstr(err, "no MBR partition table"));
	sd_boot_free(&b);

	assert_int_equal(sd_inspect("/nonexistent.img", NULL, NULL, &b, err,
				    sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "No such file"));
	sd_boot_free(&b);

	/* a boot partition with no kernel */
	write_file("config.txt", "kernel=zImage\n", 14);
	make_image("nokernel.img", files);
	snprintf(img, sizeof(img), "%s/nokernel.img", dir);
	assert_int_equal(sd_inspect(img, NULL, NULL, &b, err, sizeof(err)), -1);
	print_message("# %s\n", err);
	assert_non_null(strstr(err, "kernel=zImage"));
	sd_boot_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbr),
		cmocka_unit_test(test_zero_w_image),
		cmocka_unit_test(test_not_an_sd_image),
	};

	return cmocka_run_group_tests_name("sdcard", tests, setup, teardown);
}
