// SPDX-License-Identifier: MIT
/*
 * Configured routes and their matching.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "route.h"
#include "routes.h"
#include "vec.h"

#define HASH_SEED 0x9e3779b9u

void ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void rule_free(struct rule *r)
{
	free(r->oifs);
	r->oifs = NULL;
	r->n_oifs = 0;
}

void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	free(rs->buckets);
	free(rs->prefixed);
	ruleset_init(rs);
}

static bool iif_is_wild(const char *iif)
{
	size_t n = strlen(iif);

	return n && iif[n - 1] == '+';
}

bool rule_is_exact(const struct rule *r)
{
	return r->src.addr.family != AF_UNSPEC && !addr_is_any(&r->src.addr) &&
	       r->src.len == addr_bits(r->src.addr.family) &&
	       r->grp.len == addr_bits(r->grp.addr.family) &&
	       !iif_is_wild(r->iif);
}

static bool prefix_equal(const struct inet_prefix *a,
			 const struct inet_prefix *b)
{
	return a->len == b->len && addr_equal(&a->addr, &b->addr);
}

static bool rule_key_equal(const struct rule *a, const struct rule *b)
{
	return !strcmp(a->iif, b->iif) && prefix_equal(&a->src, &b->src) &&
	       prefix_equal(&a->grp, &b->grp);
}

bool rule_equal(const struct rule *a, const struct rule *b)
{
	if (!rule_key_equal(a, b) || a->n_oifs != b->n_oifs)
		return false;
	for (size_t i = 0; i < a->n_oifs; i++)
		if (strcmp(a->oifs[i], b->oifs[i]))
			return false;
	return true;
}

static bool grp_is_host(const struct rule *r)
{
	return r->grp.len == addr_bits(r->grp.addr.family);
}

static int index_rule(struct ruleset *rs, size_t i)
{
	struct rule *r = &rs->v[i];

	if (grp_is_host(r)) {
		size_t b = addr_hash(&r->grp.addr, HASH_SEED) % rs->nbuckets;

		r->hnext = rs->buckets[b];
		rs->buckets[b] = i + 1;
		return 0;
	}
	if (vec_grow(&rs->prefixed, rs->n_prefixed, &rs->cap_prefixed,
		     sizeof(*rs->prefixed), 16))
		return -1;
	rs->prefixed[rs->n_prefixed++] = i;
	return 0;
}

static int reindex(struct ruleset *rs, size_t nbuckets)
{
	size_t *b = calloc(nbuckets, sizeof(*b));

	if (!b)
		return -1;
	free(rs->buckets);
	rs->buckets = b;
	rs->nbuckets = nbuckets;
	rs->n_prefixed = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (index_rule(rs, i))
			return -1;
	return 0;
}

int ruleset_add(struct ruleset *rs, const struct rule *r)
{
	struct rule *nr;

	if (vec_grow(&rs->v, rs->n, &rs->cap, sizeof(*rs->v), 64))
		return -1;
	nr = &rs->v[rs->n];
	*nr = *r;
	nr->oifs = NULL;
	if (r->n_oifs) {
		nr->oifs = malloc(r->n_oifs * sizeof(*nr->oifs));
		if (!nr->oifs)
			return -1;
		memcpy(nr->oifs, r->oifs, r->n_oifs * sizeof(*nr->oifs));
	}
	nr->seq = rs->next_seq++;
	rs->n++;
	/* Keep the load factor under 1: grow the hash with the table. */
	if (rs->n > rs->nbuckets)
		return reindex(rs, rs->nbuckets ? rs->nbuckets * 4 : 256);
	return index_rule(rs, rs->n - 1);
}

static void compact(struct ruleset *rs,
		    bool (*drop)(const struct rule *r, const void *arg),
		    const void *arg, size_t *removed)
{
	size_t j = 0;

	*removed = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (drop(&rs->v[i], arg)) {
			rule_free(&rs->v[i]);
			(*removed)++;
			continue;
		}
		rs->v[j++] = rs->v[i];
	}
	rs->n = j;
	if (*removed)
		reindex(rs, rs->nbuckets ? rs->nbuckets : 256);
}

