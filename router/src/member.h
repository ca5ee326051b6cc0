/* SPDX-License-Identifier: MIT */
/*
 * Membership-driven routing: the daemon's IGMP/MLD interfaces (gm.c), the
 * RFC 4605 proxy's upstream side (proxy.c) and the hook through which the
 * route engine asks where (S,G) goes (struct mroute_member).
 *
 * Modes (from the config, see conf.h):
 *   MM_OFF     no phyint asks for IGMP/MLD: nothing is sent or tracked;
 *   MM_PROXY   a phyint is upstream or downstream: queriers on the
 *              downstreams, a host on the upstream, traffic from the
 *              upstream (sources on its subnets or its altnet prefixes)
 *              to the downstreams whose members admit the source;
 *   MM_ROUTER  phyints name a version and none has a role: a querier on
 *              every enabled phyint; traffic from any of them goes to
 *              every other one whose members admit the source (the
 *              kernel applies each one's ttl-threshold).
 * Configured mroute lines always win over membership for what they match.
 */
#ifndef MCR_MEMBER_H
#define MCR_MEMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "gm.h"
#include "iface.h"
#include "mroute.h"
#include "proxy.h"
#include "timer.h"

enum member_mode { MM_OFF = 0, MM_PROXY, MM_ROUTER };

struct member_if {
	struct gm_if gm;
	enum phyint_role role;
	int join_fd;
	bool keep; /* scratch, during sync */
	struct member *mb;
};

struct member {
	enum member_mode mode;
	struct member_if **ifs;
	size_t n_ifs, cap_ifs;
	struct proxy px[GM_NPROTO];
	bool px_on[GM_NPROTO];
	int px_ifindex[GM_NPROTO];
	struct inet_prefix *altnet; /* the upstream's, copied */
	size_t n_altnet;
	int send_fd[GM_NPROTO];
	bool proto_off[GM_NPROTO]; /* IPv6 not available */
	struct mroute *mr;
	const struct iface_table *ifaces;
	struct timers *ts;
	struct mroute_member hook;
	/* packets dropped, by protocol and reason */
	uint64_t bad[GM_NPROTO][GM_DROP_N];
	uint64_t rx_other_if; /* on an interface without IGMP/MLD */
	uint64_t send_errors;
};

void member_init(struct member *mb, struct mroute *mr,
		 const struct iface_table *ifaces, struct timers *ts);
void member_free(struct member *mb);
enum member_mode member_mode_of(const struct conf *c);
/* Follow the config and the interface table (start, reload, hotplug). */
void member_sync(struct member *mb, const struct conf *c, bool v6_off);
/* A packet read from an mroute socket that is not an upcall. */
void member_input(struct member *mb, enum gm_proto p, const uint8_t *buf,
		  size_t len, const void *rx /* struct gm_rx */);
/* The gm interface of (proto, ifname), or NULL. */
struct member_if *member_find(const struct member *mb, enum gm_proto p,
			      const char *ifname);

#endif
