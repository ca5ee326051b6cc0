// SPDX-License-Identifier: MIT
/*
 * Multicast traffic drivers: ICMP echo to a group, a paced UDP sender and
 * group-joining receivers, all inside named network namespaces.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "netns.h"
#include "traffic.h"

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void abs_ts(uint64_t mono_deadline, struct timespec *ts)
{
	ts->tv_sec = (time_t)(mono_deadline / 1000000000ull);
	ts->tv_nsec = (long)(mono_deadline % 1000000000ull);
}

static void cond_init_mono(pthread_cond_t *cv)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
}

static int ns_socket(const char *netns, int family, int type, int proto)
{
	if (netns)
		return netns_socket(netns, family, type, proto);
	return socket(family, type | SOCK_CLOEXEC, proto);
}

/* ifindex of ifname in the socket's own namespace (not the thread's). */
static int sock_ifindex(int sd, const char *ifname)
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

static int sockaddr_of(const char *addr, uint16_t port,
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

/* Egress interface, TTL and loop for multicast sends. */
static int mcast_tx_setup(int sd, int family, const char *ifname, int ttl,
			  bool loop)
{
	int ifindex = sock_ifindex(sd, ifname), on = loop;

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
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct mping_reply r;
		const uint8_t *ic;
		struct cmsghdr *cm;
		ssize_t n = recvmsg(sd, &mh, MSG_DONTWAIT);
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
	family = sockaddr_of(o->group, 0, &dst, &dlen);
	if (family < 0)
		return -EINVAL;
	res->id = o->id ? o->id :
			  (uint16_t)((getpid() * 31 +
				      atomic_fetch_add(&ping_ids, 1)) |
				     0x8000);
	sd = ns_socket(o->netns, family, SOCK_RAW,
		       family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (sd < 0)
		return -errno;
	if (mcast_tx_setup(sd, family, o->ifname, o->ttl, o->loop) < 0)
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

/* ---- UDP sender ------------------------------------------------------- */

struct udp_tx {
	struct udp_tx_opts o;
	int sd;
	socklen_t dlen;
	struct sockaddr_storage dst;
	pthread_t thr;
	bool started;
	atomic_bool stop;
	atomic_ulong sent;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	struct udp_tx_stats st;
};

static int udp_tx_open(struct udp_tx *tx, const struct udp_tx_opts *o)
{
	int family, on = 1;

	tx->o = *o;
	tx->sd = -1;
	if (!tx->o.len)
		tx->o.len = 32;
	if (tx->o.len < MCLAB_HDR_LEN)
		tx->o.len = MCLAB_HDR_LEN;
	if (tx->o.len > 65000 || !o->ifname) {
		errno = EINVAL;
		return -1;
	}
	family = sockaddr_of(o->group, o->dport, &tx->dst, &tx->dlen);
	if (family < 0)
		return -1;
	tx->sd = ns_socket(o->netns, family, SOCK_DGRAM, IPPROTO_UDP);
	if (tx->sd < 0)
		return -1;
	if (setsockopt(tx->sd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		return -1;
	if (mcast_tx_setup(tx->sd, family, o->ifname, o->ttl, o->loop) < 0)
		return -1;
	if (o->src || o->sport) {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (o->src) {
			if (sockaddr_of(o->src, o->sport, &ss, &sl) != family) {
				errno = EINVAL;
				return -1;
			}
		} else {
			memset(&ss, 0, sizeof(ss));
			ss.ss_family = (sa_family_t)family;
			if (family == AF_INET) {
				((struct sockaddr_in *)&ss)->sin_port =
					htons(o->sport);
				sl = sizeof(struct sockaddr_in);
			} else {
				((struct sockaddr_in6 *)&ss)->sin6_port =
					htons(o->sport);
				sl = sizeof(struct sockaddr_in6);
			}
		}
		if (bind(tx->sd, (struct sockaddr *)&ss, sl) < 0)
			return -1;
	}
	return 0;
}

static void udp_tx_loop(struct udp_tx *tx)
{
	uint8_t *buf = calloc(1, tx->o.len);
	uint64_t period = tx->o.pps ? 1000000000ull / tx->o.pps : 0;
	uint64_t t0 = mono_ns();
	unsigned long i;

	if (!buf) {
		tx->st.last_errno = ENOMEM;
		tx->st.errors++;
		return;
	}
	for (i = 0; !tx->o.count || i < tx->o.count; i++) {
		int tries;
		bool ok;

		if (atomic_load(&tx->stop))
			break;
		if (period) {
			uint64_t at = t0 + i * period;
			struct timespec ts = {
				.tv_sec = (time_t)(at / 1000000000ull),
				.tv_nsec = (long)(at % 1000000000ull),
			};

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &ts, NULL) == EINTR)
				;
		}
		mclab_hdr_fill(buf, tx->o.stream,
			       tx->o.first_seq + (uint32_t)tx->st.sent,
			       real_ns());
		ok = false;
		for (tries = 0; tries < 100; tries++) {
			if (sendto(tx->sd, buf, tx->o.len, 0,
				   (struct sockaddr *)&tx->dst,
				   tx->dlen) >= 0) {
				ok = true;
				break;
			}
			tx->st.last_errno = errno;
			if (errno != ENOBUFS && errno != EAGAIN &&
			    errno != EINTR)
				break;
			poll(NULL, 0, 1); /* back-pressure, not a sync */
		}
		if (!ok) {
			tx->st.errors++;
			continue;
		}
		if (!tx->st.sent)
			tx->st.t_first_ns = mono_ns();
		tx->st.t_last_ns = mono_ns();
		tx->st.sent++;
		atomic_store(&tx->sent, tx->st.sent);
	}
	free(buf);
}

int udp_send(const struct udp_tx_opts *o, struct udp_tx_stats *st)
{
	struct udp_tx tx;
	int rc = 0;

	memset(&tx, 0, sizeof(tx));
	if (!o->count)
		return -EINVAL;
	if (udp_tx_open(&tx, o) < 0) {
		rc = -errno;
		goto out;
	}
	udp_tx_loop(&tx);
	if (tx.st.errors && !tx.st.sent)
		rc = -tx.st.last_errno;
out:
	if (tx.sd >= 0)
		close(tx.sd);
	if (st)
		*st = tx.st;
	return rc;
}

static void *udp_tx_thread(void *arg)
{
	struct udp_tx *tx = arg;

	udp_tx_loop(tx);
	pthread_mutex_lock(&tx->mu);
	tx->done = true;
	pthread_cond_broadcast(&tx->cv);
	pthread_mutex_unlock(&tx->mu);
	return NULL;
}

struct udp_tx *udp_tx_start(const struct udp_tx_opts *o)
{
	struct udp_tx *tx = calloc(1, sizeof(*tx));
	int e;

	if (!tx)
		return NULL;
	pthread_mutex_init(&tx->mu, NULL);
	cond_init_mono(&tx->cv);
	if (udp_tx_open(tx, o) < 0)
		goto err;
	e = pthread_create(&tx->thr, NULL, udp_tx_thread, tx);
	if (e) {
		errno = e;
		goto err;
	}
	tx->started = true;
	return tx;
err:
	e = errno;
	if (tx->sd >= 0)
		close(tx->sd);
	pthread_mutex_destroy(&tx->mu);
	pthread_cond_destroy(&tx->cv);
	free(tx);
	errno = e;
	return NULL;
}

unsigned long udp_tx_sent(struct udp_tx *tx)
{
	return atomic_load(&tx->sent);
}

bool udp_tx_wait(struct udp_tx *tx, unsigned int timeout_ms)
{
	struct timespec ts;
	bool done;

	abs_ts(deadline_in(timeout_ms), &ts);
	pthread_mutex_lock(&tx->mu);
	while (!tx->done) {
		if (pthread_cond_timedwait(&tx->cv, &tx->mu, &ts) == ETIMEDOUT)
			break;
	}
	done = tx->done;
	pthread_mutex_unlock(&tx->mu);
	return done;
}

void udp_tx_stop(struct udp_tx *tx, struct udp_tx_stats *st)
{
	if (!tx)
		return;
	atomic_store(&tx->stop, true);
	if (tx->started)
		pthread_join(tx->thr, NULL);
	if (st)
		*st = tx->st;
	if (tx->sd >= 0)
		close(tx->sd);
	pthread_mutex_destroy(&tx->mu);
	pthread_cond_destroy(&tx->cv);
	free(tx);
}

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

	if (sockaddr_of(group, 0, &g, &gl) != rx->family) {
		errno = EINVAL;
		return -1;
	}
	if (source) {
		struct group_source_req r;

		if (sockaddr_of(source, 0, &s, &sl) != rx->family) {
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
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		struct rx_dgram d;
		ssize_t n = recvmsg(rx->sd, &mh, MSG_DONTWAIT);

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

struct rx *rx_start(const struct rx_opts *o)
{
	struct rx *rx = calloc(1, sizeof(*rx));
	struct sockaddr_storage ss;
	socklen_t sl;
	union pkt_ip ga;
	int on = 1, off = 0, e, family;

	if (!rx)
		return NULL;
	rx->sd = rx->efd = -1;
	pthread_mutex_init(&rx->mu, NULL);
	cond_init_mono(&rx->cv);
	if (!o->group || pkt_pton(o->group, &family, &ga) < 0 || !o->ifname) {
		errno = EINVAL;
		goto err;
	}
	rx->family = family;
	rx->sd = ns_socket(o->netns, family, SOCK_DGRAM, IPPROTO_UDP);
	if (rx->sd < 0)
		goto err;
	rx->ifindex = sock_ifindex(rx->sd, o->ifname);
	if (rx->ifindex < 0)
		goto err;
	if (setsockopt(rx->sd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    setsockopt(rx->sd, SOL_SOCKET, SO_BINDTODEVICE, o->ifname,
		       (socklen_t)strlen(o->ifname)) < 0)
		goto err;
	if (family == AF_INET) {
		if (setsockopt(rx->sd, IPPROTO_IP, IP_RECVTTL, &on,
			       sizeof(on)) < 0 ||
		    setsockopt(rx->sd, IPPROTO_IP, IP_PKTINFO, &on,
			       sizeof(on)) < 0 ||
		    setsockopt(rx->sd, IPPROTO_IP, IP_MULTICAST_ALL, &off,
			       sizeof(off)) < 0)
			goto err;
	} else {
		if (setsockopt(rx->sd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
			       sizeof(on)) < 0 ||
		    setsockopt(rx->sd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
			       sizeof(on)) < 0 ||
		    setsockopt(rx->sd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			       sizeof(on)) < 0)
			goto err;
		/* IPV6_MULTICAST_ALL is 4.20+; ignore when missing */
		setsockopt(rx->sd, IPPROTO_IPV6, 29 /* IPV6_MULTICAST_ALL */,
			   &off, sizeof(off));
	}
	if (o->bind_any) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)family;
		if (family == AF_INET) {
			((struct sockaddr_in *)&ss)->sin_port = htons(o->port);
			sl = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)&ss)->sin6_port =
				htons(o->port);
			sl = sizeof(struct sockaddr_in6);
		}
	} else if (sockaddr_of(o->group, o->port, &ss, &sl) < 0) {
		goto err;
	}
	if (bind(rx->sd, (struct sockaddr *)&ss, sl) < 0)
		goto err;
	if (group_req(rx, o->group, o->source, true) < 0)
		goto err;
	rx->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rx->efd < 0)
		goto err;
	e = pthread_create(&rx->thr, NULL, rx_thread, rx);
	if (e) {
		errno = e;
		goto err;
	}
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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void rx_get_stats(struct rx *rx, uint32_t stream, unsigned long expect,
		  struct rx_stats *st)
{
	uint32_t *seqs = NULL, prev = 0;
	bool ttls[256] = { false }, have_prev = false;
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
		if (have_prev && d->seq < prev)
			st->reordered++;
		prev = d->seq;
		have_prev = true;
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
	if (m)
		qsort(seqs, m, sizeof(*seqs), cmp_u32);
	for (i = 0; i < m; i++) {
		if (i && seqs[i] == seqs[i - 1]) {
			st->dups++;
			continue;
		}
		if (expect && seqs[i] >= expect)
			st->out_of_range++;
	}
	if (expect) {
		unsigned long distinct_in = m - st->dups - st->out_of_range;

		st->missing = expect - distinct_in;
	}
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
