/* SPDX-License-Identifier: MIT */
/*
 * The configured route table: (S,G) routes, (*,G) routes and prefix routes
 * ("templates" that are turned into (S,G) kernel entries when the kernel
 * reports a new source).  Pure: no kernel, no sockets.
 *
 * Matching a packet (S,G) that arrived on interface IIF picks the most
 * specific rule: an exact source beats a source prefix beats any source;
 * then the longer group prefix; then the earlier rule.  Routes with a host
 * group are found through a hash on the group, so matching costs O(1) for
 * the common case however many routes there are.
 */
#ifndef MCR_ROUTES_H
#define MCR_ROUTES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"

enum rule_origin { RULE_CONF = 0, RULE_RUNTIME = 1 };

struct rule {
	char iif[IFNAMSIZ]; /* may end in '+' */
	struct inet_prefix src; /* family AF_UNSPEC: any source */
	struct inet_prefix grp;
	char (*oifs)[IFNAMSIZ];
	size_t n_oifs;
	enum rule_origin origin;
	unsigned int line; /* config line, 0 for runtime */
	size_t seq; /* position, for ties */
	size_t hnext; /* next rule index + 1 in the group hash chain */
};

struct ruleset {
	struct rule *v;
	size_t n, cap;
	size_t *buckets; /* rule index + 1, 0 = empty */
	size_t nbuckets;
	size_t *prefixed; /* rules whose group is a prefix */
	size_t n_prefixed, cap_prefixed;
	size_t next_seq;
};

void ruleset_init(struct ruleset *rs);
void ruleset_free(struct ruleset *rs);

/* True for an (S,G) rule that can go to the kernel without an upcall. */
bool rule_is_exact(const struct rule *r);
bool rule_equal(const struct rule *a, const struct rule *b);

/* Copy r into the set.  Returns 0, -1 on ENOMEM. */
int ruleset_add(struct ruleset *rs, const struct rule *r);
/*
 * Remove rules equal in (iif, src, grp) to key (oifs ignored).  Returns the
 * number removed.
 */
size_t ruleset_del(struct ruleset *rs, const struct rule *key);
/* Drop every rule of the given origin. */
void ruleset_clear_origin(struct ruleset *rs, enum rule_origin origin);
/* Append the mroute lines of a parsed config (origin RULE_CONF). */
int ruleset_add_conf(struct ruleset *rs, const struct conf *c);

/* Best rule for packet (src, grp) received on ifname, or NULL. */
const struct rule *ruleset_match(const struct ruleset *rs,
				 const struct inet_addr *src,
				 const struct inet_addr *grp,
				 const char *ifname);

/* Does r match packet (src, grp) received on ifname (best or not)? */
bool rule_covers(const struct rule *r, const struct inet_addr *src,
		 const struct inet_addr *grp, const char *ifname);

/* The first exact (S,G) rule for src and grp (the one a full sync would
 * install), or NULL.  O(1) through the group hash. */
const struct rule *ruleset_exact(const struct ruleset *rs,
				 const struct inet_addr *src,
				 const struct inet_addr *grp);

/*
 * Build a rule from "IIF [SOURCE[/LEN]] GROUP[/LEN] [OIF...]" words (the
 * control protocol's), judged by route.h as a config line is.
 */
int rule_from_words(struct rule *r, char **words, size_t n, bool want_oifs,
		    char *err, size_t errlen);
void rule_free(struct rule *r);

#endif
