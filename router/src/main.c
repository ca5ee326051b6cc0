// SPDX-License-Identifier: MIT
/*
 * mcrouted: static and IGMP/MLD-driven multicast routing daemon.
 * Options, start-up, signals and the poll loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "daemon.h"
#include "gm_io.h"
#include "log.h"

#define DEFAULT_CONF "/etc/mcrouted.conf"
#define DEFAULT_SOCK "/run/mcrouted.sock"
#define DEFAULT_PID "/run/mcrouted.pid"

static int ready_fd = -1; /* pipe to the waiting parent when daemonized */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mcrouted [-hnsv] [-c SEC] [-f FILE] [-F [FILE]] [-l LEVEL]\n"
		"                [-p USER[:GROUP]] [-P FILE] [-t TABLE] [-u FILE]\n"
		"\n"
		"  -c SEC           expire learned (*,G) routes idle for SEC seconds\n"
		"                   (default 60, 0 = never)\n"
		"  -f FILE          configuration file, default " DEFAULT_CONF
		"\n"
		"  -F [FILE]        check the configuration and exit (78 on error)\n"
		"  -h               this help\n"
		"  -l LEVEL         none, error, warning, notice (default), info, debug\n"
		"  -n               stay in the foreground, log to stderr\n"
		"  -p USER[:GROUP]  drop to USER after start-up, keeping only\n"
		"                   CAP_NET_ADMIN and CAP_NET_RAW\n"
		"  -P FILE          pid file, default " DEFAULT_PID "\n"
		"  -s               log to syslog (default unless -n)\n"
		"  -t TABLE         multicast routing table (MRT_TABLE), default 0\n"
		"  -u FILE          control socket, default " DEFAULT_SOCK "\n"
		"  -v               version\n"
		"\n"
		"Exit status: 0 ok, 64 usage, 69 another daemon holds the multicast\n"
		"routing socket, 76 no multicast routing in the kernel, 77 no\n"
		"permission, 78 configuration error.\n");
}

static void startup_failed(int code)
{
	if (ready_fd >= 0) {
		unsigned char c = (unsigned char)code;

		if (write(ready_fd, &c, 1) < 0) {
			/* the parent is gone; nothing more to tell */
		}
	}
	exit(code);
}

static void startup_done(void)
{
	unsigned char c = 0;
	int devnull;

	if (ready_fd < 0)
		return;
	if (write(ready_fd, &c, 1) < 0) {
		/* the parent is gone; carry on */
	}
	close(ready_fd);
	ready_fd = -1;
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		if (devnull > 2)
			close(devnull);
	}
}

/* Fork; the parent waits for the child's start-up verdict and exits. */
static void daemonize(void)
{
	int p[2];
	pid_t pid;
	unsigned char c = EXIT_SOFTWARE;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("mcrouted: pipe");
		exit(EXIT_OSERR);
	}
	pid = fork();
	if (pid < 0) {
		perror("mcrouted: fork");
		exit(EXIT_OSERR);
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = EXIT_SOFTWARE;
		_exit(c);
	}
	close(p[0]);
	ready_fd = p[1];
	setsid();
}

static int open_family(struct daemon *d, enum kern_fam fam)
{
	int rc = mroute_open(&d->mr, fam, d->table, &d->mrt_fd[fam]);
	const char *what = fam == KF_V4 ? "IPv4" : "IPv6";

	if (!rc)
		return 0;
	if (rc == -EADDRINUSE) {
		log_err("another multicast routing daemon (smcrouted, mrouted, "
			"igmpproxy, pimd or mcrouted) already holds the %s "
			"routing socket%s; stop it first",
			what, d->table ? " of this table" : "");
		startup_failed(EXIT_UNAVAILABLE);
	}
	if (rc == -EPERM || rc == -EACCES) {
		log_err("%s multicast routing needs root or CAP_NET_ADMIN and "
			"CAP_NET_RAW: %s",
			what, strerror(-rc));
		startup_failed(EXIT_NOPERM);
	}
	if (fam == KF_V6 && (rc == -EAFNOSUPPORT || rc == -ENOPROTOOPT ||
			     rc == -EOPNOTSUPP || rc == -EPROTONOSUPPORT)) {
		log_warn("IPv6 multicast routing is not available (%s): "
			 "routing IPv4 only. Enable CONFIG_IPV6 and "
			 "CONFIG_IPV6_MROUTE for IPv6.",
			 strerror(-rc));
		d->ipv6_off = true;
		return 0;
	}
	if (rc == -ENOPROTOOPT || rc == -EOPNOTSUPP || rc == -EPROTONOSUPPORT ||
	    rc == -EAFNOSUPPORT) {
		log_err("the kernel has no %s multicast routing (%s): enable "
			"CONFIG_IP_MROUTE%s",
			what, strerror(-rc),
			d->table ? " and CONFIG_IP_MROUTE_MULTIPLE_TABLES" :
				   "");
		startup_failed(EXIT_PROTOCOL);
	}
	log_err("cannot open the %s multicast routing socket: %s", what,
		strerror(-rc));
	startup_failed(EXIT_OSERR);
	return -1;
}