static bool drop_key(const struct rule *r, const void *arg)
{
	return rule_key_equal(r, arg);
}

/* Take rule i out of its hash chain or the prefix list. */
static void unindex(struct ruleset *rs, size_t i)
{
	struct rule *r = &rs->v[i];

	if (grp_is_host(r)) {
		size_t *pp = &rs->buckets[addr_hash(&r->grp.addr, HASH_SEED) %
					  rs->nbuckets];

		while (*pp && *pp != i + 1)
			pp = &rs->v[*pp - 1].hnext;
		if (*pp)
			*pp = r->hnext;
		return;
	}
	for (size_t k = 0; k < rs->n_prefixed; k++) {
		if (rs->prefixed[k] == i) {
			rs->prefixed[k] = rs->prefixed[--rs->n_prefixed];
			return;
		}
	}
}

/*
 * Remove rule i in O(chain): the last rule moves into its slot.  Array
 * order does not matter: ties are broken by seq, not by position.
 */
static void remove_at(struct ruleset *rs, size_t i)
{
	size_t last = rs->n - 1;

	unindex(rs, i);
	rule_free(&rs->v[i]);
	if (i != last) {
		unindex(rs, last);
		rs->v[i] = rs->v[last];
		index_rule(rs, i);
	}
	rs->n--;
}

size_t ruleset_del(struct ruleset *rs, const struct rule *key)
{
	size_t removed = 0;

	if (!rs->nbuckets) {
		compact(rs, drop_key, key, &removed);
		return removed;
	}
	/* A group prefix: every candidate is in the prefix list. */
	while (!grp_is_host(key)) {
		size_t k = 0;

		while (k < rs->n_prefixed &&
		       !rule_key_equal(&rs->v[rs->prefixed[k]], key))
			k++;
		if (k == rs->n_prefixed)
			return removed;
		remove_at(rs, rs->prefixed[k]);
		removed++;
	}
	/* A host group: every candidate is in one hash chain. */
	for (;;) {
		size_t b = addr_hash(&key->grp.addr, HASH_SEED) % rs->nbuckets;
		size_t i = rs->buckets[b];

		while (i && !rule_key_equal(&rs->v[i - 1], key))
			i = rs->v[i - 1].hnext;
		if (!i)
			return removed;
		remove_at(rs, i - 1);
		removed++;
	}
}

static bool drop_origin(const struct rule *r, const void *arg)
{
	return r->origin == *(const enum rule_origin *)arg;
}

void ruleset_clear_origin(struct ruleset *rs, enum rule_origin origin)
{
	size_t removed;

	compact(rs, drop_origin, &origin, &removed);
}

int ruleset_add_conf(struct ruleset *rs, const struct conf *c)
{
	for (size_t i = 0; i < c->n_mroutes; i++) {
		const struct conf_mroute *m = &c->mroutes[i];
		struct rule r;

		memset(&r, 0, sizeof(r));
		snprintf(r.iif, sizeof(r.iif), "%s", m->ifname);
		if (!route_source_is_any(&m->source))
			r.src = m->source;
		r.grp = m->group;
		r.oifs = m->oifs;
		r.n_oifs = m->n_oifs;
		r.origin = RULE_CONF;
		r.line = m->loc.line;
		if (ruleset_add(rs, &r))
			return -1;
	}
	return 0;
}

static bool src_matches(const struct rule *r, const struct inet_addr *src)
{
	if (r->src.addr.family == AF_UNSPEC || r->src.len == 0)
		return true;
	return prefix_contains(&r->src, src);
}

/* Larger is more specific. */
static int specificity(const struct rule *r)
{
	int s = 0;

	if (r->src.addr.family != AF_UNSPEC && r->src.len)
		s = r->src.len == addr_bits(r->src.addr.family) ?
			    2000 :
			    1000 + r->src.len;
	return s * 256 + r->grp.len;
}

static bool better(const struct rule *cand, const struct rule *best)
{
	int a, b;

	if (!best)
		return true;
	a = specificity(cand);
	b = specificity(best);
	return a > b || (a == b && cand->seq < best->seq);
}

