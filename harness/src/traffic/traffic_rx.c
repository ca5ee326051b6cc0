// SPDX-License-Identifier: MIT
/*
 * The receiver (rx_*): joins groups (ASM or SSM, IPv4 or IPv6) and
 * records every datagram (source, destination, TTL, our header) from a
 * thread of its own; sequence statistics over them.
 */
#include <errno.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "deadline.h"
#include "traffic_int.h"

/* ---- receiver --------------------------------------------------------- */

struct rx {
	int sd, efd, family, ifindex;
	pthread_t thr;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	struct rx_dgram *d;
	size_t n, cap;
	int err;
};

static int group_req(struct rx *rx, const char *group, const char *source,
		     bool join)
{
	struct sockaddr_storage g, s;
	socklen_t gl, sl;
	int level = rx->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;

	if (traffic_sockaddr(group, 0, &g, &gl) != rx->family) {
		errno = EINVAL;
		return -1;
	}
	if (source) {
		struct group_source_req r;

		if (traffic_sockaddr(source, 0, &s, &sl) != rx->family) {
			errno = EINVAL;
			return -1;
		}
		memset(&r, 0, sizeof(r));
		r.gsr_interface = (uint32_t)rx->ifindex;
		memcpy(&r.gsr_group, &g, gl);
		memcpy(&r.gsr_source, &s, sl);
		return setsockopt(rx->sd, level,
				  join ? MCAST_JOIN_SOURCE_GROUP :
					 MCAST_LEAVE_SOURCE_GROUP,
				  &r, sizeof(r));
	} else {
		struct group_req r;

		memset(&r, 0, sizeof(r));
		r.gr_interface = (uint32_t)rx->ifindex;
		memcpy(&r.gr_group, &g, gl);
		return setsockopt(rx->sd, level,
				  join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP,
				  &r, sizeof(r));
	}
}

int rx_join(struct rx *rx, const char *group, const char *source)
{
	return group_req(rx, group, source, true) < 0 ? -errno : 0;
}

int rx_leave(struct rx *rx, const char *group, const char *source)
{
	return group_req(rx, group, source, false) < 0 ? -errno : 0;
}

/* The TTL / hop limit and the destination address of a received datagram. */
static void rx_cmsg(const struct cmsghdr *cm, struct rx_dgram *d)
{
	int lvl = cm->cmsg_level, type = cm->cmsg_type;

	if ((lvl == IPPROTO_IP && type == IP_TTL) ||
	    (lvl == IPPROTO_IPV6 && type == IPV6_HOPLIMIT)) {
		int t;

		memcpy(&t, CMSG_DATA(cm), sizeof(t));
		d->ttl = t;
	} else if (lvl == IPPROTO_IP && type == IP_PKTINFO) {
		struct in_pktinfo pi;

		memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
		d->dst.v4 = pi.ipi_addr;
	} else if (lvl == IPPROTO_IPV6 && type == IPV6_PKTINFO) {
		struct in6_pktinfo pi;

		memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
		d->dst.v6 = pi.ipi6_addr;
	}
}

