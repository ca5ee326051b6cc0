// SPDX-License-Identifier: MIT
/*
 * A user's image driven over its serial console (see console.h).
 */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conshell.h"
#include "deadline.h"
#include "util.h"

int console_open(struct console *c, const char *sock_path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timespec ts;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(sock_path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, sock_path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		errno = e;
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	cs_marker(c->marker, (unsigned long long)ts.tv_nsec ^
				     ((unsigned long long)getpid() << 32) ^
				     (unsigned long long)ts.tv_sec);
	return 0;
}

void console_close(struct console *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Read what is there, waiting until deadline; 1 read, 0 timeout, -1. */
static int fill(struct console *c, uint64_t deadline)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int ms = deadline_left_ms(deadline);
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if (mclab_reserve(&c->buf, &c->cap, c->len, 4096, 16384) < 0)
		return -1;
	n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0) {
		errno = EPIPE;
		return -1;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return 1;
}

static void drop(struct console *c, size_t n)
{
	if (n > c->len)
		n = c->len;
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

static int exec_line(struct console *c, unsigned int timeout_ms, char **out,
		     const char *cmd);

/*
 * After a command that did not finish in time: interrupt it (^C), take a
 * new marker so that its late frame cannot pass for the next command's,
 * and wait (briefly) until the shell answers again.
 */
static void resync(struct console *c)
{
	struct timespec ts;

	mclab_write_all(c->fd, "\x03\n", 2);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	cs_marker(c->marker, (unsigned long long)ts.tv_nsec ^
				     ((unsigned long long)ts.tv_sec << 20));
	c->resyncing = 1;
	exec_line(c, 5000, NULL, "true");
	c->resyncing = 0;
}

static int exec_line(struct console *c, unsigned int timeout_ms, char **out,
		     const char *cmd)
{
	char line[1100];
	uint64_t deadline = deadline_in(timeout_ms);
	struct cs_result r;

	if (out)
		*out = NULL;
	if (cs_command(line, sizeof(line), c->marker, cmd) < 0) {
		errno = E2BIG;
		return -1;
	}
	c->len = 0;
	if (mclab_write_all(c->fd, line, strlen(line)) < 0)
		return -1;
	while (!cs_parse(c->buf ? c->buf : "", c->len, c->marker, &r)) {
		int rc = fill(c, deadline);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (!c->resyncing)
				resync(c);
			errno = ETIMEDOUT;
			return -1;
		}
	}
	if (out) {
		*out = malloc(r.out_len + 1);
		if (!*out)
			return -1;
		cs_clean(c->buf + r.out_off, r.out_len, *out);
	}
	drop(c, r.used);
	return r.status;
}

int console_run(struct console *c, unsigned int timeout_ms, char **out,
		const char *fmt, ...)
{
	char cmd[1000];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		errno = E2BIG;
		return -1;
	}
	return exec_line(c, timeout_ms, out, cmd);
}

int console_login(struct console *c, const char *user, const char *password,
		  unsigned int timeout_ms, char *err, size_t errlen)
{
	uint64_t deadline = deadline_in(timeout_ms);
	uint64_t nudge = deadline_in(0);
	int answers = 0;

	for (;;) {
		enum cs_prompt p = cs_prompt(c->buf ? c->buf : "", c->len);
		const char *say = NULL;
		int rc;

		switch (p) {
		case CS_LOGIN:
			say = user;
			break;
		case CS_PASSWORD:
			say = password ? password : "";
			break;
		case CS_ACTIVATE:
			say = "";
			break;
		case CS_INCORRECT:
			snprintf(err, errlen,
				 "console login as %s: Login incorrect "
				 "(--login USER[:PASSWORD])",
				 user);
			return -1;
		case CS_SHELL:
			goto shell;
		case CS_NOTHING:
			break;
		}
		if (say) {
			if (++answers > 8) {
				snprintf(err, errlen,
					 "console login as %s: the prompts "
					 "do not end",
					 user);
				return -1;
			}
			c->len = 0;
			if (mclab_write_all(c->fd, say, strlen(say)) < 0 ||
			    mclab_write_all(c->fd, "\n", 1) < 0)
				goto io;
			nudge = deadline_in(3000);
			continue;
		}
		/* no prompt yet (printed before we connected, or still
		 * booting): a newline every 3 s asks for it again */
		if (deadline_passed(nudge)) {
			if (mclab_write_all(c->fd, "\n", 1) < 0)
				goto io;
			nudge = deadline_in(3000);
		}
		rc = fill(c, deadline_passed(deadline) ?
				     deadline :
				     (nudge < deadline ? nudge : deadline));
		if (rc < 0)
			goto io;
		if (rc == 0 && deadline_passed(deadline)) {
			snprintf(err, errlen,
				 "console: no login prompt or shell within %u "
				 "ms",
				 timeout_ms);
			return -1;
		}
	}
shell:
	/* a command round trip proves the shell; then keep the kernel's
	 * messages off the console */
	if (console_run(c, 10000, NULL, "dmesg -n 1 2>/dev/null; true") != 0) {
		snprintf(err, errlen,
			 "console: a prompt, but no framed answer from the "
			 "shell: %s",
			 strerror(errno));
		return -1;
	}
	c->logged_in = 1;
	return 0;
io:
	snprintf(err, errlen, "console: %s", strerror(errno));
	return -1;
}

int console_write_file(struct console *c, const char *path, const void *data,
		       size_t len)
{
	const unsigned char *p = data;
	char cmd[900];

	if (console_run(c, 10000, NULL, ": >'%s'", path) != 0)
		return -1;
	for (size_t off = 0; off < len;) {
		size_t l = (size_t)snprintf(cmd, sizeof(cmd), "printf '");

		/* octal escapes: any byte, any printf */
		for (; off < len && l < 600; off++)
			l += (size_t)snprintf(cmd + l, sizeof(cmd) - l,
					      "\\%03o", p[off]);
		snprintf(cmd + l, sizeof(cmd) - l, "' >>'%s'", path);
		if (exec_line(c, 10000, NULL, cmd) != 0)
			return -1;
	}
	return 0;
}

/*
 * A command line of any length: one line when it fits the shell's line
 * editor, else written to a guest script first.  In a subshell, as the
 * agent's sh -c: set -e and exit stay there.
 */
#define CON_SCRIPT "/tmp/.mclab-cmd.sh"
#define CON_LINE_MAX 800

int console_sh(struct console *c, unsigned int timeout_ms, char **out,
	       const char *cmd)
{
	unsigned int tmo = timeout_ms * timeout_mult();

	if (strlen(cmd) <= CON_LINE_MAX && !strchr(cmd, '\n'))
		return console_run(c, tmo, out, "( %s )", cmd);
	if (console_write_file(c, CON_SCRIPT, cmd, strlen(cmd)) < 0)
		return -1;
	return console_run(c, tmo, out, "sh " CON_SCRIPT);
}

int console_cat(struct console *c, const char *path, char **buf, size_t *len)
{
	char *o = NULL;
	/* text files only: the console's output is cleaned text */
	int rc = console_run(c, 5000 * timeout_mult(), &o, "cat '%s'", path);

	if (rc != 0) {
		free(o);
		errno = rc < 0 ? errno : ENOENT;
		return -1;
	}
	*buf = o;
	if (len)
		*len = strlen(o);
	return 0;
}
