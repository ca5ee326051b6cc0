// SPDX-License-Identifier: MIT
/*
 * "mclab preflight" and "mclab vm ...": the lab on a kernel that cannot
 * run it.  mclab_vm_forward() is called by mclab's main before a lab
 * command: on such a host (or with MCLAB_VM=always) the command runs in
 * the long-lived lab VM instead, started on "up" and stopped by the
 * "down" that leaves it without a lab.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "preflight.h"
#include "util.h"
#include "vm.h"

int mclab_cmd_preflight(int argc, char **argv);
int mclab_cmd_vm(int argc, char **argv);
int mclab_vm_forward(const char *cmd, int argc, char **argv, int *status);

static const char vm_usage[] =
	"usage: mclab vm run [--timeout SEC] [--rw DIR]... [--kernel K] -- CMD...\n"
	"       mclab vm start [--rw DIR]... [--kernel K]\n"
	"       mclab vm exec [-t] -- CMD...\n"
	"       mclab vm status | console | stop\n"
	"\n"
	"run boots the lab's VM (qemu/out/bzImage-vm on the host's own root file\n"
	"system, the tree and each --rw DIR read-write), runs CMD in it with this\n"
	"environment and folder, relays its output and exits with its status;\n"
	"the VM is stopped after it, at the --timeout (exit 124, with the guest's\n"
	"last console lines), and on Ctrl-C.  start/exec/stop work on the\n"
	"long-lived VM that 'mclab up' starts on a host whose kernel lacks what\n"
	"the lab needs (mclab preflight).\n";

/* The exit codes of "mclab preflight". */
enum { PF_HOST = 0, PF_VM = 10, PF_FAIL = 1, PF_USAGE = 64 };

int mclab_cmd_preflight(int argc, char **argv)
{
	bool quiet = false, rootless = geteuid() != 0;
	struct pf_report r;
	char miss[1024];
	int mode = vm_mode_from_env();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q"))
			quiet = true;
		else if (!strcmp(argv[i], "--rootless"))
			rootless = true;
		else {
			fprintf(stdout,
				"usage: mclab preflight [-q] [--rootless]\n"
				"Does this kernel have what the lab needs?  Exits 0: run here,\n"
				"10: run in the lab's VM (MCLAB_VM=auto and something is missing,\n"
				"or MCLAB_VM=always), 1: something is missing and MCLAB_VM=never.\n");
			return strcmp(argv[i], "-h") &&
					       strcmp(argv[i], "--help") ?
				       PF_USAGE :
				       0;
		}
	}
	if (mode < 0) {
		fprintf(stderr, "mclab: MCLAB_VM=%s: auto, always or never\n",
			getenv("MCLAB_VM"));
		return PF_USAGE;
	}
	if (getenv("MCLAB_IN_VM")) /* the VM's own kernel: always here */
		mode = VM_NEVER;
	preflight_running(rootless, &r);
	preflight_missing_str(&r, miss, sizeof(miss));
	if (!r.n_missing && mode != VM_ALWAYS) {
		if (!quiet)
			printf("preflight: this kernel has what the lab needs (%s)\n",
			       r.from);
		return PF_HOST;
	}
	if (mode == VM_NEVER) {
		printf("preflight: this kernel lacks %s (%s); MCLAB_VM=never: the run stays here and fails\n",
		       miss, r.from);
		return PF_FAIL;
	}
	if (r.n_missing)
		printf("preflight: this kernel lacks %s (%s): the run goes into the lab's VM\n",
		       miss, r.from);
	else
		printf("preflight: MCLAB_VM=always: the run goes into the lab's VM\n");
	return PF_VM;
}

static bool want_vm(void)
{
	struct pf_report r;
	int mode = vm_mode_from_env();

	if (getenv("MCLAB_IN_VM") || mode == VM_NEVER || mode < 0)
		return false;
	return preflight_use_vm((enum vm_mode)mode,
				(preflight_running(geteuid() != 0, &r), &r));
}

/* The long-lived lab VM's folder, when one is up. */
static bool lab_vm(char *dir, size_t len)
{
	ssize_t n = readlink(VM_LAB_LINK, dir, len - 1);

	if (n <= 0)
		return false;
	dir[n] = '\0';
	return vm_alive(dir);
}

