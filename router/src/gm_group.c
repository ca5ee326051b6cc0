// SPDX-License-Identifier: MIT
/*
 * IGMP/MLD groups and sources: their records (the RFC 3376 §6.4 / RFC
 * 3810 §7.4 tables), timers and expiry (§6.5), last member queries
 * (§6.6.3), compatibility with older hosts (§7.3.2 / §8.3.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_int.h"

/* ---- groups and sources ------------------------------------------------ */

static void on_src_timer(struct timer *t, void *arg);
static void on_group_timer(struct timer *t, void *arg);
static void on_rxmt_timer(struct timer *t, void *arg);
static void on_older_timer(struct timer *t, void *arg);

static size_t bucket(const struct inet_addr *grp)
{
	return addr_hash(grp, 0x9e3779b9u) % GM_HASH;
}

struct gm_group *gm_group_find(const struct gm_if *gif,
			       const struct inet_addr *grp)
{
	for (struct gm_group *g = gif->hash[bucket(grp)]; g; g = g->hnext)
		if (addr_equal(&g->addr, grp))
			return g;
	return NULL;
}

static struct gm_group *group_new(struct gm_if *gif,
				  const struct inet_addr *grp)
{
	unsigned int cap = gif->cfg.max_groups ? gif->cfg.max_groups :
						 GM_DEF_MAX_GROUPS;
	struct gm_group *g;

	if (gif->n_groups >= cap) {
		gif->st.cap_drops++;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->addr = *grp;
	g->gif = gif;
	g->created_ns = now_ns(gif);
	timer_init(&g->timer, on_group_timer, g);
	timer_init(&g->rxmt, on_rxmt_timer, g);
	timer_init(&g->older[0], on_older_timer, g);
	timer_init(&g->older[1], on_older_timer, g);
	g->next = gif->groups;
	gif->groups = g;
	g->hnext = gif->hash[bucket(grp)];
	gif->hash[bucket(grp)] = g;
	gif->n_groups++;
	gif->st.groups_added++;
	g->dirty = true;
	return g;
}

static void src_free(struct gm_if *gif, struct gm_src *s)
{
	timer_cancel(gif->ts, &s->t);
	free(s);
}

void gm_group_free(struct gm_if *gif, struct gm_group *g)
{
	struct gm_src *s, *n;

	for (s = g->srcs; s; s = n) {
		n = s->next;
		src_free(gif, s);
	}
	timer_cancel(gif->ts, &g->timer);
	timer_cancel(gif->ts, &g->rxmt);
	timer_cancel(gif->ts, &g->older[0]);
	timer_cancel(gif->ts, &g->older[1]);
	free(g);
}

static void group_del(struct gm_if *gif, struct gm_group *g)
{
	struct gm_group **pp;
	struct inet_addr a = g->addr;

	for (pp = &gif->groups; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			gif->n_groups--;
			break;
		}
	}
	for (pp = &gif->hash[bucket(&g->addr)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == g) {
			*pp = g->hnext;
			break;
		}
	}
	gm_group_free(gif, g);
	gif->ops->changed(gif->ctx, gif, &a);
}

struct gm_src *gm_src_find(const struct gm_group *g, const struct inet_addr *a)
{
	for (struct gm_src *s = g->srcs; s; s = s->next)
		if (addr_equal(&s->addr, a))
			return s;
	return NULL;
}

/* A new source, timer not armed (excluded in EXCLUDE mode). */
static struct gm_src *src_add(struct gm_group *g, const struct inet_addr *a)
{
	struct gm_src *s;

	if (g->n_srcs >= GM_MAX_SOURCES) {
		g->gif->st.src_cap_drops++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->addr = *a;
	s->g = g;
	timer_init(&s->t, on_src_timer, s);
	s->next = g->srcs;
	g->srcs = s;
	g->n_srcs++;
	g->dirty = true;
	return s;
}

static void src_del(struct gm_group *g, struct gm_src *s)
{
	struct gm_src **pp;

	for (pp = &g->srcs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			g->n_srcs--;
			break;
		}
	}
	g->dirty = true;
	src_free(g->gif, s);
}

static void src_arm(struct gm_group *g, struct gm_src *s, uint64_t ms)
{
	if (!timer_armed(&s->t))
		g->dirty = true;
	arm(g->gif, &s->t, ms);
}

/* Arm at an absolute time (the group timer's); unarmed when it is not. */
static void src_arm_like(struct gm_group *g, struct gm_src *s,
			 const struct timer *like)
{
	if (!timer_armed(like))
		return;
	if (!timer_armed(&s->t))
		g->dirty = true;
	timer_arm_at(g->gif->ts, &s->t, like->when);
}

