// SPDX-License-Identifier: MIT
/*
 * Faults a router on a Pi lives through: kill -9 under traffic (the
 * kernel drops the MFC, mc_forwarding returns to 0, a restart restores
 * forwarding), 100 interface flaps (routes come back; fd count and RSS
 * stay flat), and privilege drop (-p): only CAP_NET_ADMIN and CAP_NET_RAW
 * left, still routing, control socket 0660 closed to other users.
 */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include "common.h"

static const char conf[] = "mroute from wlan0 group 225.1.2.3 to usb0\n"
			   "mroute from wlan0 source 192.0.2.2 group 225.1.2.4 "
			   "to usb0\n";

static int setup(void **state)
{
	static struct fx f;

	if (!fx_needs(&f, NODE_CAP_HOST_PROC,
		      "kills, traces, restarts a host daemon process"))
		fx_up(&f, "pi-router", RF_STATIC, conf);
	*state = &f;
	return 0;
}

/* Exactly n of stream reach rcv with TTL 9. */
static void flows(struct fx *f, const char *grp, unsigned long n,
		  uint32_t stream, const char *what)
{
	struct cap *c;

	/*
	 * The route first: a (*,G) is learned from an upcall while the kernel
	 * holds at most 4 packets (cases/static covers that budget).
	 */
	send_udp(f, "snd", "eth0", "192.0.2.2", grp, 64, 1, 999);
	assert_true(wait_route(f, "192.0.2.2", grp, true, T_FLOW));
	c = cap_start(fx_ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	send_udp(f, "snd", "eth0", "192.0.2.2", grp, 10, n, stream);
	assert_true(expect_exact(c,
				 &(struct pkt_match){ .dst = grp,
						      .ttl = 9,
						      .has_stream = true,
						      .stream = stream },
				 n, what));
	cap_free(c);
}

static bool mfc_empty(void *arg)
{
	struct fx *f = arg;
	struct mr_mfc *m = NULL;
	int n = proc_read_mr_mfc(lab_router(f->lab), AF_INET, &m);

	free(m);
	return n == 0;
}

static void test_kill9_and_restart(void **state)
{
	struct fx *f = *state;
	struct udp_tx *tx;
	struct node *rtr;

	FX_CHECK(f);
	assert_true(f->router_up);
	rtr = lab_router(f->lab);
	flows(f, "225.1.2.3", 20, 1, "before-kill");
	/* A flow running while the daemon dies. */
	tx = udp_tx_start(&(struct udp_tx_opts){ .netns = fx_ns(f, "snd"),
						 .ifname = "eth0",
						 .src = "192.0.2.2",
						 .group = "225.1.2.4",
						 .sport = CASE_SPORT,
						 .dport = CASE_PORT,
						 .ttl = 10,
						 .pps = 500,
						 .stream = 9 });
	assert_non_null(tx);
	assert_int_equal(kill(f->r.pid, SIGKILL), 0);
	assert_int_equal(router_stop(&f->r, 3000), 128 + SIGKILL);
	f->router_up = false;
	/* Closing the mroute socket is MRT_DONE: the kernel flushes. */
	assert_true(wait_until(mfc_empty, f, 2000, 5));
	assert_int_equal(proc_read_mc_forwarding(rtr, AF_INET, "all"), 0);
	assert_int_equal(proc_read_mc_forwarding(rtr, AF_INET, "usb0"), 0);
	udp_tx_stop(tx, NULL);
	/* A restart picks up the stale socket file and routes again. */
	fx_restart(f, conf, NULL);
	assert_int_equal(proc_read_mc_forwarding(rtr, AF_INET, "all"), 1);
	flows(f, "225.1.2.3", 20, 2, "after-restart-star");
	flows(f, "225.1.2.4", 20, 3, "after-restart-sg");
}

static long count_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static long status_field(pid_t pid, const char *key, int base)
{
	char path[64], line[256];
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key) + 1, NULL, base);
	fclose(fp);
	return v;
}

