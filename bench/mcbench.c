// SPDX-License-Identifier: MIT
/*
 * mcbench: mcrouted against its peers (smcrouted, igmpproxy) in the same
 * lab, alternating, every repetition a fresh daemon.  One CSV row per
 * measurement:  bench,param,metric,router,rep,value
 *
 *   mcbench [-r REPS] [-o CSV] BENCH...
 *     load N       (S,G) routes from the config: start -> all in the MFC
 *     change       one ctl add/del with 10k installed: command -> MFC
 *     reload       10k routes, 1% changed, SIGHUP: duration, loss at 1 kpps
 *     sources      1,000 new sources on a (*,G): latency, first-packet loss
 *     igmp         join -> first packet, leave -> last packet (proxy mode)
 *     idle SECS    CPU and wake-ups of an idle daemon with 10k routes
 *     harness N    pi-router lab up and down
 *
 * The MFC is watched through rtnetlink (RTNLGRP_IPV4_MROUTE: the kernel
 * announces every MFC add and delete), so no /proc polling competes with
 * the daemon for the CPU; the end state is verified in /proc/net/ip_mr_cache.
 * CPU time is /proc/PID/schedstat (ns; utime+stime of /proc/PID/stat counts
 * in 10 ms ticks), peak RSS is VmHWM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/mroute.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "capture.h"
#include "node.h"
#include "pkt.h"
#include "proc.h"
#include "router.h"
#include "topo.h"
#include "traffic.h"

#define SRC_ADDR "192.0.2.2"
#define CHANGE_IDX 0x3fff00u /* index of the runtime add/del route */

static FILE *csv;
static int reps = 5;
static const char *peer_name[] = { "mcrouted", "smcroute", "igmpproxy" };

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mcbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void row(const char *bench, const char *param, const char *metric,
		enum router_kind k, int rep, double v)
{
	fprintf(csv, "%s,%s,%s,%s,%d,%.6g\n", bench, param, metric,
		peer_name[k], rep, v);
	fflush(csv);
	say("  %-8s %-8s %-9s rep %d  %-16s %.6g\n", bench, param, peer_name[k],
	    rep, metric, v);
}

/* ---- groups ---------------------------------------------------------- */

/* Route i is (192.0.2.2, 239.A.B.C) with A.B.C = 1 + i in base 256. */
static void grp_of(uint32_t i, char *buf, size_t len)
{
	uint32_t g = (239u << 24) | ((i + 1) & 0xffffffu);

	snprintf(buf, len, "%u.%u.%u.%u", g >> 24, (g >> 16) & 255,
		 (g >> 8) & 255, g & 255);
}

static long idx_of_grp(uint32_t grp_host)
{
	if (grp_host >> 24 != 239u || !(grp_host & 0xffffffu))
		return -1;
	return (long)(grp_host & 0xffffffu) - 1;
}

/* Config with routes [from, to) plus [from2, to2). */
static char *conf_routes(uint32_t from, uint32_t to, uint32_t from2,
			 uint32_t to2)
{
	size_t cap = (size_t)(to - from + to2 - from2) * 72 + 256, len = 0;
	char *t = malloc(cap), g[32];

	if (!t)
		die("out of memory");
	len += (size_t)snprintf(t, cap,
				"# mcbench: %u (S,G) routes\n"
				"phyint wlan0 enable\nphyint usb0 enable\n",
				to - from + to2 - from2);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t a = pass ? from2 : from, b = pass ? to2 : to;

		for (uint32_t i = a; i < b; i++) {
			grp_of(i, g, sizeof(g));
			len += (size_t)snprintf(
				t + len, cap - len,
				"mroute from wlan0 source " SRC_ADDR
				" group %s to usb0\n",
				g);
		}
	}
	return t;
}

/* ---- /proc ----------------------------------------------------------- */

static double proc_cpu_ms(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return (double)ns / 1e6;
}

/* A "Key:   N kB" or "key: N" line of /proc/PID/status. */
static double proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	double v = NAN;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtod(line + kl + 1, NULL);
			break;
		}
	fclose(f);
	return v;
}

static double proc_wakeups(pid_t pid)
{
	return proc_status(pid, "voluntary_ctxt_switches") +
	       proc_status(pid, "nonvoluntary_ctxt_switches");
}

/* Resolved entries of the node's IPv4 MFC (from /proc). */
static long mfc_resolved(struct node *n)
{
	char *text = NULL;
	size_t len;
	long cnt = 0;

	if (node_read_file(n, "/proc/net/ip_mr_cache", &text, &len))
		return -1;
	for (char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		unsigned int g, o;
		int iif;

		if (sscanf(p + 1, "%x %x %d", &g, &o, &iif) == 3 && iif >= 0)
			cnt++;
	}
	free(text);
	return cnt;
}

static bool mfc_has(struct node *n, const char *src, const char *grp)
{
	struct mr_mfc *m = NULL;
	int cnt = proc_read_mr_mfc(n, AF_INET, &m);
	const struct mr_mfc *e = cnt > 0 ? mr_mfc_find_str(m, cnt, src, grp) :
					   NULL;
	bool ok = e && !e->unresolved && e->iif >= 0;

	free(m);
	return ok;
}

/* ---- the MFC watcher (rtnetlink) -------------------------------------- */

struct mfcw {
	int fd;
	uint8_t *present; /* by route index */
	uint32_t size;
	uint32_t count; /* present entries */
	bool overflow; /* events lost (ENOBUFS) */
	uint64_t last_ns; /* time of the last event */
	unsigned long events;
};

