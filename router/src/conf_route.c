// SPDX-License-Identifier: MIT
/*
 * mcrouted.conf: mgroup and mroute lines, their from/source/group words in
 * any order ("to" takes the rest of an mroute line).  Whether each word is
 * valid route.c decides.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

/*
 * What mgroup and mroute share: from, source and group, in any order, into
 * g (an mgroup is just that), and where the words are.
 */
struct sg {
	struct conf_mgroup g;
	const struct token *from, *src, *grp, *to;
	size_t first_oif; /* index of the first token after "to" */
};

static int parse_sg(const struct ctx *x, bool route, struct sg *sg)
{
	const char *dir = route ? "mroute" : "mgroup";
	char a[SHOW_BUF], e[ROUTE_ERR_MAX];
	size_t i = 1;

	memset(sg, 0, sizeof(*sg));
	while (i < x->n) {
		const struct token *k = &x->t[i], *v;
		const struct token **slot;
		int rc;

		if (tok_is(k, "from")) {
			slot = &sg->from;
		} else if (tok_is(k, "source")) {
			slot = &sg->src;
		} else if (tok_is(k, "group")) {
			slot = &sg->grp;
		} else if (route && tok_is(k, "to")) {
			sg->to = k;
			sg->first_oif = i + 1;
			break;
		} else {
			return conf_perr(x, k->col,
					 "unexpected '%s' in %s (expected %s)",
					 show(k, a), dir,
					 route ? "from, source, group or to" :
						 "from, source or group");
		}
		if (*slot)
			return conf_perr(x, k->col, "%s: duplicate '%s'", dir,
					 show(k, a));
		if (i + 1 >= x->n)
			return conf_perr(x, dcol(x), "%s: '%s' needs %s", dir,
					 show(k, a),
					 slot == &sg->from ?
						 "an interface name" :
						 "an address");
		v = &x->t[i + 1];
		if (slot == &sg->from)
			rc = route_ifname(word(v), true, sg->g.ifname, e,
					  sizeof(e));
		else if (slot == &sg->src)
			rc = route_unicast(word(v), "source", &sg->g.source, e,
					   sizeof(e));
		else
			rc = route_group(word(v), &sg->g.group, e, sizeof(e));
		if (rc)
			return perr_tok(x, v, e);
		*slot = v;
		i += 2;
	}
	if (!sg->from)
		return conf_perr(x, dcol(x), "%s: missing 'from IFNAME'", dir);
	if (!sg->grp)
		return conf_perr(x, dcol(x), "%s: missing 'group GROUP[/LEN]'",
				 dir);
	if (route && !sg->to)
		return conf_perr(x, dcol(x),
				 "mroute: missing 'to OIF [OIF ...]'");
	if (route && sg->first_oif >= x->n)
		return conf_perr(
			x, dcol(x),
			"mroute: 'to' needs at least one outbound interface");
	/* The families, and 0.0.0.0 and :: for any source (route.h). */
	if (sg->src && route_pair(word(sg->src), &sg->g.source, word(sg->grp),
				  &sg->g.group, e, sizeof(e))) {
		const struct token *later =
			sg->src->col > sg->grp->col ? sg->src : sg->grp;

		return perr_tok(x, later, e);
	}
	sg->g.loc = (struct conf_loc){ x->file, x->line, dcol(x) };
	return 0;
}

static unsigned int host_bits(const struct inet_prefix *p)
{
	if (p->addr.family != AF_INET && p->addr.family != AF_INET6)
		return 0;
	if (p->len >= addr_bits(p->addr.family))
		return 0;
	return addr_bits(p->addr.family) - p->len;
}

uint64_t conf_mgroup_size(const struct conf_mgroup *g)
{
	unsigned int bits = host_bits(&g->source) + host_bits(&g->group);

	return bits >= 64 ? UINT64_MAX : 1ULL << bits;
}

int conf_parse_mgroup(const struct ctx *x)
{
	struct conf *c = x->ps->c;
	const struct conf_mgroup *g;
	struct sg sg;

	if (parse_sg(x, false, &sg))
		return -1;
	g = &sg.g;
	if (conf_mgroup_size(g) > CONF_MAX_EXPAND) {
		unsigned int bits =
			host_bits(&g->source) + host_bits(&g->group);
		char n[32];

		if (bits >= 64)
			snprintf(n, sizeof(n), "2^%u", bits);
		else
			snprintf(n, sizeof(n), "%" PRIu64, conf_mgroup_size(g));
		return conf_perr(
			x, sg.grp->col,
			"mgroup expands to %s joins (sources x groups), more than %d",
			n, CONF_MAX_EXPAND);
	}
	if (vec_grow2(&c->mgroups, c->n_mgroups, sizeof(*c->mgroups)))
		return conf_oom(x);
	c->mgroups[c->n_mgroups++] = *g;
	return 0;
}

int conf_parse_mroute(const struct ctx *x)
{
	struct conf *c = x->ps->c;
	struct conf_mroute r;
	struct sg sg;

	if (parse_sg(x, true, &sg))
		return -1;
	memset(&r, 0, sizeof(r));
	memcpy(r.ifname, sg.g.ifname, sizeof(r.ifname));
	r.source = sg.g.source;
	r.group = sg.g.group;
	r.loc = sg.g.loc;
	for (size_t i = sg.first_oif; i < x->n; i++) {
		char e[ROUTE_ERR_MAX];
		int rc = route_add_oif(&r.oifs, &r.n_oifs, word(&x->t[i]), e,
				       sizeof(e));

		if (rc == -2) {
			conf_oom(x);
			goto fail;
		}
		if (rc) {
			perr_tok(x, &x->t[i], e);
			goto fail;
		}
	}
	if (vec_grow2(&c->mroutes, c->n_mroutes, sizeof(*c->mroutes))) {
		conf_oom(x);
		goto fail;
	}
	c->mroutes[c->n_mroutes++] = r;
	return 0;
fail:
	free(r.oifs);
	return -1;
}
