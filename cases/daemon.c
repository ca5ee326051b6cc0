// SPDX-License-Identifier: MIT
/*
 * mcrouted's contract with its users, against a real kernel: exit codes
 * (sysexits) with messages that say what to do, config errors as
 * file:line:col, -F, a second daemon, a kernel without multicast routing,
 * the control socket's answers to good and bad requests, and output that
 * is plain when not on a terminal.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>

#include "common.h"

static char mcrouted[512], mcroutectl[512], fault[512];
static char good[600], bad[600];

static const char good_conf[] = "phyint usb0 ttl-threshold 3\n"
				"mgroup from wlan0 group 225.1.2.3\n"
				"mroute from wlan0 group 225.1.2.3 to usb0\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void **state)
{
	static struct fx f;
	char tmp[560];

	if (!fx_needs(&f, NODE_CAP_HOST_FS | NODE_CAP_HOST_PROC,
		      "the host-built daemon's exit codes and files"))
		fx_up(&f, "pi-router", RF_STATIC, NULL);
	*state = &f;
	if (f.skip[0])
		return 0;
	if (f.kind != ROUTER_MCROUTED) {
		snprintf(f.skip, sizeof(f.skip),
			 "mcrouted's own command-line contract (ROUTER=%s)",
			 router_kind_name(f.kind));
		return 0;
	}
	if (!router_find_tool("mcrouted", mcrouted, sizeof(mcrouted)) ||
	    !router_find_tool("mcroutectl", mcroutectl, sizeof(mcroutectl)) ||
	    !router_find_tool("mclab-fault", fault, sizeof(fault))) {
		snprintf(f.skip, sizeof(f.skip), "mcrouted is not built");
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s/tmp", f.lab->results);
	mkdir_p(tmp, 0755);
	snprintf(good, sizeof(good), "%s/good.conf", tmp);
	snprintf(bad, sizeof(bad), "%s/bad.conf", tmp);
	write_file(good, good_conf);
	write_file(bad, "mgroup from wlan0 group 225.1.2.3\n"
			"mroute from wlan0 group 192.0.2.9 to usb0\n");
	return 0;
}

static int run(struct fx *f, struct node_result *r, const char *const *argv)
{
	int rc = node_exec(lab_router(f->lab), argv, 5000, r);

	if (rc)
		fail_msg("node_exec %s: %s", argv[0], strerror(errno));
	return r->exit_code;
}

static void test_check_good(void **state)
{
	struct fx *f = *state;
	struct node_result r;

	FX_CHECK(f);
	assert_int_equal(
		run(f, &r, (const char *[]){ mcrouted, "-F", good, NULL }), 0);
	assert_non_null(strstr(r.out, "OK, 1 phyint, 1 mgroup, 1 mroute"));
	node_result_free(&r);
	/* -f FILE -F works too. */
	assert_int_equal(
		run(f, &r,
		    (const char *[]){ mcrouted, "-f", good, "-F", NULL }),
		0);
	node_result_free(&r);
}

static void test_check_bad(void **state)
{
	struct fx *f = *state;
	struct node_result r;
	char want[700];

	FX_CHECK(f);
	assert_int_equal(
		run(f, &r, (const char *[]){ mcrouted, "-F", bad, NULL }), 78);
	snprintf(want, sizeof(want), "%s:2:25: ", bad);
	print_message("# stderr: %s", r.err);
	assert_non_null(strstr(r.err, want));
	assert_non_null(strstr(r.err, "192.0.2.9"));
	node_result_free(&r);
	/* Starting on it fails the same way, before touching the kernel. */
	assert_int_equal(run(f, &r,
			     (const char *[]){ mcrouted, "-n", "-f", bad, "-u",
					       "/nonexistent/s", NULL }),
			 78);
	node_result_free(&r);
	assert_int_equal(run(f, &r,
			     (const char *[]){ mcrouted, "-F",
					       "/nonexistent.conf", NULL }),
			 78);
	assert_non_null(strstr(r.err, "/nonexistent.conf"));
	node_result_free(&r);
}

