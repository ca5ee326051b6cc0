// SPDX-License-Identifier: MIT
/*
 * cases/qemu's group qemu-sdcard: the SD card image, a root file system
 * and a user's own root file system, each through "mclab qemu up" (the
 * CLI, as a user runs it): the router forwards the field report's flow,
 * the user's files are unchanged, and a user's image is logged in to on
 * its console.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include "common.h"
#include "console.h"
#include "kconfig.h"
#include "qemu.h"
#include "qemu_case.h"

/* ---- the SD card image, through mclab qemu up --image ------------------- */

struct sdfx {
	char skip[1024];
	char mclab[512];
	char image[512];
	char rootfs[512];
	char userfs[512];
	char id[64];
	pid_t keeper;
};

static int run_cmd(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	if (!p)
		return -1;
	while (out && n + 1 < len) {
		size_t r = fread(out + n, 1, len - n - 1, p);

		if (!r)
			break;
		n += r;
	}
	if (out)
		out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup_sd(void **state)
{
	static struct sdfx f;
	const char *dir, *why;
	char out[4096], cmd[2048];
	uint64_t t0;

	memset(&f, 0, sizeof(f));
	*state = &f;
	if (router_kind_from_env() != ROUTER_MCROUTED) {
		/* the same SD card path for any router: tested once */
		snprintf(f.skip, sizeof(f.skip),
			 "mclab qemu up runs mcrouted, not ROUTER=%s",
			 getenv("ROUTER"));
		return 0;
	}
	if (geteuid() != 0) {
		snprintf(f.skip, sizeof(f.skip), "needs root");
		return 0;
	}
	why = qemu_available(QEMU_VIRT);
	if (why) {
		snprintf(f.skip, sizeof(f.skip), "%s", why);
		return 0;
	}
	if (!router_find_tool("mclab", f.mclab, sizeof(f.mclab))) {
		snprintf(f.skip, sizeof(f.skip), "no mclab binary");
		return 0;
	}
	dir = qemu_image_dir();
	/*
	 * build the SD card and the root file system image from the image
	 * (qemu/Makefile's sdcard and rootfs targets)
	 */
	t0 = mono_ns();
	snprintf(cmd, sizeof(cmd),
		 "make -s -C '%s/..' sdcard rootfs userfs 2>&1", dir);
	if (run_cmd(cmd, out, sizeof(out)) != 0) {
		snprintf(f.skip, sizeof(f.skip),
			 "make sdcard rootfs userfs failed: %.900s", out);
		return 0;
	}
	snprintf(f.image, sizeof(f.image), "%s/sdcard.img", dir);
	snprintf(f.rootfs, sizeof(f.rootfs), "%s/rootfs.ext4", dir);
	snprintf(f.userfs, sizeof(f.userfs), "%s/user-rootfs.ext4", dir);
	INFO("sdcard.img, rootfs.ext4 and user-rootfs.ext4 built in %.1f s\n",
	     (mono_ns() - t0) / 1e9);
	return 0;
}

static int teardown_sd(void **state)
{
	struct sdfx *f = *state;
	char cmd[1024];

	if (f->id[0]) {
		snprintf(cmd, sizeof(cmd),
			 "'%s' --lab %s qemu down >/dev/null 2>&1", f->mclab,
			 f->id);
		run_cmd(cmd, NULL, 0);
	}
	if (f->keeper > 0) {
		lab_untrack_pid(f->keeper);
		kill(f->keeper, SIGKILL);
	}
	lab_sweep(false);
	return 0;
}

/* md5sum of FILE (the user's image must never change), into sum[33]. */
static void md5_of(const char *file, char sum[33])
{
	char cmd[1024], out[256];

	snprintf(cmd, sizeof(cmd), "md5sum < '%s'", file);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
	snprintf(sum, 33, "%.32s", out);
}

/*
 * mclab qemu up with a user's image (OPT FILE, then MORE: further options
 * or NULL); the guest's console then says CONSOLE (unless NULL).  mclab's
 * output goes to out.  The lab is f->id until user_down().
 */
static void user_up(struct sdfx *f, const char *opt, const char *file,
		    const char *more, const char *console, char *out,
		    size_t len)
{
	char cmd[2048], *p;
	int rc, pid = 0;
	uint64_t t0 = mono_ns();

	snprintf(cmd, sizeof(cmd), "'%s' qemu up --profile %s %s '%s' %s 2>&1",
		 f->mclab, qemu_profile_name(profile_env()), opt, file,
		 more ? more : "");
	rc = run_cmd(cmd, out, len);
	print_message("# %s\n# %s", cmd, out);
	assert_int_equal(rc, 0);
	INFO("mclab qemu up %s: ready in %.2f s\n", opt,
	     (mono_ns() - t0) / 1e9);
	p = strstr(out, "lab mcl-");
	assert_non_null(p);
	sscanf(p + 4, "%63s", f->id);
	sscanf(f->id + 4, "%d", &pid);
	f->keeper = pid;
	lab_track_pid(NULL, f->keeper);
	if (console) {
		/* what the guest said on its console */
		char path[512] = "", *text;

		p = strstr(out, "console log ");
		assert_non_null(p);
		sscanf(p + 12, "%511s", path);
		text = mclab_read_file(path);
		assert_non_null(text);
		if (!strstr(text, console))
			print_message("# %s has no \"%s\":\n%s\n", path,
				      console, text);
		assert_non_null(strstr(text, console));
		free(text);
	}
}

/* mclab qemu down of f->id; FILE's md5 is still SUM. */
static void user_down(struct sdfx *f, const char *file, const char *sum)
{
	char cmd[1024], out[4096], now[33];

	snprintf(cmd, sizeof(cmd), "'%s' --lab %s qemu down 2>&1", f->mclab,
		 f->id);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
	f->id[0] = '\0';
	lab_untrack_pid(f->keeper);
	f->keeper = 0;
	md5_of(file, now);
	assert_string_equal(sum, now);
}

/*
 * mclab qemu up with a user's image: the router forwards the field
 * report's flow, mclab qemu down ends it, and FILE is unchanged.
 */
static void up_and_forward(struct sdfx *f, const char *opt, const char *file,
			   const char *more, const char *console)
{
	char out[8192], sum[33];
	struct topo *t;
	struct lab *lab;
	struct cap *c;
	struct udp_tx_stats st;
	bool ok;

	md5_of(file, sum);
	user_up(f, opt, file, more, console, out, sizeof(out));
	t = topo_load("pi-router", out, sizeof(out));
	assert_non_null(t);
	lab = lab_attach(t, f->id, out, sizeof(out));
	assert_non_null(lab);
	c = cap_start(lab_node(lab, "rcv")->ns, "eth0", "udp");
	assert_non_null(c);
	/*
	 * The field report's config is a (*,G) route: the first datagram's
	 * upcall installs it, and the kernel queues only a few meanwhile.  A
	 * primer first; counting starts once it came out on usb0.
	 */
	{
		struct udp_tx_opts po = { .netns = lab_node(lab, "snd")->ns,
					  .ifname = "eth0",
					  .src = "192.0.2.2",
					  .group = "225.1.2.3",
					  .sport = CASE_SPORT,
					  .dport = CASE_PORT,
					  .ttl = 10,
					  .count = 1,
					  .stream = 900 };
		struct pkt_match pm = { .dst = "225.1.2.3",
					.has_stream = true,
					.stream = 900 };
		bool primed = false;

		for (int i = 0; i < 20 && !primed; i++) {
			po.first_seq = (uint32_t)i;
			assert_int_equal(udp_send(&po, &st), 0);
			primed = cap_wait(c, &pm, 1, 250);
		}
		assert_true(primed);
	}
	assert_int_equal(udp_send(
				 &(struct udp_tx_opts){
					 .netns = lab_node(lab, "snd")->ns,
					 .ifname = "eth0",
					 .src = "192.0.2.2",
					 .group = "225.1.2.3",
					 .sport = CASE_SPORT,
					 .dport = CASE_PORT,
					 .ttl = 10,
					 .count = 30,
					 .pps = 500,
					 .stream = 901 },
				 &st),
			 0);
	ok = expect_exact(c,
			  &(struct pkt_match){ .dst = "225.1.2.3",
					       .ttl = 9,
					       .has_stream = true,
					       .stream = 901 },
			  30, "qemu-sdcard");
	cap_free(c);
	lab_detach(lab);
	/*
	 * mclab on the router node reaches the guest (the keeper's
	 * forwarder), not the namespace the guest stands in for: its own
	 * machine, and the MFC entry this flow made there
	 */
	{
		char cmd[1024], arch[256], status[8192];
		int rc_arch, rc_status;

		snprintf(cmd, sizeof(cmd),
			 "'%s' --lab %s exec rtr -- uname -m 2>&1", f->mclab,
			 f->id);
		rc_arch = run_cmd(cmd, arch, sizeof(arch));
		snprintf(cmd, sizeof(cmd), "'%s' --lab %s status 2>&1",
			 f->mclab, f->id);
		rc_status = run_cmd(cmd, status, sizeof(status));
		print_message(
			"# mclab exec rtr -- uname -m: %s# mclab status:\n%s",
			arch, status);
		user_down(f, file, sum);
		assert_true(ok);
		assert_int_equal(rc_arch, 0);
		assert_string_equal(arch, "aarch64\n");
		assert_int_equal(rc_status, 0);
		/* the guest's mcrouted, alive as the guest sees it */
		assert_non_null(strstr(status, "ROUTER mcrouted in rtr (pid "));
		assert_null(strstr(status, "not running"));
		assert_non_null(strstr(status, "225.1.2.3"));
		assert_non_null(strstr(status, "wlan0"));
	}
}

static void test_sdcard_up(void **state)
{
	struct sdfx *f = *state;

	if (f->skip[0]) {
		print_message("# SKIP reason: %s\n", f->skip);
		skip();
	}
	up_and_forward(f, "--image", f->image, NULL, NULL);
}

/*
 * A root file system image: our kernel and initramfs mount it and hand
 * over to its init.  rootfs.ext4 holds the image's own tree, so its
 * /init (mclab.init) starts the agent and says which device / is on.
 */
static void test_rootfs_up(void **state)
{
	struct sdfx *f = *state;

	if (f->skip[0]) {
		print_message("# SKIP reason: %s\n", f->skip);
		skip();
	}
	up_and_forward(f, "--rootfs", f->rootfs, "--append mclab.init=/init",
		       profile_env() == QEMU_RASPI3B ?
			       "root /dev/mmcblk0 (ext4)" :
			       "root /dev/vda (ext4)");
}

/*
 * A user's root file system without our agent (rootfs.ext4's stand-in
 * for a Buildroot one: busybox init, a getty on the console, hostname
 * buildroot): mclab qemu up --rootfs counts it ready at its login prompt.
 */
/*
 * An image without our agent, driven as a user's is: log in at its getty
 * over the serial console (console.c) and run commands there, their
 * output and exit status framed by markers.
 */
static void console_session(struct sdfx *f)
{
	char path[300], sock[200] = "", *st, *p, *out = NULL, err[300];
	struct console c;
	uint64_t t0;
	int rc;

	snprintf(path, sizeof(path), "/run/mclab/%s.qemu", f->id);
	st = mclab_read_file(path);
	assert_non_null(st);
	p = strstr(st, "console ");
	assert_non_null(p);
	sscanf(p + 8, "%199s", sock);
	free(st);
	assert_int_equal(console_open(&c, sock), 0);
	t0 = mono_ns();
	rc = console_login(&c, "root", "", 30000, err, sizeof(err));
	if (rc)
		print_message("# %s\n", err);
	assert_int_equal(rc, 0);
	INFO("console login as root: %.0f ms\n", (mono_ns() - t0) / 1e6);
	/* the guest's own kernel and proc files, through its own shell */
	assert_int_equal(console_run(&c, 10000, &out, "uname -m; hostname"), 0);
	assert_non_null(strstr(out, "aarch64\nbuildroot\n"));
	free(out);
	assert_int_equal(
		console_run(&c, 10000, &out,
			    "cat /proc/sys/net/ipv4/conf/all/mc_forwarding"),
		0);
	assert_string_equal(out, "0\n"); /* no router in this image */
	free(out);
	/* exit status and stderr come back */
	assert_int_equal(console_run(&c, 10000, &out, "ls /nonexistent"), 1);
	assert_non_null(strstr(out, "No such file"));
	free(out);
	/* a file written through the console, every byte value kept */
	{
		unsigned char data[256];

		for (int i = 0; i < 256; i++)
			data[i] = (unsigned char)i;
		assert_int_equal(console_write_file(&c, "/tmp/bytes", data,
						    sizeof(data)),
				 0);
		assert_int_equal(
			console_run(&c, 10000, &out,
				    "wc -c </tmp/bytes; md5sum /tmp/bytes"),
			0);
		/* md5 of the bytes 0..255 */
		assert_non_null(strstr(out, "256\n"));
		assert_non_null(
			strstr(out, "e2c865db4162bed963bfaa9ef6ac18f0"));
		free(out);
	}
	console_close(&c);
}

static void test_user_rootfs_login(void **state)
{
	struct sdfx *f = *state;
	char out[8192], sum[33];

	if (f->skip[0]) {
		print_message("# SKIP reason: %s\n", f->skip);
		skip();
	}
	md5_of(f->userfs, sum);
	user_up(f, "--rootfs", f->userfs, "--no-router",
		"buildroot login:", out, sizeof(out));
	assert_non_null(strstr(out, "login prompt after"));
	console_session(f);
	user_down(f, f->userfs, sum);
}

int qemu_sdcard_group(void)
{
	const struct CMUnitTest sd[] = {
		cmocka_unit_test(test_sdcard_up),
		cmocka_unit_test(test_rootfs_up),
		cmocka_unit_test(test_user_rootfs_login),
	};

	return cmocka_run_group_tests_name("qemu-sdcard", sd, setup_sd,
					   teardown_sd);
}
