// SPDX-License-Identifier: MIT
/*
 * The node backends without root: a fake backend (every call recorded,
 * answers scripted) holds the dispatch of node.c and the router's one
 * lifecycle (router.c) to what they must do on a node that is not a
 * namespace; and the guest backends' shell scripts (node_guest.c) run for
 * real by a "guest" that is /bin/sh on this host, with the guest's
 * /run/mclab and /tmp/mclab moved into a temporary folder.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "node.h"
#include "node_guest.h"
#include "qemu.h"
#include "router.h"

/* ---- the fake backend ---------------------------------------------- */

#define MAX_CALLS 64

static struct fake {
	char calls[MAX_CALLS][1024]; /* "exec ...", "spawn ...", ... */
	int ncalls;
	char files[8][2][1024]; /* path, content */
	int nfiles;
	int spawn_pid; /* what spawn returns */
	int exit_code; /* what wait reports once "exited" */
	bool exited; /* the spawned process has ended */
	bool probe_ok; /* the control tool answers */
	bool released;
} fk;

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record(const char *fmt, ...)
{
	va_list ap;

	if (fk.ncalls >= MAX_CALLS)
		return;
	va_start(ap, fmt);
	vsnprintf(fk.calls[fk.ncalls++], sizeof(fk.calls[0]), fmt, ap);
	va_end(ap);
}

static void join(char *out, size_t len, const char *const argv[])
{
	size_t l = 0;

	out[0] = '\0';
	for (int i = 0; argv[i] && l < len; i++)
		l += (size_t)snprintf(out + l, len - l, "%s%s", i ? " " : "",
				      argv[i]);
}

/* the recorded call that starts with prefix, NULL when none */
static const char *called(const char *prefix)
{
	for (int i = 0; i < fk.ncalls; i++)
		if (!strncmp(fk.calls[i], prefix, strlen(prefix)))
			return fk.calls[i];
	return NULL;
}

static int f_exec(struct node *n, const char *const argv[],
		  unsigned int timeout_ms, struct node_result *r)
{
	char line[1024];

	(void)n;
	(void)timeout_ms;
	join(line, sizeof(line), argv);
	record("exec %s", line);
	r->exit_code = 0;
	if (strstr(line, "ctl -u ") && !fk.probe_ok)
		r->exit_code = 1;
	r->out = strdup("");
	r->err = strdup("");
	return 0;
}

static int f_tty(struct node *n, const char *const argv[])
{
	(void)n;
	record("tty %s", argv[0]);
	return 0;
}

static pid_t f_spawn(struct node *n, const char *const argv[],
		     const char *logname, char *logpath, size_t len)
{
	char line[1024];

	join(line, sizeof(line), argv);
	record("spawn %s", line);
	if (logpath)
		snprintf(logpath, len, "/guest/%s-%s.log", n->name, logname);
	return fk.spawn_pid;
}

static int f_signal(struct node *n, pid_t pid, int sig)
{
	(void)n;
	record("signal %d %d", (int)pid, sig);
	return 0;
}

static int f_wait(struct node *n, pid_t pid, unsigned int timeout_ms, int *code)
{
	(void)n;
	(void)pid;
	(void)timeout_ms;
	if (!fk.exited) {
		errno = ETIMEDOUT;
		return -1;
	}
	*code = fk.exit_code;
	return 0;
}

static int f_stop(struct node *n, pid_t pid, int sig, unsigned int timeout_ms)
{
	(void)n;
	(void)timeout_ms;
	record("stop %d %d", (int)pid, sig);
	fk.exited = true;
	return fk.exit_code;
}

static int f_read(struct node *n, const char *path, char **buf, size_t *len)
{
	(void)n;
	record("read %s", path);
	for (int i = 0; i < fk.nfiles; i++)
		if (!strcmp(fk.files[i][0], path)) {
			*buf = strdup(fk.files[i][1]);
			if (len)
				*len = strlen(*buf);
			return 0;
		}
	errno = ENOENT;
	return -1;
}

static int f_write(struct node *n, const char *path, const char *value)
{
	(void)n;
	record("write %s", path);
	for (int i = 0; i < fk.nfiles; i++)
		if (!strcmp(fk.files[i][0], path)) {
			snprintf(fk.files[i][1], sizeof(fk.files[i][1]), "%s",
				 value);
			return 0;
		}
	if (fk.nfiles == 8) {
		errno = ENOSPC;
		return -1;
	}
	snprintf(fk.files[fk.nfiles][0], sizeof(fk.files[0][0]), "%s", path);
	snprintf(fk.files[fk.nfiles][1], sizeof(fk.files[0][1]), "%s", value);
	fk.nfiles++;
	return 0;
}

