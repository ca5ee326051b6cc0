// SPDX-License-Identifier: MIT
/*
 * "mclab qemu ..." and "mclab kconfig ...": the emulated Pi at a terminal,
 * and the kernel config check.
 *
 * "mclab qemu up" forks a keeper, like "mclab up": it builds the topology
 * (default pi-router), boots the VM in place of its router node, gives
 * the guest the node's addresses and starts mcrouted there, then waits for
 * SIGTERM.  It writes the lab's state file (/run/mclab/<id>.state, the
 * format mclab.c reads: id, pid, topo, results), so "mclab exec snd ..."
 * and "mclab down" work on it too, and /run/mclab/<id>.qemu with the
 * console socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "deadline.h"
#include "kconfig.h"
#include "lab.h"
#include "mclab.h"
#include "node_guest.h"
#include "qemu.h"
#include "router.h"

static const char qemu_usage[] =
	"usage: mclab qemu up [--profile virt|raspi3b] [--topo TOPO] [--node NODE]\n"
	"                     [--image sdcard.img [--board B] [--dtb D] |\n"
	"                      --rootfs rootfs.ext4 |\n"
	"                      --kernel K [--dtb D] [--initrd I]]\n"
	"                     [--config FILE | --no-router] [--append ARGS]\n"
	"                     [--login PROMPT]\n"
	"       mclab qemu console      the guest's serial console (Ctrl-] quits)\n"
	"       mclab qemu down\n"
	"\n"
	"up boots the Pi image (make -C qemu image) in place of TOPO's router\n"
	"node (default topology pi-router), wires its NICs into the node's\n"
	"links, configures the node's addresses in the guest and starts mcrouted\n"
	"with FILE (default: the field report's smcroute.conf).  --image boots a\n"
	"Buildroot-style SD card image (kernel, DTB, initramfs and cmdline.txt\n"
	"from its boot partition; the image is never written: -snapshot).\n"
	"The board is read from its kernel (zImage or arm64 Image), config.txt\n"
	"and DTBs; --board raspi0|raspi1ap|raspi2b|raspi3b overrides it and\n"
	"--dtb replaces the image's DTB.\n"
	"--rootfs boots our kernel and initramfs, which load the board's\n"
	"drivers and netfilter, rename the NICs, then mount the root file\n"
	"system image (ext2/3/4, e.g. Buildroot's rootfs.ext4; -snapshot) and\n"
	"hand over to its /sbin/init (--append mclab.init=PATH for another).\n"
	"An image without our agent is ready at its login prompt (--login,\n"
	"default \"login:\").\n";

static const char default_conf[] =
	"# the field report's /etc/smcroute.conf\n"
	"mgroup from wlan0 group 225.1.2.3\n"
	"mroute from wlan0 group 225.1.2.3 to usb0\n";

struct qstate {
	char id[64];
	pid_t pid;
	char console[160];
	char profile[16];
	pid_t qemu_pid;
	char node[64]; /* the node the VM stands in for */
	char fwd[256]; /* its forwarder's socket */
};

static int qstate_read(const char *path, struct qstate *s)
{
	char *t = mclab_read_file(path), *line, *save = NULL;

	memset(s, 0, sizeof(*s));
	if (!t)
		return -1;
	for (line = strtok_r(t, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "id"))
			snprintf(s->id, sizeof(s->id), "%s", v);
		else if (!strcmp(line, "pid"))
			s->pid = atoi(v);
		else if (!strcmp(line, "console"))
			snprintf(s->console, sizeof(s->console), "%s", v);
		else if (!strcmp(line, "profile"))
			snprintf(s->profile, sizeof(s->profile), "%s", v);
		else if (!strcmp(line, "qemu_pid"))
			s->qemu_pid = atoi(v);
		else if (!strcmp(line, "node"))
			snprintf(s->node, sizeof(s->node), "%s", v);
		else if (!strcmp(line, "fwd"))
			snprintf(s->fwd, sizeof(s->fwd), "%s", v);
	}
	free(t);
	return s->id[0] ? 0 : -1;
}

