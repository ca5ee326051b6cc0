// SPDX-License-Identifier: MIT
/*
 * mcbench 6b: the emulated Pi.  The image rebuild (qemu/scripts/mkimage.sh
 * into a scratch folder: the root tree, the initramfs and the boot files
 * from the cached packages and the cross-built router, i.e. what
 * `make -C qemu image` redoes after a change), and, per profile (virt,
 * raspi3b), RUNS boots wired into pi-router: qemu start to agent-ready,
 * the guest's own uptime then, and qemu start to router-ready (the guest
 * configured with pi-router's addresses and mcrouted answering).  No peer:
 * these are the harness's own figures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"
#include "qemu.h"

static const char conf[] = "mgroup from wlan0 group 225.1.2.3\n"
			   "mroute from wlan0 group 225.1.2.3 to usb0\n";

static void bench_rebuild(int runs)
{
	const char *out = qemu_image_dir();
	char cmd[2048], tmp[] = "/tmp/mcbench-image.XXXXXX";

	if (!out || !mkdtemp(tmp)) {
		say("qemu image rebuild: no image built (make qemu-image)\n");
		return;
	}
	/* the same inputs as qemu/Makefile's image rule */
	snprintf(
		cmd, sizeof(cmd),
		"cd %s/.. && scripts/mkimage.sh cache %s ../build/aarch64/mcrouted "
		"../build/aarch64/mcroutectl out/mcagent init/init >/dev/null",
		out, tmp);
	say("qemu image rebuild (mkimage.sh), %d runs\n", runs);
	for (int i = 0; i < runs; i++) {
		uint64_t t0 = mono_ns();
		int rc = system(cmd);

		if (rc != 0) {
			say("  %s: exit %d\n", cmd, rc);
			break;
		}
		row("qemu", "image", "rebuild_s", ROUTER_MCROUTED, i,
		    (double)(mono_ns() - t0) / 1e9);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		say("  could not remove %s\n", tmp);
}

/* The guest's own boot stages (/init's /run/boot.times), on one line. */
static void boot_stages(struct qemu_vm *vm)
{
	char *out = NULL;

	if (qemu_exec(vm, 3000, &out,
		      "{ cat /run/boot.times; read -r u _ </proc/uptime; "
		      "echo \"$u now\"; } | tr '\\n' ' '") == 0 &&
	    out)
		say("  stages (guest uptime): %s\n", out);
	free(out);
}

static void bench_boot(enum qemu_profile p, int runs)
{
	const char *why = qemu_available(p);
	const char *name = qemu_profile_name(p);

	if (why) {
		say("qemu %s: %s\n", name, why);
		return;
	}
	say("qemu %s: boot to ready, %d runs\n", name, runs);
	for (int i = 0; i < runs; i++) {
		struct lab *lab = bench_lab("pi-router", "qmu");
		struct qemu_opts o = { .profile = p, .lab = lab };
		char err[2048];
		struct router r;
		uint64_t t0 = mono_ns();
		struct qemu_vm *vm = qemu_up(&o, err, sizeof(err));

		if (!vm)
			die("qemu %s: %s", name, err);
		if (router_start(&r, ROUTER_MCROUTED, vm->node, conf, NULL,
				 15000, err, sizeof(err)) < 0)
			die("qemu %s: %s", name, err);
		row("qemu", name, "boot_s", ROUTER_MCROUTED, i,
		    (double)vm->boot_ns / 1e9);
		row("qemu", name, "uptime_s", ROUTER_MCROUTED, i,
		    vm->guest_uptime);
		row("qemu", name, "ready_s", ROUTER_MCROUTED, i,
		    (double)(mono_ns() - t0) / 1e9);
		boot_stages(vm);
		router_stop(&r, 3000);
		qemu_halt(vm);
		lab_down(lab);
	}
}

void bench_qemu(int runs, const char *only)
{
	if (!only || !strcmp(only, "image"))
		bench_rebuild(runs);
	if (!only || !strcmp(only, "virt"))
		bench_boot(QEMU_VIRT, runs);
	if (!only || !strcmp(only, "raspi3b"))
		bench_boot(QEMU_RASPI3B, runs);
}
