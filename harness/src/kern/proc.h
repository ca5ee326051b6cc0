/* SPDX-License-Identifier: MIT */
/*
 * The kernel's multicast routing and membership files as structs.
 *
 * The parsers are pure (text in, arrays out, no I/O) and strict: a line
 * that does not have the kernel's format makes them fail with EINVAL, so
 * a format change is noticed, never half-parsed.  The readers read the
 * files as seen from inside a node.
 *
 *   /proc/net/ip_mr_vif     ipmr_vif_seq_show()    struct mr_vif
 *   /proc/net/ip6_mr_vif    ip6mr_vif_seq_show()   struct mr_vif
 *   /proc/net/ip_mr_cache   ipmr_mfc_seq_show()    struct mr_mfc
 *   /proc/net/ip6_mr_cache  ip6mr_mfc_seq_show()   struct mr_mfc
 *   /proc/net/igmp          igmp_mc_seq_show()     struct igmp_group
 *   /proc/net/igmp6         igmp6_mc_seq_show()    struct igmp_group
 *   /proc/sys/net/ipv{4,6}/conf/{all,IF}/mc_forwarding
 *
 * IPv4 addresses in ip_mr_* and igmp are the raw __be32 printed with %08X,
 * i.e. the bytes reversed on a little-endian host (192.0.2.2 reads
 * "020200C0"); the parsers undo that on any host.
 */
#ifndef MCLAB_PROC_H
#define MCLAB_PROC_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lab.h"

#define MR_MAXVIFS 32

union mr_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

/* VIF flags (linux/mroute.h) */
#define MR_VIFF_TUNNEL 0x1
#define MR_VIFF_REGISTER 0x4
#define MR_VIFF_USE_IFINDEX 0x8

struct mr_vif {
	int vif; /* VIF/MIF number */
	char name[IFNAMSIZ];
	uint64_t bytes_in, pkts_in, bytes_out, pkts_out;
	unsigned int flags;
	/* IPv4 only: the local address, or the ifindex with USE_IFINDEX */
	struct in_addr local, remote;
	int ifindex; /* from local when MR_VIFF_USE_IFINDEX, else 0 */
};

struct mr_oif {
	int vif;
	int ttl; /* TTL threshold */
};

struct mr_mfc {
	int family;
	union mr_addr group, origin;
	int iif; /* VIF, -1 for an unresolved entry */
	bool unresolved;
	uint64_t pkts, bytes, wrong_if;
	int noifs;
	struct mr_oif oifs[MR_MAXVIFS];
};

struct igmp_group {
	int family;
	int ifindex;
	char dev[IFNAMSIZ];
	union mr_addr group;
	int users;
	/* IPv4 only: the device's querier version (1, 2, 3), its group count,
	 * the report timer and whether we were the last reporter */
	int querier;
	int dev_count;
	bool timer_running;
	unsigned long timer;
	bool reporter;
	/* IPv6 only: mca_flags and timer */
	unsigned int flags;
};

/*
 * Parsers.  Each returns the number of entries (0 for a header-only file)
 * with a malloc'ed array in *out (free() it; NULL when 0), or -1 with
 * errno EINVAL when the text is not in the kernel's format.
 */
int proc_parse_mr_vif(const char *text, int family, struct mr_vif **out);
int proc_parse_mr_mfc(const char *text, int family, struct mr_mfc **out);
int proc_parse_igmp(const char *text, struct igmp_group **out);
int proc_parse_igmp6(const char *text, struct igmp_group **out);
/* A sysctl file holding one integer ("1\n").  Returns 0 or -1. */
int proc_parse_int(const char *text, long *v);

/* Lookups in parsed arrays: NULL when absent. */
const struct mr_vif *mr_vif_by_name(const struct mr_vif *v, int n,
				    const char *name);
const struct mr_vif *mr_vif_by_index(const struct mr_vif *v, int n, int vif);
/* origin NULL matches any source. */
const struct mr_mfc *mr_mfc_find(const struct mr_mfc *m, int n, int family,
				 const void *origin, const void *group);
/* String forms ("192.0.2.2", "ff0e::1"), as mr_mfc_find arguments. */
const struct mr_mfc *mr_mfc_find_str(const struct mr_mfc *m, int n,
				     const char *origin, const char *group);
/* TTL threshold of vif in the entry, -1 when it is not an output. */
int mr_mfc_oif_ttl(const struct mr_mfc *m, int vif);
const struct igmp_group *igmp_find(const struct igmp_group *g, int n,
				   const char *dev, const char *group);

/* Readers: the files as seen from node n.  Same returns as the parsers. */
int proc_read_mr_vif(struct node *n, int family, struct mr_vif **out);
int proc_read_mr_mfc(struct node *n, int family, struct mr_mfc **out);
int proc_read_igmp(struct node *n, int family, struct igmp_group **out);
/*
 * mc_forwarding of family for ifname ("all", "default" or an interface):
 * 0 or 1, -1 when it cannot be read.
 */
int proc_read_mc_forwarding(struct node *n, int family, const char *ifname);

struct mc_fwd {
	char ifname[IFNAMSIZ]; /* "all", "default" or an interface */
	int value;
};
/*
 * Every conf/ folder of the family with its mc_forwarding.  Returns n.
 * For a VM router node (target.h), through the agent: grep -H prints
 * /proc/sys/net/ipv4/conf/IF/mc_forwarding:VALUE for every IF, and
 * proc_parse_mc_forwarding_list() reads those lines (pure, same returns
 * as the parsers above).
 */
int proc_read_mc_forwarding_list(struct node *n, int family,
				 struct mc_fwd **out);
int proc_parse_mc_forwarding_list(const char *text, struct mc_fwd **out);

#endif