static void mfcw_open(struct mfcw *w, struct node *n, uint32_t size)
{
	int grp = RTNLGRP_IPV4_MROUTE, big = 64 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(w, 0, sizeof(*w));
	w->fd = node_socket(n, AF_NETLINK,
			    SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    NETLINK_ROUTE);
	if (w->fd < 0)
		die("netlink socket: %s", strerror(errno));
	if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(w->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		die("netlink bind: %s", strerror(errno));
	if (setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	w->size = size;
	w->present = calloc(size ? size : 1, 1);
	if (!w->present)
		die("out of memory");
}

static void mfcw_close(struct mfcw *w)
{
	close(w->fd);
	free(w->present);
}

static void mfcw_reset(struct mfcw *w)
{
	char buf[65536];

	while (recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 ||
	       errno == ENOBUFS)
		;
	memset(w->present, 0, w->size ? w->size : 1);
	w->count = 0;
	w->overflow = false;
	w->events = 0;
}

static void mfcw_set(struct mfcw *w, long idx, bool on)
{
	if (idx < 0 || (uint32_t)idx >= w->size || w->present[idx] == on)
		return;
	w->present[idx] = on;
	if (on)
		w->count++;
	else
		w->count--;
}

/* Read what is queued; returns the number of events. */
static int mfcw_read(struct mfcw *w)
{
	char buf[65536];
	int nev = 0;

	for (;;) {
		ssize_t len = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno == ENOBUFS) {
				w->overflow = true;
				continue;
			}
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			struct rtmsg *rtm = NLMSG_DATA(h);
			struct rtattr *a;
			int alen;
			uint32_t grp = 0;
			bool unres;

			if ((h->nlmsg_type != RTM_NEWROUTE &&
			     h->nlmsg_type != RTM_DELROUTE) ||
			    rtm->rtm_family != RTNL_FAMILY_IPMR)
				continue;
			unres = rtm->rtm_flags & RTNH_F_UNRESOLVED;
			alen = (int)RTM_PAYLOAD(h);
			for (a = RTM_RTA(rtm); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen))
				if (a->rta_type == RTA_DST &&
				    RTA_PAYLOAD(a) == 4)
					memcpy(&grp, RTA_DATA(a), 4);
			nev++;
			w->events++;
			w->last_ns = mono_ns();
			if (unres)
				continue;
			mfcw_set(w, idx_of_grp(ntohl(grp)),
				 h->nlmsg_type == RTM_NEWROUTE);
		}
	}
	return nev;
}

/* ---- daemons ---------------------------------------------------------- */

static char notify_path[108];
static int notify_fd = -1;

