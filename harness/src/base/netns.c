// SPDX-License-Identifier: MIT
/*
 * Named network namespaces, entered per thread with setns(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"

int netns_open(const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

int netns_enter_fd(int nsfd, int *saved)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return -1;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		int e = errno;

		close(self);
		errno = e;
		return -1;
	}
	*saved = self;
	return 0;
}

int netns_enter(const char *name, int *saved)
{
	int fd = netns_open(name), rc, e;

	if (fd < 0)
		return -1;
	rc = netns_enter_fd(fd, saved);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int netns_leave(int saved)
{
	int rc = setns(saved, CLONE_NEWNET), e = errno;

	close(saved);
	errno = e;
	return rc;
}

void netns_return(int saved)
{
	int e = errno;

	if (netns_leave(saved) < 0) {
		perror("mclab: netns_leave");
		_exit(70);
	}
	errno = e;
}

int netns_socket(const char *name, int domain, int type, int protocol)
{
	int saved, sd;

	if (netns_enter(name, &saved) < 0)
		return -1;
	sd = socket(domain, type | SOCK_CLOEXEC, protocol);
	netns_return(saved);
	return sd;
}