bool rule_covers(const struct rule *r, const struct inet_addr *src,
		 const struct inet_addr *grp, const char *ifname)
{
	return prefix_contains(&r->grp, grp) && src_matches(r, src) &&
	       ifname_match(r->iif, ifname);
}

const struct rule *ruleset_match(const struct ruleset *rs,
				 const struct inet_addr *src,
				 const struct inet_addr *grp,
				 const char *ifname)
{
	const struct rule *best = NULL;

	if (rs->nbuckets) {
		size_t b = addr_hash(grp, HASH_SEED) % rs->nbuckets;

		for (size_t i = rs->buckets[b]; i; i = rs->v[i - 1].hnext) {
			const struct rule *r = &rs->v[i - 1];

			if (addr_equal(&r->grp.addr, grp) &&
			    src_matches(r, src) &&
			    ifname_match(r->iif, ifname) && better(r, best))
				best = r;
		}
	}
	for (size_t k = 0; k < rs->n_prefixed; k++) {
		const struct rule *r = &rs->v[rs->prefixed[k]];

		if (prefix_contains(&r->grp, grp) && src_matches(r, src) &&
		    ifname_match(r->iif, ifname) && better(r, best))
			best = r;
	}
	return best;
}

/* Does word look like "ADDR[/LEN]" (good or bad), not a name? */
static bool is_addr_word(const char *word)
{
	struct inet_prefix p;

	return prefix_parse(word, &p) != -1;
}

/*
 * The control protocol's grammar: the words after IIF that look like
 * addresses are [SOURCE] GROUP (two at the most), the rest are OIFs.
 * What is valid route.h decides, as for a config line.
 */
int rule_from_words(struct rule *r, char **words, size_t n, bool want_oifs,
		    char *err, size_t errlen)
{
	char b[ESC_WORD_BUF];
	size_t i = 1, naddr = 0;
	struct route_word gw;
	int rc;

	memset(r, 0, sizeof(*r));
	if (n < 2) {
		snprintf(err, errlen, "expected IIF [SOURCE] GROUP%s",
			 want_oifs ? " OIF [OIF ...]" : "");
		return -1;
	}
	if (route_ifname(route_word(words[0]), true, r->iif, err, errlen))
		return -1;
	while (i < n && naddr < 2 && is_addr_word(words[i])) {
		i++;
		naddr++;
	}
	if (naddr == 0) {
		snprintf(err, errlen, "missing multicast group");
		return -1;
	}
	gw = route_word(words[naddr]);
	if (naddr == 2 &&
	    route_unicast(route_word(words[1]), "source", &r->src, err, errlen))
		return -1;
	if (route_group(gw, &r->grp, err, errlen))
		return -1;
	if (naddr == 2 &&
	    route_pair(route_word(words[1]), &r->src, gw, &r->grp, err, errlen))
		return -1;
	if (!want_oifs) {
		if (i != n) {
			snprintf(err, errlen, "unexpected word: %s",
				 esc_word(words[i], strlen(words[i]), b));
			return -1;
		}
		return 0;
	}
	if (i == n) {
		snprintf(err, errlen,
			 "expected at least one outbound interface");
		return -1;
	}
	for (rc = 0; i < n && !rc; i++)
		rc = route_add_oif(&r->oifs, &r->n_oifs, route_word(words[i]),
				   err, errlen);
	if (rc)
		rule_free(r);
	return rc ? -1 : 0;
}

const struct rule *ruleset_exact(const struct ruleset *rs,
				 const struct inet_addr *src,
				 const struct inet_addr *grp)
{
	const struct rule *best = NULL;
	size_t b;

	if (!rs->nbuckets)
		return NULL;
	b = addr_hash(grp, HASH_SEED) % rs->nbuckets;
	for (size_t i = rs->buckets[b]; i; i = rs->v[i - 1].hnext) {
		const struct rule *r = &rs->v[i - 1];

		if (rule_is_exact(r) && addr_equal(&r->grp.addr, grp) &&
		    addr_equal(&r->src.addr, src) &&
		    (!best || r->seq < best->seq))
			best = r;
	}
	return best;
}
