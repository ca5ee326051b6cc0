// SPDX-License-Identifier: MIT
/*
 * RFC 4605 proxy: the upstream host side and the membership merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static unsigned int rv(const struct proxy *px)
{
	return px->cfg.robustness ? px->cfg.robustness : GM_DEF_ROBUSTNESS;
}

static unsigned int top_version(const struct proxy *px)
{
	return px->proto == GM_MLD ? 2 : 3;
}

unsigned int proxy_version(const struct proxy *px)
{
	unsigned int v = px->cfg.version, top = top_version(px);

	if (!v || v > top)
		v = top;
	if (px->proto == GM_IGMP && timer_armed(&px->older[0]))
		return 1;
	if (timer_armed(&px->older[1]) && v == top)
		return top - 1;
	return v;
}

static void arm(struct proxy *px, struct timer *t, uint64_t ms)
{
	timer_arm_at(px->ts, t, px->ts->now() + ms * 1000000ull);
}

static uint64_t rnd(struct proxy *px, uint64_t max_ms)
{
	if (!max_ms)
		return 0;
	return (uint64_t)rand_r(&px->seed) % (max_ms + 1);
}

static bool upstream_joined(const struct proxy_group *pg)
{
	return !pg->gone && (pg->exclude || pg->n_srcs);
}

static void do_send(struct proxy *px, const struct inet_addr *dst,
		    const uint8_t *buf, size_t len, bool leave)
{
	if (!len)
		return;
	if (px->ops->send(px->ctx, px, dst, buf, len)) {
		px->st.tx_errors++;
		return;
	}
	if (leave)
		px->st.tx_leaves++;
	else
		px->st.tx_reports++;
}

/* One report for pg: state change (TO_*) or current state (IS_*). */
static void report(struct proxy *px, struct proxy_group *pg, bool change)
{
	unsigned int v = proxy_version(px);
	uint8_t buf[4096];
	struct inet_addr dst;
	bool in = upstream_joined(pg);

	if (v < top_version(px)) {
		if (!in) {
			if ((v == 1 && px->proto == GM_IGMP) || !change)
				return; /* IGMPv1 has no leave; no answer */
			gm_addr_all_routers(px->proto, &dst);
			do_send(px, &dst, buf,
				gm_build_simple(px->proto, GM_LEAVE, &pg->grp,
						buf, sizeof(buf), NULL, NULL),
				true);
			return;
		}
		do_send(px, &pg->grp, buf,
			gm_build_simple(px->proto,
					v == 1 && px->proto == GM_IGMP ?
						GM_REPORT1 :
						GM_REPORT2,
					&pg->grp, buf, sizeof(buf), NULL, NULL),
			false);
		return;
	} else {
		struct gm_rec_out r = {
			.group = pg->grp,
			.srcs = pg->gone ? NULL : pg->srcs,
			.n_srcs = pg->gone ? 0 : pg->n_srcs,
		};

		if (!in && !change)
			return;
		if (change)
			r.type = in && pg->exclude ? GM_TO_EX : GM_TO_IN;
		else
			r.type = pg->exclude ? GM_IS_EX : GM_IS_IN;
		gm_addr_v3_reports(px->proto, &dst);
		do_send(px, &dst, buf,
			gm_build_report3(px->proto, &r, 1, buf, sizeof(buf),
					 NULL, NULL),
			!in);
	}
}

static void resp_clear(struct proxy_group *pg)
{
	free(pg->resp_srcs);
	pg->resp_srcs = NULL;
	pg->n_resp_srcs = 0;
	pg->resp_gs = false;
}

static void pg_free(struct proxy *px, struct proxy_group *pg)
{
	timer_cancel(px->ts, &pg->rexmit_t);
	timer_cancel(px->ts, &pg->resp_t);
	resp_clear(pg);
	free(pg->srcs);
	free(pg);
}

/*
 * The answer to group-and-source-specific queries for the recorded
 * sources B (RFC 3376 §5.2, RFC 3810 §6.2): IS_IN(A*B) in INCLUDE (A),
 * IS_IN(B-A) in EXCLUDE (A); nothing when that is empty.
 */
static void report_gs(struct proxy *px, struct proxy_group *pg)
{
	struct inet_addr *out;
	size_t n = 0;
	uint8_t buf[4096];
	struct inet_addr dst;

	if (!upstream_joined(pg) || !pg->n_resp_srcs)
		return;
	out = malloc(pg->n_resp_srcs * sizeof(*out));
	if (!out)
		return;
	for (size_t i = 0; i < pg->n_resp_srcs; i++)
		if (addr_in(pg->srcs, pg->n_srcs, &pg->resp_srcs[i]) !=
		    pg->exclude)
			out[n++] = pg->resp_srcs[i];
	if (n) {
		struct gm_rec_out r = { .type = GM_IS_IN,
					.group = pg->grp,
					.srcs = out,
					.n_srcs = n };

		gm_addr_v3_reports(px->proto, &dst);
		do_send(px, &dst, buf,
			gm_build_report3(px->proto, &r, 1, buf, sizeof(buf),
					 NULL, NULL),
			false);
	}
	free(out);
}