/* The VM that is up (the one named by --lab when several are). */
static int qstate_find(const char *want, struct qstate *out)
{
	char path[PATH_MAX];
	int n = 0;
	FILE *p;

	p = popen("ls " STATE_DIR "/*.qemu 2>/dev/null", "r");
	if (!p)
		return -1;
	while (fgets(path, sizeof(path), p)) {
		struct qstate s;

		path[strcspn(path, "\n")] = '\0';
		if (qstate_read(path, &s) < 0 || kill(s.pid, 0) < 0)
			continue;
		if (want && strcmp(want, s.id))
			continue;
		*out = s;
		n++;
	}
	pclose(p);
	return n;
}

void mclab_qemu_attach(struct lab *lab)
{
	struct qstate s;
	struct node *n;
	char path[256];

	snprintf(path, sizeof(path), STATE_DIR "/%s.qemu", lab->id);
	if (qstate_read(path, &s) < 0 || !s.fwd[0] || kill(s.pid, 0) < 0)
		return;
	n = lab_node(lab, s.node);
	if (n && lab_replace_node_fwd(lab, n, s.fwd) < 0)
		mclab_die("%s is the emulated Pi, held by the qemu keeper "
			  "(pid %d), whose forwarder %s does not answer: %s",
			  s.node, (int)s.pid, s.fwd, strerror(errno));
}

/* STATE_DIR/ID.EXT */
static void state_file(const char *id, const char *ext, char *out, size_t len)
{
	snprintf(out, len, STATE_DIR "/%s.%s", id, ext);
}

/* STATE_DIR/ID.qemu, and the lab's state in mclab_state.c's format (with
 * the guest's router when one was started: r, else NULL) */
static int write_states(const struct lab *lab, const char *topo_path,
			const struct qemu_vm *vm, const char *fwd,
			const struct router *r)
{
	struct mclab_state st = { .pid = getpid() };
	char path[256];
	FILE *f;

	if (mkdir_p(STATE_DIR, 0755) < 0)
		return -1;
	state_file(lab->id, "qemu", path, sizeof(path));
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f,
		"id %s\npid %d\nconsole %s\nprofile %s\nqemu_pid %d\n"
		"node %s\nfwd %s\n",
		lab->id, (int)getpid(), vm->console_sock,
		qemu_profile_name(vm->profile), (int)vm->pid, vm->node->name,
		fwd);
	if (fclose(f) < 0)
		return -1;
	SNP(st.id, "%s", lab->id);
	SNP(st.topo, "%s", topo_path);
	SNP(st.results, "%s", lab->results);
	if (r)
		mclab_state_router(&st, r);
	return mclab_state_write(&st);
}

static void remove_states(const char *id)
{
	static const char *const ext[] = { "qemu", "state", "fwd" };
	char path[256];

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		state_file(id, ext[i], path, sizeof(path));
		unlink(path);
	}
}

/*
 * The keeper's wait, until a signal in set or qemu's exit (poweroff in the
 * guest also ends the lab): meanwhile it answers the node's forwarder on
 * lfd, one client at a time (the VM's agent is one connection).
 */
static void keep(struct qemu_vm *vm, const sigset_t *set, int lfd)
{
	int sfd = signalfd(-1, set, SFD_CLOEXEC);
	int pfd = -1, conn = -1;

#ifdef SYS_pidfd_open
	pfd = (int)syscall(SYS_pidfd_open, vm->pid, 0);
#endif
	for (;;) {
		struct pollfd p[4] = { { sfd, POLLIN, 0 },
				       { pfd, POLLIN, 0 },
				       { conn < 0 ? lfd : -1, POLLIN, 0 },
				       { conn, POLLIN, 0 } };
		/* without a pidfd, qemu's exit is looked for once a second */
		int r = poll(p, 4, pfd < 0 ? 1000 : -1);

		if (r < 0 && errno != EINTR)
			break;
		if (sfd < 0 || (p[0].revents & POLLIN))
			break;
		if (waitpid(vm->pid, NULL, WNOHANG) == vm->pid) {
			lab_untrack_pid(vm->pid);
			vm->pid = 0;
			break;
		}
		if (p[2].revents & POLLIN)
			conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (p[3].revents && node_fwd_serve(vm->node, conn) < 0) {
			close(conn);
			conn = -1;
		}
	}
	if (conn >= 0)
		close(conn);
	if (pfd >= 0)
		close(pfd);
	if (sfd >= 0)
		close(sfd);
}