static void notify_open(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	mkdir_p("/run/mclab", 0755);
	snprintf(notify_path, sizeof(notify_path),
		 "/run/mclab/mcbench-%d.notify", (int)getpid());
	unlink(notify_path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", notify_path);
	notify_fd =
		socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (notify_fd < 0 ||
	    bind(notify_fd, (struct sockaddr *)&sun, sizeof(sun)))
		die("notify socket %s: %s", notify_path, strerror(errno));
	chmod(notify_path, 0666);
	setenv("NOTIFY_SOCKET", notify_path, 1);
}

/* True when a READY=1 is queued. */
static bool notify_ready(void)
{
	char buf[512];
	bool ready = false;
	ssize_t n;

	while ((n = recv(notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, "READY=1"))
			ready = true;
	}
	return ready;
}

struct dmn {
	enum router_kind kind;
	struct node *node;
	pid_t pid;
	uint64_t t_start; /* CLOCK_MONOTONIC before fork */
	char bin[256], ctl[256];
	char conf[700], sock[108], log[700], pidf[700];
};

/* Text put before the translated config (igmpproxy's quickleave). */
static const char *conf_pre = "";

static void dmn_conf(struct dmn *d, const char *conf_text)
{
	FILE *f;
	char *text;

	if (d->kind == ROUTER_SMCROUTE) {
		text = router_conf_smcroute(conf_text);
	} else if (d->kind == ROUTER_IGMPPROXY) {
		static const char *const ifs[] = { "wlan0", "usb0" };

		text = router_conf_igmpproxy(conf_text, ifs, 2);
	} else {
		text = strdup(conf_text);
	}
	f = text ? fopen(d->conf, "w") : NULL;
	if (!f || fputs(conf_pre, f) < 0 || fputs(text, f) < 0 || fclose(f))
		die("config %s: %s", d->conf, strerror(errno));
	free(text);
}

/*
 * Start the daemon in the node with fork + setns + exec (no mount
 * namespace: the same cost for every daemon, and none of /sys), -n in the
 * foreground, the default log level, output to a log file.
 */
static void dmn_start(struct dmn *d, enum router_kind kind, struct node *n,
		      const char *conf_text, const char *tag)
{
	const char *argv[16];
	char nspath[128], dir[600];
	int i = 0;
	const char *why;

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->node = n;
	why = router_available(kind, d->bin, sizeof(d->bin));
	if (why)
		die("%s", why);
	snprintf(d->ctl, sizeof(d->ctl), "%.*s/%s",
		 (int)(strrchr(d->bin, '/') - d->bin), d->bin,
		 kind == ROUTER_MCROUTED ? "mcroutectl" : "smcroutectl");
	snprintf(dir, sizeof(dir), "%s/bench", n->lab->results);
	mkdir_p(dir, 0755);
	snprintf(d->conf, sizeof(d->conf), "%s/%s-%s.conf", dir, tag,
		 peer_name[kind]);
	snprintf(d->log, sizeof(d->log), "%s/%s-%s.log", dir, tag,
		 peer_name[kind]);
	/* a real file: the daemons unlink their pid file when they stop */
	snprintf(d->pidf, sizeof(d->pidf), "%s/%s-%s.pid", dir, tag,
		 peer_name[kind]);
	snprintf(d->sock, sizeof(d->sock), "/run/mclab/%s-%s.sock", n->ns,
		 peer_name[kind]);
	unlink(d->sock);
	dmn_conf(d, conf_text);
	snprintf(nspath, sizeof(nspath), "/run/netns/%s", n->ns);

	argv[i++] = d->bin;
	argv[i++] = "-n";
	if (kind == ROUTER_IGMPPROXY) {
		argv[i++] = d->conf;
	} else {
		if (kind == ROUTER_SMCROUTE)
			argv[i++] = "-N";
		argv[i++] = "-f";
		argv[i++] = d->conf;
		argv[i++] = "-u";
		argv[i++] = d->sock;
		argv[i++] = "-P";
		argv[i++] = d->pidf;
	}
	argv[i] = NULL;
	notify_ready(); /* drain */
	d->t_start = mono_ns();
	d->pid = fork();
	if (d->pid < 0)
		die("fork: %s", strerror(errno));
	if (d->pid == 0) {
		int fd = open(nspath, O_RDONLY | O_CLOEXEC);
		int lf = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int nf = open("/dev/null", O_RDONLY);

		if (fd < 0 || setns(fd, CLONE_NEWNET) || lf < 0 || nf < 0) {
			dprintf(lf,
				"mcbench: cannot enter %s or open the log\n",
				nspath);
			_exit(126);
		}
		setpgid(0, 0);
		dup2(nf, 0);
		dup2(lf, 1);
		dup2(lf, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	lab_track_pid(n->lab, d->pid);
}

static void dmn_stop(struct dmn *d)
{
	if (d->pid > 0)
		node_stop(d->pid, SIGTERM, 20000);
	d->pid = 0;
	unlink(d->sock);
}

static bool dmn_alive(const struct dmn *d)
{
	return d->pid > 0 && proc_running(d->pid);
}

/* Wait until the daemon reported ready (READY=1; igmpproxy: its VIFs). */
static bool dmn_wait_ready(struct dmn *d, unsigned int timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000u;

	while (mono_ns() < end && dmn_alive(d)) {
		struct pollfd p = { notify_fd, POLLIN, 0 };

		if (d->kind == ROUTER_IGMPPROXY) {
			struct mr_vif *v = NULL;
			int n = proc_read_mr_vif(d->node, AF_INET, &v);

			free(v);
			if (n >= 2)
				return true;
			sleep_ms(1);
			continue;
		}
		if (notify_ready())
			return true;
		poll(&p, 1, 20);
	}
	return false;
}

/* Run argv in the node (fork + setns + exec, no mount namespace); returns
 * the exit code. */
static int run_in(struct node *n, const char *const *argv)
{
	char nspath[128];
	pid_t pid;
	int st;

	snprintf(nspath, sizeof(nspath), "/run/netns/%s", n->ns);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(nspath, O_RDONLY | O_CLOEXEC);
		int nf = open("/dev/null", O_RDWR);

		if (fd < 0 || setns(fd, CLONE_NEWNET) || nf < 0)
			_exit(126);
		dup2(nf, 0);
		dup2(nf, 1);
		dup2(nf, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static struct lab *bench_lab(const char *topo, const char *suffix)
{
	char err[TOPO_ERR_MAX], id[64];
	struct lab *lab;

	snprintf(id, sizeof(id), "mcl-%d-%s", (int)getpid(), suffix);
	lab = lab_up(topo_load(topo, err, sizeof(err)), id, err, sizeof(err));
	if (!lab)
		die("lab %s: %s", topo, err);
	return lab;
}

static enum router_kind order(int rep, int i, enum router_kind peer)
{
	/* alternate which daemon goes first */
	return ((rep + i) & 1) ? peer : ROUTER_MCROUTED;
}

/* ---- 1. route load ------------------------------------------------------ */

/*
 * Start d with n_routes routes and wait until all are in the MFC.  Returns
 * the time in ms (NAN on timeout), the ready time in *ready_ms.
 */
static double load_routes(struct dmn *d, enum router_kind kind,
			  struct node *rtr, struct mfcw *w, const char *conf,
			  uint32_t n_routes, unsigned int timeout_ms,
			  double *ready_ms)
{
	uint64_t end, t_ready = 0, t_done = 0;

	mfcw_reset(w);
	dmn_start(d, kind, rtr, conf, "load");
	end = d->t_start + (uint64_t)timeout_ms * 1000000u;
	while (mono_ns() < end) {
		struct pollfd p[2] = { { notify_fd, POLLIN, 0 },
				       { w->fd, POLLIN, 0 } };

		poll(p, 2, 50);
		mfcw_read(w);
		if (!t_ready && notify_ready())
			t_ready = mono_ns();
		if (w->count >= n_routes) {
			t_done = w->last_ns;
			break;
		}
		if (w->overflow) {
			/* events lost: count from /proc */
			if (mfc_resolved(rtr) >= (long)n_routes) {
				t_done = mono_ns();
				break;
			}
		}
		if (!dmn_alive(d))
			break;
	}
	*ready_ms = t_ready ? (double)(t_ready - d->t_start) / 1e6 : NAN;
	if (!t_done)
		return NAN;
	return (double)(t_done - d->t_start) / 1e6;
}

static void bench_load(uint32_t n_routes)
{
	struct lab *lab = bench_lab("pi-router", "load");
	struct node *rtr = lab_router(lab);
	char *conf = conf_routes(0, n_routes, 0, 0), param[32];
	unsigned int timeout_ms = n_routes > 20000 ? 120000 : 60000;
	int peer_reps = reps;
	struct mfcw w;

	snprintf(param, sizeof(param), "%u", n_routes);
	if (n_routes > 20000 && getenv("BENCH_PEER_BIG_REPS"))
		peer_reps = atoi(getenv("BENCH_PEER_BIG_REPS"));
	else if (n_routes > 20000)
		peer_reps = 1; /* smcroute: minutes per run, see RESULTS.md */
	mfcw_open(&w, rtr, n_routes);
	say("load %u routes\n", n_routes);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			double ms, ready_ms, cpu, rss;
			long inst;
			struct dmn d;

			if (k != ROUTER_MCROUTED && rep >= peer_reps)
				continue;
			ms = load_routes(&d, k, rtr, &w, conf, n_routes,
					 timeout_ms, &ready_ms);
			cpu = proc_cpu_ms(d.pid);
			rss = proc_status(d.pid, "VmHWM");
			inst = mfc_resolved(rtr);
			if (isnan(ms))
				say("  %s: %ld of %u installed after %u ms\n",
				    peer_name[k], inst, n_routes, timeout_ms);
			else if (inst != (long)n_routes)
				say("  %s: netlink said done, /proc has %ld\n",
				    peer_name[k], inst);
			row("load", param, "load_ms", k, rep,
			    isnan(ms) ? -1 : ms);
			row("load", param, "ready_ms", k, rep, ready_ms);
			row("load", param, "cpu_ms", k, rep, cpu);
			row("load", param, "rss_kib", k, rep, rss);
			row("load", param, "installed", k, rep, (double)inst);
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
		}
	}
	mfcw_close(&w);
	free(conf);
	lab_down(lab);
}

/* ---- 2. runtime change -------------------------------------------------- */

static double wait_idx(struct mfcw *w, long idx, bool on, uint64_t t0,
		       unsigned int timeout_ms)
{
	uint64_t end = t0 + (uint64_t)timeout_ms * 1000000u;

	while (mono_ns() < end) {
		struct pollfd p = { w->fd, POLLIN, 0 };

		mfcw_read(w);
		if (w->present[idx] == on)
			return (double)(w->last_ns - t0) / 1e6;
		poll(&p, 1, 20);
	}
	return NAN;
}

static void bench_change(void)
{
	const uint32_t n_routes = 10000;
	struct lab *lab = bench_lab("pi-router", "chg");
	struct node *rtr = lab_router(lab);
	char *conf = conf_routes(0, n_routes, 0, 0), g[32];
	struct mfcw w;

	grp_of(CHANGE_IDX, g, sizeof(g));
	mfcw_open(&w, rtr, CHANGE_IDX + 1);
	say("runtime add/del with %u routes\n", n_routes);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			double rdy, ms;
			struct dmn d;

			ms = load_routes(&d, k, rtr, &w, conf, n_routes, 60000,
					 &rdy);
			if (isnan(ms))
				die("%s did not load %u routes", peer_name[k],
				    n_routes);
			{
				const char *h[] = { d.ctl, "-h", NULL };
				uint64_t t0 = mono_ns();

				run_in(rtr, h);
				row("change", "10000", "exec_floor_ms", k, rep,
				    (double)(mono_ns() - t0) / 1e6);
			}
			/* a few adds and dels per daemon run */
			for (int j = 0; j < 3; j++) {
				const char *add[] = { d.ctl, "-u",    d.sock,
						      "add", "wlan0", SRC_ADDR,
						      g,     "usb0",  NULL };
				const char *del[] = {
					d.ctl,
					"-u",
					d.sock,
					k == ROUTER_MCROUTED ? "del" : "remove",
					"wlan0",
					SRC_ADDR,
					g,
					NULL
				};
				uint64_t t0;
				int rc;

				sleep_ms(50);
				mfcw_read(&w);
				t0 = mono_ns();
				rc = run_in(rtr, add);
				ms = wait_idx(&w, CHANGE_IDX, true, t0, 5000);
				if (rc || !mfc_has(rtr, SRC_ADDR, g))
					say("  add: exit %d, in MFC %d\n", rc,
					    mfc_has(rtr, SRC_ADDR, g));
				row("change", "10000", "add_ms", k, rep * 3 + j,
				    isnan(ms) ? -1 : ms);
				sleep_ms(50);
				mfcw_read(&w);
				t0 = mono_ns();
				rc = run_in(rtr, del);
				ms = wait_idx(&w, CHANGE_IDX, false, t0, 5000);
				if (rc || mfc_has(rtr, SRC_ADDR, g))
					say("  del: exit %d, in MFC %d\n", rc,
					    mfc_has(rtr, SRC_ADDR, g));
				row("change", "10000", "del_ms", k, rep * 3 + j,
				    isnan(ms) ? -1 : ms);
			}
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
		}
	}
	mfcw_close(&w);
	free(conf);
	lab_down(lab);
}

/* ---- 3. reload ----------------------------------------------------------- */

/* A receiver socket in a node with a large buffer, drained afterwards. */
static int rx_sock(struct node *n, const char *ifname, uint16_t port,
		   const char *const *groups, int ngroups)
{
	int fd = node_socket(n, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1, big = 32 << 20;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind: %s", strerror(errno));
	for (int i = 0; i < ngroups; i++) {
		struct ip_mreqn mr = { .imr_ifindex =
					       (int)if_nametoindex(ifname) };

		/* if_nametoindex runs in our namespace: join by address */
		mr.imr_ifindex = 0;
		inet_pton(AF_INET, groups[i], &mr.imr_multiaddr);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
			       sizeof(mr)))
			die("join %s: %s", groups[i], strerror(errno));
	}
	return fd;
}

