// SPDX-License-Identifier: MIT
/*
 * The forwarded backend: a node held by another process (the keeper of
 * "mclab qemu up" holds the VM's only agent connection, or its console),
 * reached over a unix socket that keeper serves.  Three requests, run on
 * the keeper's node through its own backend: a shell command line, a file
 * read, a file write.  One connection at a time; each request and reply
 * is a fixed header and its bytes (both ends are this host: host order).
 *
 *   request  u32 op, u32 timeout_ms, u32 len_a, u32 len_b; a; b
 *            (RUN: a the command; READ: a the path; WRITE: a path, b text)
 *   reply    i32 status, i32 errno, u32 len; the output or file
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "deadline.h"
#include "node_guest.h"

#define FWD_MAX_REQ (1u << 20) /* a command line or a file written */
#define FWD_MAX_REP (64u << 20) /* an output or a file read */
#define FWD_IO_MS 30000 /* a read or write of a file, end to end */
#define FWD_REQ_MS 5000 /* a client's request, once it began */

struct fwd_hdr {
	uint32_t op, timeout_ms, len_a, len_b;
};

struct fwd_rep {
	int32_t status, err;
	uint32_t len;
};

/* all of len bytes, or -1 (ETIMEDOUT at the deadline, EPIPE at EOF) */
static int io_full(int fd, void *buf, size_t len, bool out, uint64_t deadline)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = { fd, out ? POLLOUT : POLLIN, 0 };
		int left = deadline_left_ms(deadline), r;
		ssize_t n;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* a length-checked block of len bytes, NUL-terminated (malloc'ed) */
static char *recv_block(int fd, uint32_t len, uint32_t max, uint64_t deadline)
{
	char *b;

	if (len > max) {
		errno = EMSGSIZE;
		return NULL;
	}
	b = malloc((size_t)len + 1);
	if (!b)
		return NULL;
	if (io_full(fd, b, len, false, deadline) < 0) {
		free(b);
		return NULL;
	}
	b[len] = '\0';
	return b;
}

int node_fwd_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 8) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	return fd;
}

static int reply(int conn, int status, int err, const char *buf, size_t len)
{
	struct fwd_rep r = { status, err, (uint32_t)len };
	uint64_t dl = deadline_in(FWD_IO_MS);

	if (len > FWD_MAX_REP) {
		r.status = -1;
		r.err = EMSGSIZE;
		r.len = 0;
		len = 0;
	}
	if (io_full(conn, &r, sizeof(r), true, dl) < 0)
		return -1;
	return len ? io_full(conn, (void *)buf, len, true, dl) : 0;
}

int node_fwd_serve(struct node *n, int conn)
{
	struct fwd_hdr h;
	char *a = NULL, *b = NULL;
	int rc = -1;

	/* a request, whole within FWD_REQ_MS once it began */
	if (io_full(conn, &h, sizeof(h), false, deadline_in(FWD_REQ_MS)) < 0)
		return -1;
	a = recv_block(conn, h.len_a, FWD_MAX_REQ, deadline_in(FWD_REQ_MS));
	if (a)
		b = recv_block(conn, h.len_b, FWD_MAX_REQ,
			       deadline_in(FWD_REQ_MS));
	if (!a || !b)
		goto out;
	switch (h.op) {
	case NODE_FWD_RUN: {
		struct node_result r;
		char *all;

		if (node_sh(n, h.timeout_ms, &r, "%s", a) < 0) {
			rc = reply(conn, -1, errno, NULL, 0);
			break;
		}
		/* stdout, then stderr (a guest merges them already) */
		all = malloc(r.out_len + r.err_len + 1);
		if (!all) {
			node_result_free(&r);
			rc = reply(conn, -1, ENOMEM, NULL, 0);
			break;
		}
		memcpy(all, r.out, r.out_len);
		memcpy(all + r.out_len, r.err, r.err_len);
		rc = reply(conn, r.timed_out ? 124 : r.exit_code, 0, all,
			   r.out_len + r.err_len);
		free(all);
		node_result_free(&r);
		break;
	}
	case NODE_FWD_READ: {
		char *buf = NULL;
		size_t len = 0;

		if (node_read_file(n, a, &buf, &len) < 0)
			rc = reply(conn, -1, errno, NULL, 0);
		else
			rc = reply(conn, 0, 0, buf, len);
		free(buf);
		break;
	}
	case NODE_FWD_WRITE:
		if (node_write_file(n, a, b) < 0)
			rc = reply(conn, -1, errno, NULL, 0);
		else
			rc = reply(conn, 0, 0, NULL, 0);
		break;
	default:
		rc = reply(conn, -1, EPROTO, NULL, 0);
		break;
	}
out:
	free(a);
	free(b);
	return rc;
}

