// SPDX-License-Identifier: MIT
/*
 * mcrouted.conf: phyint lines, and the IGMP/MLD timers, per interface
 * ("phyint IF ... KEYWORD VALUE") and global ("KEYWORD VALUE" alone).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

/* See conf_int.h; in the order they are printed. */
const struct gm_kw conf_gm_kws[CONF_N_GM] = {
	{ "query-interval", false, 1, 31744, 1000,
	  offsetof(struct conf_gm, query_interval_ms) },
	{ "query-response-interval", true, 100, 3174400, 1,
	  offsetof(struct conf_gm, query_resp_ms) },
	{ "robustness", false, 1, 7, 1, offsetof(struct conf_gm, robustness) },
	{ "last-member-query-interval", true, 100, 25500, 1,
	  offsetof(struct conf_gm, lmq_interval_ms) },
	{ "last-member-query-count", false, 1, 7, 1,
	  offsetof(struct conf_gm, lmq_count) },
	{ "max-groups", false, 1, 65536, 1,
	  offsetof(struct conf_gm, max_groups) },
};

/* 1..255; any number of digits, never overflows. */
static int parse_ttl(const struct ctx *x, const struct token *t,
		     unsigned int *ttl)
{
	unsigned int v = 0;
	char b[SHOW_BUF];

	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return conf_perr(
				x, t->col,
				"ttl-threshold '%s' is not a number (1-255)",
				show(t, b));
		v = v * 10 + (unsigned int)(t->s[i] - '0');
		if (v > 1000)
			v = 1000;
	}
	if (v < 1 || v > 255)
		return conf_perr(x, t->col,
				 "ttl-threshold '%s' is out of range (1-255)",
				 show(t, b));
	*ttl = v;
	return 0;
}

void conf_phyint_free(struct conf_phyint *p)
{
	free(p->altnet);
	p->altnet = NULL;
	p->n_altnet = 0;
}