struct rxrec {
	uint32_t stream, seq;
	uint64_t rx_ns, tx_ns; /* CLOCK_REALTIME (kernel stamp, sender's) */
	uint32_t src;
};

/* Drain fd; returns the records (malloc'd), count in *n, drops in *ovfl. */
static struct rxrec *rx_drain(int fd, size_t *n, unsigned long *ovfl)
{
	size_t cap = 1024, cnt = 0;
	struct rxrec *v = malloc(cap * sizeof(*v));

	*ovfl = 0;
	for (;;) {
		char buf[2048], cbuf[256];
		struct sockaddr_in from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		ssize_t len = recvmsg(fd, &mh, MSG_DONTWAIT);
		struct cmsghdr *c;
		struct rxrec r = { 0 };

		if (len < 0)
			break;
		if (!mclab_hdr_parse(buf, (size_t)len, &r.stream, &r.seq,
				     &r.tx_ns))
			continue;
		r.src = ntohl(from.sin_addr.s_addr);
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET)
				continue;
			if (c->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				r.rx_ns = (uint64_t)ts.tv_sec * 1000000000u +
					  (uint64_t)ts.tv_nsec;
			} else if (c->cmsg_type == SO_RXQ_OVFL) {
				uint32_t o;

				memcpy(&o, CMSG_DATA(c), sizeof(o));
				*ovfl = o;
			}
		}
		if (cnt == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		if (!v)
			die("out of memory");
		v[cnt++] = r;
	}
	*n = cnt;
	return v;
}

