/* SPDX-License-Identifier: MIT */
/*
 * What makes a route valid, decided in one place for both ways a route
 * comes in: the config file's mroute and mgroup lines (conf_route.c) and the
 * control protocol's add, del, join and leave (rule_from_words() in
 * routes.c).  Each grammar finds the words; these functions judge them,
 * with the same messages both ways.  Pure.
 *
 *  - An interface name is shorter than IFNAMSIZ, has no space, control
 *    byte, '/' or ':' (the kernel's rules), is not "." or "..", and has
 *    '+' only as its last character, where it makes a wildcard (allowed
 *    for inbound interfaces, never for outbound ones).
 *  - A group is a multicast address or prefix no wider than 224.0.0.0/4
 *    or ff00::/8.  A source is a unicast address or prefix of the
 *    group's family.  Prefixes have no host bits set.
 *  - Any source: no source, or the unspecified address alone, 0.0.0.0 or
 *    :: (also written /32 or /128), as in smcroute; it is stored with
 *    family AF_UNSPEC.  With a shorter length the all-zero address is a
 *    source prefix like any other: 0.0.0.0/8 holds the senders
 *    0.0.0.0-0.255.255.255 only, ::/1 the lower half of IPv6, 0.0.0.0/0
 *    and ::/0 every sender of their family.
 *  - An outbound interface given twice is kept once.
 *
 * Words need not be NUL-terminated (the config parser's point into its
 * text).  A message quotes the word as it was written (esc.h), and never
 * says where it is: the caller adds that.
 */
#ifndef MCR_ROUTE_H
#define MCR_ROUTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define ROUTE_ERR_MAX 512

struct route_word {
	const char *s;
	size_t len;
};

/* A NUL-terminated word. */
struct route_word route_word(const char *s);

/* An interface name into out; wild_ok: it may end in '+'. */
int route_ifname(struct route_word w, bool wild_ok, char out[IFNAMSIZ],
		 char *err, size_t errlen);

/* "ADDR[/LEN]", for what ("source", "group", "altnet"). */
int route_prefix(struct route_word w, const char *what, struct inet_prefix *p,
		 char *err, size_t errlen);
/* A group or group prefix. */
int route_group(struct route_word w, struct inet_prefix *p, char *err,
		size_t errlen);
/* A unicast address or prefix: a source, an altnet. */
int route_unicast(struct route_word w, const char *what, struct inet_prefix *p,
		  char *err, size_t errlen);

/*
 * A source (sw, parsed into *source) against its group (gw, *group): the
 * same family, and the any source made AF_UNSPEC.
 */
int route_pair(struct route_word sw, struct inet_prefix *source,
	       struct route_word gw, const struct inet_prefix *group, char *err,
	       size_t errlen);
/* Is p the any source (AF_UNSPEC, or 0.0.0.0 or :: at full length)? */
bool route_source_is_any(const struct inet_prefix *p);

/*
 * Add outbound interface w to the n in *oifs (a malloc()ed array the
 * caller free()s), unless it is there already.  Returns 0, -1 when w is
 * not a valid outbound interface, -2 when out of memory (err says so).
 */
int route_add_oif(char (**oifs)[IFNAMSIZ], size_t *n, struct route_word w,
		  char *err, size_t errlen);

#endif