static void test_usage(void **state)
{
	struct fx *f = *state;
	struct node_result r;

	FX_CHECK(f);
	assert_int_equal(run(f, &r, (const char *[]){ mcrouted, "-x", NULL }),
			 64);
	node_result_free(&r);
	assert_int_equal(run(f, &r,
			     (const char *[]){ mcrouted, "-l", "loud", NULL }),
			 64);
	node_result_free(&r);
	assert_int_equal(run(f, &r, (const char *[]){ mcrouted, "-v", NULL }),
			 0);
	assert_non_null(strstr(r.out, "mcrouted "));
	node_result_free(&r);
	assert_int_equal(run(f, &r, (const char *[]){ mcrouted, "-h", NULL }),
			 0);
	assert_non_null(strstr(r.out, "Usage: mcrouted"));
	node_result_free(&r);
}

static void test_no_kernel_mroute(void **state)
{
	struct fx *f = *state;
	struct node_result r;

	FX_CHECK(f);
	assert_int_equal(run(f, &r,
			     (const char *[]){ fault, "--no-mroute", mcrouted,
					       "-n", "-f", good, "-u", "/run/x",
					       NULL }),
			 76);
	assert_non_null(strstr(r.err, "enable CONFIG_IP_MROUTE"));
	node_result_free(&r);
}