static void bench_reload(void)
{
	const uint32_t n_routes = 10000, chg = n_routes / 100;
	struct lab *lab = bench_lab("pi-router", "rld");
	struct node *rtr = lab_router(lab), *snd = lab_node(lab, "snd"),
		    *rcv = lab_node(lab, "rcv");
	char *conf_a = conf_routes(0, n_routes, 0, 0);
	/* 1% changed: routes 0..99 removed, n..n+99 added */
	char *conf_b = conf_routes(chg, n_routes, n_routes, n_routes + chg);
	char ga[32], gb[32], sna[128], rns[128];
	const char *groups[2] = { ga, gb };
	struct mfcw w;

	grp_of(chg, ga, sizeof(ga)); /* first unchanged route */
	grp_of(n_routes - 1, gb, sizeof(gb)); /* last one */
	snprintf(sna, sizeof(sna), "%s", snd->ns);
	snprintf(rns, sizeof(rns), "%s", rcv->ns);
	mfcw_open(&w, rtr, n_routes + chg);
	say("reload %u routes, %u changed\n", n_routes, 2 * chg);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			struct udp_tx *tx[2];
			struct udp_tx_stats st[2];
			unsigned long lost = 0, ovfl;
			double rdy, ms, cpu0;
			struct rxrec *recs;
			uint64_t t0, end;
			size_t nrec;
			struct dmn d;
			int fd;

			ms = load_routes(&d, k, rtr, &w, conf_a, n_routes,
					 60000, &rdy);
			if (isnan(ms))
				die("%s did not load", peer_name[k]);
			fd = rx_sock(rcv, "eth0", 5001, groups, 2);
			for (int f = 0; f < 2; f++) {
				struct udp_tx_opts o = {
					.netns = sna,
					.ifname = "eth0",
					.group = groups[f],
					.sport = 5000,
					.dport = 5001,
					.ttl = 8,
					.pps = 1000,
					.stream = (uint32_t)f + 1,
				};

				tx[f] = udp_tx_start(&o);
				if (!tx[f])
					die("udp_tx: %s", strerror(errno));
			}
			sleep_ms(500);
			mfcw_read(&w);
			cpu0 = proc_cpu_ms(d.pid);
			dmn_conf(&d, conf_b);
			t0 = mono_ns();
			kill(d.pid, SIGHUP);
			end = t0 + 120000000000ull;
			ms = NAN;
			while (mono_ns() < end) {
				struct pollfd p = { w.fd, POLLIN, 0 };
				bool done = true;

				mfcw_read(&w);
				for (uint32_t j = 0; j < chg && done; j++)
					done = !w.present[j] &&
					       w.present[n_routes + j];
				if (done) {
					ms = (double)(w.last_ns - t0) / 1e6;
					break;
				}
				poll(&p, 1, 50);
			}
			row("reload", "10000", "reload_ms", k, rep,
			    isnan(ms) ? -1 : ms);
			row("reload", "10000", "cpu_ms", k, rep,
			    proc_cpu_ms(d.pid) - cpu0);
			sleep_ms(500);
			for (int f = 0; f < 2; f++)
				udp_tx_stop(tx[f], &st[f]);
			sleep_ms(100);
			recs = rx_drain(fd, &nrec, &ovfl);
			for (int f = 0; f < 2; f++) {
				uint8_t *seen = calloc(st[f].sent + 1, 1);
				unsigned long got = 0;

				for (size_t r = 0; r < nrec; r++)
					if (recs[r].stream == (uint32_t)f + 1 &&
					    recs[r].seq < st[f].sent &&
					    !seen[recs[r].seq]) {
						seen[recs[r].seq] = 1;
						got++;
					}
				lost += st[f].sent - got;
				free(seen);
			}
			if (ovfl)
				say("  receiver socket dropped %lu\n", ovfl);
			row("reload", "10000", "lost_pkts", k, rep,
			    (double)lost);
			row("reload", "10000", "entries_ok", k, rep,
			    (double)mfc_resolved(rtr));
			free(recs);
			close(fd);
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
		}
	}
	mfcw_close(&w);
	free(conf_a);
	free(conf_b);
	lab_down(lab);
}

