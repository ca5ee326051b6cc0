// SPDX-License-Identifier: MIT
/*
 * The guest agent (qemu/agent/mcagent.c), built for the host and run on a
 * pty, against the host side's frame parser (qemu_frame_parse): READY at
 * start, requests split into single bytes with console noise around them
 * (a frame split between reads once lost the request), exec exit codes and
 * output, file reads, a corrupt frame answered with -EBADMSG.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "qemu.h"

/* the agent itself, its main() renamed */
#define main mcagent_main
int mcagent_main(int argc, char **argv);
#include "../../qemu/agent/mcagent.c"
#undef main

static int master = -1;
static pid_t agent_pid;
static int slave_fd = -1;
static char rx[65536];
static size_t rx_len;

/* The next response frame; its status, payload in out. */
static int next_frame(unsigned long *seq, long *status, char *out, size_t len)
{
	for (int waited = 0; waited < 5000;) {
		size_t off, plen, used;
		int r = qemu_frame_parse(rx, rx_len, seq, status, &off, &plen,
					 &used);
		struct pollfd pfd = { master, POLLIN, 0 };
		ssize_t n;

		if (r == 1) {
			snprintf(out, len, "%.*s", (int)plen, rx + off);
			memmove(rx, rx + used, rx_len - used);
			rx_len -= used;
			return 0;
		}
		if (used) {
			memmove(rx, rx + used, rx_len - used);
			rx_len -= used;
		}
		if (poll(&pfd, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		n = read(master, rx + rx_len, sizeof(rx) - rx_len);
		if (n <= 0)
			return -1;
		rx_len += (size_t)n;
	}
	return -1;
}

static void send_split(const char *op, unsigned long seq, unsigned long arg,
		       const char *payload, bool corrupt)
{
	char hdr[128];
	size_t len = strlen(payload);
	int n = snprintf(hdr, sizeof(hdr), "\x02MCQ %lu %s %lu %zu %08x\n", seq,
			 op, arg, len,
			 qemu_fnv1a(payload, len) ^ (corrupt ? 1u : 0u));
	static const char noise[] =
		"[  1.234] console noise \x02MC \x02MCQ x\n";

	assert_int_equal(write(master, noise, sizeof(noise) - 1),
			 (ssize_t)sizeof(noise) - 1);
	for (int i = 0; i < n; i++) {
		assert_int_equal(write(master, hdr + i, 1), 1);
		if (i % 7 == 0)
			poll(NULL, 0, 1); /* let the agent read a part */
	}
	for (size_t i = 0; i < len; i++)
		assert_int_equal(write(master, payload + i, 1), 1);
}

static int setup(void **state)
{
	char name[128];
	int slave;

	(void)state;
	if (openpty(&master, &slave, name, NULL, NULL) < 0)
		return -1;
	agent_pid = fork();
	if (agent_pid == 0) {
		char *argv[] = { "mcagent", name, NULL };

		close(master);
		close(slave);
		_exit(mcagent_main(2, argv));
	}
	/* the slave stays open here: a master reads EIO while none is */
	slave_fd = slave;
	{
		struct termios t;

		tcgetattr(master, &t);
		cfmakeraw(&t);
		tcsetattr(master, TCSANOW, &t);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kill(agent_pid, SIGKILL);
	waitpid(agent_pid, NULL, 0);
	close(master);
	close(slave_fd);
	return 0;
}

static void test_ready(void **state)
{
	unsigned long seq;
	long st;
	char out[256];

	(void)state;
	assert_int_equal(next_frame(&seq, &st, out, sizeof(out)), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(strncmp(out, "READY ", 6), 0);
}

static void test_split_requests(void **state)
{
	/* one after the other on the same agent, each request split */
	static const struct {
		const char *op;
		unsigned long seq, arg;
		const char *payload;
		bool corrupt;
		bool has_st; /* the status is checked: st */
		long st;
		const char *out; /* the output, when checked */
	} req[] = {
		{ "P", 1, 0, "ping", false, false, 0, "ping" },
		{ "X", 2, 5000, "echo hi; echo err >&2; exit 3", false, true, 3,
		  "hi\nerr\n" },
		{ "R", 3, 0, "/nonexistent/file", false, true, -ENOENT, NULL },
		{ "X", 4, 300, "sleep 5", false, true, 124, NULL },
		{ "P", 5, 0, "corrupt", true, true, -EBADMSG, NULL },
		{ "P", 6, 0, "after", false, false, 0, "after" },
	};
	unsigned long seq;
	long st;
	char out[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		send_split(req[i].op, req[i].seq, req[i].arg, req[i].payload,
			   req[i].corrupt);
		assert_int_equal(next_frame(&seq, &st, out, sizeof(out)), 0);
		assert_int_equal(seq, req[i].seq);
		if (req[i].has_st)
			assert_int_equal(st, req[i].st);
		if (req[i].out)
			assert_string_equal(out, req[i].out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_split_requests),
	};

	return cmocka_run_group_tests_name("agent", tests, setup, teardown);
}