static int cmd_qemu_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "topo", required_argument, NULL, 't' },
		{ "node", required_argument, NULL, 'N' },
		{ "image", required_argument, NULL, 'i' },
		{ "rootfs", required_argument, NULL, 'R' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "dtb", required_argument, NULL, 'd' },
		{ "board", required_argument, NULL, 'B' },
		{ "initrd", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-router", no_argument, NULL, 'n' },
		{ "append", required_argument, NULL, 'a' },
		{ "login", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qemu_opts o = { .profile = QEMU_VIRT, .timeout_ms = 60000 };
	const char *topo_arg = "pi-router", *config = NULL;
	char err[8192], topo_path[PATH_MAX], image[PATH_MAX], rootfs[PATH_MAX];
	char *conf_text = NULL;
	bool router = true;
	int c, p[2];
	pid_t pid;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:N:i:R:k:d:B:r:c:na:l:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			if (qemu_profile_parse(optarg) < 0) {
				fprintf(stderr,
					"mclab: profile is virt or raspi3b\n");
				return 2;
			}
			o.profile =
				(enum qemu_profile)qemu_profile_parse(optarg);
			break;
		case 't':
			topo_arg = optarg;
			break;
		case 'N':
			o.node = optarg;
			break;
		case 'i':
		case 'R':
			/* a user's image: its absolute path, for qemu */
			if (!realpath(optarg, c == 'i' ? image : rootfs)) {
				fprintf(stderr, "mclab: %s: %s\n", optarg,
					strerror(errno));
				return 1;
			}
			if (c == 'i')
				o.image = image;
			else
				o.rootfs = rootfs;
			break;
		case 'k':
			o.kernel = optarg;
			break;
		case 'd':
			o.dtb = optarg;
			break;
		case 'B':
			o.board = optarg;
			break;
		case 'r':
			o.initrd = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'n':
			router = false;
			break;
		case 'a':
			o.append = optarg;
			break;
		case 'l':
			o.login_prompt = optarg;
			break;
		default:
			fputs(qemu_usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (o.image && o.rootfs) {
		fprintf(stderr, "mclab: --image or --rootfs, not both\n");
		return 2;
	}
	if (o.board && !o.image) {
		fprintf(stderr, "mclab: --board goes with --image\n");
		return 2;
	}
	if ((o.image || o.rootfs) && !o.login_prompt)
		o.login_prompt = "login:"; /* or the agent, whichever first */
	if (!o.image && !o.kernel) {
		const char *why = qemu_available(o.profile);

		if (why) {
			fprintf(stderr, "mclab: %s\n", why);
			return 1;
		}
	}
	if (router) {
		conf_text = config ? mclab_read_file(config) :
				     strdup(default_conf);
		if (!conf_text) {
			fprintf(stderr, "mclab: %s: %s\n", config,
				strerror(errno));
			return 1;
		}
	}
	{
		struct topo *t = topo_load(topo_arg, err, sizeof(err));

		if (!t) {
			fprintf(stderr, "mclab: %s\n", err);
			return 1;
		}
		topo_free(t);
		char real[PATH_MAX];

		snprintf(topo_path, sizeof(topo_path), "%s", topo_arg);
		if (!strchr(topo_arg, '/')) {
			char rel[PATH_MAX];

			snprintf(rel, sizeof(rel), "topologies/%.200s.topo",
				 topo_arg);
			if (realpath(rel, real))
				memcpy(topo_path, real, sizeof(topo_path));
		} else if (realpath(topo_arg, real)) {
			memcpy(topo_path, real, sizeof(topo_path));
		}
	}
	lab_sweep(false);
	/* CLOEXEC: qemu must not hold the write end (we read to EOF) */
	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		struct qemu_vm *vm;
		struct lab *lab;
		struct router r;
		bool router_up = false;
		uint64_t t0;
		sigset_t set;
		char fwd[256];
		int lfd;

		close(p[0]);
		mclab_keeper_signals(&set);
		lab = lab_up_file(topo_path, err, sizeof(err));
		if (!lab) {
			dprintf(p[1], "%s", err);
			_exit(1);
		}
		o.lab = lab;
		t0 = mono_ns();
		/* boot, configure, settle: the VM in for the router node */
		vm = qemu_up(&o, err, sizeof(err));
		if (!vm) {
			lab_down(lab);
			dprintf(p[1], "%s", err);
			_exit(1);
		}
		if (vm->agent >= 0 && router) {
			if (router_start(&r, ROUTER_MCROUTED, vm->node,
					 conf_text, NULL, 15000, err,
					 sizeof(err)) < 0) {
				qemu_halt(vm);
				lab_down(lab);
				dprintf(p[1], "%s", err);
				_exit(1);
			}
			router_up = true;
		}
		if (vm->agent >= 0)
			vm->boot_ns = mono_ns() - t0;
		/* the node's forwarder: mclab exec/status/... reach the guest */
		state_file(lab->id, "fwd", fwd, sizeof(fwd));
		lfd = node_fwd_listen(fwd);
		if (lfd < 0 || write_states(lab, topo_path, vm, fwd,
					    router_up ? &r : NULL) < 0) {
			dprintf(p[1], "state file: %s", strerror(errno));
			qemu_halt(vm);
			lab_down(lab);
			_exit(1);
		}
		dprintf(p[1], "ok %s %.2f %s %s",
			vm->agent >= 0 ? "agent" : "login", vm->boot_ns / 1e9,
			vm->console_log, vm->release[0] ? vm->release : "-");
		close(p[1]);
		{
			int fd = open("/dev/null", O_RDWR);

			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		keep(vm, &set, lfd);
		close(lfd);
		{
			char id[64];

			snprintf(id, sizeof(id), "%s", lab->id);
			if (router_up && vm->pid > 0)
				router_stop(&r, 3000);
			qemu_halt(vm);
			lab_down(lab);
			remove_states(id);
		}
		_exit(0);
	}
	close(p[1]);
	{
		char msg[8192] = "", how[16] = "", log[1024] = "",
		     rel[128] = "";
		ssize_t n, got = 0;
		double secs = 0;

		while ((n = read(p[0], msg + got,
				 sizeof(msg) - 1 - (size_t)got)) > 0)
			got += n;
		close(p[0]);
		msg[got] = '\0';
		if (strncmp(msg, "ok ", 3)) {
			waitpid(pid, NULL, 0);
			fprintf(stderr, "mclab: %s\n",
				got ? msg : "the qemu keeper died");
			free(conf_text);
			return 1;
		}
		sscanf(msg + 3, "%15s %lf %1023s %127s", how, &secs, log, rel);
		printf("lab " LAB_PREFIX
		       "%d up: %s with %s (qemu %s, kernel %s) in place of its router\n",
		       (int)pid, topo_arg, "the emulated Pi",
		       qemu_profile_name(o.profile), rel);
		if (!strcmp(how, "agent"))
			printf("router-ready in %.2f s (agent)%s\n", secs,
			       router ? ", mcrouted running in the guest" : "");
		else
			printf("login prompt after %.2f s (no agent in this image)\n",
			       secs);
		printf("console log %s\n", log);
		printf("try:  mclab exec rtr -- mcroutectl show | mclab exec snd -- ping -t 10 225.1.2.3 | mclab qemu console | mclab qemu down\n");
	}
	free(conf_text);
	return 0;
}

static int qemu_down(const char *lab_opt)
{
	struct qstate s;
	int n = qstate_find(lab_opt, &s);
	uint64_t deadline;

	if (n == 0) {
		fprintf(stderr, "mclab: no qemu lab is up\n");
		return 1;
	}
	if (n > 1) {
		fprintf(stderr, "mclab: %d qemu labs are up: --lab ID\n", n);
		return 1;
	}
	kill(s.pid, SIGTERM);
	deadline = deadline_in(15000);
	while (kill(s.pid, 0) == 0 && !deadline_passed(deadline))
		poll(NULL, 0, 5);
	if (kill(s.pid, 0) == 0) {
		kill(s.pid, SIGKILL);
		if (s.qemu_pid > 0)
			kill(s.qemu_pid, SIGKILL);
		lab_sweep(true);
		remove_states(s.id);
	}
	printf("lab %s down\n", s.id);
	return 0;
}

/* The console: raw terminal <-> qemu's console socket; Ctrl-] quits. */
static int qemu_console(const char *lab_opt)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct termios saved, raw;
	bool tty = isatty(0);
	struct qstate s;
	int fd, n = qstate_find(lab_opt, &s);

	if (n != 1) {
		fprintf(stderr, "mclab: %s\n",
			n ? "several qemu labs are up: --lab ID" :
			    "no qemu lab is up");
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s.console) >=
	    (int)sizeof(sun.sun_path)) {
		fprintf(stderr, "mclab: %s: path too long\n", s.console);
		return 1;
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "mclab: %s: %s\n", s.console, strerror(errno));
		return 1;
	}
	fprintf(stderr, "[%s console of %s; Ctrl-] quits]\r\n", s.profile,
		s.id);
	if (tty) {
		tcgetattr(0, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	/* a newline brings the prompt back */
	if (write(fd, "\n", 1) < 0)
		goto out;
	for (;;) {
		struct pollfd pfd[2] = { { 0, POLLIN, 0 }, { fd, POLLIN, 0 } };
		char buf[4096];
		ssize_t r;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			r = read(0, buf, sizeof(buf));
			if (r <= 0 || (tty && memchr(buf, 0x1d, (size_t)r)))
				break;
			if (write(fd, buf, (size_t)r) < 0)
				break;
		}
		if (pfd[1].revents) {
			r = read(fd, buf, sizeof(buf));
			if (r <= 0 || write(1, buf, (size_t)r) < 0)
				break;
		}
	}
out:
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	close(fd);
	fprintf(stderr, "\n");
	return 0;
}

