// SPDX-License-Identifier: MIT
/*
 * mclab: the lab at a terminal.  "mclab up" forks a keeper process that
 * owns the lab (its pid names the namespaces, "mcl-<pid>-<node>"), starts
 * the router and waits; "mclab down" asks it to tear everything down.  A
 * state file /run/mclab/<id>.state lets the other commands find the lab.
 *
 * This file: the usage, the options before the command and the choice of
 * the command; the commands are in mclab_*.c (mclab.h names them).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mclab.h"

const char *mclab_lab_opt;

const char mclab_usage_text[] =
	"usage: mclab [--lab ID] COMMAND [ARGS]\n"
	"\n"
	"  up TOPO [--router mcrouted|smcroute|igmpproxy] [--config FILE]\n"
	"                          build topology TOPO (a name in topologies/ or a\n"
	"                          .topo path) and, with --router or --config, start\n"
	"                          the router under test in its router node\n"
	"  exec NODE -- CMD...     run CMD in NODE\n"
	"  shell NODE              an interactive shell in NODE\n"
	"  status                  nodes, addresses, router VIFs, MFC, mc_forwarding\n"
	"  ping NODE GROUP [--ttl N] [--count N] [--if IF]\n"
	"                          multicast ICMP echo from NODE, with the replies\n"
	"  send NODE GROUP [--ttl N] [--count N] [--port N] [--if IF]\n"
	"                          UDP datagrams with sequence numbers\n"
	"  join NODE GROUP [SOURCE] [--if IF] [--port N] [--count N] [--time SEC]\n"
	"                          a receiver that joins (ASM, or SSM with SOURCE)\n"
	"                          and counts what arrives\n"
	"  capture NODE IF [--count N] [--time SEC] [FILTER...]\n"
	"                          tcpdump-style lines of what crosses NODE's IF\n"
	"  down                    stop the router, delete every namespace\n"
	"  list                    the labs that are up\n"
	"  clean                   remove what dead runs left behind\n"
	"  bench TOPO [N]          median up+down time over N runs (default 21)\n"
	"  qemu up [--profile virt|raspi3b] [--topo TOPO] [--node NODE]\n"
	"          [--image IMG | --rootfs FS |\n"
	"           --kernel K [--dtb D] [--initrd I]]\n"
	"          [--config FILE | --no-router] [--append ARGS] [--login PROMPT]\n"
	"                          the emulated Pi as the router node\n"
	"  qemu console|down       its serial console; stop it (mclab qemu help)\n"
	"  check --image IMG [--board B] [--dtb D] [--login USER[:PW]]\n"
	"        [--topo TOPO] [--node NODE] [--timeout SEC] [-v]\n"
	"                          a user's SD card image as the router: its own\n"
	"                          kernel, init, router and config, under the field\n"
	"                          report's checks (mclab check --help)\n"
	"  kconfig [FILE|running|--image IMG]\n"
	"                          check a kernel config for multicast routing\n"
	"  preflight [-q] [--rootless]\n"
	"                          can this kernel run the lab, or does it go into\n"
	"                          the lab's VM (exit 0 / 10)\n"
	"  vm run [--timeout SEC] [--rw DIR]... [--kernel K] -- CMD...\n"
	"                          boot the lab's VM, run CMD in it, stop it\n"
	"  vm start|exec|status|console|stop\n"
	"                          the long-lived VM of 'mclab up' (mclab vm help)\n"
	"\n"
	"Options: --lab ID (or MCLAB_LAB) picks a lab when several are up.\n"
	"Environment: ROUTER, MCROUTED, MCLAB_RESULTS, MCLAB_TIMEOUT_MULT,\n"
	"MCLAB_VM=auto|always|never.\n"
	"See mclab(1).\n";

void mclab_die(const char *fmt, ...)
{
	va_list ap;

	fputs("mclab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int cmd_qemu(int argc, char **argv)
{
	return mclab_cmd_qemu(argc, argv, mclab_lab_opt);
}

enum {
	CMD_HERE = 1 << 0, /* never taken into the lab's VM, as any user */
	CMD_ROOTLESS = 1 << 1, /* runs for a user too (in a user namespace) */
};

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	unsigned int flags;
} commands[] = {
	{ "preflight", mclab_cmd_preflight, CMD_HERE },
	{ "vm", mclab_cmd_vm, CMD_HERE },
	{ "up", mclab_cmd_up, 0 },
	{ "down", mclab_cmd_down, 0 },
	{ "list", mclab_cmd_list, 0 },
	{ "exec", mclab_cmd_exec, 0 },
	{ "shell", mclab_cmd_shell, 0 },
	{ "status", mclab_cmd_status, 0 },
	{ "ping", mclab_cmd_ping, 0 },
	{ "send", mclab_cmd_send, 0 },
	{ "join", mclab_cmd_join, 0 },
	{ "capture", mclab_cmd_capture, 0 },
	{ "clean", mclab_cmd_clean, CMD_ROOTLESS },
	{ "bench", mclab_cmd_bench, CMD_ROOTLESS },
	{ "qemu", cmd_qemu, 0 },
	{ "kconfig", mclab_cmd_kconfig, CMD_ROOTLESS },
	{ "check", mclab_cmd_check, 0 },
	{ NULL, NULL, 0 },
};

int main(int argc, char **argv)
{
	char err[512], self[PATH_MAX];
	char **all_argv = argv;
	int all_argc = argc, status;
	const struct command *c;
	const char *cmd;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			fputs(mclab_usage_text, stdout);
			return 0;
		}
		if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v")) {
			printf("mclab %s\n", VERSION);
			return 0;
		}
		if (!strcmp(argv[1], "--lab") && argc > 2) {
			mclab_lab_opt = argv[2];
			argv += 2;
			argc -= 2;
			continue;
		}
		fputs(mclab_usage_text, stderr);
		return 2;
	}
	if (argc < 2) {
		fputs(mclab_usage_text, stderr);
		return 2;
	}
	cmd = argv[1];
	argv++;
	argc--;
	if (!strcmp(cmd, "help")) {
		fputs(mclab_usage_text, stdout);
		return 0;
	}
	for (c = commands; c->name && strcmp(c->name, cmd); c++)
		;
	if (c->flags & CMD_HERE)
		return c->run(argc, argv);
	/* the same command in the lab's VM, when the lab lives there */
	{
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = '\0';
			all_argv[0] = self;
		}
	}
	if (mclab_vm_forward(cmd, all_argc, all_argv, &status))
		return status;
	if (geteuid() != 0) {
		/* a user's lab lives in its own namespaces, for this process
		 * only: up/exec/down across invocations need root */
		if (!(c->flags & CMD_ROOTLESS))
			mclab_die(
				"not root: labs that outlive one command need root (sudo mclab %s); 'mclab bench' runs rootless",
				cmd);
		if (mclab_become_root(err, sizeof(err)) < 0)
			mclab_die("%s", err);
	}
	if (!c->name)
		mclab_die("unknown command '%s' (mclab --help)", cmd);
	return c->run(argc, argv);
}
