// SPDX-License-Identifier: MIT
/*
 * Talking to a booted guest: our agent's framed channel (qemu/agent), or,
 * in an image without it, its logged-in serial console (console.c).
 * qemu_exec(), qemu_read_file() and qemu_write_file() take whichever the
 * guest has, so that callers need not know.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "deadline.h"
#include "qemu.h"
#include "qemu_int.h"
#include "util.h"

#define AGENT_MAX (8u << 20)

/* ---- frames ----------------------------------------------------------- */

uint32_t qemu_fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (n--) {
		h ^= *b++;
		h *= 16777619u;
	}
	return h;
}

int qemu_frame_parse(const char *buf, size_t len, unsigned long *seq,
		     long *status, size_t *off, size_t *plen, size_t *used)
{
	const char *start = memmem(buf, len, "\x02MCR ", 5), *nl;
	char hdr[128];
	unsigned long l;
	unsigned int sum;
	size_t skip, hlen;

	if (!start) {
		*used = len > 4 ? len - 4 : 0;
		return 0;
	}
	skip = (size_t)(start - buf);
	nl = memchr(start, '\n', len - skip);
	if (!nl) {
		*used = skip;
		if (len - skip > sizeof(hdr)) {
			*used = skip + 1;
			return -1;
		}
		return 0;
	}
	hlen = (size_t)(nl - start) + 1;
	if (hlen >= sizeof(hdr)) {
		*used = skip + 1;
		return -1;
	}
	memcpy(hdr, start + 5, hlen - 5);
	hdr[hlen - 5] = '\0';
	if (sscanf(hdr, "%lu %ld %lu %x", seq, status, &l, &sum) != 4 ||
	    l > AGENT_MAX) {
		*used = skip + 1;
		return -1;
	}
	if (len - skip - hlen < l) {
		*used = skip;
		return 0;
	}
	if (qemu_fnv1a(start + hlen, l) != sum) {
		*used = skip + 1;
		return -1;
	}
	*off = skip + hlen;
	*plen = l;
	*used = skip + hlen + l;
	return 1;
}

/*
 * Wait for the response with this seq (0: the READY frame).  Returns its
 * status, payload in *out (malloc'ed, NUL-terminated) when out is set.
 */
int qemu_agent_wait(struct qemu_vm *vm, unsigned long want, uint64_t deadline,
		    long *status, char **out, size_t *outlen)
{
	for (;;) {
		unsigned long seq;
		size_t off, plen, used;
		int r = vm->rx_len ?
				qemu_frame_parse(vm->rx, vm->rx_len, &seq,
						 status, &off, &plen, &used) :
				0;

		if (!vm->rx_len)
			used = 0;
		if (r == 1 && seq == want) {
			if (out) {
				*out = malloc(plen + 1);
				if (!*out)
					return -1;
				memcpy(*out, vm->rx + off, plen);
				(*out)[plen] = '\0';
			}
			if (outlen)
				*outlen = plen;
		}
		if (used) {
			memmove(vm->rx, vm->rx + used, vm->rx_len - used);
			vm->rx_len -= used;
		}
		if (r == 1 && seq == want)
			return 0;
		if (r == 1 && seq == 0 && want != 0) {
			/* the agent restarted: our request is lost */
			errno = EAGAIN;
			return -1;
		}
		if (r != 0)
			continue;
		/* need more input */
		if (vm->rx_cap - vm->rx_len < 65536) {
			size_t nc = vm->rx_cap ? vm->rx_cap * 2 : 262144;
			char *nb;

			if (nc > AGENT_MAX * 2) {
				errno = EPROTO;
				return -1;
			}
			nb = realloc(vm->rx, nc);
			if (!nb)
				return -1;
			vm->rx = nb;
			vm->rx_cap = nc;
		}
		{
			struct pollfd pfd = { vm->agent, POLLIN, 0 };
			int left = deadline_left_ms(deadline);
			ssize_t n;

			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			if (poll(&pfd, 1, left > 200 ? 200 : left) < 0 &&
			    errno != EINTR)
				return -1;
			if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
				if (vm->pid > 0 &&
				    waitpid(vm->pid, NULL, WNOHANG) ==
					    vm->pid) {
					vm->pid = 0;
					errno = ECHILD;
					return -1;
				}
				continue;
			}
			n = read(vm->agent, vm->rx + vm->rx_len,
				 vm->rx_cap - vm->rx_len);
			if (n == 0) {
				errno = ECONNRESET;
				return -1;
			}
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				return -1;
			if (n > 0)
				vm->rx_len += (size_t)n;
		}
	}
}

