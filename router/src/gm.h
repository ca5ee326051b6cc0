/* SPDX-License-Identifier: MIT */
/*
 * The router side of IGMP (RFC 2236, 3376) and MLD (RFC 2710, 3810), per
 * interface, generic over the two: querier election, general queries
 * (startup queries first), group and source records with INCLUDE/EXCLUDE
 * filter modes driven by the RFC 3376 §6.4 / RFC 3810 §7.4 tables,
 * last-member queries, compatibility with older hosts (RFC 3376 §7.3.2,
 * RFC 3810 §8.3.2), fast-leave and a cap on groups.
 *
 * Sources are kept the RFC's way with one twist that makes the tables
 * short: a source whose timer is armed is forwarded (INCLUDE's list, or
 * EXCLUDE's "requested" list X); in EXCLUDE mode a source whose timer is
 * not armed is excluded (the list Y, timer 0).
 *
 * No sockets: messages go out through ops->send, forwarding changes are
 * told through ops->changed, time comes from the struct timers (whose
 * clock the unit tests inject).
 */
#ifndef MCR_GM_H
#define MCR_GM_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "gm_pkt.h"
#include "timer.h"

/* RFC defaults (RFC 3376 §8, RFC 3810 §9). */
#define GM_DEF_ROBUSTNESS 2
#define GM_DEF_QUERY_INTERVAL_MS 125000u
#define GM_DEF_QUERY_RESP_MS 10000u
#define GM_DEF_LMQ_INTERVAL_MS 1000u
#define GM_DEF_MAX_GROUPS 1024u
#define GM_MAX_SOURCES 256u /* per group; more are dropped and counted */
#define GM_HASH 256 /* group hash buckets per interface */

struct gm_cfg {
	unsigned int robustness; /* RV */
	uint32_t query_interval_ms; /* QI */
	uint32_t query_resp_ms; /* QRI, < QI */
	uint32_t lmq_interval_ms; /* LMQI */
	unsigned int lmq_count; /* LMQC, 0 = RV */
	unsigned int max_groups; /* per interface, 0 = GM_DEF_MAX_GROUPS */
	unsigned int version; /* IGMP 1-3, MLD 1-2; 0 = the newest */
	bool fast_leave;
	bool querier; /* run for querier (false: track only, never query) */
};

void gm_cfg_defaults(struct gm_cfg *c);
/* Derived intervals, in ms (RFC 3376 §8.4, 8.5, 8.13, 8.14). */
uint64_t gm_gmi(const struct gm_cfg *c); /* group membership interval */
uint64_t gm_oqpi(const struct gm_cfg *c); /* other querier present */
uint64_t gm_lmqt(const struct gm_cfg *c); /* last member query time */

struct gm_if;
struct gm_group;

struct gm_src {
	struct gm_src *next;
	struct inet_addr addr;
	struct timer t; /* armed: forwarded */
	struct gm_group *g;
	unsigned int rxmt; /* Q(G,S) retransmissions left */
};

struct gm_group {
	struct gm_group *next;
	struct gm_group *hnext; /* in gm_if.hash */
	struct inet_addr addr;
	bool exclude;
	struct timer timer; /* the group timer (EXCLUDE mode) */
	struct timer older[2]; /* [0] IGMPv1 host, [1] IGMPv2/MLDv1 host */
	struct timer rxmt; /* last member query retransmissions */
	unsigned int g_rxmt; /* Q(G) retransmissions left */
	struct gm_src *srcs;
	size_t n_srcs;
	struct gm_if *gif;
	struct inet_addr reporter; /* last report came from */
	uint64_t created_ns;
	bool dirty; /* forwarding changed: tell ops->changed */
};

struct gm_stats {
	uint64_t rx_queries, rx_reports, rx_leaves, tx_queries, tx_errors;
	uint64_t groups_added, groups_expired, cap_drops, src_cap_drops;
	uint64_t ignored; /* link-scope groups, v1 leaves, ... */
	uint64_t querier_changes;
};

struct gm_ops {
	/* Send msg (an IGMP/MLD message) to dst out of gif.  0 or -errno. */
	int (*send)(void *ctx, struct gm_if *gif, const struct inet_addr *dst,
		    const uint8_t *msg, size_t len);
	/* The forwarding state of group grp on gif changed (or it is gone). */
	void (*changed)(void *ctx, struct gm_if *gif,
			const struct inet_addr *grp);
};

struct gm_if {
	enum gm_proto proto;
	char name[IFNAMSIZ];
	int ifindex;
	struct inet_addr addr; /* ours: IPv4 primary, IPv6 link-local */
	struct gm_cfg cfg; /* in force: base, or the querier's QRV/QQI */
	struct gm_cfg base; /* as configured */
	struct timers *ts;
	const struct gm_ops *ops;
	void *ctx;
	bool querier;
	struct inet_addr querier_addr; /* ours while we are querier */
	struct timer query_t; /* next general query */
	struct timer oqp_t; /* other querier present */
	unsigned int startup_left;
	struct gm_group *groups;
	struct gm_group *hash[GM_HASH];
	size_t n_groups;
	struct gm_stats st;
	void *user; /* for the owner */
};

void gm_if_init(struct gm_if *gif, enum gm_proto p, const char *name,
		int ifindex, const struct inet_addr *addr,
		const struct gm_cfg *cfg, struct timers *ts,
		const struct gm_ops *ops, void *ctx);
/* Start: the querier sends its startup queries. */
void gm_if_start(struct gm_if *gif);
/* Drop every group (no callbacks) and stop every timer. */
void gm_if_stop(struct gm_if *gif);
/* New settings (reload); timers in flight keep their expiry. */
void gm_if_set_cfg(struct gm_if *gif, const struct gm_cfg *cfg);
/* Our address changed: a lower one may make us querier at once. */
void gm_if_set_addr(struct gm_if *gif, const struct inet_addr *addr);

/* A valid message (gm_parse_*) that arrived on gif. */
void gm_if_input(struct gm_if *gif, const struct gm_msg *m);

struct gm_group *gm_group_find(const struct gm_if *gif,
			       const struct inet_addr *grp);
/* Does the group's state forward traffic from src (RFC 3376 §6.3)? */
bool gm_group_admits(const struct gm_group *g, const struct inet_addr *src);
/* Does gif forward (src, grp)? */
bool gm_if_admits(const struct gm_if *gif, const struct inet_addr *src,
		  const struct inet_addr *grp);
/* Host compatibility version of a group (RFC 3376 §7.3.2). */
unsigned int gm_group_version(const struct gm_group *g);
/* Which version the interface speaks. */
unsigned int gm_if_version(const struct gm_if *gif);
/* ms until t fires, 0 when not armed. */
uint64_t gm_timer_left_ms(const struct gm_if *gif, const struct timer *t);

/*
 * Process one record as if it came in a report (for tests and for
 * converted v1/v2 messages).  version: the report's version.
 */
void gm_if_record(struct gm_if *gif, unsigned int version,
		  enum gm_rec_type type, const struct inet_addr *grp,
		  const struct inet_addr *srcs, size_t n,
		  const struct inet_addr *reporter);

#endif