/* ---- 4. new sources ------------------------------------------------------- */

#define NSRC 1000
#define SRC_PKTS 10

static uint16_t ip_csum(const void *p, size_t len)
{
	const uint16_t *w = p;
	uint32_t s = 0;

	for (; len > 1; len -= 2)
		s += *w++;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t src_addr(int i)
{
	return (10u << 24) | (99u << 16) | (uint32_t)(i + 1); /* 10.99/22 */
}

static int fd_raw;

/*
 * Source i starts at i * start_us and sends SRC_PKTS datagrams every
 * gap_us.  Sent realtime stamps go into tx[i][seq].
 */
static void send_sources(unsigned int start_us, unsigned int gap_us,
			 uint64_t (*tx)[SRC_PKTS])
{
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char payload[32];
	} __attribute__((packed)) pk;
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint64_t base = mono_ns() + 1000000;
	size_t total = (size_t)NSRC * SRC_PKTS;

	inet_pton(AF_INET, "239.9.9.9", &to.sin_addr);
	/* the packets in time order: (start of i) + seq * gap */
	for (size_t n = 0, i0 = 0; n < total;) {
		uint64_t best = UINT64_MAX;
		int bi = -1, bs = 0;

		/* sources active now: i0 .. those started (small window) */
		for (size_t i = i0; i < NSRC; i++) {
			uint64_t st = (uint64_t)i * start_us * 1000;
			int s;

			if (st > best)
				break;
			for (s = 0; s < SRC_PKTS && tx[i][s]; s++)
				;
			if (s == SRC_PKTS) {
				if (i == i0)
					i0++;
				continue;
			}
			st += (uint64_t)s * gap_us * 1000;
			if (st < best) {
				best = st;
				bi = (int)i;
				bs = s;
			}
		}
		if (bi < 0)
			break;
		while (mono_ns() < base + best)
			;
		memset(&pk, 0, sizeof(pk));
		pk.ip.version = 4;
		pk.ip.ihl = 5;
		pk.ip.ttl = 8;
		pk.ip.protocol = IPPROTO_UDP;
		pk.ip.tot_len = htons(sizeof(pk));
		pk.ip.id = htons((uint16_t)n);
		pk.ip.saddr = htonl(src_addr(bi));
		pk.ip.daddr = to.sin_addr.s_addr;
		pk.ip.check = ip_csum(&pk.ip, sizeof(pk.ip));
		pk.udp.source = htons(5000);
		pk.udp.dest = htons(5002);
		pk.udp.len = htons(sizeof(pk) - sizeof(pk.ip));
		tx[bi][bs] = real_ns();
		mclab_hdr_fill(pk.payload, (uint32_t)bi, (uint32_t)bs,
			       tx[bi][bs]);
		if (sendto(fd_raw, &pk, sizeof(pk), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			say("  sendto: %s\n", strerror(errno));
		n++;
	}
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	if (!n)
		return NAN;
	return v[(size_t)((double)(n - 1) * p + 0.5)];
}

static void bench_sources(unsigned int start_us, unsigned int gap_us)
{
	struct lab *lab = bench_lab("pi-router", "src");
	struct node *rtr = lab_router(lab), *snd = lab_node(lab, "snd"),
		    *rcv = lab_node(lab, "rcv");
	static const char conf[] =
		"phyint wlan0 enable\nphyint usb0 enable\n"
		"mroute from wlan0 group 239.9.9.9 to usb0\n";
	const char *groups[] = { "239.9.9.9" };
	uint64_t(*tx)[SRC_PKTS] = calloc(NSRC, sizeof(*tx));
	char param[32];
	int one = 1;

	snprintf(param, sizeof(param), "%uus", start_us);
	if (!tx)
		die("out of memory");
	if (node_run_cmd(rtr, 5000, "ip route add 10.99.0.0/22 via 192.0.2.2"))
		die("route on rtr");
	fd_raw =
		node_socket(snd, AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd_raw < 0 ||
	    setsockopt(fd_raw, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) ||
	    setsockopt(fd_raw, SOL_SOCKET, SO_BINDTODEVICE, "eth0", 5))
		die("raw socket: %s", strerror(errno));
	say("new sources: %d sources, one every %u us, %d packets %u us apart\n",
	    NSRC, start_us, SRC_PKTS, gap_us);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			unsigned long ovfl, lost = 0, lost1 = 0, never = 0;
			double *lat = calloc(NSRC, sizeof(double)), cpu0;
			uint64_t(*first)[2] = calloc(NSRC, sizeof(*first));
			uint8_t(*got)[SRC_PKTS] = calloc(NSRC, sizeof(*got));
			struct rxrec *recs;
			size_t nrec, nlat = 0;
			struct dmn d;
			int fd;

			if (!lat || !first || !got)
				die("out of memory");
			dmn_start(&d, k, rtr, conf, "src");
			if (!dmn_wait_ready(&d, 10000))
				die("%s not ready", peer_name[k]);
			sleep_ms(200);
			fd = rx_sock(rcv, "eth0", 5002, groups, 1);
			memset(tx, 0, NSRC * sizeof(*tx));
			cpu0 = proc_cpu_ms(d.pid);
			send_sources(start_us, gap_us, tx);
			sleep_ms(500);
			recs = rx_drain(fd, &nrec, &ovfl);
			for (size_t r = 0; r < nrec; r++) {
				uint32_t s = recs[r].stream, q = recs[r].seq;

				if (s >= NSRC || q >= SRC_PKTS ||
				    recs[r].src != src_addr((int)s))
					continue;
				got[s][q] = 1;
				if (!first[s][0] || recs[r].rx_ns < first[s][0])
					first[s][0] = recs[r].rx_ns;
			}
			for (int s = 0; s < NSRC; s++) {
				int l = 0;

				for (int q = 0; q < SRC_PKTS; q++)
					l += !got[s][q];
				lost += (unsigned long)l;
				lost1 += !got[s][0];
				if (!first[s][0]) {
					never++;
					continue;
				}
				lat[nlat++] =
					(double)(first[s][0] - tx[s][0]) / 1e6;
			}
			qsort(lat, nlat, sizeof(*lat), cmp_dbl);
			if (ovfl)
				say("  receiver socket dropped %lu\n", ovfl);
			row("sources", param, "lat_p50_ms", k, rep,
			    pct(lat, nlat, 0.5));
			row("sources", param, "lat_p99_ms", k, rep,
			    pct(lat, nlat, 0.99));
			row("sources", param, "lost_pkts", k, rep,
			    (double)lost);
			row("sources", param, "first_lost", k, rep,
			    (double)lost1);
			row("sources", param, "never_fwd", k, rep,
			    (double)never);
			row("sources", param, "cpu_ms", k, rep,
			    proc_cpu_ms(d.pid) - cpu0);
			free(recs);
			free(lat);
			free(first);
			free(got);
			close(fd);
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
			sleep_ms(200);
		}
	}
	close(fd_raw);
	free(tx);
	lab_down(lab);
}

