/* SPDX-License-Identifier: MIT */
/*
 * Inside the traffic drivers (traffic.c: their sockets; traffic_ping.c,
 * traffic_udp.c, traffic_rx.c: one driver each; gmcraft.c's senders use
 * the sockets too).  Not an API: traffic.h is.
 */
#ifndef MCLAB_TRAFFIC_INT_H
#define MCLAB_TRAFFIC_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "traffic.h"

static inline uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void abs_ts(uint64_t mono_deadline, struct timespec *ts)
{
	ts->tv_sec = (time_t)(mono_deadline / 1000000000ull);
	ts->tv_nsec = (long)(mono_deadline % 1000000000ull);
}

/* A condition variable on CLOCK_MONOTONIC (for abs_ts() deadlines). */
void traffic_cond_init(pthread_cond_t *cv);
/* pthread_create(thr, fn, arg) with default attributes: 0, or -1 with
 * errno (pthread_create's error). */
int traffic_thread(pthread_t *thr, void *(*fn)(void *), void *arg);
/* A socket in netns (NULL: the caller's namespace), close-on-exec. */
int traffic_socket(const char *netns, int family, int type, int proto);
/* ifindex of ifname in the socket's own namespace (not the thread's). */
int traffic_ifindex(int sd, const char *ifname);
/*
 * addr ("192.0.2.1", "ff0e::1") and port into *ss and *len.  Returns the
 * family, or -1 (EINVAL) when addr is not an address.
 */
int traffic_sockaddr(const char *addr, uint16_t port,
		     struct sockaddr_storage *ss, socklen_t *len);
/* The wildcard address of family with port into *ss; returns its length. */
socklen_t traffic_sockaddr_any(int family, uint16_t port,
			       struct sockaddr_storage *ss);
/*
 * One queued datagram from sd (MSG_DONTWAIT) into buf, its sender into
 * *from and its control messages into cbuf, which *mh describes after
 * the call (for CMSG_FIRSTHDR).  Returns what recvmsg() returned.
 */
ssize_t traffic_recv_queued(int sd, void *buf, size_t len,
			    struct sockaddr_storage *from, void *cbuf,
			    size_t clen, struct msghdr *mh);
/* Egress interface, TTL and loop for multicast sends. */
int traffic_mcast_tx(int sd, int family, const char *ifname, int ttl,
		     bool loop);

#endif
