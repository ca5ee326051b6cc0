// SPDX-License-Identifier: MIT
/*
 * Multicast ICMP / ICMPv6 echo (mping_*): requests to a group with a
 * TTL / hop limit, the replies collected (who, to which sequence, with
 * what TTL).
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "traffic_int.h"

/* ---- multicast ping --------------------------------------------------- */

static atomic_uint ping_ids;

static int reply_add(struct mping_result *res, unsigned int *cap,
		     const struct mping_reply *r)
{
	if (res->nreply == *cap) {
		unsigned int n = *cap ? *cap * 2 : 16;
		struct mping_reply *p = realloc(res->reply, n * sizeof(*p));

		if (!p)
			return -1;
		res->reply = p;
		*cap = n;
	}
	res->reply[res->nreply++] = *r;
	return 0;
}

/* Read every queued reply; returns 0 or -1 on a fatal error. */
static int ping_drain(int sd, int family, const struct mping_result *cres,
		      struct mping_result *res, unsigned int *cap,
		      const uint64_t *sent_at, unsigned int nsent)
{
	uint8_t buf[2048];
	char cbuf[256];

	(void)cres;
	for (;;) {
		struct sockaddr_storage from;
		struct msghdr mh;
		struct mping_reply r;
		const uint8_t *ic;
		struct cmsghdr *cm;
		ssize_t n = traffic_recv_queued(sd, buf, sizeof(buf), &from,
						cbuf, sizeof(cbuf), &mh);
		size_t il;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			return -1;
		}
		memset(&r, 0, sizeof(r));
		r.family = family;
		if (family == AF_INET) {
			size_t hl;

			if (n < 20)
				continue;
			hl = (size_t)(buf[0] & 0x0f) * 4;
			if ((size_t)n < hl + 8)
				continue;
			r.ttl = buf[8];
			memcpy(&r.src.v4, buf + 12, 4);
			ic = buf + hl;
			il = (size_t)n - hl;
			if (ic[0] != ICMP_ECHOREPLY) {
				res->other++;
				continue;
			}
		} else {
			if (n < 8)
				continue;
			ic = buf;
			il = (size_t)n;
			r.src.v6 = ((struct sockaddr_in6 *)&from)->sin6_addr;
			for (cm = CMSG_FIRSTHDR(&mh); cm;
			     cm = CMSG_NXTHDR(&mh, cm)) {
				if (cm->cmsg_level == IPPROTO_IPV6 &&
				    cm->cmsg_type == IPV6_HOPLIMIT) {
					int h;

					memcpy(&h, CMSG_DATA(cm), sizeof(h));
					r.ttl = (uint8_t)h;
				}
			}
			if (ic[0] != ICMP6_ECHO_REPLY) {
				res->other++;
				continue;
			}
		}
		(void)il;
		if ((uint16_t)(ic[4] << 8 | ic[5]) != res->id) {
			res->other++;
			continue;
		}
		r.seq = (uint16_t)(ic[6] << 8 | ic[7]);
		if (r.seq < nsent)
			r.rtt_ns = mono_ns() - sent_at[r.seq];
		if (reply_add(res, cap, &r) < 0)
			return -1;
	}
}