static void test_100_flaps(void **state)
{
	struct fx *f = *state;
	struct node *rtr;
	long fds0, fds1, rss0, rss1;

	FX_CHECK(f);
	FX_NEED(f, RF_HOTPLUG);
	if (!f->router_up)
		fx_restart(f, conf, NULL);
	rtr = lab_router(f->lab);
	flows(f, "225.1.2.3", 10, 10, "before-flaps");
	fds0 = count_fds(f->r.pid);
	rss0 = status_field(f->r.pid, "VmRSS:", 10);
	for (int i = 0; i < 100; i++)
		node_must(rtr, "ip link set usb0 down && ip link set usb0 up");
	/* And one delete and re-create (new ifindex). */
	node_must(rtr,
		  "ip link del usb0 && ip link add usb0 type veth peer "
		  "name eth0 netns %s && ip addr add 198.51.100.1/24 dev "
		  "usb0 && ip link set usb0 up && ip netns exec %s sh -c "
		  "'ip addr add 198.51.100.2/24 dev eth0 && ip link set "
		  "eth0 up && ip route add default via 198.51.100.1'",
		  fx_ns(f, "rcv"), fx_ns(f, "rcv"));
	assert_true(wait_vif(f, AF_INET, "usb0", 3000));
	/* The new ifindex gets its routes back: (S,G) at once, (*,G) by
	 * upcall. */
	flows(f, "225.1.2.4", 20, 11, "after-flaps-sg");
	flows(f, "225.1.2.3", 20, 12, "after-flaps-star");
	fds1 = count_fds(f->r.pid);
	rss1 = status_field(f->r.pid, "VmRSS:", 10);
	INFO("100 flaps + re-create: fds %ld -> %ld, RSS %ld -> %ld kB\n", fds0,
	     fds1, rss0, rss1);
	assert_int_equal(fds1, fds0);
	assert_true(rss1 <= rss0 + 256); /* flat: no growth per flap */
}