static int parse_vm_opts(int argc, char **argv, struct vm_opts *o,
			 unsigned int *timeout_s, bool *tty, int *cmd_at)
{
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			*cmd_at = i + 1;
			return 0;
		} else if (!strcmp(argv[i], "--rw") && i + 1 < argc &&
			   o->nrw < VM_MAX_RW) {
			o->rw[o->nrw++] = argv[++i];
		} else if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			o->kernel = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			*timeout_s = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-t")) {
			*tty = true;
		} else {
			fputs(vm_usage, stderr);
			return -1;
		}
	}
	*cmd_at = argc;
	return 0;
}

/* SIGINT/SIGTERM while booting: the keeper gets them too (it has its own
 * session, so it is told by vm_stop instead) */
static const char *boot_dir;

static void stop_on_signal(int sig)
{
	if (boot_dir)
		vm_stop(boot_dir, 3000);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int vm_run(struct vm_opts *o, unsigned int timeout_s, char **cmd)
{
	char dir[PATH_MAX], err[8192], ready[256], tail[4000];
	uint64_t t0 = mono_ns();
	int st;

	o->once = true;
	signal(SIGINT, stop_on_signal);
	signal(SIGTERM, stop_on_signal);
	boot_dir = dir;
	dir[0] = '\0';
	if (vm_start(o, dir, sizeof(dir), ready, sizeof(ready), err,
		     sizeof(err)) < 0) {
		fprintf(stderr, "mclab vm: %s\n", err);
		return 125;
	}
	fprintf(stderr, "mclab vm: %s up in %.1f s (%s): %s\n", dir,
		(double)(mono_ns() - t0) / 1e9, vm_accel(), ready);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	st = vm_exec(dir, cmd, false, timeout_s * 1000, err, sizeof(err));
	if (st < 0 || st == 124) {
		vm_console_tail(dir, 20, tail, sizeof(tail));
		fprintf(stderr,
			"mclab vm: %s; the guest's last console lines:\n%s",
			err, tail);
	}
	vm_stop(dir, 10000);
	boot_dir = NULL;
	return st < 0 ? 125 : st;
}

static int lab_vm_start(const struct vm_opts *o, char *dir, size_t len)
{
	char err[8192], ready[256];
	uint64_t t0 = mono_ns();

	if (vm_start(o, dir, len, ready, sizeof(ready), err, sizeof(err)) < 0) {
		fprintf(stderr, "mclab vm: %s\n", err);
		return -1;
	}
	unlink(VM_LAB_LINK);
	if (symlink(dir, VM_LAB_LINK) < 0) {
		fprintf(stderr, "mclab vm: %s: %s\n", VM_LAB_LINK,
			strerror(errno));
		vm_stop(dir, 5000);
		return -1;
	}
	fprintf(stderr, "mclab vm: the lab's VM is up in %.1f s (%s, %s)\n",
		(double)(mono_ns() - t0) / 1e9, vm_accel(), ready);
	return 0;
}

int mclab_cmd_vm(int argc, char **argv)
{
	struct vm_opts o = { 0 };
	unsigned int timeout_s = 0;
	bool tty = false;
	int at = argc;
	char dir[PATH_MAX], err[1024];
	const char *sub = argc > 1 ? argv[1] : "status";

	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") ||
	    !strcmp(sub, "help")) {
		fputs(vm_usage, stdout);
		return 0;
	}
	if (parse_vm_opts(argc, argv, &o, &timeout_s, &tty, &at) < 0)
		return 64;
	if (!strcmp(sub, "run")) {
		if (at >= argc) {
			fputs(vm_usage, stderr);
			return 64;
		}
		return vm_run(&o, timeout_s, argv + at);
	}
	if (!strcmp(sub, "start")) {
		if (lab_vm(dir, sizeof(dir))) {
			printf("%s\n", dir);
			return 0;
		}
		vm_sweep();
		if (lab_vm_start(&o, dir, sizeof(dir)) < 0)
			return 1;
		printf("%s\n", dir);
		return 0;
	}
	if (!lab_vm(dir, sizeof(dir))) {
		if (!strcmp(sub, "stop"))
			return 0;
		fprintf(stderr,
			"mclab vm: the lab's VM is not up (mclab vm start)\n");
		return 1;
	}
	if (!strcmp(sub, "exec")) {
		int st;

		if (at >= argc) {
			fputs(vm_usage, stderr);
			return 64;
		}
		st = vm_exec(dir, argv + at, tty, 0, err, sizeof(err));
		if (st < 0)
			fprintf(stderr, "mclab vm: %s\n", err);
		return st < 0 ? 125 : st;
	}
	if (!strcmp(sub, "stop")) {
		vm_stop(dir, 10000);
		unlink(VM_LAB_LINK);
		return 0;
	}
	if (!strcmp(sub, "console")) {
		char tail[8000];

		vm_console_tail(dir, 60, tail, sizeof(tail));
		fputs(tail, stdout);
		return 0;
	}
	if (!strcmp(sub, "status")) {
		char path[PATH_MAX + 16], *ready, *accel;

		snprintf(path, sizeof(path), "%s/ready", dir);
		ready = mclab_read_file(path);
		snprintf(path, sizeof(path), "%s/accel", dir);
		accel = mclab_read_file(path);
		printf("%s: %s, %s", dir, accel ? accel : "?",
		       ready ? ready : "not ready\n");
		free(ready);
		free(accel);
		return 0;
	}
	fputs(vm_usage, stderr);
	return 64;
}