int mping_run(const struct mping_opts *o, struct mping_result *res)
{
	unsigned int count = o->count ? o->count : 1;
	unsigned int ival = o->interval_ms ? o->interval_ms : 10;
	unsigned int datalen = o->datalen ? o->datalen : 56;
	unsigned int cap = 0, i;
	struct sockaddr_storage dst;
	uint64_t *sent_at = NULL, next, end;
	socklen_t dlen;
	uint8_t pkt[8 + 1500];
	int family, sd = -1, rc = 0;

	memset(res, 0, sizeof(*res));
	if (datalen < MCLAB_HDR_LEN)
		datalen = MCLAB_HDR_LEN;
	if (datalen > 1400 || count > 65536)
		return -EINVAL;
	family = traffic_sockaddr(o->group, 0, &dst, &dlen);
	if (family < 0)
		return -EINVAL;
	res->id = o->id ? o->id :
			  (uint16_t)((getpid() * 31 +
				      atomic_fetch_add(&ping_ids, 1)) |
				     0x8000);
	sd = traffic_socket(o->netns, family, SOCK_RAW,
			    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (sd < 0)
		return -errno;
	if (traffic_mcast_tx(sd, family, o->ifname, o->ttl, o->loop) < 0)
		goto err;
	if (family == AF_INET6) {
		struct icmp6_filter f;
		int on = 1;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		if (setsockopt(sd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
			       sizeof(f)) < 0 ||
		    setsockopt(sd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
			       sizeof(on)) < 0)
			goto err;
	}
	sent_at = calloc(count, sizeof(*sent_at));
	if (!sent_at)
		goto err;

	next = mono_ns();
	for (i = 0; i < count; i++) {
		size_t len = 8 + datalen;
		uint16_t c;
		struct pollfd pfd = { .fd = sd, .events = POLLIN };

		/* wait for the send slot, reading replies meanwhile */
		while (mono_ns() < next) {
			int ms = (int)((next - mono_ns() + 999999) / 1000000);

			if (poll(&pfd, 1, ms) > 0 &&
			    ping_drain(sd, family, res, res, &cap, sent_at, i) <
				    0)
				goto err;
		}
		memset(pkt, 0, len);
		pkt[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
		pkt[4] = (uint8_t)(res->id >> 8);
		pkt[5] = (uint8_t)res->id;
		pkt[6] = (uint8_t)(i >> 8);
		pkt[7] = (uint8_t)i;
		mclab_hdr_fill(pkt + 8, res->id, i, real_ns());
		if (family == AF_INET) {
			c = pkt_csum(pkt, len);
			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		} /* the kernel sums ICMPv6 itself */
		sent_at[i] = mono_ns();
		if (sendto(sd, pkt, len, 0, (struct sockaddr *)&dst, dlen) < 0)
			goto err;
		res->sent++;
		next += (uint64_t)ival * 1000000ull;
	}
	end = deadline_in(o->timeout_ms ? o->timeout_ms : 1000);
	for (;;) {
		struct pollfd pfd = { .fd = sd, .events = POLLIN };
		int left;

		if (o->expect && res->nreply >= o->expect)
			break;
		left = deadline_left_ms(end);
		if (left == 0)
			break;
		if (poll(&pfd, 1, left) > 0 &&
		    ping_drain(sd, family, res, res, &cap, sent_at, count) < 0)
			goto err;
	}
	ping_drain(sd, family, res, res, &cap, sent_at, count);
	goto out;
err:
	rc = -errno;
	if (!rc)
		rc = -EIO;
out:
	free(sent_at);
	if (sd >= 0)
		close(sd);
	return rc;
}

unsigned int mping_count(const struct mping_result *res, const char *src,
			 int seq)
{
	union pkt_ip a;
	unsigned int i, n = 0;
	int family = 0;

	if (src && pkt_pton(src, &family, &a) < 0)
		return 0;
	for (i = 0; i < res->nreply; i++) {
		const struct mping_reply *r = &res->reply[i];

		if (seq >= 0 && r->seq != seq)
			continue;
		if (src &&
		    (r->family != family ||
		     memcmp(&r->src, &a, family == AF_INET ? 4 : 16) != 0))
			continue;
		n++;
	}
	return n;
}

unsigned int mping_sources(const struct mping_result *res, char (*out)[46],
			   unsigned int max)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < res->nreply; i++) {
		const struct mping_reply *r = &res->reply[i];
		size_t al = r->family == AF_INET ? 4 : 16;

		for (j = 0; j < i; j++)
			if (res->reply[j].family == r->family &&
			    !memcmp(&res->reply[j].src, &r->src, al))
				break;
		if (j < i)
			continue;
		if (out && n < max)
			pkt_ntop(r->family, &r->src, out[n], 46);
		n++;
	}
	return n;
}

void mping_result_free(struct mping_result *res)
{
	free(res->reply);
	res->reply = NULL;
	res->nreply = 0;
}
