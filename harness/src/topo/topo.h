/* SPDX-License-Identifier: MIT */
/*
 * Topologies: the .topo language, a pure parser (text -> struct topo) and
 * questions about what it describes.  The running instance built from a
 * topology is lab.h's struct lab.
 *
 * The .topo language, one directive per line, '#' starts a comment:
 *
 *   node NAME [ROLE...]            ROLE: router | sender | receiver | host
 *   link N:IF [ADDR/LEN...] N:IF [ADDR/LEN...]       a veth pair
 *   lan NAME [snooping] N:IF [ADDR/LEN...] N:IF [ADDR/LEN...] ...
 *                                   a switch (a bridge in a hidden
 *                                   namespace) with one veth per member;
 *                                   IGMP/MLD snooping is off unless asked
 *   bridge N:BR [ADDR/LEN...] ports IF [IF...]
 *                                   a bridge inside node N over some of
 *                                   its interfaces (declared before)
 *   addr N:IF ADDR/LEN...           more addresses on a declared interface
 *   route N DEST [via GW] [dev IF]  DEST: default | default6 | PREFIX/LEN
 *   sysctl N KEY=VALUE              a per-namespace sysctl (net.*)
 *
 * Addresses are IPv4 or IPv6, several per interface; IPv6 ones are added
 * without DAD.  Names: nodes and LANs [A-Za-z0-9_-]{1,15}, interfaces up to
 * 15 characters.  Errors read "file:line: message".
 */
#ifndef MCLAB_TOPO_H
#define MCLAB_TOPO_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define TOPO_NAME_MAX 16 /* node and LAN names, with the NUL */
#define TOPO_MAX_ADDRS 8 /* per interface */
#define TOPO_MAX_PORTS 8 /* per in-node bridge */
#define TOPO_ERR_MAX 512

enum topo_role {
	TOPO_ROLE_ROUTER = 1 << 0,
	TOPO_ROLE_SENDER = 1 << 1,
	TOPO_ROLE_RECEIVER = 1 << 2,
	TOPO_ROLE_HOST = 1 << 3,
};

struct topo_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		unsigned char raw[16];
	} a;
	unsigned char plen;
};

/* An interface of a node, with its addresses. */
struct topo_if {
	int node; /* index into topo->nodes */
	char ifname[IFNAMSIZ];
	struct topo_addr addrs[TOPO_MAX_ADDRS];
	int naddrs;
};

struct topo_node {
	char name[TOPO_NAME_MAX];
	unsigned int roles; /* enum topo_role bits */
	int line;
};

struct topo_link {
	struct topo_if a, b;
	int line;
};

struct topo_lan {
	char name[TOPO_NAME_MAX];
	bool snooping;
	struct topo_if *members;
	int nmembers;
	int line;
};

struct topo_bridge {
	struct topo_if br;
	char ports[TOPO_MAX_PORTS][IFNAMSIZ];
	int nports;
	int line;
};

/* Extra addresses ("addr" lines) on an interface declared elsewhere. */
struct topo_extra_addr {
	struct topo_if ifc;
	int line;
};

struct topo_route {
	int node;
	int family;
	struct topo_addr dst; /* plen 0 and zero address for default */
	bool has_gw;
	struct topo_addr gw;
	char dev[IFNAMSIZ]; /* "" when none */
	int line;
};

struct topo_sysctl {
	int node;
	char key[128];
	char value[64];
	int line;
};

struct topo {
	char name[64]; /* file name without folder and ".topo" */
	struct topo_node *nodes;
	int nnodes;
	struct topo_link *links;
	int nlinks;
	struct topo_lan *lans;
	int nlans;
	struct topo_bridge *bridges;
	int nbridges;
	struct topo_extra_addr *addrs;
	int naddrs;
	struct topo_route *routes;
	int nroutes;
	struct topo_sysctl *sysctls;
	int nsysctls;
};

/*
 * Parse the text of a .topo file.  fname is used in error messages and for
 * the topology's name.  Returns a topology to free with topo_free(), or NULL
 * with "fname:line: message" in err.
 */
struct topo *topo_parse(const char *text, const char *fname, char *err,
			size_t errlen);
/* Read and parse a file.  NAME without '/' is looked up as topologies/NAME.topo
 * (then $MCLAB_TOPOLOGIES, then the install folder). */
struct topo *topo_load(const char *path_or_name, char *err, size_t errlen);
void topo_free(struct topo *t);

/* Index of a node by name, -1 when there is none. */
int topo_node_index(const struct topo *t, const char *name);
/* The first node with the router role, -1 when there is none. */
int topo_router_index(const struct topo *t);
/* Format an address as "ADDR/LEN". */
const char *topo_addr_str(const struct topo_addr *a, char *buf, size_t len);

/*
 * Interfaces of node n in declaration order (links, LAN members, bridges).
 * Fills up to max pointers into t, returns how many there are in all.
 */
int topo_node_ifs(const struct topo *t, int n, const struct topo_if **ifs,
		  int max);
/* The interface IF of node n, NULL when not declared. */
const struct topo_if *topo_find_if(const struct topo *t, int n,
				   const char *ifname);
/* The first address of a family on node n's IF, NULL when none. */
const struct topo_addr *topo_if_addr(const struct topo *t, int n,
				     const char *ifname, int family);

#endif
