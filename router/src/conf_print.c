// SPDX-License-Identifier: MIT
/*
 * A parsed struct conf read back: printed in canonical form, compared
 * with another, its phyint for an interface found.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

static void print_prefix(FILE *f, const char *kw, const struct inet_prefix *p)
{
	char buf[PREFIX_STRLEN];

	fprintf(f, " %s %s", kw, prefix_ntop(p, buf, sizeof(buf)));
}

/* "mgroup from IF [source S] group G", the same for mroute. */
static void print_sg(FILE *f, const char *kw, const char *ifname,
		     const struct inet_prefix *source,
		     const struct inet_prefix *group)
{
	fprintf(f, "%s from %s", kw, ifname);
	if (source->addr.family != AF_UNSPEC)
		print_prefix(f, "source", source);
	print_prefix(f, "group", group);
}

/* The timers of gm that are not as in unset, each as "PRE KW VALUE POST". */
static void print_gm(FILE *f, const struct conf_gm *gm,
		     const struct conf_gm *unset, const char *pre,
		     const char *post)
{
	for (size_t i = 0; i < CONF_N_GM; i++) {
		const struct gm_kw *k = &conf_gm_kws[i];
		uint32_t v = gm_value(gm, k);

		if (v == gm_value(unset, k))
			continue;
		if (k->tenths)
			fprintf(f, "%s%s %u.%u%s", pre, k->kw, v / 1000,
				v % 1000 / 100, post);
		else
			fprintf(f, "%s%s %u%s", pre, k->kw, v / k->scale, post);
	}
}

void conf_print(const struct conf *c, FILE *f)
{
	static const char *const role[] = { "", " upstream", " downstream" };
	struct conf_gm unset = { 0 };
	struct conf defaults;
	size_t i, j;

	fprintf(f, "conntrack-flush %s\n", c->conntrack_flush ? "on" : "off");
	conf_init(&defaults);
	print_gm(f, &c->gm, &defaults.gm, "", "\n");
	for (i = 0; i < c->n_phyints; i++) {
		const struct conf_phyint *p = &c->phyints[i];

		fprintf(f, "phyint %s %s", p->ifname,
			p->enable ? "enable" : "disable");
		if (p->mrdisc)
			fputs(" mrdisc", f);
		if (p->ttl_threshold != 1)
			fprintf(f, " ttl-threshold %u", p->ttl_threshold);
		if (p->role <= ROLE_DOWNSTREAM)
			fputs(role[p->role], f);
		if (p->igmp_version)
			fprintf(f, " igmpv%u", p->igmp_version);
		if (p->mld_version)
			fprintf(f, " mldv%u", p->mld_version);
		if (p->fast_leave)
			fputs(" fast-leave", f);
		print_gm(f, &p->gm, &unset, " ", "");
		for (j = 0; j < p->n_altnet; j++)
			print_prefix(f, "altnet", &p->altnet[j]);
		fputc('\n', f);
	}
	for (i = 0; i < c->n_mgroups; i++) {
		const struct conf_mgroup *g = &c->mgroups[i];

		print_sg(f, "mgroup", g->ifname, &g->source, &g->group);
		fputc('\n', f);
	}
	for (i = 0; i < c->n_mroutes; i++) {
		const struct conf_mroute *r = &c->mroutes[i];

		print_sg(f, "mroute", r->ifname, &r->source, &r->group);
		fputs(" to", f);
		for (j = 0; j < r->n_oifs; j++)
			fprintf(f, " %s", r->oifs[j]);
		fputc('\n', f);
	}
}

bool ifname_match(const char *pattern, const char *ifname)
{
	size_t n;

	if (!pattern || !ifname)
		return false;
	n = strlen(pattern);
	if (n && pattern[n - 1] == '+')
		return !strncmp(pattern, ifname, n - 1);
	return !strcmp(pattern, ifname);
}

const struct conf_phyint *conf_phyint_find(const struct conf *c,
					   const char *ifname)
{
	const struct conf_phyint *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < c->n_phyints; i++)
		if (!strcmp(c->phyints[i].ifname, ifname))
			return &c->phyints[i];
	for (size_t i = 0; i < c->n_phyints; i++) {
		const struct conf_phyint *p = &c->phyints[i];
		size_t n = strlen(p->ifname);

		if (n && p->ifname[n - 1] == '+' &&
		    ifname_match(p->ifname, ifname) &&
		    (!best || n > best_len)) {
			best = p;
			best_len = n;
		}
	}
	return best;
}

static bool prefix_same(const struct inet_prefix *a,
			const struct inet_prefix *b)
{
	if (a->addr.family == AF_UNSPEC || b->addr.family == AF_UNSPEC)
		return a->addr.family == b->addr.family;
	return a->len == b->len && addr_equal(&a->addr, &b->addr);
}

/* The same timers (how they were given aside). */
static bool gm_same(const struct conf_gm *a, const struct conf_gm *b)
{
	for (size_t i = 0; i < CONF_N_GM; i++)
		if (gm_value(a, &conf_gm_kws[i]) !=
		    gm_value(b, &conf_gm_kws[i]))
			return false;
	return true;
}

static bool phyint_same(const struct conf_phyint *a,
			const struct conf_phyint *b)
{
	if (strcmp(a->ifname, b->ifname) || a->enable != b->enable ||
	    a->mrdisc != b->mrdisc || a->ttl_threshold != b->ttl_threshold ||
	    a->role != b->role || a->igmp_version != b->igmp_version ||
	    a->mld_version != b->mld_version ||
	    a->fast_leave != b->fast_leave || a->n_altnet != b->n_altnet ||
	    !gm_same(&a->gm, &b->gm))
		return false;
	for (size_t i = 0; i < a->n_altnet; i++)
		if (!prefix_same(&a->altnet[i], &b->altnet[i]))
			return false;
	return true;
}

static bool mroute_same(const struct conf_mroute *a,
			const struct conf_mroute *b)
{
	if (strcmp(a->ifname, b->ifname) ||
	    !prefix_same(&a->source, &b->source) ||
	    !prefix_same(&a->group, &b->group) || a->n_oifs != b->n_oifs)
		return false;
	for (size_t i = 0; i < a->n_oifs; i++)
		if (strcmp(a->oifs[i], b->oifs[i]))
			return false;
	return true;
}

bool conf_equal(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->conntrack_flush != b->conntrack_flush ||
	    !gm_same(&a->gm, &b->gm) || a->n_phyints != b->n_phyints ||
	    a->n_mgroups != b->n_mgroups || a->n_mroutes != b->n_mroutes)
		return false;
	for (i = 0; i < a->n_phyints; i++)
		if (!phyint_same(&a->phyints[i], &b->phyints[i]))
			return false;
	for (i = 0; i < a->n_mgroups; i++) {
		const struct conf_mgroup *x = &a->mgroups[i],
					 *y = &b->mgroups[i];

		if (strcmp(x->ifname, y->ifname) ||
		    !prefix_same(&x->source, &y->source) ||
		    !prefix_same(&x->group, &y->group))
			return false;
	}
	for (i = 0; i < a->n_mroutes; i++)
		if (!mroute_same(&a->mroutes[i], &b->mroutes[i]))
			return false;
	return true;
}
