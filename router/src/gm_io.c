// SPDX-License-Identifier: MIT
/*
 * IGMP/MLD sockets: send, join, and the ancillary data of what is read.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <linux/filter.h>

#include "gm_io.h"

int gm_io_open(enum gm_proto p)
{
	int one = 1, zero = 0, fd;

	if (p == GM_IGMP) {
		/* IP option: router alert (RFC 2113), 4 bytes. */
		static const uint8_t ra[4] = { 148, 4, 0, 0 };
		/* Take nothing in: the mroute socket reads IGMP. */
		struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
		struct sock_fprog prog = { 1, &drop };

		fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_IGMP);
		if (fd < 0)
			return -errno;
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, ra, sizeof(ra)) <
			    0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &one,
			       sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
			       sizeof(zero)) < 0)
			goto fail;
	} else {
		/* Hop-by-hop: router alert (MLD, value 0) and PadN. */
		static const uint8_t hbh[8] = { 0, 0, 5, 2, 0, 0, 1, 0 };
		struct icmp6_filter f;

		fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_ICMPV6);
		if (fd < 0)
			return -errno;
		ICMP6_FILTER_SETBLOCKALL(&f);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
			       sizeof(f)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, hbh,
			       sizeof(hbh)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one,
			       sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero,
			       sizeof(zero)) < 0)
			goto fail;
	}
	return fd;
fail:
	one = errno;
	close(fd);
	return -one;
}

int gm_io_join_socket(enum gm_proto p)
{
	int fd = socket(p == GM_MLD ? AF_INET6 : AF_INET,
			SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

int gm_io_join(int fd, enum gm_proto p, int ifindex,
	       const struct inet_addr *grp, bool join)
{
	int rc;

	if (p == GM_IGMP) {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = grp->v4;
		mr.imr_ifindex = ifindex;
		rc = setsockopt(fd, IPPROTO_IP,
				join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
				&mr, sizeof(mr));
	} else {
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.ipv6mr_multiaddr = grp->v6;
		mr.ipv6mr_interface = (unsigned int)ifindex;
		rc = setsockopt(fd, IPPROTO_IPV6,
				join ? IPV6_ADD_MEMBERSHIP :
				       IPV6_DROP_MEMBERSHIP,
				&mr, sizeof(mr));
	}
	return rc < 0 && errno != EADDRINUSE ? -errno : 0;
}

/* The one control message of mh: data at level, type. */
static void put_cmsg(struct msghdr *mh, struct cmsghdr *cm, int level, int type,
		     const void *data, size_t len)
{
	mh->msg_controllen = CMSG_SPACE(len);
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
}

int gm_io_send(int fd, enum gm_proto p, int ifindex,
	       const struct inet_addr *src, const struct inet_addr *dst,
	       const uint8_t *msg, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&mh, 0, sizeof(mh));
	memset(&cb, 0, sizeof(cb));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.buf;
	cm = (struct cmsghdr *)cb.buf;
	if (p == GM_IGMP) {
		struct in_pktinfo pi;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = dst->v4;
		mh.msg_name = &sin;
		mh.msg_namelen = sizeof(sin);
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = ifindex;
		if (src && src->family == AF_INET)
			pi.ipi_spec_dst = src->v4;
		put_cmsg(&mh, cm, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
		{
			struct ip_mreqn mr;

			memset(&mr, 0, sizeof(mr));
			mr.imr_ifindex = ifindex;
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
				   sizeof(mr));
		}
	} else {
		struct in6_pktinfo pi;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = dst->v6;
		sin6.sin6_scope_id = (uint32_t)ifindex;
		mh.msg_name = &sin6;
		mh.msg_namelen = sizeof(sin6);
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_ifindex = (unsigned int)ifindex;
		if (src && src->family == AF_INET6)
			pi.ipi6_addr = src->v6;
		put_cmsg(&mh, cm, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	if (sendmsg(fd, &mh, 0) < 0)
		return -errno;
	return 0;
}

bool gm_io_hbh_has_ra(const uint8_t *p, size_t len)
{
	size_t end, o = 2;

	if (len < 2)
		return false;
	end = ((size_t)p[1] + 1) * 8;
	if (end > len)
		end = len;
	while (o < end) {
		if (p[o] == 0) { /* Pad1 */
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + p[o + 1] > end)
			return false;
		if (p[o] == 5) /* router alert */
			return true;
		o += 2 + (size_t)p[o + 1];
	}
	return false;
}

void gm_io_rx(const struct msghdr *mh, int family, struct gm_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->hoplimit = -1;
	if (family == AF_INET6 && mh->msg_name &&
	    mh->msg_namelen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = mh->msg_name;

		rx->src.family = AF_INET6;
		rx->src.v6 = s->sin6_addr;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)mh); c;
	     c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		size_t dl = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    dl >= sizeof(struct in_pktinfo)) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = pi.ipi_ifindex;
			rx->dst.family = AF_INET;
			rx->dst.v4 = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO &&
			   dl >= sizeof(struct in6_pktinfo)) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = (int)pi.ipi6_ifindex;
			rx->dst.family = AF_INET6;
			rx->dst.v6 = pi.ipi6_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPLIMIT && dl >= sizeof(int)) {
			memcpy(&rx->hoplimit, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPOPTS) {
			rx->router_alert = gm_io_hbh_has_ra(CMSG_DATA(c), dl);
		}
	}
}
