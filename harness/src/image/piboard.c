// SPDX-License-Identifier: MIT
/*
 * Which Raspberry Pi an SD card image is for, and which qemu machine runs
 * it (see piboard.h).  Pure: no file is opened here.
 */
#include "piboard.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum pi_kernel pi_kernel_kind(const void *head, size_t len)
{
	const unsigned char *p = head;

	if (!p)
		return PI_KERNEL_UNKNOWN;
	/* arch/arm64/include/asm/image.h: magic "ARM\x64" at offset 56 */
	if (len >= 64 && !memcmp(p + 56, "ARM\x64", 4))
		return PI_KERNEL_ARM64;
	/* arch/arm/boot/compressed/head.S: 0x016f2818 at offset 36 (LE) */
	if (len >= 48 && p[36] == 0x18 && p[37] == 0x28 && p[38] == 0x6f &&
	    p[39] == 0x01)
		return PI_KERNEL_ZIMAGE;
	if (len >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return PI_KERNEL_GZIP;
	return PI_KERNEL_UNKNOWN;
}

const char *pi_kernel_name(enum pi_kernel k)
{
	switch (k) {
	case PI_KERNEL_ZIMAGE:
		return "32-bit ARM zImage";
	case PI_KERNEL_ARM64:
		return "arm64 Image";
	case PI_KERNEL_GZIP:
		return "gzip'ed kernel";
	default:
		return "not a kernel of a known kind";
	}
}

const char *pi_family_name(enum pi_family f)
{
	static const char *const names[] = {
		[PI_UNKNOWN] = "unknown board",
		[PI_ZERO] = "Pi Zero/Zero W",
		[PI_1] = "Pi 1",
		[PI_2] = "Pi 2",
		[PI_3] = "Pi 3",
		[PI_ZERO2] = "Pi Zero 2 W",
		[PI_4] = "Pi 4",
		[PI_5] = "Pi 5",
	};

	return (unsigned int)f < ARRAY_SIZE(names) ? names[f] : names[0];
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcasecmp(s + a - b, suf);
}

static bool starts(const char *s, const char *pre)
{
	return !strncmp(s, pre, strlen(pre));
}

enum pi_family pi_dtb_family(const char *name)
{
	/* bcmNNNN-rpi-MODEL...dtb: the Foundation's and mainline's names */
	static const struct {
		const char *soc, *model;
		enum pi_family f;
	} tab[] = {
		{ "bcm2708", "zero", PI_ZERO },
		{ "bcm2835", "zero", PI_ZERO },
		{ "bcm2708", "", PI_1 },
		{ "bcm2835", "", PI_1 },
		{ "bcm2709", "", PI_2 },
		{ "bcm2836", "", PI_2 },
		{ "bcm2710", "2-b", PI_2 },
		{ "bcm2710", "zero-2", PI_ZERO2 },
		{ "bcm2837", "zero-2", PI_ZERO2 },
		{ "bcm2710", "", PI_3 },
		{ "bcm2837", "", PI_3 },
		{ "bcm2711", "", PI_4 },
		{ "bcm2712", "", PI_5 },
	};
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	if (!has_suffix(base, ".dtb"))
		return PI_UNKNOWN;
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		size_t l = strlen(tab[i].soc);

		if (strncasecmp(base, tab[i].soc, l) ||
		    strncasecmp(base + l, "-rpi-", 5))
			continue;
		if (!strncasecmp(base + l + 5, tab[i].model,
				 strlen(tab[i].model)))
			return tab[i].f;
	}
	return PI_UNKNOWN;
}

/* ---- config.txt ---------------------------------------------------- */