bool gm_group_admits(const struct gm_group *g, const struct inet_addr *src)
{
	const struct gm_src *s = gm_src_find(g, src);

	if (!g->exclude)
		return s && timer_armed(&s->t);
	return !s || timer_armed(&s->t);
}

bool gm_if_admits(const struct gm_if *gif, const struct inet_addr *src,
		  const struct inet_addr *grp)
{
	const struct gm_group *g = gm_group_find(gif, grp);

	return g && gm_group_admits(g, src);
}

unsigned int gm_group_version(const struct gm_group *g)
{
	unsigned int v = gm_if_version(g->gif);

	if (g->gif->proto == GM_IGMP && timer_armed(&g->older[0]))
		return 1;
	if (timer_armed(&g->older[1]))
		return g->gif->proto == GM_IGMP ? 2 : 1;
	return v;
}

static void notify(struct gm_group *g)
{
	if (g->dirty) {
		g->dirty = false;
		g->gif->ops->changed(g->gif->ctx, g->gif, &g->addr);
	}
}

/* After a timer expired: a group left without sources is gone, else told. */
static void expired(struct gm_if *gif, struct gm_group *g)
{
	if (!g->n_srcs) {
		gif->st.groups_expired++;
		group_del(gif, g);
		return;
	}
	notify(g);
}

/* Group timer expired (RFC 3376 §6.5): to INCLUDE, or gone. */
static void group_expire(struct gm_if *gif, struct gm_group *g)
{
	struct gm_src *s, *n;

	if (!g->exclude)
		return;
	for (s = g->srcs; s; s = n) {
		n = s->next;
		if (!timer_armed(&s->t))
			src_del(g, s);
	}
	g->exclude = false;
	g->dirty = true;
	expired(gif, g);
}

static void on_group_timer(struct timer *t, void *arg)
{
	struct gm_group *g = arg;

	(void)t;
	group_expire(g->gif, g);
}

static void on_src_timer(struct timer *t, void *arg)
{
	struct gm_src *s = arg;
	struct gm_group *g = s->g;
	struct gm_if *gif = g->gif;

	(void)t;
	g->dirty = true;
	if (g->exclude) {
		notify(g); /* stays, excluded now (timer 0) */
		return;
	}
	src_del(g, s);
	expired(gif, g);
}

static void on_older_timer(struct timer *t, void *arg)
{
	(void)t, (void)arg; /* the version is read from the timers */
}

/*
 * Last member queries (RFC 3376 §6.6.3): the S flag is set when the timer
 * is above LMQT (a report came in meanwhile), so that other routers keep
 * their timers.
 */
static void send_lmq(struct gm_group *g)
{
	struct gm_if *gif = g->gif;
	uint64_t lmqt = gm_lmqt(&gif->cfg);
	struct inet_addr lo[64], hi[64];
	size_t nlo = 0, nhi = 0;

	if (g->g_rxmt) {
		g->g_rxmt--;
		gm_send_query(gif, &g->addr, gif->cfg.lmq_interval_ms,
			      g->exclude &&
				      gm_timer_left_ms(gif, &g->timer) > lmqt,
			      NULL, 0);
	}
	for (struct gm_src *s = g->srcs; s; s = s->next) {
		if (!s->rxmt)
			continue;
		s->rxmt--;
		if (gm_timer_left_ms(gif, &s->t) > lmqt) {
			if (nhi < 64)
				hi[nhi++] = s->addr;
		} else if (nlo < 64) {
			lo[nlo++] = s->addr;
		}
	}
	if (nhi)
		gm_send_query(gif, &g->addr, gif->cfg.lmq_interval_ms, true, hi,
			      nhi);
	if (nlo)
		gm_send_query(gif, &g->addr, gif->cfg.lmq_interval_ms, false,
			      lo, nlo);
}

static bool rxmt_pending(const struct gm_group *g)
{
	if (g->g_rxmt)
		return true;
	for (const struct gm_src *s = g->srcs; s; s = s->next)
		if (s->rxmt)
			return true;
	return false;
}

static void on_rxmt_timer(struct timer *t, void *arg)
{
	struct gm_group *g = arg;

	(void)t;
	send_lmq(g);
	if (rxmt_pending(g))
		arm(g->gif, &g->rxmt, g->gif->cfg.lmq_interval_ms);
}

static void start_rxmt(struct gm_group *g)
{
	struct gm_if *gif = g->gif;

	send_lmq(g);
	if (rxmt_pending(g))
		arm(gif, &g->rxmt, gif->cfg.lmq_interval_ms);
}