static void test_second_daemon(void **state)
{
	struct fx *f = *state;
	struct node_result r;
	char sock2[600];

	FX_CHECK(f);
	fx_restart(f, good_conf, NULL);
	snprintf(sock2, sizeof(sock2), "%s.2", f->r.sock);
	assert_int_equal(run(f, &r,
			     (const char *[]){ mcrouted, "-n", "-f", good, "-u",
					       sock2, "-P", "/dev/null",
					       NULL }),
			 69);
	assert_non_null(strstr(r.err, "already holds the IPv4 routing socket"));
	{
		struct stat st;

		/* -P /dev/null: never written over, never removed */
		assert_int_equal(stat("/dev/null", &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	}
	node_result_free(&r);
	/* The first one is unharmed. */
	assert_true(proc_running(f->r.pid));
	assert_int_equal(router_ctl(&f->r, NULL, 0, "show interfaces"), 0);
	/* Its socket was not taken over. */
	assert_int_equal(access(sock2, F_OK), -1);
}

/* -t TABLE: a second daemon on another table runs beside the first. */
static void test_table(void **state)
{
	struct fx *f = *state;
	struct node *rtr;
	char conf[700], sock[700], pidf[700];
	const char *argv[12];
	pid_t pid;

	FX_CHECK(f);
	if (!f->router_up)
		fx_restart(f, good_conf, NULL);
	rtr = lab_router(f->lab);
	snprintf(conf, sizeof(conf), "%s.t5", good);
	snprintf(sock, sizeof(sock), "%s.t5", f->r.sock);
	snprintf(pidf, sizeof(pidf), "%s.t5.pid", good);
	write_file(conf, "mroute from wlan0 source 192.0.2.2 group 225.1.2.4 "
			 "to usb0\n");
	argv[0] = mcrouted;
	argv[1] = "-n";
	argv[2] = "-t";
	argv[3] = "5";
	argv[4] = "-f";
	argv[5] = conf;
	argv[6] = "-u";
	argv[7] = sock;
	argv[8] = "-P";
	argv[9] = pidf;
	argv[10] = NULL;
	pid = node_spawn(rtr, argv, "mcrouted-t5", NULL, 0);
	assert_true(pid > 0);
	assert_true(node_wait_exec(
		rtr,
		(const char *[]){ "sh", "-c",
				  "ip mroute show table 5 | grep -q "
				  "'(192.0.2.2,225.1.2.4).*Iif: wlan0.*usb0'",
				  NULL },
		3000));
	/* Not in the default table, where the first daemon is. */
	assert_int_equal(access(pidf, F_OK), 0);
	assert_int_not_equal(node_run_cmd(rtr, 2000,
					  "ip mroute show | grep -q 225.1.2.4"),
			     0);
	assert_int_equal(node_stop(rtr, pid, SIGTERM, 3000), 0);
	assert_int_equal(access(pidf, F_OK), -1); /* its own file: removed */
	assert_true(proc_running(f->r.pid));
}

/* -u naming a file that is not a socket: refused, the file untouched. */
static void test_socket_path_not_a_socket(void **state)
{
	struct fx *f = *state;
	struct node_result r;
	char victim[700];
	struct stat st;

	FX_CHECK(f);
	snprintf(victim, sizeof(victim), "%s.victim", good);
	write_file(victim, "precious\n");
	assert_int_equal(run(f, &r,
			     (const char *[]){ mcrouted, "-n", "-t", "7", "-f",
					       good, "-u", victim, "-P", victim,
					       NULL }),
			 73);
	assert_non_null(strstr(r.err, "cannot create control socket"));
	node_result_free(&r);
	assert_int_equal(stat(victim, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 9);
}

static void test_ctl_no_daemon(void **state)
{
	struct fx *f = *state;
	struct node_result r;

	FX_CHECK(f);
	assert_int_equal(run(f, &r,
			     (const char *[]){ mcroutectl, "-u",
					       "/nonexistent.sock", "show",
					       NULL }),
			 69);
	assert_non_null(strstr(r.err, "cannot reach mcrouted"));
	node_result_free(&r);
}

/* Raw bytes to the control socket; returns the reply's first line. */
static void raw_request(struct fx *f, const void *req, size_t len, char *reply,
			size_t rlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = node_socket(f->r.node, AF_UNIX, SOCK_STREAM, 0);
	ssize_t n;
	size_t got = 0;

	assert_true(fd >= 0);
	assert_true(strlen(f->r.sock) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, f->r.sock, strlen(f->r.sock) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (len)
		assert_int_equal(send(fd, req, len, MSG_NOSIGNAL),
				 (ssize_t)len);
	shutdown(fd, SHUT_WR);
	while (got + 1 < rlen &&
	       (n = recv(fd, reply + got, rlen - got - 1, 0)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	close(fd);
}

static void test_ctl_bad_requests(void **state)
{
	struct fx *f = *state;
	static const char *const bads[] = {
		"\n",
		"show\tall\n",
		"frobnicate\n",
		"show everything\n",
		"add wlan0\n",
		"add wlan0 192.0.2.1 usb0\n",
		"del wlan0 225.9.9.9\n",
		"reload now\n",
		"show routes extra\n",
	};
	char big[8192], reply[65536], out[4096];
	unsigned char bin[64];

	FX_CHECK(f);
	if (!f->router_up)
		fx_restart(f, good_conf, NULL);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		raw_request(f, bads[i], strlen(bads[i]), reply, sizeof(reply));
		assert_int_equal(strncmp(reply, "ERR ", 4), 0);
	}
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 37);
	raw_request(f, bin, sizeof(bin), reply, sizeof(reply));
	assert_int_equal(strncmp(reply, "ERR ", 4), 0);
	memset(big, 'a', sizeof(big));
	raw_request(f, big, sizeof(big), reply, sizeof(reply));
	assert_string_equal(reply, "ERR request longer than 4096 bytes\n");
	raw_request(f, "", 0, reply, sizeof(reply)); /* connect, close */
	assert_int_equal(strncmp(reply, "ERR ", 4), 0);

	/* Alive, answering, and counting what it refused. */
	assert_true(proc_running(f->r.pid));
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show stats"), 0);
	/* 5 undecodable, 7 decoded but refused. */
	assert_non_null(strstr(out, "bad_requests           5\n"));
	assert_non_null(strstr(out, "refused_requests       7\n"));
}

static void test_ctl_output(void **state)
{
	struct fx *f = *state;
	char out[8192];

	FX_CHECK(f);
	if (!f->router_up)
		fx_restart(f, good_conf, NULL);
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show routes"), 0);
	assert_null(strchr(out, '\033')); /* not a terminal: no escapes */
	assert_non_null(strstr(out, "225.1.2.3"));
	assert_int_equal(
		router_ctl(&f->r, out, sizeof(out), "-j show interfaces"), 0);
	assert_int_equal(strncmp(out, "{\"interfaces\":[", 15), 0);
	assert_non_null(strstr(out, "\"name\":\"usb0\",\"ifindex\":"));
	assert_non_null(strstr(out, "\"threshold\":3"));
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show groups"), 0);
	assert_non_null(strstr(out, "wlan0"));
	assert_non_null(strstr(out, "joined"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_bad),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_no_kernel_mroute),
		cmocka_unit_test(test_second_daemon),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_socket_path_not_a_socket),
		cmocka_unit_test(test_ctl_no_daemon),
		cmocka_unit_test(test_ctl_bad_requests),
		cmocka_unit_test(test_ctl_output),
	};

	return cmocka_run_group_tests_name("daemon", tests, setup, fx_teardown);
}
