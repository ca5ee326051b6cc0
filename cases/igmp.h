/* SPDX-License-Identifier: MIT */
/*
 * Inside cases/igmp, one suite in one binary: igmp.c (main() and what the
 * groups share), igmp_proxy.c, igmp_fast_leave.c, igmp_router_mode.c,
 * igmp_election.c (a group each).  Not for other suites.
 */
#ifndef CASES_IGMP_H
#define CASES_IGMP_H

#include "common.h"

#define LMQT_MS 400 /* last-member-query-interval 0.2 x count 2 */
#define GMI_MS 5000 /* robustness 2 x query-interval 2 + response 1 */
#define OQPI_MS 4500 /* 2 x 2 + 1/2 */
/* scheduling, the host's report, the capture; stretched for slow runners */
#define SLACK_MS (300.0 * timeout_mult())

#define TIMERS                             \
	"query-interval 2\n"               \
	"query-response-interval 1\n"      \
	"last-member-query-interval 0.2\n" \
	"last-member-query-count 2\n"

/* CLOCK_REALTIME now, ns (the capture's clock). */
uint64_t rt_ns(void);
bool is_mcrouted(const struct fx *f);

#define NEED_MCROUTED(f, why)                                            \
	do {                                                             \
		if (!is_mcrouted(f)) {                                   \
			print_message("# SKIP reason: %s %s\n",          \
				      router_kind_name((f)->kind), why); \
			skip();                                          \
		}                                                        \
	} while (0)

/* A proxy group's set-up (f its fixture): topo with conf, or igmpproxy's. */
int setup_proxied(void **state, struct fx *f, const char *topo,
		  const char *conf);
/*
 * A group set-up for mcrouted only: others get a struct fx whose skip says
 * "KIND why" (two such fixtures may be alive at once).
 */
int setup_mcrouted_only(void **state, const char *topo, const char *conf,
			const char *why);

/* A 1000 pps flow from node's eth0 (source src) to grp, once it runs. */
struct udp_tx *flow(struct fx *f, const char *node, const char *src,
		    const char *grp, uint32_t stream);
/* A receiver on node's eth0 joined to grp (from src when not NULL). */
struct rx *join(struct fx *f, const char *node, const char *grp,
		const char *src);
/* ms from t0 (CLOCK_MONOTONIC) to the first datagram, -1 when none. */
double first_ms(struct rx *rx, uint64_t t0, unsigned int timeout);
/*
 * ms from t_rt (CLOCK_REALTIME) to the last packet of grp once c has been
 * quiet (0 if none after t_rt), -1 if it never went quiet.
 */
double stop_ms(struct cap *c, const char *grp, uint64_t t_rt,
	       unsigned int timeout_ms);
/* Datagrams from src to grp seen in c. */
size_t seen(struct cap *c, const char *src, const char *grp);
/* mcroutectl -j show what, NULL on failure (a static buffer). */
char *ctl_json(struct fx *f, struct router *r, const char *what);
/* A number from mcroutectl -j show stats, -1 when absent. */
long long stat_of(struct fx *f, const char *name);
/*
 * The join/leave cycle every proxy case shares: forwarding starts on a
 * join and stops within stop_bound ms after the leave.
 */
void cycle(struct fx *f, const char *snd, const char *src, const char *rcv,
	   const char *grp, const char *ssm_src, double stop_bound,
	   const char *what);
/* How long leave->stop may take (the last member query time for us). */
double stop_bound(const struct fx *f);
/* No line of a "show" table is wider than 80 columns. */
bool table_narrow(const char *out);

/* The groups, each a cmocka group run under its own name. */
int igmp_run_proxy(void);
int igmp_run_fast_leave(void);
int igmp_run_router_mode(void);
int igmp_run_election(void);

#endif
