/* SPDX-License-Identifier: MIT */
/*
 * RFC 4605 IGMP/MLD proxying, the upstream side: the proxy is a host on
 * its upstream interface whose membership is the merge (RFC 4605 §4.1) of
 * the memberships learned on the downstream interfaces.
 *
 *  - a change of the merged state sends a state-change report at once and
 *    robustness-1 more at random times within the unsolicited report
 *    interval (RFC 3376 §5.1).  The report carries the whole new state as
 *    a filter-mode-change record (TO_EX(Y) / TO_IN(A)): always correct for
 *    the upstream router (RFC 3376 §6.4), one record per group;
 *  - queries are answered (general and group-specific) after a random delay
 *    within the max response time, with current-state records;
 *  - an upstream querier of an older version switches the reports to it
 *    (RFC 3376 §7.2.1): v2/MLDv1 reports and leaves/dones, v1 reports;
 *  - when the last downstream member goes, a leave (v2/MLDv1) or a
 *    TO_IN({}) record (v3/MLDv2) is sent, robustness times.
 *
 * Pure like gm.c: messages go out through ops->send, time through timers.
 */
#ifndef MCR_PROXY_H
#define MCR_PROXY_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gm.h"

#define PROXY_URI_MS 1000u /* unsolicited report interval (v3: 1 s) */
/*
 * Sources recorded for a pending answer to source-specific queries; past
 * it the answer is the whole state (upstream queries cannot grow memory).
 */
#define PROXY_MAX_RESP_SRCS 64

struct proxy;

struct proxy_group {
	struct proxy_group *next;
	struct inet_addr grp;
	bool exclude;
	struct inet_addr *srcs; /* INCLUDE: wanted; EXCLUDE: not wanted */
	size_t n_srcs;
	bool gone; /* left: kept until the last leave went out */
	unsigned int rexmit_left;
	struct timer rexmit_t; /* state-change retransmissions */
	struct timer resp_t; /* answer to a query */
	/*
	 * The pending answer is to group-and-source-specific queries only
	 * (RFC 3376 §5.2, RFC 3810 §6.2): it reports these sources, not the
	 * group's whole state.
	 */
	bool resp_gs;
	struct inet_addr *resp_srcs;
	size_t n_resp_srcs;
	struct proxy *px;
};

struct proxy_stats {
	uint64_t tx_reports, tx_leaves, tx_errors, rx_queries, joins, leaves;
};

struct proxy_ops {
	int (*send)(void *ctx, struct proxy *px, const struct inet_addr *dst,
		    const uint8_t *msg, size_t len);
};

struct proxy {
	enum gm_proto proto;
	char up[IFNAMSIZ];
	struct gm_cfg cfg; /* robustness, query interval/response, version */
	struct timers *ts;
	const struct proxy_ops *ops;
	void *ctx;
	struct timer older[2]; /* older querier present: [0] v1, [1] v2/MLDv1 */
	struct proxy_group *groups;
	size_t n_groups;
	unsigned int seed; /* for the random delays */
	struct proxy_stats st;
};

void proxy_init(struct proxy *px, enum gm_proto p, const char *upstream,
		const struct gm_cfg *cfg, struct timers *ts,
		const struct proxy_ops *ops, void *ctx);
/* Leave every group upstream (once) and free everything. */
void proxy_stop(struct proxy *px, bool send_leaves);

/*
 * Merge (RFC 4605 §4.1) the downstream states of one group: groups[i] may
 * be NULL (no state there).  Result: *exclude and a malloc'ed list (*srcs,
 * *n; free() it).  INCLUDE with no sources means no member.  0 or -1
 * (ENOMEM).
 */
int proxy_merge(const struct gm_group *const *groups, size_t n, bool *exclude,
		struct inet_addr **srcs, size_t *nsrcs);

/* The merged downstream state of grp is now (exclude, srcs). */
void proxy_set(struct proxy *px, const struct inet_addr *grp, bool exclude,
	       const struct inet_addr *srcs, size_t n);
/* A valid query heard on the upstream interface. */
void proxy_query(struct proxy *px, const struct gm_msg *m);

const struct proxy_group *proxy_group_find(const struct proxy *px,
					   const struct inet_addr *grp);
/* The version reports go out with now. */
unsigned int proxy_version(const struct proxy *px);

#endif
