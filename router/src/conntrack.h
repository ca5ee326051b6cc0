/* SPDX-License-Identifier: MIT */
/*
 * NAT made immediate.  While the router is a member of a group (mgroup),
 * the first packets of a flow are delivered locally and conntrack binds
 * the flow with no NAT at the INPUT hook.  Once an MFC entry forwards the
 * flow, a MASQUERADE rule on the outbound interface would never apply to
 * it until the entry times out.  So when an (S,G) starts forwarding, its
 * conntrack entries are deleted; the next packet creates a fresh one that
 * passes the nat table on the forwarding path.
 *
 * Requests are batched: conntrack_queue() per (S,G), conntrack_flush()
 * once per main-loop round, one dump of the table for the whole batch.
 */
#ifndef MCR_CONNTRACK_H
#define MCR_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct ct_key {
	struct inet_addr src, grp;
};

struct ct_flush {
	struct ct_key *v;
	size_t n, cap;
	unsigned long deleted, errors, runs;
	bool unavailable; /* no conntrack in this kernel: stop trying */
};

void ct_flush_init(struct ct_flush *f);
void ct_flush_free(struct ct_flush *f);
void conntrack_queue(struct ct_flush *f, const struct inet_addr *src,
		     const struct inet_addr *grp);
/* Delete the queued flows' entries.  Returns how many were deleted. */
long conntrack_flush(struct ct_flush *f);

#endif
