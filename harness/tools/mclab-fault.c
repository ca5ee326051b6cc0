// SPDX-License-Identifier: MIT
/*
 * mclab-fault --no-ipv6|--no-mroute CMD [ARG...]: run CMD on a simulated
 * kernel without IPv6, or without IPv4 multicast routing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "seccomp.h"

int main(int argc, char **argv)
{
	int rc;

	if (argc < 3) {
		fprintf(stderr,
			"usage: mclab-fault --no-ipv6|--no-mroute CMD [ARG...]\n");
		return 64;
	}
	if (!strcmp(argv[1], "--no-ipv6"))
		rc = seccomp_deny_ipv6();
	else if (!strcmp(argv[1], "--no-mroute"))
		rc = seccomp_deny_mroute();
	else {
		fprintf(stderr, "mclab-fault: unknown fault %s\n", argv[1]);
		return 64;
	}
	if (rc) {
		fprintf(stderr, "mclab-fault: seccomp: %s\n", strerror(errno));
		return 71;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "mclab-fault: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