/* Does a [filter] hold on a board of family f? */
static bool filter_holds(const char *flt, enum pi_family f)
{
	static const struct {
		const char *name;
		enum pi_family f;
	} models[] = {
		{ "pi0", PI_ZERO },   { "pi0", PI_ZERO2 }, { "pi0w", PI_ZERO },
		{ "pi02", PI_ZERO2 }, { "pi1", PI_1 },	   { "pi2", PI_2 },
		{ "pi3", PI_3 },      { "pi4", PI_4 },	   { "pi400", PI_4 },
		{ "cm4", PI_4 },      { "pi5", PI_5 },	   { "cm5", PI_5 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(models); i++)
		if (!strcasecmp(flt, models[i].name) && f == models[i].f)
			return true;
	return false;
}

static void set_str(char *dst, size_t len, const char *v)
{
	size_t n = strcspn(v, " \t");

	if (n >= len)
		n = len - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void config_line(char *line, struct pi_config *c)
{
	char *eq, *key = line, *val;

	if (!strncmp(line, "initramfs", 9) && isspace((unsigned char)line[9])) {
		val = line + 9;
		while (isspace((unsigned char)*val))
			val++;
		set_str(c->initramfs, sizeof(c->initramfs), val);
		return;
	}
	eq = strchr(line, '=');
	if (!eq)
		return;
	*eq = '\0';
	val = eq + 1;
	for (char *e = eq; e > key && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	while (isspace((unsigned char)*val))
		val++;
	if (!strcmp(key, "kernel"))
		set_str(c->kernel, sizeof(c->kernel), val);
	else if (!strcmp(key, "device_tree"))
		set_str(c->device_tree, sizeof(c->device_tree), val);
	else if (!strcmp(key, "cmdline"))
		set_str(c->cmdline, sizeof(c->cmdline), val);
	else if (!strcmp(key, "arm_64bit"))
		c->arm_64bit = atoi(val) ? 1 : 0;
	else if (!strcmp(key, "enable_uart"))
		c->enable_uart = atoi(val) ? 1 : 0;
	else if (!strcmp(key, "dtoverlay") && *val) {
		size_t used = strlen(c->overlays), n = strcspn(val, " \t,:");

		if (used + n + 2 < sizeof(c->overlays)) {
			if (used)
				c->overlays[used++] = ' ';
			memcpy(c->overlays + used, val, n);
			c->overlays[used + n] = '\0';
		}
	}
}

void pi_config_parse(const char *text, enum pi_family f, struct pi_config *c)
{
	bool model_ok = true, other_ok = true;
	const char *p = text;

	memset(c, 0, sizeof(*c));
	c->arm_64bit = -1;
	c->enable_uart = -1;
	while (p && *p) {
		char line[512];
		size_t n = strcspn(p, "\n");
		char *s = line, *e;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p += strcspn(p, "\n");
		if (*p)
			p++;
		c->lines++;
		line[strcspn(line, "#\r")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (!*s)
			continue;
		if (*s == '[') {
			char flt[64];

			if (sscanf(s, "[%63[^]]", flt) != 1)
				continue;
			if (!strcasecmp(flt, "all")) {
				model_ok = other_ok = true;
			} else if (!strcasecmp(flt, "none")) {
				model_ok = false;
			} else if (starts(flt, "pi") || starts(flt, "cm")) {
				model_ok = f != PI_UNKNOWN &&
					   filter_holds(flt, f);
			} else {
				/* HDMI, EDID, gpio, serial, tryboot...:
				 * nothing qemu has */
				other_ok = false;
			}
			continue;
		}
		if (model_ok && other_ok)
			config_line(s, c);
	}
}

/* ---- the board ----------------------------------------------------- */

static const struct machine {
	const char *name, *qemu, *cpu;
	bool arm64;
} machines[] = {
	{ "raspi0", "qemu-system-arm", "ARM1176 (ARMv6)", false },
	{ "raspi1ap", "qemu-system-arm", "ARM1176 (ARMv6)", false },
	{ "raspi2b", "qemu-system-arm", "Cortex-A7 (ARMv7)", false },
	{ "raspi3b", "qemu-system-aarch64", "Cortex-A53 (ARMv8)", true },
};

const char *pi_board_names(void)
{
	return "raspi0 raspi1ap raspi2b raspi3b";
}

static const struct machine *machine_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++)
		if (!strcmp(machines[i].name, name))
			return &machines[i];
	return NULL;
}

static bool has_name(const char *const *names, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(names[i], want))
			return true;
	return false;
}

/* The kernel file the firmware loads, or NULL. */
static const char *boot_kernel(const char *const *names, size_t n,
			       const struct pi_config *c, enum pi_family f)
{
	static const char *const arm64_names[] = { "kernel8.img", "Image" };
	static const char *const names32_v7[] = { "zImage", "kernel7.img",
						  "kernel.img" };
	static const char *const names32_v6[] = { "zImage", "kernel.img",
						  "kernel7.img" };
	static const char *const any[] = { "zImage", "Image", "kernel8.img",
					   "kernel7.img", "kernel.img" };
	const char *const *list = any;
	size_t len = ARRAY_SIZE(any);

	if (c->kernel[0])
		return has_name(names, n, c->kernel) ? c->kernel : NULL;
	if (c->arm_64bit == 1) {
		list = arm64_names;
		len = ARRAY_SIZE(arm64_names);
	} else if (f == PI_ZERO || f == PI_1) {
		list = names32_v6;
		len = ARRAY_SIZE(names32_v6);
	} else if (f != PI_UNKNOWN) {
		list = names32_v7;
		len = ARRAY_SIZE(names32_v7);
	}
	for (size_t i = 0; i < len; i++)
		for (size_t j = 0; j < n; j++)
			if (!strcasecmp(names[j], list[i]))
				return names[j];
	return NULL;
}

/* The DTB of family f to boot: the plain board's before its variants. */
static const char *family_dtb(const char *const *names, size_t n,
			      enum pi_family f)
{
	static const char *const plain[] = {
		"bcm2708-rpi-zero-w.dtb",   "bcm2835-rpi-zero-w.dtb",
		"bcm2708-rpi-b-plus.dtb",   "bcm2835-rpi-b-plus.dtb",
		"bcm2709-rpi-2-b.dtb",	    "bcm2836-rpi-2-b.dtb",
		"bcm2710-rpi-3-b.dtb",	    "bcm2837-rpi-3-b.dtb",
		"bcm2710-rpi-zero-2-w.dtb", "bcm2837-rpi-zero-2-w.dtb",
		"bcm2711-rpi-4-b.dtb",	    "bcm2712-rpi-5-b.dtb",
	};
	const char *first = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (pi_dtb_family(plain[i]) == f)
			for (size_t j = 0; j < n; j++)
				if (!strcasecmp(names[j], plain[i]))
					return names[j];
	for (size_t j = 0; j < n && !first; j++)
		if (pi_dtb_family(names[j]) == f)
			first = names[j];
	return first;
}

static enum pi_kernel kind_of(pi_head_fn head, void *arg, const char *name)
{
	unsigned char buf[64];
	long got = name ? head(arg, name, buf, sizeof(buf)) : -1;

	return got > 0 ? pi_kernel_kind(buf, (size_t)got) : PI_KERNEL_UNKNOWN;
}

static bool runs_on(enum pi_family f, bool arm64)
{
	switch (f) {
	case PI_ZERO:
	case PI_1:
	case PI_2:
		return !arm64;
	case PI_3:
	case PI_ZERO2:
		return true;
	default:
		return false;
	}
}

/* The family to boot when nothing names it: from the DTBs present. */
static enum pi_family guess_family(const char *const *names, size_t n,
				   const char *kernel, enum pi_kernel kind)
{
	static const enum pi_family v6[] = { PI_ZERO, PI_1 };
	static const enum pi_family v7[] = { PI_3, PI_2, PI_ZERO2 };
	static const enum pi_family a64[] = { PI_3, PI_ZERO2 };
	bool arm64 = kind == PI_KERNEL_ARM64 || kind == PI_KERNEL_GZIP;
	const enum pi_family *order[2];
	size_t len[2], k = 0;
	enum pi_family unsupported = PI_UNKNOWN;

	if (arm64) {
		order[k] = a64;
		len[k++] = ARRAY_SIZE(a64);
	} else if (kernel && !strcasecmp(kernel, "kernel7.img")) {
		order[k] = v7;
		len[k++] = ARRAY_SIZE(v7);
	} else {
		/* zImage: an ARMv6 board first (Buildroot's bcmrpi kernel
		 * carries only its own DTBs, so both rarely appear) */
		order[k] = v6;
		len[k++] = ARRAY_SIZE(v6);
		order[k] = v7;
		len[k++] = ARRAY_SIZE(v7);
	}
	for (size_t o = 0; o < k; o++)
		for (size_t i = 0; i < len[o]; i++)
			if (family_dtb(names, n, order[o][i]))
				return order[o][i];
	for (size_t j = 0; j < n; j++) {
		enum pi_family f = pi_dtb_family(names[j]);

		if (f == PI_4 || f == PI_5)
			unsupported = f;
	}
	return unsupported;
}

static enum pi_family family_of_machine(const char *m, const char *const *names,
					size_t n)
{
	if (!strcmp(m, "raspi0"))
		return PI_ZERO;
	if (!strcmp(m, "raspi1ap"))
		return PI_1;
	if (!strcmp(m, "raspi2b"))
		return family_dtb(names, n, PI_2)     ? PI_2 :
		       family_dtb(names, n, PI_3)     ? PI_3 :
		       family_dtb(names, n, PI_ZERO2) ? PI_ZERO2 :
							PI_2;
	return family_dtb(names, n, PI_ZERO2) && !family_dtb(names, n, PI_3) ?
		       PI_ZERO2 :
		       PI_3;
}

static const struct machine *machine_for(enum pi_family f, bool arm64)
{
	switch (f) {
	case PI_ZERO:
		return machine_by_name("raspi0");
	case PI_1:
		return machine_by_name("raspi1ap");
	case PI_2:
		return machine_by_name("raspi2b");
	case PI_3:
	case PI_ZERO2:
		return machine_by_name(arm64 ? "raspi3b" : "raspi2b");
	default:
		return NULL;
	}
}

int pi_board_pick(const char *const *names, size_t n, const char *cfg_text,
		  pi_head_fn head, void *arg, const char *board,
		  const char *user_dtb, struct pi_board *out, char *err,
		  size_t errlen)
{
	const struct machine *m = NULL;
	struct pi_config c0, c;
	enum pi_family f = PI_UNKNOWN;
	enum pi_kernel kind;
	const char *kernel, *dtb;
	bool arm64;

	memset(out, 0, sizeof(*out));
	pi_config_parse(cfg_text, PI_UNKNOWN, &c0);
	if (board) {
		m = machine_by_name(board);
		if (!m) {
			snprintf(err, errlen, "--board %s: not one of %s",
				 board, pi_board_names());
			return -1;
		}
		f = family_of_machine(board, names, n);
	} else if (user_dtb) {
		f = pi_dtb_family(user_dtb);
	} else if (c0.device_tree[0]) {
		f = pi_dtb_family(c0.device_tree);
	}
	if (f == PI_UNKNOWN) {
		kernel = boot_kernel(names, n, &c0, PI_UNKNOWN);
		kind = kind_of(head, arg, kernel);
		f = guess_family(names, n, kernel, kind);
		if (f == PI_UNKNOWN && user_dtb)
			f = kind == PI_KERNEL_ZIMAGE ? PI_2 : PI_3;
	}
	pi_config_parse(cfg_text, f, &c);
	kernel = boot_kernel(names, n, &c, f);
	if (!kernel) {
		if (c.kernel[0])
			snprintf(err, errlen,
				 "config.txt names kernel=%s, which is not in "
				 "the boot partition",
				 c.kernel);
		else
			snprintf(err, errlen,
				 "no kernel in the boot partition (zImage, "
				 "Image, kernel*.img)");
		return -1;
	}
	kind = kind_of(head, arg, kernel);
	if (kind == PI_KERNEL_UNKNOWN) {
		snprintf(err, errlen,
			 "%s: neither a 32-bit ARM zImage nor an arm64 Image",
			 kernel);
		return -1;
	}
	arm64 = kind != PI_KERNEL_ZIMAGE;
	if (f == PI_4 || f == PI_5) {
		snprintf(err, errlen,
			 "a Raspberry %s image: qemu 7.2 has no machine for "
			 "it; boot its root file system on our kernel instead: "
			 "mclab qemu up --rootfs ROOTFS.ext4",
			 pi_family_name(f));
		return -1;
	}
	if (!m)
		m = machine_for(f, arm64);
	if (!m) {
		snprintf(err, errlen,
			 "no Raspberry Pi DTB in the boot partition for the "
			 "%s %s: name one with --dtb FILE, or the board with "
			 "--board (%s)",
			 pi_kernel_name(kind), kernel, pi_board_names());
		return -1;
	}
	if (m->arm64 != arm64 || !runs_on(f, arm64)) {
		snprintf(err, errlen, "%s is a%s %s: -M %s runs %s kernels%s",
			 kernel, arm64 ? "n" : "", pi_kernel_name(kind),
			 m->name, m->arm64 ? "arm64" : "32-bit ARM",
			 arm64 ? " (an arm64 image: --board raspi3b)" :
				 " (a 32-bit Pi 3 image: --board raspi2b)");
		return -1;
	}
	if (user_dtb) {
		dtb = user_dtb;
	} else if (c.device_tree[0]) {
		if (!has_name(names, n, c.device_tree)) {
			snprintf(err, errlen,
				 "config.txt names device_tree=%s, which is "
				 "not in the boot partition",
				 c.device_tree);
			return -1;
		}
		dtb = c.device_tree;
	} else {
		dtb = family_dtb(names, n, f);
	}
	out->family = f;
	out->arm64 = arm64;
	out->machine = m->name;
	out->qemu = m->qemu;
	out->cpu = m->cpu;
	snprintf(out->kernel, sizeof(out->kernel), "%s", kernel);
	snprintf(out->dtb, sizeof(out->dtb), "%s", dtb ? dtb : "");
	snprintf(out->why, sizeof(out->why), "%s (%s), %s%s%s: %s -M %s%s",
		 kernel, pi_kernel_name(kind), dtb ? dtb : "no DTB found",
		 user_dtb ? " (--dtb)" : "", board ? ", --board" : "", m->qemu,
		 m->name,
		 (f == PI_3 || f == PI_ZERO2) && !arm64 ?
			 " (a Pi 3's cores in 32-bit mode run as a Pi 2's)" :
			 "");
	return 0;
}
