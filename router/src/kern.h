/* SPDX-License-Identifier: MIT */
/*
 * The kernel's multicast routing API (MRT_* / MRT6_*), behind an ops table
 * so that the route engine can be unit-tested without root.  kern.c is the
 * only file in the router that touches the mroute sockets' options.
 */
#ifndef MCR_KERN_H
#define MCR_KERN_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define KERN_MAXVIFS 32 /* MAXVIFS and MAXMIFS alike */

enum kern_fam { KF_V4 = 0, KF_V6 = 1, KF_N = 2 };

static inline enum kern_fam kern_fam_of(sa_family_t family)
{
	return family == AF_INET6 ? KF_V6 : KF_V4;
}

static inline sa_family_t kern_af(enum kern_fam f)
{
	return f == KF_V6 ? AF_INET6 : AF_INET;
}

struct kern_mfc {
	struct inet_addr src, grp;
	int iif; /* VIF/MIF index */
	/*
	 * Per outgoing VIF: 0 = not forwarded, else the TTL threshold (IPv4:
	 * forwarded when the packet's TTL > ttl; IPv6: any non-zero = in set).
	 */
	uint8_t ttls[KERN_MAXVIFS];
};

struct kern_sg_stats {
	uint64_t pkts, bytes, wrong_if;
};

enum kern_upcall_type {
	KU_NOCACHE = 1, /* a packet of an (S,G) with no MFC entry */
	KU_WRONGVIF = 2, /* arrived on another VIF than the entry's iif */
	KU_WHOLEPKT = 3,
	KU_OTHER = 99,
};

struct kern_upcall {
	enum kern_upcall_type type;
	enum kern_fam fam;
	int vif;
	struct inet_addr src, grp;
};

/*
 * Every call returns 0 or a negative errno.  open() returns the socket the
 * main loop polls for upcalls (and IGMP/MLD packets) in *fd.
 */
struct kern_ops {
	int (*open)(void *ctx, enum kern_fam fam, unsigned int table, int *fd);
	void (*close)(void *ctx, enum kern_fam fam);
	int (*vif_add)(void *ctx, enum kern_fam fam, int vif, int ifindex,
		       unsigned int threshold);
	int (*vif_del)(void *ctx, enum kern_fam fam, int vif, int ifindex);
	int (*mfc_add)(void *ctx, enum kern_fam fam, const struct kern_mfc *m);
	int (*mfc_del)(void *ctx, enum kern_fam fam, const struct kern_mfc *m);
	int (*mfc_stats)(void *ctx, enum kern_fam fam,
			 const struct inet_addr *src,
			 const struct inet_addr *grp, struct kern_sg_stats *st);
};

struct kern {
	const struct kern_ops *ops;
	void *ctx;
};

/* The real kernel. ctx must point to a struct kern_sys. */
struct kern_sys {
	int fd[KF_N];
	unsigned int table;
};
extern const struct kern_ops kern_sys_ops;
void kern_sys_init(struct kern_sys *ks);

/*
 * Pure: decode what was read from an mroute socket.  Returns 1 and fills
 * *up for a kernel upcall, 0 for an ordinary packet (IGMP or ICMPv6, for
 * the membership code), -1 when too short to be either.
 */
int kern_parse_upcall(enum kern_fam fam, const uint8_t *buf, size_t len,
		      struct kern_upcall *up);

#endif
