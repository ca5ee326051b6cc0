/* SPDX-License-Identifier: MIT */
/*
 * NAT made immediate.  While the router is a member of a group (mgroup),
 * the first packets of a flow are delivered locally and conntrack binds
 * the flow with no NAT at the INPUT hook.  Once an MFC entry forwards the
 * flow, a MASQUERADE rule on the outbound interface would never apply to
 * it until the entry times out.  So when an (S,G) starts forwarding, its
 * conntrack entries are deleted; the next packet creates a fresh entry
 * that passes the nat table on the forwarding path.
 *
 * Finding them must be fast: a dump walks the kernel's whole conntrack
 * hash (about 15 ms here, whatever the netns holds), and every packet in
 * that window is forwarded without NAT.  So the daemon listens to
 * conntrack NEW events for multicast destinations (a BPF filter in the
 * kernel passes only those), keeps their tuples, and deletes the matching
 * ones by tuple right after the MFC entry is installed: one round trip.
 * A full dump is used only at start-up (flows older than the daemon) and
 * after an event overrun.
 */
#ifndef MCR_CONNTRACK_H
#define MCR_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define CT_CACHE_MAX 4096 /* tuples of recent multicast flows kept */

struct nfct_handle;
struct nf_conntrack;

struct ct_key {
	struct inet_addr src, grp;
};

struct ct_seen {
	struct inet_addr src, grp;
	struct nf_conntrack *ct;
};

struct ct_flush {
	struct nfct_handle *ev; /* NEW events, NULL when unavailable */
	struct nfct_handle *q; /* queries (destroy, dump) */
	struct ct_key *v; /* pending (S,G)s */
	size_t n, cap;
	struct ct_seen *seen; /* ring of recent multicast flows */
	size_t n_seen, next_seen;
	bool need_dump; /* start-up or overrun: walk the table once */
	unsigned long deleted, errors, dumps, events, overruns;
	bool unavailable; /* no conntrack in this kernel: stop trying */
};

void ct_flush_init(struct ct_flush *f);
/* Open the event socket.  Returns its fd for poll(), or -1 (then only
 * dumps are used). */
int ct_events_open(struct ct_flush *f);
/* Read pending events (call when the fd is readable, and before reading
 * upcalls, so the tuple of a flow is known when its upcall is handled). */
void ct_events_read(struct ct_flush *f);
void ct_flush_free(struct ct_flush *f);
void conntrack_queue(struct ct_flush *f, const struct inet_addr *src,
		     const struct inet_addr *grp);
/* Delete the queued flows' entries.  Returns how many were deleted. */
long conntrack_flush(struct ct_flush *f);

#endif