static bool tok_eq(const struct token *a, const struct token *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

/*
 * One choice out of a set (enable|disable, upstream|downstream, ...): the
 * same word twice is fine, two different words conflict.
 */
static int choose(const struct ctx *x, const struct token **slot,
		  const struct token *t)
{
	char a[SHOW_BUF], b[SHOW_BUF];

	if (*slot && !tok_eq(*slot, t))
		return conf_perr(x, t->col, "'%s' conflicts with '%s'",
				 show(t, a), show(*slot, b));
	*slot = t;
	return 0;
}

static const struct gm_kw *gm_kw_of(const struct token *t)
{
	for (size_t k = 0; k < CONF_N_GM; k++)
		if (tok_is(t, conf_gm_kws[k].kw))
			return &conf_gm_kws[k];
	return NULL;
}

static bool gm_kw_is(const struct gm_kw *k, size_t off)
{
	return k->off == off;
}

static void gm_range(const struct gm_kw *k, char *range, size_t len)
{
	if (k->tenths)
		snprintf(range, len, "%u.%u-%u.%u seconds", k->min / 1000,
			 k->min % 1000 / 100, k->max / 1000,
			 k->max % 1000 / 100);
	else
		snprintf(range, len, "%u-%u", k->min, k->max);
}

/*
 * Token t, the value of keyword d (k): "N" or "N.D" seconds (tenths at
 * most) into ms, or a plain number, within k's range; kept as k keeps it.
 */
static int parse_gm_tok(const struct ctx *x, const struct token *d,
			const struct token *t, const struct gm_kw *k,
			uint32_t *out)
{
	char a[SHOW_BUF], b[SHOW_BUF], range[64];
	uint64_t v = 0;
	size_t i = 0;
	bool frac = false;

	gm_range(k, range, sizeof(range));
	for (; i < t->len && t->s[i] >= '0' && t->s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(t->s[i] - '0');
		if (v > 1000000000)
			v = 1000000000;
	}
	if (k->tenths)
		v *= 1000;
	if (i && k->tenths && i + 2 == t->len && t->s[i] == '.' &&
	    t->s[i + 1] >= '0' && t->s[i + 1] <= '9') {
		v += (uint64_t)(t->s[i + 1] - '0') * 100;
		frac = true;
	}
	if (!i || (i != t->len && !frac))
		return conf_perr(x, t->col, "%s: '%s' is not a %s (%s)",
				 show(d, a), show(t, b),
				 k->tenths ? "number of seconds" : "number",
				 range);
	if (v < k->min || v > k->max)
		return conf_perr(x, t->col, "%s: '%s' is out of range (%s)",
				 show(d, a), show(t, b), range);
	*out = (uint32_t)v * k->scale;
	return 0;
}

/* The same for a global directive: its value must be the only word. */
static int parse_gm_value(const struct ctx *x, const struct gm_kw *k,
			  uint32_t *out)
{
	const struct token *d = &x->t[0];
	char a[SHOW_BUF], b[SHOW_BUF], c[SHOW_BUF], range[64];

	gm_range(k, range, sizeof(range));
	if (x->n < 2)
		return conf_perr(x, d->col, "%s: expected a value (%s)",
				 show(d, a), range);
	if (x->n > 2)
		return conf_perr(x, x->t[2].col,
				 "unexpected '%s' after '%s %s'",
				 show(&x->t[2], a), show(d, b),
				 show(&x->t[1], c));
	return parse_gm_tok(x, d, &x->t[1], k, out);
}

/* "phyint IF ... KEYWORD VALUE": the value at t[*i + 1] into p->gm. */
static int parse_phyint_gm(const struct ctx *x, size_t *i,
			   const struct gm_kw *k, struct conf_phyint *p)
{
	const struct token *d = &x->t[*i];
	char a[SHOW_BUF], range[64];

	gm_range(k, range, sizeof(range));
	if (*i + 1 >= x->n)
		return conf_perr(x, d->col, "phyint: '%s' needs a value (%s)",
				 show(d, a), range);
	if (parse_gm_tok(x, d, &x->t[++*i], k, gm_field(&p->gm, k)))
		return -1;
	if (p->gm.query_interval_ms && p->gm.query_resp_ms &&
	    p->gm.query_resp_ms >= p->gm.query_interval_ms)
		return conf_perr(
			x, x->t[*i].col,
			"phyint: the query-response-interval (%u.%u s) must be less than the query-interval (%u s)",
			p->gm.query_resp_ms / 1000,
			p->gm.query_resp_ms % 1000 / 100,
			p->gm.query_interval_ms / 1000);
	return 0;
}

int conf_parse_phyint(const struct ctx *x)
{
	const struct token *en = NULL, *role = NULL, *igmp = NULL, *mld = NULL;
	struct conf *c = x->ps->c;
	struct conf_phyint p;
	char b[SHOW_BUF], e[ROUTE_ERR_MAX];
	size_t i;

	memset(&p, 0, sizeof(p));
	if (x->n < 2)
		return conf_perr(x, dcol(x),
				 "phyint: expected an interface name");
	if (route_ifname(word(&x->t[1]), true, p.ifname, e, sizeof(e)))
		return perr_tok(x, &x->t[1], e);
	p.enable = true;
	p.ttl_threshold = 1;
	p.loc = (struct conf_loc){ x->file, x->line, dcol(x) };

	for (i = 2; i < x->n; i++) {
		const struct token *t = &x->t[i];
		int rc = 0;

		if (tok_is(t, "enable") || tok_is(t, "disable")) {
			rc = choose(x, &en, t);
			p.enable = tok_is(t, "enable");
		} else if (tok_is(t, "mrdisc")) {
			p.mrdisc = true;
		} else if (tok_is(t, "ttl-threshold")) {
			if (i + 1 >= x->n) {
				rc = conf_perr(
					x, dcol(x),
					"phyint: 'ttl-threshold' needs a value (1-255)");
			} else {
				rc = parse_ttl(x, &x->t[++i], &p.ttl_threshold);
			}
		} else if (tok_is(t, "upstream") || tok_is(t, "downstream")) {
			rc = choose(x, &role, t);
			p.role = tok_is(t, "upstream") ? ROLE_UPSTREAM :
							 ROLE_DOWNSTREAM;
		} else if (tok_is(t, "igmpv2") || tok_is(t, "igmpv3")) {
			rc = choose(x, &igmp, t);
			p.igmp_version = tok_is(t, "igmpv2") ? 2 : 3;
		} else if (tok_is(t, "mldv1") || tok_is(t, "mldv2")) {
			rc = choose(x, &mld, t);
			p.mld_version = tok_is(t, "mldv1") ? 1 : 2;
		} else if (tok_is(t, "fast-leave")) {
			p.fast_leave = true;
		} else if (gm_kw_of(t)) {
			rc = parse_phyint_gm(x, &i, gm_kw_of(t), &p);
		} else if (tok_is(t, "altnet")) {
			struct inet_prefix net;

			if (i + 1 >= x->n) {
				rc = conf_perr(
					x, dcol(x),
					"phyint: 'altnet' needs a prefix");
			} else if (route_unicast(word(&x->t[++i]), "altnet",
						 &net, e, sizeof(e))) {
				rc = perr_tok(x, &x->t[i], e);
			} else if (vec_grow2(&p.altnet, p.n_altnet,
					     sizeof(*p.altnet))) {
				rc = conf_oom(x);
			} else {
				p.altnet[p.n_altnet++] = net;
			}
		} else {
			rc = conf_perr(
				x, t->col,
				"unknown phyint option '%s' (expected enable, disable, mrdisc, ttl-threshold, upstream, downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)",
				show(t, b));
		}
		if (rc) {
			conf_phyint_free(&p);
			return -1;
		}
	}

	/* A later phyint for the same name replaces the earlier one. */
	for (i = 0; i < c->n_phyints; i++) {
		if (!strcmp(c->phyints[i].ifname, p.ifname)) {
			conf_phyint_free(&c->phyints[i]);
			c->phyints[i] = p;
			return 0;
		}
	}
	if (vec_grow2(&c->phyints, c->n_phyints, sizeof(*c->phyints))) {
		conf_phyint_free(&p);
		return conf_oom(x);
	}
	c->phyints[c->n_phyints++] = p;
	return 0;
}

int conf_parse_gm(const struct ctx *x)
{
	struct conf_gm *gm = &x->ps->c->gm;
	const struct gm_kw *k = gm_kw_of(&x->t[0]);
	uint32_t v;

	if (parse_gm_value(x, k, &v))
		return -1;
	if (gm_kw_is(k, offsetof(struct conf_gm, query_interval_ms))) {
		if (gm->query_resp_set && gm->query_resp_ms >= v)
			return conf_perr(
				x, x->t[1].col,
				"query-interval: %u s is not more than the query-response-interval (%u.%u s)",
				v / 1000, gm->query_resp_ms / 1000,
				gm->query_resp_ms % 1000 / 100);
		gm->query_interval_set = true;
	} else if (gm_kw_is(k, offsetof(struct conf_gm, query_resp_ms))) {
		if (gm->query_interval_set && v >= gm->query_interval_ms)
			return conf_perr(
				x, x->t[1].col,
				"query-response-interval: must be less than the query-interval (%u s)",
				gm->query_interval_ms / 1000);
		gm->query_resp_set = true;
	}
	*gm_field(gm, k) = v;
	return 0;
}

bool conf_is_gm(const struct token *d)
{
	return gm_kw_of(d) != NULL;
}

void conf_phyint_gm(const struct conf *c, const struct conf_phyint *ph,
		    struct conf_gm *out)
{
	*out = c->gm;
	for (size_t i = 0; i < CONF_N_GM; i++)
		if (gm_value(&ph->gm, &conf_gm_kws[i]))
			*gm_field(out, &conf_gm_kws[i]) =
				gm_value(&ph->gm, &conf_gm_kws[i]);
}