static void f_release(void *impl)
{
	assert_ptr_equal(impl, &fk);
	fk.released = true;
}

static const struct node_ops fake_ops = {
	.name = "fake",
	.caps = 0,
	.exec = f_exec,
	.exec_tty = f_tty,
	.spawn = f_spawn,
	.signal = f_signal,
	.wait = f_wait,
	.stop = f_stop,
	.read_file = f_read,
	.write_file = f_write,
	.release = f_release,
};

static struct lab lab;
static struct node nodes[2];

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&lab, 0, sizeof(lab));
	memset(nodes, 0, sizeof(nodes));
	snprintf(lab.id, sizeof(lab.id), "mcl-unit");
	snprintf(lab.results, sizeof(lab.results), "/nonexistent");
	lab.nodes = nodes;
	lab.nnodes = 2;
	for (int i = 0; i < 2; i++) {
		snprintf(nodes[i].name, sizeof(nodes[i].name), "%s",
			 i ? "snd" : "rtr");
		snprintf(nodes[i].ns, sizeof(nodes[i].ns), "mcl-unit-%s",
			 nodes[i].name);
		nodes[i].nsfd = -1;
		nodes[i].index = -1;
		nodes[i].lab = &lab;
	}
	fk.spawn_pid = 4242;
	fk.probe_ok = true;
	assert_int_equal(lab_replace_node(&lab, &nodes[0], &fake_ops, &fk), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lab_restore_nodes(&lab);
	return 0;
}