/* ---- 5. IGMP proxy: join and leave ------------------------------------------ */

/* The first/last datagram of the stream in the capture: realtime ns. */
static void bench_igmp(bool fast)
{
	struct lab *lab = bench_lab("pi-router", fast ? "igf" : "igm");
	struct node *rtr = lab_router(lab), *snd = lab_node(lab, "snd"),
		    *rcv = lab_node(lab, "rcv");
	const char *conf_m = fast ? "phyint wlan0 upstream\n"
				    "phyint usb0 downstream fast-leave\n" :
				    "phyint wlan0 upstream\n"
				    "phyint usb0 downstream\n";
	const char *conf_p = "mroute from wlan0 group 239.7.7.7 to usb0\n";
	const char *param = fast ? "fast" : "default";
	char sna[128];

	snprintf(sna, sizeof(sna), "%s", snd->ns);
	say("IGMP join/leave, %s timers\n", param);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_IGMPPROXY);
			struct udp_tx_opts o = { .netns = sna,
						 .ifname = "eth0",
						 .group = "239.7.7.7",
						 .sport = 5000,
						 .dport = 5003,
						 .ttl = 8,
						 .pps = 1000,
						 .stream = 7 };
			const struct pkt_rec *pr;
			struct udp_tx *tx;
			uint64_t t_join, t_leave, t_stop, t_first = 0,
							  t_last = 0;
			size_t npr;
			struct cap *cap;
			struct dmn d;
			int fd;

			/* the peers' documented fast leave: quickleave */
			conf_pre = k == ROUTER_IGMPPROXY && fast ?
					   "quickleave\n" :
					   "";
			dmn_start(&d, k, rtr,
				  k == ROUTER_MCROUTED ? conf_m : conf_p,
				  "igmp");
			conf_pre = "";
			if (!dmn_wait_ready(&d, 10000))
				die("%s not ready", peer_name[k]);
			sleep_ms(300);
			tx = udp_tx_start(&o);
			if (!tx)
				die("udp_tx: %s", strerror(errno));
			cap = cap_start(rcv->ns, "eth0", "udp dst port 5003");
			if (!cap)
				die("capture: %s", cap_error());
			sleep_ms(300);
			t_join = real_ns();
			{
				const char *g[] = { "239.7.7.7" };

				fd = rx_sock(rcv, "eth0", 5003, g, 1);
			}
			for (int t = 0; t < 1000 && !cap_count(cap, NULL); t++)
				sleep_ms(5);
			sleep_ms(500);
			t_leave = real_ns();
			close(fd); /* leaves the group */
			sleep_ms(fast ? 3000 : 15000);
			t_stop = real_ns();
			udp_tx_stop(tx, NULL);
			cap_stop(cap);
			pr = cap_records(cap, &npr);
			for (size_t r = 0; r < npr; r++) {
				if (pr[r].ts_ns >= t_join && !t_first)
					t_first = pr[r].ts_ns;
				if (pr[r].ts_ns >= t_leave)
					t_last = pr[r].ts_ns;
			}
			row("igmp", param, "join_ms", k, rep,
			    t_first ? (double)(t_first - t_join) / 1e6 : -1);
			/* still forwarding at the end of the window: -1 */
			if (t_last + 100000000u >= t_stop)
				say("  %s still forwarding %.0f ms after the leave\n",
				    peer_name[k],
				    (double)(t_stop - t_leave) / 1e6);
			row("igmp", param, "leave_ms", k, rep,
			    t_last + 100000000u >= t_stop ? -1 :
			    t_last ? (double)(t_last - t_leave) / 1e6 :
				     0);
			cap_free(cap);
			dmn_stop(&d);
			sleep_ms(300);
		}
	}
	lab_down(lab);
}

