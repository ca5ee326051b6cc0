// SPDX-License-Identifier: MIT
/*
 * mcroutectl: control a running mcrouted over its UNIX socket.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "msg.h"

#define DEFAULT_SOCK "/run/mcrouted.sock"
#define REPLY_TIMEOUT_MS 10000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mcroutectl [-hjv] [-u FILE] COMMAND [ARG...]\n"
		"\n"
		"  -j        JSON output\n"
		"  -u FILE   daemon's control socket, default " DEFAULT_SOCK
		"\n"
		"  -h        this help\n"
		"  -v        version\n"
		"\n"
		"Commands:\n"
		"  show [routes|interfaces|groups|stats]\n"
		"  add IIF [SOURCE[/LEN]] GROUP[/LEN] OIF [OIF ...]\n"
		"  del IIF [SOURCE[/LEN]] GROUP[/LEN]\n"
		"  join IIF [SOURCE] GROUP\n"
		"  leave IIF [SOURCE] GROUP\n"
		"  reload    read the configuration again (a bad one is refused)\n"
		"  flush     drop routes learned from (*,G) rules\n"
		"  kill      stop the daemon\n"
		"  version   the daemon's version\n"
		"\n"
		"Exit status: 0 ok, 1 the daemon refused the request, 64 usage,\n"
		"69 no daemon answers at the socket.\n");
}

/* Bold table headers on a terminal only. */
static void print_body(const char *body, size_t len, bool json)
{
	const char *nl = memchr(body, '\n', len);
	bool tty = isatty(STDOUT_FILENO);

	if (!json && tty && nl && len && body[0] >= 'A' && body[0] <= 'Z' &&
	    (nl - body) > 1 && body[1] >= 'A' && body[1] <= 'Z') {
		printf("\033[1m%.*s\033[0m\n", (int)(nl - body), body);
		len -= (size_t)(nl - body) + 1;
		body = nl + 1;
	}
	fwrite(body, 1, len, stdout);
}

int main(int argc, char **argv)
{
	const char *sock = DEFAULT_SOCK;
	char req[MSG_MAX + 2];
	struct sockaddr_un sun;
	bool json = false;
	char *buf = NULL;
	size_t len = 0, cap = 0, bodylen;
	const char *body;
	int c, fd, n, rc;

	while ((c = getopt(argc, argv, "+hju:v")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'j':
			json = true;
			break;
		case 'u':
			sock = optarg;
			break;
		case 'v':
			printf("mcroutectl %s\n", VERSION);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 64;
	}
	n = msg_encode(json, (size_t)(argc - optind), argv + optind, req,
		       sizeof(req));
	if (n < 0) {
		fprintf(stderr, "mcroutectl: request too long or has "
				"characters other than printable ASCII\n");
		return 64;
	}
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "mcroutectl: socket path too long\n");
		return 64;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr,
			"mcroutectl: cannot reach mcrouted at %s: %s (is it "
			"running? see -u)\n",
			sock, strerror(errno));
		return 69;
	}
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		fprintf(stderr, "mcroutectl: send: %s\n", strerror(errno));
		return 69;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				fprintf(stderr, "mcroutectl: out of memory\n");
				return 1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "mcroutectl: no reply from %s\n", sock);
			return 69;
		}
		r = recv(fd, buf + len, cap - len, 0);
		if (r < 0) {
			fprintf(stderr, "mcroutectl: recv: %s\n",
				strerror(errno));
			return 69;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	rc = msg_reply(buf ? buf : "", len, &body, &bodylen);
	if (rc == 0) {
		print_body(body, bodylen, json);
		free(buf);
		return 0;
	}
	if (rc == 1)
		fprintf(stderr, "mcroutectl: %.*s\n", (int)bodylen, body);
	else
		fprintf(stderr, "mcroutectl: garbled reply from %s\n", sock);
	free(buf);
	return 1;
}