int mclab_cmd_qemu(int argc, char **argv, const char *lab_opt)
{
	if (argc < 2) {
		fputs(qemu_usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "up"))
		return cmd_qemu_up(argc - 1, argv + 1);
	if (!strcmp(argv[1], "down"))
		return qemu_down(lab_opt ? lab_opt : getenv("MCLAB_LAB"));
	if (!strcmp(argv[1], "console"))
		return qemu_console(lab_opt ? lab_opt : getenv("MCLAB_LAB"));
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		fputs(qemu_usage, stdout);
		return 0;
	}
	fputs(qemu_usage, stderr);
	return 2;
}

/* ---- kconfig ---------------------------------------------------------- */

int mclab_cmd_kconfig(int argc, char **argv)
{
	const char *what = "running";
	bool image = false, smc = false;
	char from[PATH_MAX + 64], err[1024];
	struct kc_result *r;
	struct kconfig *kc;
	size_t n;
	char *text;
	int missing, wanted = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--image") && i + 1 < argc) {
			what = argv[++i];
			image = true;
		} else if (!strcmp(argv[i], "--router") && i + 1 < argc) {
			smc = router_kind_parse(argv[++i]) == ROUTER_SMCROUTE;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			printf("usage: mclab kconfig [FILE|running|--image sdcard.img] [--router smcroute]\n"
			       "Checks a kernel config (.config, config.gz, /proc/config.gz) for what a\n"
			       "multicast router needs; exits 1 when a required option is missing.\n");
			return 0;
		} else if (argv[i][0] != '-') {
			what = argv[i];
		} else {
			fprintf(stderr, "mclab: kconfig: unknown option %s\n",
				argv[i]);
			return 2;
		}
	}
	text = kconfig_load(what, image, from, sizeof(from), err, sizeof(err));
	if (!text) {
		fprintf(stderr, "mclab: kconfig: %s\n", err);
		return 2;
	}
	kc = kconfig_parse(text);
	free(text);
	if (!kc || kconfig_count(kc) == 0) {
		fprintf(stderr, "mclab: kconfig: %s: not a kernel config\n",
			from);
		kconfig_free(kc);
		return 2;
	}
	kconfig_items(&n);
	r = calloc(n, sizeof(*r));
	if (!r)
		return 2;
	missing = kconfig_check(kc, smc, r);
	printf("kernel config: %s (%zu options)\n\n", from, kconfig_count(kc));
	for (size_t i = 0; i < n; i++) {
		bool req =
			r[i].item->need == KC_REQUIRED ||
			(smc && (!strcmp(r[i].item->syms[0], "IPV6") ||
				 !strcmp(r[i].item->syms[0], "IPV6_MROUTE")));

		printf("  %-8s %-34s %-30s %s\n",
		       kconfig_value_name(r[i].value), r[i].sym,
		       r[i].item->what, req ? "required" : "");
		if (r[i].value == KC_MISSING) {
			printf("           -> %s\n", r[i].item->breaks);
			if (!req)
				wanted++;
		}
	}
	printf("\n%s: %d required missing, %d wanted missing\n",
	       missing ? "FAIL" : "OK", missing, wanted);
	free(r);
	kconfig_free(kc);
	return missing ? 1 : 0;
}
