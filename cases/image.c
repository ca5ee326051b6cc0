// SPDX-License-Identifier: MIT
/*
 * mclab check --image on stand-ins for users' Buildroot SD card images
 * (qemu/scripts/mkstandin.sh: nothing of ours inside, Debian's smcrouted
 * started by S41smcroute with the field report's smcroute.conf and its
 * mangle rule):
 *
 *   zerow     Pi Zero W, 32-bit ARMv6 (armel), qemu-system-arm -M raspi0
 *   pi3-32    Pi 3 in 32-bit mode (armhf), qemu-system-arm -M raspi2b
 *   pi3-64    Pi 3, 64-bit (arm64), qemu-system-aarch64 -M raspi3b
 *
 * pass, naming smcrouted as the router under test and the board picked;
 *
 *   nomroute  the Zero W's image on a kernel without IP_MROUTE
 *   wrongif   the Zero W's image routing the group to eth0, not usb0
 *   pi4       a Pi 4's boot partition (no qemu machine for it)
 *
 * fail, at the checks that say why (the Pi 4 in one line, with the
 * fall-back).  pi3-32 also masquerades on usb0: its NAT row passes.  The image file is unchanged after
 * each run (md5, computed here and not only by the check itself).
 *
 * The checks run in this process (img_check(), what mclab check calls)
 * against namespaces on this host: the image's own kernel routes, so this
 * host needs no multicast routing.  Skips, saying why, when qemu or the
 * stand-ins are missing ("make -C qemu standins"; make check builds them
 * as root).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "deadline.h"
#include "imgcheck.h"
#include "qemu.h"

static struct img_report rep;

/* The stand-in's path, or NULL with the reason for a skip in why. */
static const char *standin(const char *name, const char *qemu, char *path,
			   size_t len, char *why, size_t wlen)
{
	const char *dir = qemu_image_dir();
	struct stat st;
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null", qemu);
	if (system(cmd) != 0) {
		snprintf(why, wlen,
			 "%s is not installed (ci/install-deps --qemu)", qemu);
		return NULL;
	}
	snprintf(path, len, "%s/standin-%s.img", dir ? dir : "qemu/out", name);
	if (stat(path, &st) < 0) {
		snprintf(why, wlen, "%s missing (make -C qemu standins)", path);
		return NULL;
	}
	return path;
}

static void md5(const char *path, char *out)
{
	char cmd[PATH_MAX + 32];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "md5sum '%s'", path);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%32s", out) != 1)
			out[0] = '\0';
		pclose(p);
	}
}

static const struct img_row *row(const char *prefix)
{
	for (int i = 0; i < rep.nrows; i++)
		if (!strncmp(rep.rows[i].name, prefix, strlen(prefix)))
			return &rep.rows[i];
	return NULL;
}

static bool has_fact(const char *text)
{
	for (int i = 0; i < rep.nfacts; i++)
		if (strstr(rep.facts[i], text))
			return true;
	return false;
}

/* Run the check on a stand-in; its exit status, the table printed. */
static int run(const char *name, const char *qemu)
{
	char path[PATH_MAX], why[PATH_MAX + 64], dir[600], before[40],
		after[40];
	struct img_check_opts o = { .user = "root" };
	int rc;

	if (!standin(name, qemu, path, sizeof(path), why, sizeof(why))) {
		print_message("# SKIP reason: %s\n", why);
		skip();
	}
	o.image = path;
	md5(path, before);
	rc = img_check(&o, &rep, dir, sizeof(dir));
	md5(path, after);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		img_print(&rep, f);
		fclose(f);
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			print_message("# %s\n", l);
		free(buf);
	}
	INFO("%s: exit %d, %d checks in %.1f s (boot: %s)\n", name, rc,
	     rep.nrows, rep.total_secs,
	     row("boot") ? row("boot")->detail : "-");
	assert_non_null(before[0] ? before : NULL);
	assert_string_equal(before, after);
	return rc;
}

static void passes(const char *name, const char *qemu, const char *machine)
{
	int rc = run(name, qemu);
	char want[64];

	assert_int_equal(rc, 0);
	assert_true(has_fact("router under test: smcrouted"));
	snprintf(want, sizeof(want), "-M %s", machine);
	assert_true(has_fact(want));
	/* the checks that carry the field report ran, not skipped */
	for (const char *const *n =
		     (const char *const[]){ "boot", "router", "kernel options",
					    "mc_forwarding", "VIFs",
					    "TTL sweep", "route 225.1.2.3",
					    "route ff0e::1:3", "mangle", NULL };
	     *n; n++) {
		const struct img_row *r = row(*n);

		assert_non_null(r);
		assert_int_equal(r->st, IMG_PASS);
	}
}

static void test_zerow(void **state)
{
	(void)state;
	passes("zerow", "qemu-system-arm", "raspi0");
}