static void test_privilege_drop(void **state)
{
	struct fx *f = *state;
	const char *extra[] = { "-p", "nobody:nogroup", NULL };
	struct node_result r;
	struct stat st;
	char ctl[512];
	long capeff;

	FX_CHECK(f);
	if (f->kind != ROUTER_MCROUTED) {
		print_message("# SKIP reason: -p is mcrouted's option here\n");
		skip();
	}
	fx_restart(f, conf, extra);
	capeff = status_field(f->r.pid, "CapEff:", 16);
	INFO("-p nobody: uid %ld, CapEff %#lx\n",
	     status_field(f->r.pid, "Uid:", 10), capeff);
	assert_int_equal(status_field(f->r.pid, "Uid:", 10), 65534);
	/* CAP_NET_ADMIN (12) and CAP_NET_RAW (13), nothing else. */
	assert_int_equal(capeff, (1L << 12) | (1L << 13));
	/* Still routing: a new source needs MRT_ADD_MFC. */
	flows(f, "225.1.2.3", 20, 20, "dropped-star");
	assert_int_equal(stat(f->r.sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	/* Another unprivileged user cannot use the control socket. */
	assert_true(router_find_tool("mcroutectl", ctl, sizeof(ctl)));
	assert_int_equal(node_exec(lab_router(f->lab),
				   (const char *[]){
					   "setpriv", "--reuid=daemon",
					   "--regid=daemon", "--clear-groups",
					   ctl, "-u", f->r.sock, "show", NULL },
				   5000, &r),
			 0);
	assert_int_equal(r.exit_code, 69);
	assert_non_null(strstr(r.err, "Permission denied"));
	node_result_free(&r);
	/* Root (the socket's owner) can. */
	assert_int_equal(router_ctl(&f->r, NULL, 0, "show routes"), 0);
	fx_restart(f, conf, NULL);
}

/*
 * Nothing is written outside the control socket and the pid file (the log
 * goes to stderr or syslog): every file system call that writes, traced
 * with strace over start, reload, control traffic and stop.
 */
static void test_writes_only_its_files(void **state)
{
	struct fx *f = *state;
	const char *extra[] = { NULL };
	char trace[600], arg[640], err[2048], line[1024], bad[4096] = "";
	const char *wrap[] = { "strace",
			       "-f",
			       "-qq",
			       "-e",
			       "trace=open,openat,creat,mkdir,mkdirat,rename,"
			       "renameat,renameat2,unlink,unlinkat,link,"
			       "linkat,symlink,symlinkat,truncate,chmod,"
			       "fchmodat,chown,fchownat,bind",
			       arg,
			       NULL };
	size_t nbad = 0, ncalls = 0;
	int daemon_pid = 0;
	FILE *fp;

	FX_CHECK(f);
#ifdef SANITIZED
	print_message("# SKIP reason: LeakSanitizer cannot run under ptrace "
		      "(strace); the unsanitized run covers this\n");
	skip();
#endif
	if (f->kind != ROUTER_MCROUTED || access("/usr/bin/strace", X_OK)) {
		print_message("# SKIP reason: %s\n",
			      f->kind != ROUTER_MCROUTED ?
				      "traces mcrouted" :
				      "strace is not installed");
		skip();
	}
	if (f->router_up)
		router_stop(&f->r, 3000);
	f->router_up = false;
	snprintf(trace, sizeof(trace), "%s/strace.txt", f->lab->results);
	snprintf(arg, sizeof(arg), "-o%s", trace);
	if (router_start_wrapped(&f->r, f->kind, lab_router(f->lab), conf,
				 extra, wrap, 5 * T_READY, err, sizeof(err)))
		fail_msg("router_start under strace: %s", err);
	f->router_up = true;
	flows(f, "225.1.2.3", 10, 30, "traced");
	assert_int_equal(router_ctl(&f->r, NULL, 0, "reload"), 0);
	assert_int_equal(router_ctl(&f->r, NULL, 0, "show routes"), 0);
	/* SIGTERM to mcrouted itself (strace would only detach); strace
	 * then exits with its status. */
	fp = fopen(f->r.pidfile, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%d", &daemon_pid), 1);
	fclose(fp);
	assert_int_equal(kill(daemon_pid, SIGTERM), 0);
	assert_int_equal(router_stop(&f->r, 5000), 0);
	f->router_up = false;

	fp = fopen(trace, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		bool writes = true;

		ncalls++;
		/* Opening for reading, or a failed call, writes nothing. */
		if (strstr(line, "open") && !strstr(line, "O_WRONLY") &&
		    !strstr(line, "O_RDWR") && !strstr(line, "O_CREAT") &&
		    !strstr(line, "O_TRUNC"))
			writes = false;
		if (strstr(line, "= -1 "))
			writes = false;
		/* bind() of netlink and raw sockets: no path. */
		if (strstr(line, "bind(") && !strstr(line, "AF_UNIX"))
			writes = false;
		if (!writes || strstr(line, f->r.pidfile) ||
		    strstr(line, f->r.sock))
			continue;
		nbad++;
		if (strlen(bad) + strlen(line) + 3 < sizeof(bad))
			strcat(bad, line);
	}
	fclose(fp);
	INFO("strace: %zu file-system calls, %zu outside the socket and the "
	     "pid file\n",
	     ncalls, nbad);
	if (nbad)
		print_message("# %s", bad);
	assert_int_equal(nbad, 0);
	assert_true(ncalls > 0);
	fx_restart(f, conf, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill9_and_restart),
		cmocka_unit_test(test_100_flaps),
		cmocka_unit_test(test_privilege_drop),
		cmocka_unit_test(test_writes_only_its_files),
	};

	return cmocka_run_group_tests_name("faults", tests, setup, fx_teardown);
}
