// SPDX-License-Identifier: MIT
/*
 * IGMP/MLD router state machine: the configuration in force, queries,
 * querier election and take-over, input, life cycle (RFC 3376 §6.6,
 * RFC 3810 §7.6).  Groups, sources and the RFC's tables are in
 * gm_group.c; gm_int.h holds what the two share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_int.h"

void gm_cfg_defaults(struct gm_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->robustness = GM_DEF_ROBUSTNESS;
	c->query_interval_ms = GM_DEF_QUERY_INTERVAL_MS;
	c->query_resp_ms = GM_DEF_QUERY_RESP_MS;
	c->lmq_interval_ms = GM_DEF_LMQ_INTERVAL_MS;
	c->querier = true;
}

uint64_t gm_gmi(const struct gm_cfg *c)
{
	return (uint64_t)rv(c) * c->query_interval_ms + c->query_resp_ms;
}

uint64_t gm_oqpi(const struct gm_cfg *c)
{
	return (uint64_t)rv(c) * c->query_interval_ms + c->query_resp_ms / 2;
}

uint64_t gm_lmqt(const struct gm_cfg *c)
{
	return (uint64_t)c->lmq_interval_ms * lmqc(c);
}

unsigned int gm_if_version(const struct gm_if *gif)
{
	unsigned int v = gif->cfg.version, m = max_version(gif->proto);

	return v && v <= m ? v : m;
}

uint64_t gm_timer_left_ms(const struct gm_if *gif, const struct timer *t)
{
	uint64_t now = now_ns(gif);

	if (!timer_armed(t))
		return 0;
	return t->when > now ? (t->when - now + 999999) / 1000000 : 0;
}

/* ---- sending ---------------------------------------------------------- */

void gm_send_query(struct gm_if *gif, const struct inet_addr *grp,
		   uint32_t max_resp_ms, bool s_flag,
		   const struct inet_addr *srcs, size_t n)
{
	struct gm_query_out q;
	struct inet_addr dst;
	uint8_t buf[1500];
	size_t len;
	int rc;

	memset(&q, 0, sizeof(q));
	q.version = gm_if_version(gif);
	if (grp)
		q.group = *grp;
	q.max_resp_ms = max_resp_ms;
	q.s_flag = s_flag;
	q.qrv = rv(&gif->cfg) <= 7 ? rv(&gif->cfg) : 0;
	q.qqi_s = gif->cfg.query_interval_ms / 1000;
	q.srcs = srcs;
	q.n_srcs = n;
	if (n && q.version < max_version(gif->proto))
		return; /* no source-specific queries before v3/v2 */
	if (grp)
		dst = *grp;
	else
		gm_addr_all_hosts(gif->proto, &dst);
	len = gm_build_query(gif->proto, &q, buf, sizeof(buf), NULL, NULL);
	if (!len)
		return;
	rc = gif->ops->send(gif->ctx, gif, &dst, buf, len);
	if (rc)
		gif->st.tx_errors++;
	else
		gif->st.tx_queries++;
}

static void general_query(struct gm_if *gif)
{
	gm_send_query(gif, NULL, gif->cfg.query_resp_ms, false, NULL, 0);
}

static void on_query_timer(struct timer *t, void *arg)
{
	struct gm_if *gif = arg;
	uint64_t next = gif->cfg.query_interval_ms;

	(void)t;
	if (!gif->querier)
		return;
	general_query(gif);
	if (gif->startup_left) {
		gif->startup_left--;
		next /= 4; /* startup query interval, RFC 3376 §8.6 */
	}
	arm(gif, &gif->query_t, next ? next : 1);
}

static void become_querier(struct gm_if *gif)
{
	/* our own robustness and query interval again */
	gif->cfg.robustness = gif->base.robustness;
	gif->cfg.query_interval_ms = gif->base.query_interval_ms;
	if (!gif->querier)
		gif->st.querier_changes++;
	gif->querier = true;
	gif->querier_addr = gif->addr;
	timer_cancel(gif->ts, &gif->oqp_t);
}

static void on_oqp_timer(struct timer *t, void *arg)
{
	struct gm_if *gif = arg;

	(void)t;
	if (!gif->cfg.querier)
		return;
	/* RFC 3376 §6.6.2: the other querier is gone, take over. */
	become_querier(gif);
	general_query(gif);
	arm(gif, &gif->query_t, gif->cfg.query_interval_ms);
}

/* ---- input ------------------------------------------------------------ */

static bool addr_lower(const struct inet_addr *a, const struct inet_addr *b)
{
	return addr_cmp(a, b) < 0;
}