static void test_dispatch(void **state)
{
	struct node *n = &nodes[0];
	struct node_result r;
	char buf[64];
	int code = 0;

	(void)state;
	assert_ptr_equal(node_ops_of(n), &fake_ops);
	assert_ptr_equal(node_ops_of(&nodes[1]), &node_netns_ops);
	assert_int_equal(node_sh(n, 1000, &r, "echo %d", 42), 0);
	node_result_free(&r);
	assert_string_equal(fk.calls[0], "exec /bin/sh -c echo 42");
	assert_int_equal(node_sysctl_set(n, "net.ipv4.ip_forward", "1"), 0);
	assert_non_null(called("write /proc/sys/net/ipv4/ip_forward"));
	assert_int_equal(
		node_sysctl_get(n, "net.ipv4.ip_forward", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(node_spawn(n, (const char *[]){ "x", NULL }, "x", NULL,
				    0),
			 4242);
	assert_true(node_running(n, 4242));
	assert_int_equal(node_signal(n, 4242, SIGHUP), 0);
	assert_non_null(called("signal 4242 1"));
	fk.exit_code = 3;
	assert_int_equal(node_stop(n, 4242, SIGTERM, 100), 3);
	assert_false(node_running(n, 4242));
	assert_int_equal(node_wait(n, 4242, 0, &code), 0);
	assert_int_equal(code, 3);
	assert_int_equal(node_exec_tty(n, (const char *[]){ "sh", NULL }), 0);
	assert_non_null(called("tty sh"));
}

static int nothing(void *arg)
{
	(void)arg;
	fail_msg("host code ran for a node without NODE_CAP_CALL");
	return 0;
}

static void test_enotsup(void **state)
{
	struct node *n = &nodes[0];
	char buf[256];
	const char *why;

	(void)state;
	errno = 0;
	assert_int_equal(node_call(n, nothing, NULL), -1);
	assert_int_equal(errno, ENOTSUP);
	errno = 0;
	assert_int_equal(node_socket(n, AF_INET, SOCK_DGRAM, 0), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_false(node_can(n, NODE_CAP_CALL));
	assert_true(node_can(&nodes[1], NODE_CAP_CALL | NODE_CAP_HOST_FS));
	assert_null(node_ops_cannot(&node_netns_ops, NODE_CAP_HOST_PROC, buf,
				    sizeof(buf)));
	why = node_ops_cannot(&node_vm_ops, NODE_CAP_HOST_PROC, buf,
			      sizeof(buf));
	assert_non_null(why);
	assert_non_null(strstr(why, "the vm backend"));
	assert_non_null(strstr(why, strerror(ENOTSUP)));
	/* a node is replaced once; the namespace's back after restore */
	errno = 0;
	assert_int_equal(lab_replace_node(&lab, n, &node_vm_ops, NULL), -1);
	assert_int_equal(errno, EBUSY);
	node_restore(n);
	assert_true(fk.released);
	assert_ptr_equal(node_ops_of(n), &node_netns_ops);
	assert_null(n->impl);
	/* a switch, or another lab's node, cannot be replaced */
	nodes[1].is_switch = true;
	assert_int_equal(lab_replace_node(&lab, &nodes[1], &fake_ops, &fk), -1);
	nodes[1].is_switch = false;
}

static const char conf[] = "mroute from wlan0 group 225.1.2.3 to usb0\n";

static void test_router_lifecycle(void **state)
{
	struct router r;
	char err[2048];
	const char *c;

	(void)state;
	assert_int_equal(router_start(&r, ROUTER_MCROUTED, &nodes[0], conf,
				      NULL, 1000, err, sizeof(err)),
			 0);
	/* the guest's binary, files and socket, all through the backend */
	assert_non_null(called("exec /bin/sh -c command -v mcrouted"));
	assert_string_equal(r.conf, "/tmp/mclab/rtr-mcrouted.conf");
	assert_non_null(called("write /tmp/mclab/rtr-mcrouted.conf"));
	c = called("spawn mcrouted -n -f /tmp/mclab/rtr-mcrouted.conf");
	assert_non_null(c);
	assert_non_null(strstr(c, "-u /run/mclab/mcl-unit-rtr-mcrouted.sock"));
	assert_non_null(
		called("exec mcroutectl -u /run/mclab/mcl-unit-rtr-mcrouted."
		       "sock show interfaces"));
	assert_int_equal(r.pid, 4242);
	assert_true(router_running(&r));
	/* reload: the file rewritten, then SIGHUP to the daemon */
	assert_int_equal(router_reload(&r, "mgroup from wlan0 group "
					   "225.1.2.4\n"),
			 0);
	assert_string_equal(fk.files[0][1],
			    "mgroup from wlan0 group 225.1.2.4\n");
	assert_non_null(called("signal 4242 1"));
	assert_int_equal(router_stop(&r, 1000), 0);
	assert_non_null(called("stop 4242 15"));
	assert_false(router_running(&r));
}

static void test_router_smcroute_text(void **state)
{
	struct router r;
	char err[2048];

	(void)state;
	assert_int_equal(router_start(&r, ROUTER_SMCROUTE, &nodes[0], conf,
				      NULL, 1000, err, sizeof(err)),
			 0);
	assert_non_null(called("spawn smcrouted -n -N -f"));
	/* the translated text, with the -N phyint lines */
	assert_non_null(strstr(fk.files[0][1], "phyint wlan0 enable"));
	assert_non_null(called("exec smcroutectl -u "));
	router_stop(&r, 1000);
}

static void test_router_died_at_start(void **state)
{
	struct router r;
	char err[2048];

	(void)state;
	fk.probe_ok = false;
	fk.exited = true;
	fk.exit_code = 2;
	snprintf(fk.files[0][0], sizeof(fk.files[0][0]),
		 "/guest/rtr-mcrouted.log");
	snprintf(fk.files[0][1], sizeof(fk.files[0][1]),
		 "starting\nconfig:3: unknown keyword\n");
	fk.nfiles = 1;
	assert_int_equal(router_start(&r, ROUTER_MCROUTED, &nodes[0], conf,
				      NULL, 1000, err, sizeof(err)),
			 -1);
	/* the reason with the log's tail, read through the backend */
	assert_non_null(strstr(err, "mcrouted exited with 2 at start"));
	assert_non_null(strstr(err, "config:3: unknown keyword"));
}

static void test_router_wrapper_enotsup(void **state)
{
	struct router r;
	char err[2048];

	(void)state;
	errno = 0;
	assert_int_equal(
		router_start_wrapped(&r, ROUTER_MCROUTED, &nodes[0], conf, NULL,
				     (const char *[]){ "/x/wrap", NULL }, 1000,
				     err, sizeof(err)),
		-1);
	assert_int_equal(errno, ENOTSUP);
	assert_non_null(strstr(err, strerror(ENOTSUP)));
	assert_null(called("spawn"));
}

/* ---- the guest scripts, run by /bin/sh on this host ----------------- */

static char tmpdir[64];
static void unhold(void); /* the forwarder's holder, below */

/* the guest's run: its fixed folders moved to tmpdir */
static int host_run(void *ctx, unsigned int timeout_ms, char **out,
		    const char *cmd)
{
	const char *const from[] = { "/run/mclab", "/tmp/mclab" };
	const char *const to[] = { "run", "logs" };
	char *text = strdup(cmd);
	struct node_result r;
	int rc;

	(void)ctx;
	for (int k = 0; k < 2; k++) {
		char *p;

		while ((p = strstr(text, from[k]))) {
			char *nt = NULL;

			*p = '\0';
			assert_true(asprintf(&nt, "%s%s/%s%s", text, tmpdir,
					     to[k], p + strlen(from[k])) > 0);
			free(text);
			text = nt;
		}
	}
	rc = host_exec((const char *[]){ "/bin/sh", "-c", text, NULL },
		       timeout_ms, &r);
	free(text);
	if (rc < 0)
		return -1;
	if (out)
		*out = r.out;
	else
		free(r.out);
	free(r.err);
	return r.timed_out ? 124 : r.exit_code;
}

static int host_read(void *ctx, const char *path, char **buf, size_t *len)
{
	(void)ctx;
	(void)path;
	(void)buf;
	(void)len;
	errno = ENOSYS;
	return -1;
}

static int host_write(void *ctx, const char *path, const char *value)
{
	(void)ctx;
	(void)path;
	(void)value;
	errno = ENOSYS;
	return -1;
}

static struct node_guest hg = {
	.run = host_run,
	.read_file = host_read,
	.write_file = host_write,
};

static int guest_setup(void **state)
{
	setup(state);
	node_restore(&nodes[0]);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nodeops-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	hg.spawned = 0;
	assert_int_equal(lab_replace_node(&lab, &nodes[0], &node_vm_ops, &hg),
			 0);
	return 0;
}

static int guest_teardown(void **state)
{
	char cmd[128];

	(void)state;
	unhold();
	nodes[0].ops = NULL; /* hg is static: no release */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_guest_exec(void **state)
{
	struct node_result r;

	(void)state;
	/* "sh -c TEXT" goes over as TEXT; other argv shell-quoted */
	assert_int_equal(node_sh(&nodes[0], 2000, &r, "echo a; exit 3"), 0);
	assert_string_equal(r.out, "a\n");
	assert_int_equal(r.exit_code, 3);
	node_result_free(&r);
	assert_int_equal(node_exec(&nodes[0],
				   (const char *[]){ "printf", "%s|", "it's",
						     "a b", NULL },
				   2000, &r),
			 0);
	assert_string_equal(r.out, "it's|a b|");
	node_result_free(&r);
}

/* "exit CODE" started in the background on n: it ends with CODE */
static pid_t spawn_exit(struct node *n, int code)
{
	char cmd[32];
	int got = -1;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "exit %d", code);
	pid = node_spawn(n, (const char *[]){ "sh", "-c", cmd, NULL }, "quick",
			 NULL, 0);
	assert_true(pid > 0);
	assert_int_equal(node_wait(n, pid, 3000, &got), 0);
	assert_int_equal(got, code);
	return pid;
}

static void test_guest_processes(void **state)
{
	struct node *n = &nodes[0];
	char log[256];
	int code = -1;
	pid_t pid, quick;

	(void)state;
	pid = node_spawn(n, (const char *[]){ "sleep", "30", NULL }, "sleeper",
			 log, sizeof(log));
	assert_true(pid > 0);
	assert_string_equal(log, "/tmp/mclab/rtr-sleeper.log");
	/* the pid is the process's own (the exec), not a shell's */
	assert_int_equal(kill(pid, 0), 0);
	assert_true(node_running(n, pid));
	errno = 0;
	assert_int_equal(node_wait(n, pid, 50, &code), -1);
	assert_int_equal(errno, ETIMEDOUT);
	/* SIGTERM: its status is the guest shell's 128+15 */
	assert_int_equal(node_stop(n, pid, SIGTERM, 3000), 128 + SIGTERM);
	assert_false(node_running(n, pid));
	/* an exit status kept after the end */
	quick = spawn_exit(n, 7);
	/* signalling a process that is gone */
	errno = 0;
	assert_int_equal(node_signal(n, quick, SIGTERM), -1);
	assert_int_equal(errno, ESRCH);
}

/* ---- the forwarder: a node held by another process ------------------ */

static char fwd_path[96];
static pid_t holder;

/* A child holds nodes[0] and serves it on fwd_path; nodes[1] is put in
 * as its client. */
static void hold(void)
{
	int lfd;

	snprintf(fwd_path, sizeof(fwd_path), "%s/fwd.sock", tmpdir);
	lfd = node_fwd_listen(fwd_path);
	assert_true(lfd >= 0);
	holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			struct pollfd p = { lfd, POLLIN, 0 };
			int c;

			if (poll(&p, 1, -1) < 0)
				continue;
			c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			while (node_fwd_serve(&nodes[0], c) == 0)
				;
			close(c);
		}
	}
	close(lfd);
	assert_int_equal(lab_replace_node_fwd(&lab, &nodes[1], fwd_path), 0);
}

/* in teardown, whatever the test's assertions did */
static void unhold(void)
{
	node_restore(&nodes[1]);
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	holder = 0;
}

static void test_fwd_guest(void **state)
{
	struct node *n = &nodes[1];
	struct node_result r;
	char *buf = NULL;

	(void)state;
	hold();
	assert_string_equal(node_ops_of(n)->name, "forwarded");
	/* a command's output and exit status */
	assert_int_equal(node_sh(n, 2000, &r, "echo a; exit 3"), 0);
	assert_string_equal(r.out, "a\n");
	assert_int_equal(r.exit_code, 3);
	node_result_free(&r);
	/* the holder's deadline, said as the guest says it */
	assert_int_equal(node_sh(n, 100, &r, "sleep 5"), 0);
	assert_true(r.timed_out);
	node_result_free(&r);
	/* a process in the held node, its exit status kept there */
	spawn_exit(n, 5);
	/* the held backend's errno comes back */
	errno = 0;
	assert_int_equal(node_read_file(n, "/etc/hostname", &buf, NULL), -1);
	assert_int_equal(errno, ENOSYS);
	assert_null(buf);
}

static int fwd_files_setup(void **state)
{
	setup(state);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nodeops-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int fwd_files_teardown(void **state)
{
	char cmd[128];

	unhold();
	teardown(state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_fwd_files(void **state)
{
	struct node *n = &nodes[1];
	char *buf = NULL;
	size_t len = 0;
	int fd;

	(void)state;
	hold(); /* nodes[0] is the fake: its files are the child's copy */
	assert_int_equal(node_write_file(n, "/proc/sys/x", "1\n"), 0);
	assert_int_equal(node_read_file(n, "/proc/sys/x", &buf, &len), 0);
	assert_string_equal(buf, "1\n");
	assert_int_equal(len, 2);
	free(buf);
	buf = NULL;
	errno = 0;
	assert_int_equal(node_read_file(n, "/nope", &buf, NULL), -1);
	assert_int_equal(errno, ENOENT);
	/* bad requests: an unknown op is refused, an oversized one ends the
	 * connection; the holder serves the next client either way */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		uint32_t bad[4] = { 99, 0, 0, 0 }, huge[4] = { 1, 0, ~0u, 0 };
		int32_t rep[3];

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fwd_path);
		node_restore(n); /* the holder serves one client at a time */
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(
			connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(write(fd, bad, sizeof(bad)), sizeof(bad));
		assert_int_equal(read(fd, rep, sizeof(rep)), sizeof(rep));
		assert_int_equal(rep[0], -1);
		assert_int_equal(rep[1], EPROTO);
		assert_int_equal(write(fd, huge, sizeof(huge)), sizeof(huge));
		assert_int_equal(read(fd, rep, sizeof(rep)), 0);
		close(fd);
		assert_int_equal(lab_replace_node_fwd(&lab, n, fwd_path), 0);
		assert_int_equal(node_read_file(n, "/proc/sys/x", &buf, NULL),
				 0);
		assert_string_equal(buf, "1\n");
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enotsup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_lifecycle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_router_smcroute_text,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_died_at_start,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_wrapper_enotsup,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_exec, guest_setup,
						guest_teardown),
		cmocka_unit_test_setup_teardown(test_guest_processes,
						guest_setup, guest_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_guest, guest_setup,
						guest_teardown),
		cmocka_unit_test_setup_teardown(test_fwd_files, fwd_files_setup,
						fwd_files_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
