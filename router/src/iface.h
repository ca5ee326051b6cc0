/* SPDX-License-Identifier: MIT */
/*
 * The interface table, kept current from rtnetlink (libmnl): links come and
 * go (hotplug, USB gadgets, Wi-Fi), get new ifindexes, change addresses.
 */
#ifndef MCR_IFACE_H
#define MCR_IFACE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define IFACE_MAX_ADDRS 8

struct iface {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned int flags; /* IFF_* */
	struct inet_addr addrs[IFACE_MAX_ADDRS];
	uint8_t plens[IFACE_MAX_ADDRS]; /* prefix lengths (host length default) */
	size_t n_addrs;
};

struct iface_table {
	struct iface *v;
	size_t n, cap;
	struct mnl_socket *nl; /* event socket, NULL in tests */
	unsigned int seq;
	unsigned long generation; /* bumped on every change */
};

int iface_table_init(struct iface_table *t);
void iface_table_free(struct iface_table *t);

/* Open the event socket and load every link and address.  0 or -errno. */
int iface_open(struct iface_table *t);
int iface_fd(const struct iface_table *t);
/*
 * Read pending events.  Returns 1 when anything changed, 0 when not, or
 * -errno.  Resynchronises with a full dump after an overrun.
 */
int iface_read(struct iface_table *t);

const struct iface *iface_by_name(const struct iface_table *t,
				  const char *name);
const struct iface *iface_by_index(const struct iface_table *t, int ifindex);

/* For tests and for the event parser. */
struct iface *iface_upsert(struct iface_table *t, int ifindex, const char *name,
			   unsigned int flags);
void iface_remove(struct iface_table *t, int ifindex);
void iface_addr_update(struct iface_table *t, int ifindex,
		       const struct inet_addr *a, bool add);
/* Record the prefix length of an address already added. */
void iface_addr_plen(struct iface_table *t, int ifindex,
		     const struct inet_addr *a, unsigned int plen);
/* Is a on one of i's subnets? */
bool iface_on_link(const struct iface *i, const struct inet_addr *a);
/* First address of the given family, or NULL. */
const struct inet_addr *iface_addr(const struct iface *i, sa_family_t family);

#endif
