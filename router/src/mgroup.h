/* SPDX-License-Identifier: MIT */
/*
 * mgroup: group joins (ASM and SSM, IPv4 and IPv6) so that the router is a
 * member on an interface and layer-2 snooping switches send it the stream.
 * The kernel caps memberships per socket (net.ipv4.igmp_max_memberships,
 * 20 by default); when a socket is full another one is opened.
 */
#ifndef MCR_MGROUP_H
#define MCR_MGROUP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "conf.h"
#include "iface.h"

struct join {
	char ifname[IFNAMSIZ];
	struct inet_addr src; /* AF_UNSPEC for ASM */
	struct inet_addr grp;
	bool runtime; /* from mcroutectl join */
	bool wanted; /* scratch, during sync */
	int sock; /* index into the socket pool, -1 when not joined */
	int ifindex; /* where it is joined */
};

struct join_sock {
	int fd;
	int family;
	size_t members;
	bool full;
};

struct mgroups {
	struct join *v;
	size_t n, cap;
	struct join_sock *socks;
	size_t n_socks, cap_socks;
	const struct iface_table *ifaces;
	unsigned long errors;
};

void mgroups_init(struct mgroups *g, const struct iface_table *ifaces);
void mgroups_free(struct mgroups *g);

/*
 * Make the joins equal the config's mgroup lines (expanded) plus runtime
 * joins.  Unchanged joins are never left and re-joined.  skip_v6: IPv6 is
 * not available.
 */
void mgroups_sync(struct mgroups *g, const struct conf *c, bool skip_v6);
/* Runtime join/leave (mcroutectl).  0, or -1 with a message. */
int mgroups_join(struct mgroups *g, const char *ifname,
		 const struct inet_addr *src, const struct inet_addr *grp,
		 char *err, size_t errlen);
int mgroups_leave(struct mgroups *g, const char *ifname,
		  const struct inet_addr *src, const struct inet_addr *grp,
		  char *err, size_t errlen);

#endif
