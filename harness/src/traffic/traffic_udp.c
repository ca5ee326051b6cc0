// SPDX-License-Identifier: MIT
/*
 * The UDP sender (udp_send, udp_tx_*): paced datagrams with a TTL, a
 * fixed source port and a struct mclab_hdr in each, blocking or from a
 * thread of its own.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "traffic_int.h"

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
	family = traffic_sockaddr(o->group, o->dport, &tx->dst, &tx->dlen);
	if (family < 0)
		return -1;
	tx->sd = traffic_socket(o->netns, family, SOCK_DGRAM, IPPROTO_UDP);
	if (tx->sd < 0)
		return -1;
	if (setsockopt(tx->sd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		return -1;
	if (traffic_mcast_tx(tx->sd, family, o->ifname, o->ttl, o->loop) < 0)
		return -1;
	if (o->src || o->sport) {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (o->src) {
			if (traffic_sockaddr(o->src, o->sport, &ss, &sl) !=
			    family) {
				errno = EINVAL;
				return -1;
			}
		} else {
			sl = traffic_sockaddr_any(family, o->sport, &ss);
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
	traffic_cond_init(&tx->cv);
	if (udp_tx_open(tx, o) < 0)
		goto err;
	if (traffic_thread(&tx->thr, udp_tx_thread, tx) < 0)
		goto err;
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