static void rx_read(struct rx *rx)
{
	uint8_t buf[65536];
	char cbuf[512];

	for (;;) {
		struct sockaddr_storage from;
		struct msghdr mh;
		struct cmsghdr *cm;
		struct rx_dgram d;
		ssize_t n = traffic_recv_queued(rx->sd, buf, sizeof(buf), &from,
						cbuf, sizeof(cbuf), &mh);

		if (n < 0)
			return;
		memset(&d, 0, sizeof(d));
		d.t_ns = mono_ns();
		d.family = rx->family;
		d.ttl = -1;
		d.len = (unsigned int)n;
		if (rx->family == AF_INET) {
			struct sockaddr_in *s = (struct sockaddr_in *)&from;

			d.src.v4 = s->sin_addr;
			d.sport = ntohs(s->sin_port);
		} else {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&from;

			d.src.v6 = s->sin6_addr;
			d.sport = ntohs(s->sin6_port);
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			rx_cmsg(cm, &d);
		d.mclab = mclab_hdr_parse(buf, (size_t)n, &d.stream, &d.seq,
					  &d.tx_ns);
		pthread_mutex_lock(&rx->mu);
		if (rx->n == rx->cap) {
			size_t c = rx->cap ? rx->cap * 2 : 256;
			struct rx_dgram *p = realloc(rx->d, c * sizeof(*p));

			if (!p) {
				rx->err = ENOMEM;
				pthread_mutex_unlock(&rx->mu);
				return;
			}
			rx->d = p;
			rx->cap = c;
		}
		rx->d[rx->n++] = d;
		pthread_cond_broadcast(&rx->cv);
		pthread_mutex_unlock(&rx->mu);
	}
}

static void *rx_thread(void *arg)
{
	struct rx *rx = arg;

	for (;;) {
		struct pollfd p[2] = { { .fd = rx->sd, .events = POLLIN },
				       { .fd = rx->efd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN)
			rx_read(rx);
		if (p[1].revents) {
			rx_read(rx); /* whatever is already queued */
			break;
		}
	}
	return NULL;
}

/* setsockopt of an int option; 0 or -1 with errno */
static int set_int(int sd, int level, int name, int value)
{
	return setsockopt(sd, level, name, &value, sizeof(value));
}

struct rx *rx_start(const struct rx_opts *o)
{
	struct rx *rx = calloc(1, sizeof(*rx));
	struct sockaddr_storage ss;
	socklen_t sl;
	union pkt_ip ga;
	int e, family;

	if (!rx)
		return NULL;
	rx->sd = rx->efd = -1;
	pthread_mutex_init(&rx->mu, NULL);
	traffic_cond_init(&rx->cv);
	if (!o->group || pkt_pton(o->group, &family, &ga) < 0 || !o->ifname) {
		errno = EINVAL;
		goto err;
	}
	rx->family = family;
	rx->sd = traffic_socket(o->netns, family, SOCK_DGRAM, IPPROTO_UDP);
	if (rx->sd < 0)
		goto err;
	rx->ifindex = traffic_ifindex(rx->sd, o->ifname);
	if (rx->ifindex < 0)
		goto err;
	if (set_int(rx->sd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 ||
	    setsockopt(rx->sd, SOL_SOCKET, SO_BINDTODEVICE, o->ifname,
		       (socklen_t)strlen(o->ifname)) < 0)
		goto err;
	if (family == AF_INET) {
		if (set_int(rx->sd, IPPROTO_IP, IP_RECVTTL, 1) < 0 ||
		    set_int(rx->sd, IPPROTO_IP, IP_PKTINFO, 1) < 0 ||
		    set_int(rx->sd, IPPROTO_IP, IP_MULTICAST_ALL, 0) < 0)
			goto err;
	} else {
		if (set_int(rx->sd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
		    set_int(rx->sd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0 ||
		    set_int(rx->sd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
			goto err;
		/* IPV6_MULTICAST_ALL is 4.20+; ignore when missing */
		set_int(rx->sd, IPPROTO_IPV6, 29 /* IPV6_MULTICAST_ALL */, 0);
	}
	if (o->bind_any) {
		sl = traffic_sockaddr_any(family, o->port, &ss);
	} else if (traffic_sockaddr(o->group, o->port, &ss, &sl) < 0) {
		goto err;
	}
	if (bind(rx->sd, (struct sockaddr *)&ss, sl) < 0)
		goto err;
	if (group_req(rx, o->group, o->source, true) < 0)
		goto err;
	rx->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rx->efd < 0)
		goto err;
	if (traffic_thread(&rx->thr, rx_thread, rx) < 0)
		goto err;
	rx->running = true;
	return rx;
err:
	e = errno;
	rx_free(rx);
	errno = e;
	return NULL;
}

unsigned long rx_count(struct rx *rx)
{
	unsigned long n;

	pthread_mutex_lock(&rx->mu);
	n = rx->n;
	pthread_mutex_unlock(&rx->mu);
	return n;
}

bool rx_wait_count(struct rx *rx, unsigned long n, unsigned int timeout_ms)
{
	struct timespec ts;
	bool ok;

	abs_ts(deadline_in(timeout_ms), &ts);
	pthread_mutex_lock(&rx->mu);
	while (rx->n < n) {
		if (pthread_cond_timedwait(&rx->cv, &rx->mu, &ts) == ETIMEDOUT)
			break;
	}
	ok = rx->n >= n;
	pthread_mutex_unlock(&rx->mu);
	return ok;
}

void rx_get_stats(struct rx *rx, uint32_t stream, unsigned long expect,
		  struct rx_stats *st)
{
	uint32_t *seqs = NULL;
	bool ttls[256] = { false };
	struct pkt_seq_count sc;
	size_t i, m = 0;

	memset(st, 0, sizeof(*st));
	st->ttl_min = st->ttl_max = -1;
	pthread_mutex_lock(&rx->mu);
	st->count = rx->n;
	if (rx->n)
		seqs = malloc(rx->n * sizeof(*seqs));
	for (i = 0; seqs && i < rx->n; i++) {
		const struct rx_dgram *d = &rx->d[i];

		if (!d->mclab || d->stream != stream)
			continue;
		seqs[m++] = d->seq;
		if (d->ttl >= 0 && d->ttl < 256) {
			if (!ttls[d->ttl])
				st->nttl++;
			ttls[d->ttl] = true;
			if (st->ttl_min < 0 || d->ttl < st->ttl_min)
				st->ttl_min = d->ttl;
			if (d->ttl > st->ttl_max)
				st->ttl_max = d->ttl;
		}
	}
	pthread_mutex_unlock(&rx->mu);
	st->matched = m;
	pkt_seq_count(seqs, m, expect, &sc);
	st->reordered = sc.reordered;
	st->dups = sc.dups;
	st->out_of_range = sc.out_of_range;
	st->missing = sc.missing;
	free(seqs);
}

struct rx_dgram *rx_dgrams(struct rx *rx, size_t *n)
{
	struct rx_dgram *p;

	pthread_mutex_lock(&rx->mu);
	*n = rx->n;
	p = malloc((rx->n ? rx->n : 1) * sizeof(*p));
	if (p && rx->n)
		memcpy(p, rx->d, rx->n * sizeof(*p));
	pthread_mutex_unlock(&rx->mu);
	if (!p)
		*n = 0;
	return p;
}

void rx_stop(struct rx *rx)
{
	uint64_t one = 1;

	if (!rx || !rx->running)
		return;
	if (write(rx->efd, &one, sizeof(one)) < 0) {
		/* cannot happen on an eventfd below its max; shut down */
		shutdown(rx->sd, SHUT_RDWR);
	}
	pthread_join(rx->thr, NULL);
	rx->running = false;
	close(rx->sd);
	rx->sd = -1;
}

void rx_free(struct rx *rx)
{
	if (!rx)
		return;
	rx_stop(rx);
	if (rx->sd >= 0)
		close(rx->sd);
	if (rx->efd >= 0)
		close(rx->efd);
	pthread_mutex_destroy(&rx->mu);
	pthread_cond_destroy(&rx->cv);
	free(rx->d);
	free(rx);
}