static int agent_call(struct qemu_vm *vm, char op, unsigned long arg,
		      const void *payload, size_t len, unsigned int timeout_ms,
		      long *status, char **out, size_t *outlen)
{
	char hdr[128];
	unsigned long seq;
	int n;

	if (vm->agent < 0) {
		errno = ENOTCONN;
		return -1;
	}
	for (int attempt = 0;; attempt++) {
		int rc;

		seq = ++vm->seq;
		n = snprintf(hdr, sizeof(hdr), "\x02MCQ %lu %c %lu %zu %08x\n",
			     seq, op, arg, len, qemu_fnv1a(payload, len));
		if (mclab_write_all(vm->agent, hdr, (size_t)n) < 0 ||
		    mclab_write_all(vm->agent, payload, len) < 0)
			return -1;
		/* the guest side's own timeout, plus the channel's slack */
		rc = qemu_agent_wait(vm, seq, deadline_in(timeout_ms + 5000),
				     status, out, outlen);
		if (rc == 0 || errno != EAGAIN || attempt == 2)
			return rc;
	}
}

int qemu_ping(struct qemu_vm *vm, unsigned int timeout_ms)
{
	long st;

	return agent_call(vm, 'P', 0, "ping", 4, timeout_ms, &st, NULL, NULL);
}

static bool nf_loaded(void *arg)
{
	return qemu_exec(arg, 3000, NULL,
			 "[ -e /run/nf.ready ] || [ ! -e /etc/modules.nf ]") ==
	       0;
}

int qemu_settled(struct qemu_vm *vm, unsigned int timeout_ms)
{
	if (wait_until(nf_loaded, vm, timeout_ms, 20))
		return 0;
	errno = ETIMEDOUT;
	return -1;
}

int qemu_exec(struct qemu_vm *vm, unsigned int timeout_ms, char **out,
	      const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = qemu_vexec(vm, timeout_ms, out, fmt, ap);
	va_end(ap);
	return rc;
}

int qemu_vexec(struct qemu_vm *vm, unsigned int timeout_ms, char **out,
	       const char *fmt, va_list ap)
{
	char *cmd = NULL, *o = NULL;
	long st;
	int rc;

	if (out)
		*out = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		return -1;
	if (vm->agent < 0 && vm->con) {
		rc = console_sh(vm->con, timeout_ms, out, cmd);
		free(cmd);
		return rc;
	}
	rc = agent_call(vm, 'X', timeout_ms * timeout_mult(), cmd, strlen(cmd),
			timeout_ms * timeout_mult(), &st, &o, NULL);
	free(cmd);
	if (rc < 0)
		return -1;
	if (out)
		*out = o;
	else
		free(o);
	if (st < 0) {
		errno = (int)-st;
		return -1;
	}
	return (int)st;
}

int qemu_read_file(struct qemu_vm *vm, const char *path, char **buf,
		   size_t *len)
{
	long st;
	char *o = NULL;
	size_t l = 0;

	if (vm->agent < 0 && vm->con)
		return console_cat(vm->con, path, buf, len);
	if (agent_call(vm, 'R', 0, path, strlen(path), 5000, &st, &o, &l) < 0)
		return -1;
	if (st < 0) {
		free(o);
		errno = (int)-st;
		return -1;
	}
	*buf = o;
	if (len)
		*len = l;
	return 0;
}

int qemu_write_file(struct qemu_vm *vm, const char *path, const void *data,
		    size_t len)
{
	size_t pl = strlen(path) + 1;
	char *p;
	long st;
	int rc;

	if (vm->agent < 0 && vm->con)
		return console_write_file(vm->con, path, data, len);
	p = malloc(pl + len);
	if (!p)
		return -1;
	memcpy(p, path, pl);
	memcpy(p + pl, data, len);
	rc = agent_call(vm, 'W', 0, p, pl + len, 5000, &st, NULL, NULL);
	free(p);
	if (rc < 0)
		return -1;
	if (st < 0) {
		errno = (int)-st;
		return -1;
	}
	return 0;
}