static void pg_del(struct proxy *px, struct proxy_group *pg)
{
	for (struct proxy_group **pp = &px->groups; *pp; pp = &(*pp)->next) {
		if (*pp == pg) {
			*pp = pg->next;
			px->n_groups--;
			break;
		}
	}
	pg_free(px, pg);
}

static void on_rexmit(struct timer *t, void *arg)
{
	struct proxy_group *pg = arg;
	struct proxy *px = pg->px;

	(void)t;
	if (pg->rexmit_left) {
		pg->rexmit_left--;
		report(px, pg, true);
	}
	if (pg->rexmit_left)
		arm(px, &pg->rexmit_t, rnd(px, PROXY_URI_MS));
	else if (pg->gone)
		pg_del(px, pg);
}

static void on_resp(struct timer *t, void *arg)
{
	struct proxy_group *pg = arg;

	(void)t;
	/* an older version querier has no source-specific queries */
	if (pg->resp_gs && proxy_version(pg->px) == top_version(pg->px))
		report_gs(pg->px, pg);
	else
		report(pg->px, pg, false);
	resp_clear(pg);
}

/*
 * Record a group-and-source-specific query's sources for pg's pending
 * answer (added to those of earlier such queries); 0, or -1 past
 * PROXY_MAX_RESP_SRCS or out of memory (then the answer is the whole
 * state).
 */
static int resp_add(struct proxy_group *pg, const struct gm_msg *m)
{
	struct inet_addr *v;

	if (pg->n_resp_srcs + m->n_srcs > PROXY_MAX_RESP_SRCS)
		return -1;
	v = realloc(pg->resp_srcs, (pg->n_resp_srcs + m->n_srcs) * sizeof(*v));
	if (!v)
		return -1;
	pg->resp_srcs = v;
	for (size_t i = 0; i < m->n_srcs; i++) {
		struct inet_addr a;

		gm_src_at(m->proto, m->srcs, i, &a);
		if (!addr_in(pg->resp_srcs, pg->n_resp_srcs, &a))
			pg->resp_srcs[pg->n_resp_srcs++] = a;
	}
	return 0;
}

const struct proxy_group *proxy_group_find(const struct proxy *px,
					   const struct inet_addr *grp)
{
	for (const struct proxy_group *pg = px->groups; pg; pg = pg->next)
		if (addr_equal(&pg->grp, grp))
			return pg;
	return NULL;
}

static void nop(struct timer *t, void *arg)
{
	(void)t, (void)arg;
}

void proxy_init(struct proxy *px, enum gm_proto p, const char *upstream,
		const struct gm_cfg *cfg, struct timers *ts,
		const struct proxy_ops *ops, void *ctx)
{
	memset(px, 0, sizeof(*px));
	px->proto = p;
	snprintf(px->up, sizeof(px->up), "%s", upstream);
	px->cfg = *cfg;
	px->ts = ts;
	px->ops = ops;
	px->ctx = ctx;
	px->seed = 0x5eed;
	timer_init(&px->older[0], nop, NULL);
	timer_init(&px->older[1], nop, NULL);
}

void proxy_stop(struct proxy *px, bool send_leaves)
{
	struct proxy_group *pg, *n;

	for (pg = px->groups; pg; pg = n) {
		n = pg->next;
		if (send_leaves && upstream_joined(pg)) {
			pg->gone = true;
			report(px, pg, true);
		}
		pg_free(px, pg);
	}
	px->groups = NULL;
	px->n_groups = 0;
	timer_cancel(px->ts, &px->older[0]);
	timer_cancel(px->ts, &px->older[1]);
}