/* ---- the client: a node whose primitives are requests -------------- */

struct fwd {
	int fd;
};

/* one request and its reply: the reply's status, its bytes in *out */
static int request(struct fwd *f, uint32_t op, unsigned int timeout_ms,
		   const char *a, const char *b, char **out, size_t *len)
{
	struct fwd_hdr h = { op, timeout_ms, (uint32_t)strlen(a),
			     (uint32_t)(b ? strlen(b) : 0) };
	struct fwd_rep r;
	/* the keeper's own deadline, then time to say so */
	uint64_t dl = deadline_in(timeout_ms + FWD_IO_MS);
	char *buf;

	if (out)
		*out = NULL;
	if (h.len_a > FWD_MAX_REQ || h.len_b > FWD_MAX_REQ) {
		errno = EMSGSIZE;
		return -1;
	}
	if (io_full(f->fd, &h, sizeof(h), true, dl) < 0 ||
	    io_full(f->fd, (void *)a, h.len_a, true, dl) < 0 ||
	    io_full(f->fd, (void *)(b ? b : ""), h.len_b, true, dl) < 0 ||
	    io_full(f->fd, &r, sizeof(r), false, dl) < 0)
		return -1;
	buf = recv_block(f->fd, r.len, FWD_MAX_REP, dl);
	if (!buf)
		return -1;
	if (len)
		*len = r.len;
	if (out)
		*out = buf;
	else
		free(buf);
	if (r.status < 0) {
		errno = r.err ? r.err : EIO;
		return -1;
	}
	return r.status;
}

static int fwd_run(void *ctx, unsigned int timeout_ms, char **out,
		   const char *cmd)
{
	return request(ctx, NODE_FWD_RUN, timeout_ms, cmd, NULL, out, NULL);
}

static int fwd_read(void *ctx, const char *path, char **buf, size_t *len)
{
	int rc = request(ctx, NODE_FWD_READ, 0, path, NULL, buf, len);

	if (rc < 0) {
		int e = errno;

		free(*buf);
		*buf = NULL;
		errno = e;
	}
	return rc < 0 ? -1 : 0;
}

static int fwd_write(void *ctx, const char *path, const char *value)
{
	return request(ctx, NODE_FWD_WRITE, 0, path, value, NULL, NULL) < 0 ?
		       -1 :
		       0;
}

static void fwd_close(void *ctx)
{
	struct fwd *f = ctx;

	close(f->fd);
	free(f);
}

const struct node_ops node_fwd_ops = NODE_GUEST_OPS("forwarded");

int lab_replace_node_fwd(struct lab *lab, struct node *n, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct node_guest g = {
		.run = fwd_run,
		.read_file = fwd_read,
		.write_file = fwd_write,
		.release = fwd_close,
	};
	struct fwd *f;
	int e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	f = malloc(sizeof(*f));
	if (!f)
		return -1;
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || connect(f->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	g.ctx = f;
	if (node_guest_replace(lab, n, &node_fwd_ops, &g) == 0)
		return 0;
fail:
	e = errno;
	if (f->fd >= 0)
		close(f->fd);
	free(f);
	errno = e;
	return -1;
}