static void read_mrt(struct daemon *d, enum kern_fam fam)
{
	uint8_t buf[4096];
	union {
		char b[GM_IO_CMSG_SPACE];
		struct cmsghdr align;
	} cb;

	for (int i = 0; i < 256; i++) {
		struct sockaddr_in6 from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cb.b,
			.msg_controllen = sizeof(cb.b),
		};
		ssize_t n = recvmsg(d->mrt_fd[fam], &mh, 0);
		struct kern_upcall up;
		struct gm_rx rx;

		if (n < 0)
			return;
		switch (kern_parse_upcall(fam, buf, (size_t)n, &up)) {
		case 1:
			mroute_upcall(&d->mr, &up);
			break;
		case 0: /* IGMP or MLD */
			if (d->mb.mode == MM_OFF)
				break;
			gm_io_rx(&mh, fam == KF_V6 ? AF_INET6 : AF_INET, &rx);
			member_input(&d->mb, fam == KF_V6 ? GM_MLD : GM_IGMP,
				     buf, (size_t)n, &rx);
			break;
		default:
			break;
		}
	}
}

static void on_install(void *ctx, const struct mfc_ent *e)
{
	struct daemon *d = ctx;

	if (d->conf.conntrack_flush)
		conntrack_queue(&d->ct, &e->src, &e->grp);
	/* Expiry runs only while there is something learned to expire: an
	 * idle router with static routes never wakes up. */
	if (e->learned && d->expire_s && !timer_armed(&d->expire_timer))
		timer_arm_ms(&d->timers, &d->expire_timer,
			     (uint64_t)d->expire_s * 1000);
}

static void on_expire(struct timer *t, void *arg)
{
	struct daemon *d = arg;
	size_t n = mroute_expire(&d->mr);

	if (n)
		log_info("expired %zu idle learned routes", n);
	for (struct mfc_ent *e = d->mr.learned; e; e = e->lnext) {
		if (e->in_kernel) {
			timer_arm_ms(&d->timers, t,
				     (uint64_t)d->expire_s * 1000);
			return;
		}
	}
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f);
}

/*
 * Remove the pid file only when it is a regular file that still holds our
 * pid: never a device (-P /dev/null), never another daemon's file.
 */
static void remove_pidfile(const char *path)
{
	struct stat st;
	FILE *f;
	int pid = 0;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid == (int)getpid())
		unlink(path);
}

static void handle_signals(struct daemon *d, int sfd)
{
	struct signalfd_siginfo si;
	char err[CONF_ERR_MAX + 64];

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			daemon_reload(d, err, sizeof(err));
			break;
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			d->running = false;
			break;
		}
	}
}

