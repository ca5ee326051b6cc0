/* SPDX-License-Identifier: MIT */
/*
 * A kernel without IPv6, simulated for one process: a seccomp filter that
 * makes socket(AF_INET6, ...) fail with EAFNOSUPPORT, the field report's
 * "Errno(97): Address family not supported by protocol".
 */
#ifndef MCLAB_SECCOMP_H
#define MCLAB_SECCOMP_H

/* Install the filter on the calling thread (inherited across exec).
 * Returns 0 or -1 with errno. */
int seccomp_deny_ipv6(void);

/* A kernel without IPv4 multicast routing: setsockopt(IPPROTO_IP,
 * MRT_INIT) fails with ENOPROTOOPT. */
int seccomp_deny_mroute(void);

#endif
