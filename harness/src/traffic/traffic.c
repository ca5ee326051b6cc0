// SPDX-License-Identifier: MIT
/*
 * Multicast traffic drivers: ICMP echo to a group (traffic_ping.c), a
 * paced UDP sender (traffic_udp.c) and group-joining receivers
 * (traffic_rx.c), all inside named network namespaces.  Here: what they
 * share, their sockets (traffic_int.h).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "netns.h"
#include "traffic_int.h"

void traffic_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
}

int traffic_thread(pthread_t *thr, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(thr, NULL, fn, arg);

	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int traffic_socket(const char *netns, int family, int type, int proto)
{
	if (netns)
		return netns_socket(netns, family, type, proto);
	return socket(family, type | SOCK_CLOEXEC, proto);
}

/* ifindex of ifname in the socket's own namespace (not the thread's). */
int traffic_ifindex(int sd, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (!ifname || strlen(ifname) >= IFNAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(sd, SIOCGIFINDEX, &ifr) < 0)
		return -1;
	return ifr.ifr_ifindex;
}

int traffic_sockaddr(const char *addr, uint16_t port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	union pkt_ip a;
	int family;

	memset(ss, 0, sizeof(*ss));
	if (pkt_pton(addr, &family, &a) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		s->sin_addr = a.v4;
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		s->sin6_addr = a.v6;
		*len = sizeof(*s);
	}
	return family;
}

/* The wildcard address of family with port into *ss; returns its length. */
socklen_t traffic_sockaddr_any(int family, uint16_t port,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		return sizeof(struct sockaddr_in);
	}
	((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	return sizeof(struct sockaddr_in6);
}

/*
 * One queued datagram from sd (MSG_DONTWAIT) into buf, its sender into
 * *from and its control messages into cbuf, which *mh describes after
 * the call (for CMSG_FIRSTHDR).  Returns what recvmsg() returned.
 */
ssize_t traffic_recv_queued(int sd, void *buf, size_t len,
			    struct sockaddr_storage *from, void *cbuf,
			    size_t clen, struct msghdr *mh)
{
	struct iovec iov = { buf, len };
	ssize_t n;

	*mh = (struct msghdr){
		.msg_name = from,
		.msg_namelen = sizeof(*from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = clen,
	};
	n = recvmsg(sd, mh, MSG_DONTWAIT);
	mh->msg_iov = NULL; /* iov is gone with this frame */
	mh->msg_iovlen = 0;
	return n;
}

/* Egress interface, TTL and loop for multicast sends. */
int traffic_mcast_tx(int sd, int family, const char *ifname, int ttl, bool loop)
{
	int ifindex = traffic_ifindex(sd, ifname), on = loop;

	if (ifindex < 0)
		return -1;
	if (ttl <= 0)
		ttl = 1;
	if (setsockopt(sd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)) < 0)
		return -1;
	if (family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };

		if (setsockopt(sd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
			       sizeof(mr)) < 0 ||
		    setsockopt(sd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
			       sizeof(ttl)) < 0 ||
		    setsockopt(sd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(sd, IPPROTO_IP, IP_MULTICAST_LOOP, &on,
			       sizeof(on)) < 0)
			return -1;
	} else {
		if (setsockopt(sd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
			       sizeof(ifindex)) < 0 ||
		    setsockopt(sd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
			       sizeof(ttl)) < 0 ||
		    setsockopt(sd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
			       sizeof(ttl)) < 0 ||
		    setsockopt(sd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on,
			       sizeof(on)) < 0)
			return -1;
	}
	return 0;
}
