// SPDX-License-Identifier: MIT
/*
 * Small helpers of the whole harness (util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

char *mclab_read_fd(int fd, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (mclab_reserve(&buf, &cap, len, 4096, 65536) < 0) {
			free(buf);
			return NULL;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

char *mclab_read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = mclab_read_fd(fd, NULL);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

int mclab_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int mclab_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	bool sock = true;

	while (n) {
		ssize_t w = sock ? send(fd, b, n, MSG_NOSIGNAL) :
				   write(fd, b, n);

		if (w < 0 && sock && errno == ENOTSOCK) {
			sock = false;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			poll(&pfd, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

void *mclab_grow(void *arr, int n, size_t sz)
{
	char *p = realloc(arr, (size_t)(n + 1) * sz);

	if (p)
		memset(p + (size_t)n * sz, 0, sz);
	return p;
}

int mclab_reserve(char **buf, size_t *cap, size_t len, size_t room,
		  size_t first)
{
	size_t ncap = *cap ? *cap : first;
	char *nb;

	while (ncap - len < room)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	nb = realloc(*buf, ncap);
	if (!nb) {
		errno = ENOMEM;
		return -1;
	}
	*buf = nb;
	*cap = ncap;
	return 0;
}

int mclab_exe_ancestor(const char *rel, int mode, char *dir, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX * 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (char *s = strrchr(exe, '/'); s; s = strrchr(exe, '/')) {
		*s = '\0';
		snprintf(probe, sizeof(probe), "%s/%s", exe, rel);
		if (access(probe, mode) == 0) {
			if (snprintf(dir, len, "%s", exe[0] ? exe : "/") >=
			    (int)len) {
				errno = ENAMETOOLONG;
				return -1;
			}
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}
