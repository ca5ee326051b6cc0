// SPDX-License-Identifier: MIT
/*
 * Crafted IGMP and MLD messages: builders into a caller's buffer, and
 * raw senders out of a node's interface (gmcraft.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmcraft.h"
#include "pkt.h"
#include "traffic_int.h"

void gm_igmp_csum(uint8_t *msg, size_t len)
{
	uint16_t c;

	msg[2] = msg[3] = 0;
	c = pkt_csum(msg, len);
	msg[2] = (uint8_t)(c >> 8);
	msg[3] = (uint8_t)c;
}

size_t gm_igmp3_query(uint8_t *buf, size_t size, const char *group,
		      uint8_t maxresp, uint8_t qrv, uint8_t qqic,
		      const char *const *srcs, size_t nsrc)
{
	size_t len = 12 + 4 * nsrc;

	if (nsrc > 0xffff || size < len)
		return 0;
	memset(buf, 0, len);
	buf[0] = 0x11;
	buf[1] = maxresp;
	if (group && inet_pton(AF_INET, group, buf + 4) != 1)
		return 0;
	buf[8] = qrv & 7;
	buf[9] = qqic;
	buf[10] = (uint8_t)(nsrc >> 8);
	buf[11] = (uint8_t)nsrc;
	for (size_t i = 0; i < nsrc; i++)
		if (inet_pton(AF_INET, srcs[i], buf + 12 + 4 * i) != 1)
			return 0;
	gm_igmp_csum(buf, len);
	return len;
}

size_t gm_mld2_report(uint8_t *buf, size_t size, uint8_t rtype,
		      const char *group)
{
	if (size < 28)
		return 0;
	memset(buf, 0, 28);
	buf[0] = 143;
	buf[7] = 1; /* one record */
	buf[8] = rtype;
	if (inet_pton(AF_INET6, group, buf + 12) != 1)
		return 0;
	return 28;
}

int gm_send_igmp(const char *netns, const char *ifname, const char *src,
		 const char *dst, const void *msg, size_t len, int ttl, bool ra)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	size_t ihl = ra ? 24 : 20;
	uint8_t pkt[256];
	int fd, rc = 0;

	if (len > sizeof(pkt) - ihl)
		return -EMSGSIZE;
	memset(pkt, 0, ihl);
	pkt[0] = (uint8_t)(0x40 | ihl / 4);
	pkt[2] = (uint8_t)((ihl + len) >> 8);
	pkt[3] = (uint8_t)(ihl + len);
	pkt[8] = (uint8_t)ttl;
	pkt[9] = IPPROTO_IGMP;
	if (inet_pton(AF_INET, src, pkt + 12) != 1 ||
	    inet_pton(AF_INET, dst, pkt + 16) != 1)
		return -EINVAL;
	if (ra) {
		pkt[20] = 148; /* IPOPT_RA */
		pkt[21] = 4;
	}
	memcpy(pkt + ihl, msg, len);
	memcpy(&sin.sin_addr, pkt + 16, 4);
	fd = traffic_socket(netns, AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1) < 0 ||
	    sendto(fd, pkt, ihl + len, 0, (struct sockaddr *)&sin,
		   sizeof(sin)) <= 0)
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

int gm_send_mld(const char *netns, const char *ifname, const char *src,
		const char *dst, const void *msg, size_t len, int hops, bool ra)
{
	/* router alert (5, length 2, value 0: MLD), then a PadN of 0 */
	static const uint8_t hbh[8] = { 0, 0, 5, 2, 0, 0, 1, 0 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr a;
	} cb;
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_name = &to,
			     .msg_namelen = sizeof(to),
			     .msg_iov = &iov,
			     .msg_iovlen = 1 };
	int fd, ifindex, rc = 0;

	if (inet_pton(AF_INET6, dst, &to.sin6_addr) != 1)
		return -EINVAL;
	fd = traffic_socket(netns, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	ifindex = traffic_ifindex(fd, ifname);
	if (ifindex < 0)
		goto err;
	to.sin6_scope_id = (uint32_t)ifindex;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
		       sizeof(hops)) < 0)
		goto err;
	if (ra &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, sizeof(hbh)) < 0)
		goto err;
	if (src) {
		struct in6_pktinfo pi = { .ipi6_ifindex =
						  (unsigned int)ifindex };
		struct cmsghdr *c = (struct cmsghdr *)cb.b;

		if (inet_pton(AF_INET6, src, &pi.ipi6_addr) != 1) {
			errno = EINVAL;
			goto err;
		}
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof(cb.b);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(fd, &mh, 0) > 0)
		goto out;
err:
	rc = errno ? -errno : -EIO;
out:
	close(fd);
	return rc;
}