/* Send Q(G): group timer to LMQT (fast-leave: expire now). */
static void q_group(struct gm_group *g)
{
	struct gm_if *gif = g->gif;

	if (gif->cfg.fast_leave) {
		if (g->exclude)
			timer_arm_at(gif->ts, &g->timer, now_ns(gif));
		return;
	}
	if (!gif->querier)
		return;
	/* lowered to LMQT, never raised (a repeated leave) */
	if (g->exclude && gm_timer_left_ms(gif, &g->timer) > gm_lmqt(&gif->cfg))
		arm(gif, &g->timer, gm_lmqt(&gif->cfg));
	g->g_rxmt = lmqc(&gif->cfg);
}

/* Send Q(G,S) for the marked sources: timers to LMQT. */
static void q_source(struct gm_group *g, struct gm_src *s)
{
	struct gm_if *gif = g->gif;

	if (!timer_armed(&s->t))
		return;
	if (gif->cfg.fast_leave) {
		timer_arm_at(gif->ts, &s->t, now_ns(gif));
		return;
	}
	if (!gif->querier)
		return;
	if (gm_timer_left_ms(gif, &s->t) > gm_lmqt(&gif->cfg))
		arm(gif, &s->t, gm_lmqt(&gif->cfg));
	s->rxmt = lmqc(&gif->cfg);
}

static bool link_scope(const struct inet_addr *g)
{
	if (g->family == AF_INET)
		return (ntohl(g->v4.s_addr) & 0xffffff00u) == 0xe0000000u;
	/* ff01::/16, ff02::/16 (interface- and link-local scope) */
	return g->v6.s6_addr[0] == 0xff && (g->v6.s6_addr[1] & 0x0f) <= 2;
}

/* 232.0.0.0/8 and ff3x::/96 (RFC 4607) */
static bool ssm_range(const struct inet_addr *g)
{
	if (g->family == AF_INET)
		return (ntohl(g->v4.s_addr) >> 24) == 232;
	return g->v6.s6_addr[0] == 0xff && (g->v6.s6_addr[1] & 0xf0) == 0x30;
}

/* (B) = ms: each source of b, added when new, its timer to ms. */
static void arm_all(struct gm_group *g, const struct inet_addr *b, size_t n,
		    uint64_t ms)
{
	for (size_t i = 0; i < n; i++) {
		struct gm_src *s = gm_src_find(g, &b[i]);

		if (!s)
			s = src_add(g, &b[i]);
		if (s)
			src_arm(g, s, ms);
	}
}

/* Delete (A-B): the sources that are not in b go. */
static void keep_only(struct gm_group *g, const struct inet_addr *b, size_t n)
{
	struct gm_src *s, *nx;

	for (s = g->srcs; s; s = nx) {
		nx = s->next;
		if (!addr_in(b, n, &s->addr))
			src_del(g, s);
	}
}

/* Send Q(G,A*B) (in) or Q(G,A-B); whether there was any source for it. */
static bool q_in(struct gm_group *g, const struct inet_addr *b, size_t n,
		 bool in)
{
	bool any = false;

	for (struct gm_src *s = g->srcs; s; s = s->next)
		if (addr_in(b, n, &s->addr) == in) {
			q_source(g, s);
			any = true;
		}
	return any;
}

/* Send Q(G,X): the forwarded sources (timer armed); whether any. */
static bool q_armed(struct gm_group *g)
{
	bool any = false;

	for (struct gm_src *s = g->srcs; s; s = s->next)
		if (timer_armed(&s->t)) {
			q_source(g, s);
			any = true;
		}
	return any;
}

