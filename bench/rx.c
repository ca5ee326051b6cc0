// SPDX-License-Identifier: MIT
/*
 * mcbench: receiver sockets, and draining their stamped datagrams.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bench.h"

/* A receiver socket in a node with a large buffer, drained afterwards. */
int rx_sock(struct node *n, const char *ifname, uint16_t port,
	    const char *const *groups, int ngroups)
{
	int fd = node_socket(n, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1, big = 32 << 20;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };

	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind: %s", strerror(errno));
	for (int i = 0; i < ngroups; i++) {
		struct ip_mreqn mr = { .imr_ifindex =
					       (int)if_nametoindex(ifname) };

		/* if_nametoindex runs in our namespace: join by address */
		mr.imr_ifindex = 0;
		inet_pton(AF_INET, groups[i], &mr.imr_multiaddr);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
			       sizeof(mr)))
			die("join %s: %s", groups[i], strerror(errno));
	}
	return fd;
}

/* Drain fd; returns the records (malloc'd), count in *n, drops in *ovfl. */
struct rxrec *rx_drain(int fd, size_t *n, unsigned long *ovfl)
{
	size_t cap = 1024, cnt = 0;
	struct rxrec *v = malloc(cap * sizeof(*v));

	*ovfl = 0;
	for (;;) {
		char buf[2048], cbuf[256];
		struct sockaddr_in from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		ssize_t len = recvmsg(fd, &mh, MSG_DONTWAIT);
		struct cmsghdr *c;
		struct rxrec r = { 0 };

		if (len < 0)
			break;
		if (!mclab_hdr_parse(buf, (size_t)len, &r.stream, &r.seq,
				     &r.tx_ns))
			continue;
		r.src = ntohl(from.sin_addr.s_addr);
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET)
				continue;
			if (c->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				r.rx_ns = (uint64_t)ts.tv_sec * 1000000000u +
					  (uint64_t)ts.tv_nsec;
			} else if (c->cmsg_type == SO_RXQ_OVFL) {
				uint32_t o;

				memcpy(&o, CMSG_DATA(c), sizeof(o));
				*ovfl = o;
			}
		}
		if (cnt == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		if (!v)
			die("out of memory");
		v[cnt++] = r;
	}
	*n = cnt;
	return v;
}