/* ---- 7. idle -------------------------------------------------------------- */

static void bench_idle(unsigned int secs)
{
	struct lab *la = bench_lab("pi-router", "idm"),
		   *lb = bench_lab("pi-router", "ids");
	struct node *ra = lab_router(la), *rb = lab_router(lb);
	char *conf = conf_routes(0, 10000, 0, 0), param[16];
	struct mfcw wa, wb;

	snprintf(param, sizeof(param), "%us", secs);
	mfcw_open(&wa, ra, 10000);
	mfcw_open(&wb, rb, 10000);
	say("idle %u s with 10000 routes (both daemons side by side)\n", secs);
	for (int rep = 0; rep < reps; rep++) {
		struct dmn da, db;
		double rdy, c0[2], w0[2];

		if (isnan(load_routes(&da, ROUTER_MCROUTED, ra, &wa, conf,
				      10000, 60000, &rdy)) ||
		    isnan(load_routes(&db, ROUTER_SMCROUTE, rb, &wb, conf,
				      10000, 60000, &rdy)))
			die("idle: load failed");
		sleep_ms(2000);
		c0[0] = proc_cpu_ms(da.pid);
		c0[1] = proc_cpu_ms(db.pid);
		w0[0] = proc_wakeups(da.pid);
		w0[1] = proc_wakeups(db.pid);
		sleep_ms(secs * 1000);
		row("idle", param, "cpu_ms", ROUTER_MCROUTED, rep,
		    proc_cpu_ms(da.pid) - c0[0]);
		row("idle", param, "cpu_ms", ROUTER_SMCROUTE, rep,
		    proc_cpu_ms(db.pid) - c0[1]);
		row("idle", param, "wakeups", ROUTER_MCROUTED, rep,
		    proc_wakeups(da.pid) - w0[0]);
		row("idle", param, "wakeups", ROUTER_SMCROUTE, rep,
		    proc_wakeups(db.pid) - w0[1]);
		row("idle", param, "rss_kib", ROUTER_MCROUTED, rep,
		    proc_status(da.pid, "VmRSS"));
		row("idle", param, "rss_kib", ROUTER_SMCROUTE, rep,
		    proc_status(db.pid, "VmRSS"));
		dmn_stop(&da);
		dmn_stop(&db);
		for (int t = 0;
		     t < 2000 && (mfc_resolved(ra) > 0 || mfc_resolved(rb) > 0);
		     t++)
			sleep_ms(5);
	}
	mfcw_close(&wa);
	mfcw_close(&wb);
	free(conf);
	lab_down(la);
	lab_down(lb);
}

/* ---- 6. harness ------------------------------------------------------------ */

static void bench_harness(int runs)
{
	say("harness: pi-router up and down, %d runs\n", runs);
	for (int i = 0; i < runs; i++) {
		char err[TOPO_ERR_MAX];
		struct topo *t = topo_load("pi-router", err, sizeof(err));
		uint64_t t0, t1, t2;
		struct lab *lab;

		if (!t)
			die("%s", err);
		t0 = mono_ns();
		lab = lab_up(t, NULL, err, sizeof(err));
		if (!lab)
			die("%s", err);
		t1 = mono_ns();
		lab_down(lab);
		t2 = mono_ns();
		row("harness", "pi-router", "up_ms", ROUTER_MCROUTED, i,
		    (double)(t1 - t0) / 1e6);
		row("harness", "pi-router", "down_ms", ROUTER_MCROUTED, i,
		    (double)(t2 - t1) / 1e6);
		row("harness", "pi-router", "updown_ms", ROUTER_MCROUTED, i,
		    (double)(t2 - t0) / 1e6);
	}
}

static void usage(void)
{
	fputs("usage: mcbench [-r REPS] [-o CSV] BENCH [ARG]...\n"
	      "  load N | change | reload | sources [START_US [GAP_US]] |\n"
	      "  igmp | idle SECS | harness RUNS\n",
	      stderr);
	exit(64);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int c;

	while ((c = getopt(argc, argv, "r:o:h")) != -1) {
		switch (c) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || reps < 1)
		usage();
	if (geteuid() != 0)
		die("needs root (network namespaces, the MFC)");
	csv = out ? fopen(out, "a") : stdout;
	if (!csv)
		die("%s: %s", out, strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	notify_open();
	lab_sweep(false);

	for (int i = optind; i < argc; i++) {
		const char *b = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		bool num = arg && arg[0] >= '0' && arg[0] <= '9';

		if (!strcmp(b, "load") && num) {
			bench_load((uint32_t)strtoul(arg, NULL, 10));
			i++;
		} else if (!strcmp(b, "change")) {
			bench_change();
		} else if (!strcmp(b, "reload")) {
			bench_reload();
		} else if (!strcmp(b, "sources")) {
			unsigned int s = 1000, g = 1000;

			if (num) {
				s = (unsigned int)atoi(arg);
				i++;
				if (i + 1 < argc && argv[i + 1][0] >= '0' &&
				    argv[i + 1][0] <= '9')
					g = (unsigned int)atoi(argv[++i]);
			}
			bench_sources(s, g);
		} else if (!strcmp(b, "igmp")) {
			bench_igmp(false);
			bench_igmp(true);
		} else if (!strcmp(b, "idle") && num) {
			bench_idle((unsigned int)atoi(arg));
			i++;
		} else if (!strcmp(b, "harness") && num) {
			bench_harness(atoi(arg));
			i++;
		} else {
			usage();
		}
	}
	unlink(notify_path);
	if (csv != stdout)
		fclose(csv);
	return 0;
}
