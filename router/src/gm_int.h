/* SPDX-License-Identifier: MIT */
/*
 * What the two halves of the IGMP/MLD router state machine share: gm.c
 * (configuration, queries and the querier election, input, life cycle)
 * and gm_group.c (groups, sources, their timers and the RFC tables).
 */
#ifndef MCR_GM_INT_H
#define MCR_GM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gm.h"

/* The robustness variable and last member query count in force. */
static inline unsigned int rv(const struct gm_cfg *c)
{
	return c->robustness ? c->robustness : GM_DEF_ROBUSTNESS;
}

static inline unsigned int lmqc(const struct gm_cfg *c)
{
	return c->lmq_count ? c->lmq_count : rv(c);
}

/* The newest version of the protocol: IGMPv3, MLDv2. */
static inline unsigned int max_version(enum gm_proto p)
{
	return p == GM_MLD ? 2 : 3;
}

static inline uint64_t now_ns(const struct gm_if *gif)
{
	return gif->ts->now();
}

/* Arm t to fire ms from now on gif's clock. */
static inline void arm(struct gm_if *gif, struct timer *t, uint64_t ms)
{
	timer_arm_at(gif->ts, t, now_ns(gif) + ms * 1000000ull);
}

/* gm.c: send a query, general (grp NULL) or for a group and sources. */
void gm_send_query(struct gm_if *gif, const struct inet_addr *grp,
		   uint32_t max_resp_ms, bool s_flag,
		   const struct inet_addr *srcs, size_t n);

/* gm_group.c */
struct gm_src *gm_src_find(const struct gm_group *g, const struct inet_addr *a);
/* Free g and its sources, timers stopped, no callback (gm_if_stop). */
void gm_group_free(struct gm_if *gif, struct gm_group *g);

#endif