/* Lab commands that run where the lab lives. */
static const char *const lab_cmds[] = { "up",	 "down",    "list",  "exec",
					"shell", "status",  "ping",  "send",
					"join",	 "capture", "clean", NULL };

/*
 * The guest's /tmp, /run and /var are its own (tmpfs): a file of "up
 * --config FILE" there is shared into a VM that starts for it (o->rw), and
 * refused with the reason when the VM is already up.  0, or -1 refused.
 */
static int share_config(int argc, char **argv, bool starting, struct vm_opts *o,
			char *rwdir, size_t rwlen)
{
	static const char *const own[] = { "/tmp", "/run", "/var" };
	char real[PATH_MAX], *slash;

	for (int i = 1; i + 1 < argc; i++) {
		bool hidden = false;

		if (strcmp(argv[i], "--config"))
			continue;
		if (!realpath(argv[i + 1], real))
			return 0; /* the guest's mclab says why */
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
			size_t l = strlen(own[k]);

			hidden |= !strncmp(real, own[k], l) && real[l] == '/';
		}
		if (!hidden)
			return 0;
		if (!starting) {
			fprintf(stderr,
				"mclab: %s: the lab's VM (already up) has its own %.4s; put the config in the tree or another folder of this host's root file system\n",
				argv[i + 1], real);
			return -1;
		}
		slash = strrchr(real, '/');
		*slash = '\0';
		snprintf(rwdir, rwlen, "%s", real[0] ? real : "/");
		o->rw[o->nrw++] = rwdir;
		return 0;
	}
	return 0;
}

int mclab_vm_forward(const char *cmd, int argc, char **argv, int *status)
{
	char rwdir[PATH_MAX];
	char dir[PATH_MAX], err[1024];
	struct vm_opts o = { 0 };
	bool known = false, up;
	int st;

	if (getenv("MCLAB_IN_VM"))
		return 0;
	for (int i = 0; lab_cmds[i]; i++)
		known |= !strcmp(cmd, lab_cmds[i]);
	if (!known)
		return 0;
	up = lab_vm(dir, sizeof(dir));
	if (!strcmp(cmd, "up") && (up || want_vm()) &&
	    share_config(argc, argv, !up, &o, rwdir, sizeof(rwdir)) < 0) {
		*status = 1;
		return 1;
	}
	if (!up) {
		if (strcmp(cmd, "up") || !want_vm())
			return 0;
		{
			struct pf_report r;
			char miss[1024];

			preflight_running(geteuid() != 0, &r);
			if (r.n_missing)
				fprintf(stderr,
					"mclab: this kernel lacks %s: the lab runs in the lab's VM\n",
					preflight_missing_str(&r, miss,
							      sizeof(miss)));
		}
		vm_sweep();
		if (lab_vm_start(&o, dir, sizeof(dir)) < 0) {
			*status = 1;
			return 1;
		}
	}
	st = vm_exec(dir, argv, !strcmp(cmd, "shell"), 0, err, sizeof(err));
	if (st < 0) {
		fprintf(stderr, "mclab: the lab's VM: %s\n", err);
		st = 125;
	}
	*status = st;
	/* the VM lives as long as a lab does */
	if (!strcmp(cmd, "down") || !strcmp(cmd, "clean") ||
	    (!strcmp(cmd, "up") && st != 0)) {
		char *none_argv[] = { argv[0], "list", "-q", NULL };
		int left =
			vm_exec(dir, none_argv, false, 10000, err, sizeof(err));

		if (left == 1 || left < 0) {
			vm_stop(dir, 10000);
			unlink(VM_LAB_LINK);
		}
	}
	return 1;
}
