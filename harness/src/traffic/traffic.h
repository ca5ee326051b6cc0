/* SPDX-License-Identifier: MIT */
/*
 * Traffic drivers run inside named network namespaces:
 *   - mping: multicast ICMP / ICMPv6 echo with TTL / hop limit, collecting
 *     the echo replies (who replied, to which sequence, with what TTL);
 *   - udp_tx: a UDP sender with TTL, fixed source port, rate, and a
 *     struct mclab_hdr (magic, stream, seq, send time) in every datagram;
 *   - rx: a receiver that joins groups (ASM or SSM, IPv4 or IPv6), counts
 *     datagrams exactly and records seq, TTL and source of each.
 *
 * Every call takes the namespace NAME (/run/netns/NAME; NULL = the caller's
 * own namespace) and interface names.  Sockets are created inside the
 * namespace (netns_socket) and then used from any thread.  Address family
 * follows the group's text ("239.1.1.1" or "ff0e::1:1").  Timeouts are in
 * milliseconds and scaled by MCLAB_TIMEOUT_MULT.
 */
#ifndef MCLAB_TRAFFIC_H
#define MCLAB_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* ---- multicast ICMP echo ---------------------------------------------- */

struct mping_opts {
	const char *netns; /* NULL: caller's namespace */
	const char *ifname; /* egress interface (required) */
	const char *group; /* "239.1.2.3" or "ff0e::114" */
	int ttl; /* TTL / hop limit, 1..255; 0 = 1 */
	unsigned int count; /* echo requests to send; 0 = 1 */
	unsigned int interval_ms; /* between requests; 0 = 10 ms */
	/* after the last request, wait this long for replies; 0 = 1000 */
	unsigned int timeout_ms;
	/* stop waiting as soon as this many replies arrived (0 = wait the
	 * whole timeout, what a negative check needs) */
	unsigned int expect;
	uint16_t id; /* echo id; 0 = a fresh one per run */
	unsigned int datalen; /* ICMP data bytes, >= 20; 0 = 56 */
	bool loop; /* IP_MULTICAST_LOOP (default off) */
};

struct mping_reply {
	int family;
	union pkt_ip src; /* who replied */
	uint16_t seq;
	uint8_t ttl; /* TTL / hop limit the reply arrived with */
	uint64_t rtt_ns;
};

struct mping_result {
	uint16_t id;
	unsigned int sent;
	unsigned int nreply;
	struct mping_reply *reply; /* malloc'd, in arrival order */
	unsigned int other; /* ICMP seen that was not a reply to us */
};

/* Run a multicast ping.  Returns 0 (even with no replies) or -errno. */
int mping_run(const struct mping_opts *o, struct mping_result *res);
/* Replies from src (NULL = any) to sequence seq (-1 = any). */
unsigned int mping_count(const struct mping_result *res, const char *src,
			 int seq);
/* Number of distinct replying sources; their text into out[] (up to max,
 * each INET6_ADDRSTRLEN bytes) when out is not NULL. */
unsigned int mping_sources(const struct mping_result *res, char (*out)[46],
			   unsigned int max);
void mping_result_free(struct mping_result *res);

/* ---- UDP sender ------------------------------------------------------- */

struct udp_tx_opts {
	const char *netns;
	const char *ifname; /* egress interface (required) */
	const char *src; /* bind address, NULL = any */
	const char *group; /* destination group (or unicast) */
	uint16_t sport; /* fixed source port; 0 = ephemeral */
	uint16_t dport;
	int ttl; /* 1..255; 0 = 1 */
	unsigned long count; /* datagrams; 0 = until udp_tx_stop() */
	unsigned int pps; /* rate; 0 = as fast as possible */
	unsigned int len; /* UDP payload bytes, >= 20; 0 = 32 */
	uint32_t stream; /* stream id in the payload header */
	uint32_t first_seq; /* usually 0 */
	bool loop; /* IP_MULTICAST_LOOP (default off) */
};

struct udp_tx_stats {
	unsigned long sent; /* seqs first_seq .. first_seq+sent-1 went out */
	unsigned long errors; /* sendto failures (after retries) */
	int last_errno;
	uint64_t t_first_ns, t_last_ns; /* CLOCK_MONOTONIC of first/last */
};

/* Blocking: send o->count datagrams (count must be > 0).  0 or -errno. */
int udp_send(const struct udp_tx_opts *o, struct udp_tx_stats *st);

/* Background sender thread.  NULL with errno on error. */
struct udp_tx *udp_tx_start(const struct udp_tx_opts *o);
/* Datagrams sent so far. */
unsigned long udp_tx_sent(struct udp_tx *tx);
/* Wait until count datagrams were sent (count > 0 only). */
bool udp_tx_wait(struct udp_tx *tx, unsigned int timeout_ms);
/* Stop (if running), join the thread, fill *st (may be NULL), free. */
void udp_tx_stop(struct udp_tx *tx, struct udp_tx_stats *st);

/* ---- receiver --------------------------------------------------------- */

struct rx_opts {
	const char *netns;
	const char *ifname; /* join on / bind to this interface */
	const char *group; /* joined at start (required: sets the family) */
	const char *source; /* SSM source for group; NULL = ASM */
	uint16_t port;
	bool bind_any; /* bind the wildcard address instead of the group */
};

struct rx_dgram {
	uint64_t t_ns; /* CLOCK_MONOTONIC receive time */
	int family;
	union pkt_ip src, dst;
	uint16_t sport;
	int ttl; /* received TTL / hop limit, -1 if unknown */
	unsigned int len;
	bool mclab; /* payload header found: stream/seq/tx_ns valid */
	uint32_t stream, seq;
	uint64_t tx_ns; /* sender's CLOCK_REALTIME stamp */
};

struct rx_stats {
	unsigned long count; /* every datagram */
	unsigned long matched; /* with our header and the asked stream */
	unsigned long dups; /* matched datagrams whose seq was seen before */
	unsigned long missing; /* of 0..expect-1 (when expect given) */
	unsigned long reordered; /* seq lower than the one before */
	unsigned long out_of_range; /* seq >= expect */
	int ttl_min, ttl_max; /* over matched; -1 when none */
	unsigned int nttl; /* distinct TTLs over matched */
};

/* Open, bind, join (if o->group) and start counting.  Joined and counting
 * when it returns.  NULL with errno on error. */
struct rx *rx_start(const struct rx_opts *o);
/* Join / leave more groups on the same socket; source NULL = ASM. */
int rx_join(struct rx *rx, const char *group, const char *source);
int rx_leave(struct rx *rx, const char *group, const char *source);
/* Datagrams received so far. */
unsigned long rx_count(struct rx *rx);
/* Wait until at least n datagrams arrived; true when they did. */
bool rx_wait_count(struct rx *rx, unsigned long n, unsigned int timeout_ms);
/* Sequence statistics over datagrams of stream (expect 0: no missing). */
void rx_get_stats(struct rx *rx, uint32_t stream, unsigned long expect,
		  struct rx_stats *st);
/* Snapshot of every datagram so far (malloc'd, caller frees).  n out. */
struct rx_dgram *rx_dgrams(struct rx *rx, size_t *n);
/* Stop receiving (closes the socket, leaving its groups).  Data kept. */
void rx_stop(struct rx *rx);
/* rx_stop() if needed, then free. */
void rx_free(struct rx *rx);

#endif