static bool same_set(const struct inet_addr *a, size_t na,
		     const struct inet_addr *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		size_t j;

		for (j = 0; j < nb && !addr_equal(&a[i], &b[j]); j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

void proxy_set(struct proxy *px, const struct inet_addr *grp, bool exclude,
	       const struct inet_addr *srcs, size_t n)
{
	struct proxy_group *pg =
		(struct proxy_group *)proxy_group_find(px, grp);
	bool now_in = exclude || n;
	struct inet_addr *copy = NULL;

	if (!pg) {
		if (!now_in)
			return;
		pg = calloc(1, sizeof(*pg));
		if (!pg)
			return;
		pg->grp = *grp;
		pg->px = px;
		pg->gone = true; /* not a member yet */
		timer_init(&pg->rexmit_t, on_rexmit, pg);
		timer_init(&pg->resp_t, on_resp, pg);
		pg->next = px->groups;
		px->groups = pg;
		px->n_groups++;
	}
	if (!pg->gone && pg->exclude == exclude &&
	    same_set(pg->srcs, pg->n_srcs, srcs, n))
		return; /* no change */
	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return;
		memcpy(copy, srcs, n * sizeof(*copy));
	}
	if (now_in && pg->gone)
		px->st.joins++;
	else if (!now_in && !pg->gone)
		px->st.leaves++;
	free(pg->srcs);
	pg->srcs = copy;
	pg->n_srcs = n;
	pg->exclude = exclude;
	pg->gone = !now_in;
	/* RFC 3376 §5.1: at once, then robustness-1 more within the URI. */
	timer_cancel(px->ts, &pg->resp_t);
	resp_clear(pg);
	report(px, pg, true);
	pg->rexmit_left = rv(px) - 1;
	if (pg->rexmit_left)
		arm(px, &pg->rexmit_t, rnd(px, PROXY_URI_MS));
	else if (pg->gone)
		pg_del(px, pg);
}

void proxy_query(struct proxy *px, const struct gm_msg *m)
{
	uint64_t ohpt =
		(uint64_t)rv(px) * px->cfg.query_interval_ms + m->max_resp_ms;
	uint64_t max = m->max_resp_ms;

	px->st.rx_queries++;
	/* RFC 3376 §7.2.1: older version querier present. */
	if (px->proto == GM_IGMP && m->version == 1)
		arm(px, &px->older[0], ohpt);
	else if (m->version < top_version(px))
		arm(px, &px->older[1], ohpt);
	for (struct proxy_group *pg = px->groups; pg; pg = pg->next) {
		bool gs = !addr_is_any(&m->group) && m->n_srcs;
		bool pending = timer_armed(&pg->resp_t);
		uint64_t d;

		if (!upstream_joined(pg))
			continue;
		if (!addr_is_any(&m->group) && !addr_equal(&m->group, &pg->grp))
			continue;
		/*
		 * RFC 3376 §5.2 (RFC 3810 §6.2): a general or group-specific
		 * query, or one after such a pending answer, asks for the whole
		 * state; source-specific ones add up their sources.
		 */
		if (gs && (!pending || pg->resp_gs) && !resp_add(pg, m))
			pg->resp_gs = true;
		else
			resp_clear(pg);
		d = rnd(px, max);
		/* An earlier pending answer stands. */
		if (pending &&
		    pg->resp_t.when <= px->ts->now() + d * 1000000ull)
			continue;
		arm(px, &pg->resp_t, d);
	}
}

/* ---- merge (RFC 4605 §4.1) --------------------------------------------- */

static int push(struct inet_addr **v, size_t *n, size_t *cap,
		const struct inet_addr *a)
{
	for (size_t i = 0; i < *n; i++)
		if (addr_equal(&(*v)[i], a))
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct inet_addr *p = realloc(*v, nc * sizeof(*p));

		if (!p)
			return -1;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = *a;
	return 0;
}

int proxy_merge(const struct gm_group *const *groups, size_t n, bool *exclude,
		struct inet_addr **srcs, size_t *nsrcs)
{
	struct inet_addr *out = NULL;
	size_t no = 0, cap = 0;
	bool any_ex = false, first_ex = true;

	for (size_t i = 0; i < n; i++)
		if (groups[i] && groups[i]->exclude)
			any_ex = true;
	if (!any_ex) {
		/* all INCLUDE: the union of the forwarded sources */
		for (size_t i = 0; i < n; i++) {
			if (!groups[i])
				continue;
			for (const struct gm_src *s = groups[i]->srcs; s;
			     s = s->next)
				if (timer_armed(&s->t) &&
				    push(&out, &no, &cap, &s->addr))
					goto oom;
		}
		*exclude = false;
		*srcs = out;
		*nsrcs = no;
		return 0;
	}
	/*
	 * EXCLUDE: what nobody wants is the intersection of the excluded
	 * lists (Y) of the EXCLUDE interfaces, minus what any INCLUDE
	 * interface wants.
	 */
	for (size_t i = 0; i < n; i++) {
		const struct gm_group *g = groups[i];

		if (!g || !g->exclude)
			continue;
		if (first_ex) {
			for (const struct gm_src *s = g->srcs; s; s = s->next)
				if (!timer_armed(&s->t) &&
				    push(&out, &no, &cap, &s->addr))
					goto oom;
			first_ex = false;
			continue;
		}
		for (size_t k = 0; k < no;) {
			if (!gm_group_admits(g, &out[k]))
				k++; /* excluded here too */
			else
				out[k] = out[--no];
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct gm_group *g = groups[i];

		if (!g || g->exclude)
			continue;
		for (size_t k = 0; k < no;) {
			if (gm_group_admits(g, &out[k]))
				out[k] = out[--no];
			else
				k++;
		}
	}
	*exclude = true;
	*srcs = out;
	*nsrcs = no;
	return 0;
oom:
	free(out);
	return -1;
}