static void loop(struct daemon *d, int sfd)
{
	enum { P_SIG, P_TIMER, P_NL, P_CTL, P_CT, P_MRT4, P_MRT6, P_N };
	struct pollfd pfd[P_N];

	while (d->running) {
		for (int i = 0; i < P_N; i++) {
			pfd[i].fd = -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		pfd[P_SIG].fd = sfd;
		pfd[P_TIMER].fd = d->timers.fd;
		pfd[P_NL].fd = iface_fd(&d->ifaces);
		pfd[P_CTL].fd = d->ctl_fd;
		pfd[P_CT].fd = d->ct_fd;
		pfd[P_MRT4].fd = d->mrt_fd[KF_V4];
		pfd[P_MRT6].fd = d->ipv6_off ? -1 : d->mrt_fd[KF_V6];

		if (poll(pfd, P_N, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		/* Flow tuples first: an upcall's flow is then known. */
		if (pfd[P_CT].revents)
			ct_events_read(&d->ct);
		if (pfd[P_MRT4].revents)
			read_mrt(d, KF_V4);
		if (pfd[P_MRT6].revents)
			read_mrt(d, KF_V6);
		conntrack_flush(&d->ct);
		if (pfd[P_NL].revents) {
			int rc = iface_read(&d->ifaces);

			if (rc > 0)
				daemon_apply(d);
			else if (rc < 0)
				log_err("netlink: %s", strerror(-rc));
		}
		if (pfd[P_TIMER].revents)
			timers_run(&d->timers);
		if (pfd[P_CTL].revents)
			ipc_accept(d);
		if (pfd[P_SIG].revents)
			handle_signals(d, sfd);
		conntrack_flush(&d->ct);
	}
}

/* -F takes an optional FILE as the next word (smcrouted's -F FILE). */
/* -OPT's decimal value, at most max, into out; 0, or -1 said on stderr. */
static int opt_uint(char opt, const char *arg, unsigned long max,
		    const char *what, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*end || v > max) {
		fprintf(stderr, "mcrouted: -%c: bad %s\n", opt, what);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static const char *take_check_arg(int argc, char **argv, int *idx)
{
	if (*idx < argc && argv[*idx][0] != '-')
		return argv[(*idx)++];
	return NULL;
}

int main(int argc, char **argv)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	struct conf_error ce;
	const char *user = NULL;
	bool foreground = false, use_syslog = false, check = false;
	int level = LOG_NOTICE, c, sfd;
	sigset_t mask;

	memset(d, 0, sizeof(*d));
	d->conf_path = DEFAULT_CONF;
	d->sock_path = DEFAULT_SOCK;
	d->pid_path = DEFAULT_PID;
	d->expire_s = 60;
	d->ctl_fd = -1;
	d->mrt_fd[KF_V4] = d->mrt_fd[KF_V6] = -1;

	while ((c = getopt(argc, argv, "c:f:Fhl:np:P:st:u:v")) != -1) {
		switch (c) {
		case 'c':
			if (opt_uint('c', optarg, 86400 * 365, "seconds",
				     &d->expire_s))
				return EXIT_USAGE;
			break;
		case 'f':
			d->conf_path = optarg;
			break;
		case 'F': {
			const char *f = take_check_arg(argc, argv, &optind);

			check = true;
			if (f)
				d->conf_path = f;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'l':
			level = log_level_parse(optarg);
			if (level == -2) {
				fprintf(stderr,
					"mcrouted: -l: none, error, warning, "
					"notice, info or debug\n");
				return EXIT_USAGE;
			}
			break;
		case 'n':
			foreground = true;
			break;
		case 'p':
			user = optarg;
			break;
		case 'P':
			d->pid_path = optarg;
			break;
		case 's':
			use_syslog = true;
			break;
		case 't':
			if (opt_uint('t', optarg, 0xffffffffUL, "table",
				     &d->table))
				return EXIT_USAGE;
			break;
		case 'u':
			d->sock_path = optarg;
			break;
		case 'v':
			printf("mcrouted %s\n", VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mcrouted: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_USAGE;
	}

	conf_init(&d->conf);
	if (conf_load(&d->conf, d->conf_path, &ce)) {
		fprintf(stderr, "mcrouted: %s\n", ce.msg);
		conf_free(&d->conf);
		return EXIT_CONFIG;
	}
	if (check) {
		if (level >= LOG_DEBUG)
			conf_print(&d->conf, stdout);
		printf("%s: OK, %zu phyint, %zu mgroup, %zu mroute lines\n",
		       d->conf_path, d->conf.n_phyints, d->conf.n_mgroups,
		       d->conf.n_mroutes);
		conf_free(&d->conf);
		return 0;
	}

	if (!foreground)
		daemonize();
	log_init("mcrouted", level, use_syslog || !foreground);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	kern_sys_init(&d->ksys);
	iface_table_init(&d->ifaces);
	mroute_init(&d->mr, &kern_sys_ops, &d->ksys, &d->ifaces);
	d->mr.on_install = on_install;
	d->mr.cb_ctx = d;
	mgroups_init(&d->groups, &d->ifaces);
	member_init(&d->mb, &d->mr, &d->ifaces, &d->timers);
	ct_flush_init(&d->ct);
	timer_init(&d->expire_timer, on_expire, d);
	if (sfd < 0 || timers_init(&d->timers, true)) {
		log_err("signalfd/timerfd: %s", strerror(errno));
		startup_failed(EXIT_OSERR);
	}

	open_family(d, KF_V4);
	open_family(d, KF_V6);
	d->ct_fd = d->conf.conntrack_flush ? ct_events_open(&d->ct) : -1;
	c = iface_open(&d->ifaces);
	if (c) {
		log_err("cannot read interfaces (netlink): %s", strerror(-c));
		startup_failed(EXIT_OSERR);
	}
	if (ruleset_add_conf(&d->mr.rules, &d->conf)) {
		log_err("out of memory");
		startup_failed(EXIT_OSERR);
	}
	daemon_apply(d);
	conntrack_flush(&d->ct);

	if (ipc_open(d)) {
		log_err("cannot create control socket %s: %s", d->sock_path,
			strerror(errno));
		startup_failed(EXIT_CANTCREAT);
	}
	if (write_pidfile(d->pid_path))
		log_warn("cannot write pid file %s: %s", d->pid_path,
			 strerror(errno));
	if (user) {
		char err[256];

		if (drop_privs(user, err, sizeof(err))) {
			log_err("-p %s: %s", user, err);
			startup_failed(EXIT_NOPERM);
		}
	}
	log_notice("mcrouted %s ready: %zu routes, %zu VIFs, %zu MIFs, %zu "
		   "joins%s",
		   VERSION, d->mr.rules.n, mroute_vif_count(&d->mr, KF_V4),
		   mroute_vif_count(&d->mr, KF_V6), d->groups.n,
		   d->ipv6_off ? " (IPv4 only)" : "");
	notify("READY=1");
	startup_done();

	d->running = true;
	loop(d, sfd);

	notify("STOPPING=1");
	log_notice("stopping");
	ipc_close(d);
	member_free(&d->mb);
	mgroups_free(&d->groups);
	mroute_close(&d->mr);
	mroute_free(&d->mr);
	iface_table_free(&d->ifaces);
	timers_free(&d->timers);
	ct_flush_free(&d->ct);
	conf_free(&d->conf);
	remove_pidfile(d->pid_path);
	close(sfd);
	return 0;
}