static void test_pi3_32(void **state)
{
	(void)state;
	passes("pi3-32", "qemu-system-arm", "raspi2b");
}

static void test_pi3_64(void **state)
{
	(void)state;
	passes("pi3-64", "qemu-system-aarch64", "raspi3b");
}

/* pi3-32 sets up the field report's NAT too (S43nat) */
static void test_pi3_32_nat(void **state)
{
	const struct img_row *n;

	(void)state;
	assert_int_equal(run("pi3-32", "qemu-system-arm"), 0);
	n = row("NAT MASQUERADE -o usb0");
	assert_non_null(n);
	assert_int_equal(n->st, IMG_PASS);
	assert_non_null(strstr(n->detail, "10 from 198.51.100.1"));
}

/* A Pi 4's image: refused in one line, naming the fall-back */
static void test_pi4_refused(void **state)
{
	const struct img_row *b;

	(void)state;
	assert_int_equal(run("pi4", "qemu-system-aarch64"), 1);
	b = row("boot");
	assert_non_null(b);
	assert_int_equal(b->st, IMG_FAIL);
	assert_non_null(strstr(b->detail, "Pi 4"));
	assert_non_null(strstr(b->detail, "--rootfs"));
	assert_null(strchr(b->detail, '\n'));
}

static void test_no_ip_mroute(void **state)
{
	const struct img_row *k, *m;

	(void)state;
	assert_int_equal(run("nomroute", "qemu-system-arm"), 1);
	k = row("kernel options");
	m = row("mc_forwarding");
	assert_non_null(k);
	assert_non_null(m);
	assert_int_equal(k->st, IMG_FAIL);
	assert_non_null(strstr(k->detail, "IP_MROUTE"));
	assert_int_equal(m->st, IMG_FAIL);
	assert_int_equal(row("image unchanged")->st, IMG_PASS);
}

static void test_wrong_interface(void **state)
{
	const struct img_row *v, *r;

	(void)state;
	assert_int_equal(run("wrongif", "qemu-system-arm"), 1);
	v = row("VIFs");
	r = row("route 225.1.2.3");
	assert_non_null(v);
	assert_non_null(r);
	assert_int_equal(v->st, IMG_FAIL);
	assert_non_null(strstr(v->detail, "eth0"));
	assert_int_equal(r->st, IMG_FAIL);
	assert_non_null(strstr(r->detail, "eth0"));
	/* the router itself is fine: only its config is wrong */
	assert_int_equal(row("router")->st, IMG_PASS);
	assert_int_equal(row("kernel options")->st, IMG_PASS);
}

/*
 * The console stays usable after a command that outlives its deadline:
 * the command is interrupted, the marker renewed, and the next command's
 * answer is its own (not the late frame of the one before).
 */
static void test_console_resync(void **state)
{
	char path[PATH_MAX], why[PATH_MAX + 64], err[4096];
	struct qemu_opts q = { .profile = QEMU_RASPI3B,
			       .login_prompt = "login:",
			       .timeout_ms = 60000 };
	struct qemu_vm *vm;
	char *out = NULL;
	uint64_t t0;
	int rc;

	(void)state;
	if (!standin("pi3-64", "qemu-system-aarch64", path, sizeof(path), why,
		     sizeof(why))) {
		print_message("# SKIP reason: %s\n", why);
		skip();
	}
	q.image = path;
	vm = qemu_boot(&q, err, sizeof(err));
	if (!vm)
		fail_msg("boot: %s", err);
	if (qemu_login(vm, "root", NULL, 30000, err, sizeof(err)) < 0) {
		qemu_halt(vm);
		fail_msg("login: %s", err);
	}
	t0 = mono_ns();
	rc = qemu_exec(vm, 1000, &out, "sleep 30; echo late");
	free(out);
	out = NULL;
	assert_int_equal(rc, -1);
	rc = qemu_exec(vm, 10000, &out, "echo next; exit 3");
	INFO("a command past its 1 s deadline: interrupted, the next answered "
	     "%.1f s after the first was sent\n",
	     (double)(mono_ns() - t0) / 1e9);
	qemu_halt(vm);
	assert_int_equal(rc, 3);
	assert_non_null(out);
	assert_string_equal(out, "next\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zerow),
		cmocka_unit_test(test_pi3_32),
		cmocka_unit_test(test_pi3_32_nat),
		cmocka_unit_test(test_pi3_64),
		cmocka_unit_test(test_pi4_refused),
		cmocka_unit_test(test_no_ip_mroute),
		cmocka_unit_test(test_wrong_interface),
		cmocka_unit_test(test_console_resync),
	};

	if (geteuid() != 0) {
		printf("1..0 # SKIP not root: the lab's namespaces need root\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
