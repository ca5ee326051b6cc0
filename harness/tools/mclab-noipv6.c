// SPDX-License-Identifier: MIT
/*
 * mclab-noipv6 CMD [ARG...]: run CMD as if the kernel had no IPv6.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "seccomp.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mclab-noipv6 CMD [ARG...]\n");
		return 64;
	}
	if (seccomp_deny_ipv6()) {
		fprintf(stderr, "mclab-noipv6: seccomp: %s\n", strerror(errno));
		return 71;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "mclab-noipv6: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
