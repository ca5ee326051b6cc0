/* SPDX-License-Identifier: MIT */
/*
 * IGMP/MLD on the wire: the send sockets (raw IPPROTO_IGMP with router
 * alert and TTL 1; raw ICMPv6 with a hop-by-hop router alert, hop limit 1
 * and a link-local source), the joins of the routers' groups (224.0.0.2,
 * 224.0.0.22, ff02::2, ff02::16) and what recvmsg() tells about a packet
 * read from an mroute socket.  Receiving is the mroute sockets' job
 * (kern.c); these send sockets take nothing in.
 */
#ifndef MCR_GM_IO_H
#define MCR_GM_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "gm_pkt.h"

/* A send socket for p.  fd or -errno. */
int gm_io_open(enum gm_proto p);
/* A socket for joins (UDP), fd or -errno. */
int gm_io_join_socket(enum gm_proto p);
/* Join (or leave) grp on ifindex with fd.  0 or -errno. */
int gm_io_join(int fd, enum gm_proto p, int ifindex,
	       const struct inet_addr *grp, bool join);
/* Send msg to dst out of ifindex from src (may be NULL).  0 or -errno. */
int gm_io_send(int fd, enum gm_proto p, int ifindex,
	       const struct inet_addr *src, const struct inet_addr *dst,
	       const uint8_t *msg, size_t len);

struct gm_rx {
	int ifindex; /* 0 unknown */
	struct inet_addr src, dst;
	int hoplimit; /* -1 unknown */
	bool router_alert;
};

/* Room for the control messages gm_io_rx() reads. */
#define GM_IO_CMSG_SPACE 256
/* Fill rx from a recvmsg() result (IPv6: source from msg_name). */
void gm_io_rx(const struct msghdr *mh, int family, struct gm_rx *rx);
/* Is there a router alert option in a hop-by-hop options header? */
bool gm_io_hbh_has_ra(const uint8_t *p, size_t len);

#endif