static void apply(struct gm_group *g, enum gm_rec_type type,
		  const struct inet_addr *b, size_t n)
{
	struct gm_if *gif = g->gif;
	uint64_t gmi = gm_gmi(&gif->cfg);
	struct gm_src *s;
	bool any_q = false;

	if (!g->exclude) {
		/* INCLUDE (A) */
		switch (type) {
		case GM_IS_IN:
		case GM_ALLOW:
		case GM_TO_IN:
			/* INCLUDE (A+B); (B) = GMI */
			arm_all(g, b, n, gmi);
			if (type == GM_TO_IN) /* Send Q(G,A-B) */
				any_q = q_in(g, b, n, false);
			break;
		case GM_BLOCK: /* INCLUDE (A); Send Q(G,A*B) */
			any_q = q_in(g, b, n, true);
			break;
		case GM_IS_EX:
		case GM_TO_EX:
			/* EXCLUDE (A*B, B-A); (B-A) = 0; Delete (A-B) */
			keep_only(g, b, n);
			for (size_t i = 0; i < n; i++)
				if (!gm_src_find(g, &b[i]))
					src_add(g, &b[i]);
			g->exclude = true;
			g->dirty = true;
			arm(gif, &g->timer, gmi);
			if (type == GM_TO_EX) /* Send Q(G,A*B) */
				any_q = q_armed(g);
			break;
		}
	} else {
		/* EXCLUDE (X, Y) */
		switch (type) {
		case GM_IS_IN:
		case GM_ALLOW:
		case GM_TO_IN: {
			/* EXCLUDE (X+A, Y-A); (A) = GMI */
			bool had[GM_MAX_SOURCES];
			size_t k = 0;

			/* TO_IN: Send Q(G,X-A) for the X before; Q(G) */
			if (type == GM_TO_IN)
				for (s = g->srcs; s && k < GM_MAX_SOURCES;
				     s = s->next)
					had[k++] = timer_armed(&s->t);
			k = 0;
			if (type == GM_TO_IN)
				for (s = g->srcs; s && k < GM_MAX_SOURCES;
				     s = s->next, k++)
					if (had[k] &&
					    !addr_in(b, n, &s->addr)) {
						q_source(g, s);
						any_q = true;
					}
			arm_all(g, b, n, gmi);
			if (type == GM_TO_IN) {
				q_group(g);
				any_q = true;
			}
			break;
		}
		case GM_BLOCK:
			/* EXCLUDE (X+(A-Y), Y); (A-X-Y) = Group Timer;
			 * Send Q(G,A-Y) */
			for (size_t i = 0; i < n; i++) {
				s = gm_src_find(g, &b[i]);
				if (!s) {
					s = src_add(g, &b[i]);
					if (s)
						src_arm_like(g, s, &g->timer);
				}
				if (s && timer_armed(&s->t)) {
					q_source(g, s);
					any_q = true;
				}
			}
			break;
		case GM_IS_EX:
		case GM_TO_EX:
			/* EXCLUDE (A-Y, Y*A); Delete (X-A), (Y-A);
			 * IS_EX: (A-X-Y) = GMI; TO_EX: (A-X-Y) = Group Timer,
			 * Send Q(G,A-Y); Group Timer = GMI */
			keep_only(g, b, n);
			for (size_t i = 0; i < n; i++) {
				if (gm_src_find(g, &b[i]))
					continue;
				s = src_add(g, &b[i]);
				if (!s)
					continue;
				if (type == GM_IS_EX)
					src_arm(g, s, gmi);
				else
					src_arm_like(g, s, &g->timer);
			}
			if (type == GM_TO_EX)
				any_q = q_armed(g);
			arm(gif, &g->timer, gmi);
			break;
		}
	}
	if (any_q && gif->querier && !gif->cfg.fast_leave)
		start_rxmt(g);
}

void gm_if_record(struct gm_if *gif, unsigned int version,
		  enum gm_rec_type type, const struct inet_addr *grp,
		  const struct inet_addr *srcs, size_t n,
		  const struct inet_addr *reporter)
{
	struct gm_group *g;
	unsigned int gv, top = max_version(gif->proto);

	if (link_scope(grp)) {
		gif->st.ignored++;
		return;
	}
	/*
	 * RFC 4604 §2.2: in the SSM range a router ignores EXCLUDE-mode
	 * records and IGMPv1/v2 / MLDv1 reports (which are IS_EX({}) here),
	 * and does not fall back to an older version for them.
	 */
	if (ssm_range(grp) && (type == GM_IS_EX || type == GM_TO_EX)) {
		gif->st.ignored++;
		return;
	}
	g = gm_group_find(gif, grp);
	/* Records that cannot create state do not create a group. */
	if (!g && (type == GM_BLOCK || ((type == GM_TO_IN || type == GM_IS_IN ||
					 type == GM_ALLOW) &&
					!n))) {
		return;
	}
	if (!g) {
		g = group_new(gif, grp);
		if (!g)
			return;
	}
	if (reporter)
		g->reporter = *reporter;
	/* Older hosts (RFC 3376 §7.3.2, RFC 3810 §8.3.2). */
	if (version < top) {
		int slot = gif->proto == GM_IGMP && version == 1 ? 0 : 1;

		arm(gif, &g->older[slot], gm_gmi(&gif->cfg));
	}
	gv = gm_group_version(g);
	if (gm_if_version(gif) < gv)
		gv = gm_if_version(gif);
	if (gv < top) {
		/* No source filtering in v1/v2 (MLDv1) mode. */
		if (type == GM_BLOCK)
			goto out;
		if (type == GM_TO_EX || type == GM_IS_EX) {
			n = 0;
		} else if (n) {
			/* a source list wants the group: join it */
			type = GM_IS_EX;
			n = 0;
		}
	}
	apply(g, type, srcs, n);
out:
	if (!g->exclude && !g->n_srcs) {
		/* nothing left (TO_IN({}) on INCLUDE): no state at all */
		group_del(gif, g);
		return;
	}
	notify(g);
}