static void query_input(struct gm_if *gif, const struct gm_msg *m)
{
	struct gm_group *g;

	gif->st.rx_queries++;
	/* Queries from 0.0.0.0 (some proxies) take no part in elections. */
	if (addr_is_any(&m->src))
		return;
	/* RFC 3376 §6.6.2: the lowest address is querier. */
	if (gif->addr.family == AF_UNSPEC || addr_lower(&m->src, &gif->addr)) {
		if (gif->querier)
			gif->st.querier_changes++;
		gif->querier = false;
		gif->querier_addr = m->src;
		timer_cancel(gif->ts, &gif->query_t);
		arm(gif, &gif->oqp_t, gm_oqpi(&gif->cfg));
	}
	/*
	 * RFC 3376 §4.1.6-7, RFC 3810 §5.1.9-10: a non-querier adopts the
	 * querier's robustness and query interval (not zero ones).
	 */
	if (!gif->querier && addr_equal(&m->src, &gif->querier_addr) &&
	    m->version == max_version(gif->proto)) {
		if (m->qrv)
			gif->cfg.robustness = m->qrv;
		if (m->qqi_s && m->qqi_s * 1000ull > gif->cfg.query_resp_ms)
			gif->cfg.query_interval_ms = m->qqi_s * 1000;
	}
	if (gif->querier || addr_is_any(&m->group) || m->s_flag)
		return;
	/* §6.6.1: a non-querier lowers its timers on Q(G) and Q(G,S). */
	g = gm_group_find(gif, &m->group);
	if (!g)
		return;
	if (!m->n_srcs) {
		if (g->exclude &&
		    gm_timer_left_ms(gif, &g->timer) > gm_lmqt(&gif->cfg))
			arm(gif, &g->timer, gm_lmqt(&gif->cfg));
		return;
	}
	for (size_t i = 0; i < m->n_srcs; i++) {
		struct inet_addr a;
		struct gm_src *s;

		gm_src_at(gif->proto, m->srcs, i, &a);
		s = gm_src_find(g, &a);
		if (s && timer_armed(&s->t) &&
		    gm_timer_left_ms(gif, &s->t) > gm_lmqt(&gif->cfg))
			arm(gif, &s->t, gm_lmqt(&gif->cfg));
	}
}

void gm_if_input(struct gm_if *gif, const struct gm_msg *m)
{
	struct inet_addr none;
	size_t off = 0;
	struct gm_rec r;

	memset(&none, 0, sizeof(none));
	switch (m->type) {
	case GM_QUERY:
		query_input(gif, m);
		break;
	case GM_REPORT1:
	case GM_REPORT2:
		gif->st.rx_reports++;
		gm_if_record(gif, m->version, GM_IS_EX, &m->group, NULL, 0,
			     &m->src);
		break;
	case GM_LEAVE: {
		struct gm_group *g = gm_group_find(gif, &m->group);

		gif->st.rx_leaves++;
		/* In IGMPv1 mode leaves are ignored (RFC 3376 §7.3.2). */
		if (!g || (gif->proto == GM_IGMP && gm_group_version(g) == 1)) {
			gif->st.ignored++;
			break;
		}
		gm_if_record(gif, m->version, GM_TO_IN, &m->group, NULL, 0,
			     &m->src);
		break;
	}
	case GM_REPORT3:
		gif->st.rx_reports++;
		while (gm_rec_next(m, &off, &r)) {
			size_t n = r.n_srcs < GM_MAX_SOURCES ? r.n_srcs :
							       GM_MAX_SOURCES;
			struct inet_addr *v = n ? calloc(n, sizeof(*v)) : NULL;

			if (n && !v)
				return;
			for (size_t i = 0; i < n; i++)
				gm_src_at(gif->proto, r.srcs, i, &v[i]);
			if (r.n_srcs > n)
				gif->st.src_cap_drops++;
			gm_if_record(gif, m->version, r.type, &r.group, v, n,
				     &m->src);
			free(v);
		}
		break;
	}
}

/* ---- life cycle ------------------------------------------------------- */

void gm_if_init(struct gm_if *gif, enum gm_proto p, const char *name,
		int ifindex, const struct inet_addr *addr,
		const struct gm_cfg *cfg, struct timers *ts,
		const struct gm_ops *ops, void *ctx)
{
	memset(gif, 0, sizeof(*gif));
	gif->proto = p;
	snprintf(gif->name, sizeof(gif->name), "%s", name);
	gif->ifindex = ifindex;
	if (addr)
		gif->addr = *addr;
	gif->cfg = *cfg;
	gif->base = *cfg;
	gif->ts = ts;
	gif->ops = ops;
	gif->ctx = ctx;
	timer_init(&gif->query_t, on_query_timer, gif);
	timer_init(&gif->oqp_t, on_oqp_timer, gif);
}

void gm_if_start(struct gm_if *gif)
{
	if (!gif->cfg.querier)
		return;
	become_querier(gif);
	gif->st.querier_changes = 0;
	/* RFC 3376 §8.7: startup query count = RV, at QI/4. */
	gif->startup_left = rv(&gif->cfg) - 1;
	on_query_timer(&gif->query_t, gif);
}

void gm_if_stop(struct gm_if *gif)
{
	struct gm_group *g, *n;

	for (g = gif->groups; g; g = n) {
		n = g->next;
		gm_group_free(gif, g);
	}
	gif->groups = NULL;
	memset(gif->hash, 0, sizeof(gif->hash));
	gif->n_groups = 0;
	timer_cancel(gif->ts, &gif->query_t);
	timer_cancel(gif->ts, &gif->oqp_t);
	gif->querier = false;
}

void gm_if_set_cfg(struct gm_if *gif, const struct gm_cfg *cfg)
{
	bool was = gif->cfg.querier;

	gif->cfg = *cfg;
	gif->base = *cfg;
	if (!was && cfg->querier)
		gm_if_start(gif);
	else if (was && !cfg->querier) {
		gif->querier = false;
		timer_cancel(gif->ts, &gif->query_t);
		timer_cancel(gif->ts, &gif->oqp_t);
	}
}

void gm_if_set_addr(struct gm_if *gif, const struct inet_addr *addr)
{
	gif->addr = *addr;
	if (gif->querier) {
		gif->querier_addr = *addr;
		return;
	}
	if (gif->cfg.querier && timer_armed(&gif->oqp_t) &&
	    addr_lower(addr, &gif->querier_addr)) {
		become_querier(gif);
		general_query(gif);
		arm(gif, &gif->query_t, gif->cfg.query_interval_ms);
	}
}
