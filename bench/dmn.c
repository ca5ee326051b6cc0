// SPDX-License-Identifier: MIT
/*
 * mcbench: the daemons under test, started the same way (fork, setns,
 * exec, foreground, default log level), and their readiness.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "bench.h"

static char notify_path[108];
int notify_fd = -1;

void notify_open(void)
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
bool notify_ready(void)
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

void notify_close(void)
{
	close(notify_fd);
	unlink(notify_path);
}

/* Text put before the translated config (igmpproxy's quickleave). */
const char *conf_pre = "";

void dmn_conf(struct dmn *d, const char *conf_text)
{
	FILE *f;
	char *text;

	if (d->kind == ROUTER_SMCROUTE) {
		text = router_conf_smcroute(conf_text);
	} else if (d->kind == ROUTER_IGMPPROXY) {
		static const char *const ifs[] = { "wlan0", "usb0" };

		char *q;

		/*
		 * The harness's translation turns quickleave on (the cases
		 * want fast leaves); the benchmarks run igmpproxy at its
		 * defaults and put quickleave back with conf_pre.
		 */
		text = router_conf_igmpproxy(conf_text, ifs, 2);
		q = text ? strstr(text, "\nquickleave\n") : NULL;
		if (q)
			memmove(q + 1, q + 12, strlen(q + 12) + 1);
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
void dmn_start(struct dmn *d, enum router_kind kind, struct node *n,
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

void dmn_stop(struct dmn *d)
{
	if (d->pid > 0)
		proc_stop(d->pid, SIGTERM, 20000);
	d->pid = 0;
	unlink(d->sock);
}

bool dmn_alive(const struct dmn *d)
{
	return d->pid > 0 && proc_running(d->pid);
}

/* Wait until the daemon reported ready (READY=1; igmpproxy: its VIFs). */
bool dmn_wait_ready(struct dmn *d, unsigned int timeout_ms)
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
int run_in(struct node *n, const char *const *argv)
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

struct lab *bench_lab(const char *topo, const char *suffix)
{
	char err[TOPO_ERR_MAX], id[64];
	struct lab *lab;

	snprintf(id, sizeof(id), "mcl-%d-%s", (int)getpid(), suffix);
	lab = lab_up(topo_load(topo, err, sizeof(err)), id, err, sizeof(err));
	if (!lab)
		die("lab %s: %s", topo, err);
	return lab;
}

enum router_kind order(int rep, int i, enum router_kind peer)
{
	/* alternate which daemon goes first */
	return ((rep + i) & 1) ? peer : ROUTER_MCROUTED;
}
