/* SPDX-License-Identifier: MIT */
/*
 * Crafted group membership messages (IGMP, MLD), for the cases that must
 * say what no host stack would: a query as an upstream router asks it, a
 * report with a bad TTL, without router alert or from a wrong source.
 * Builders fill a caller's buffer; senders put a message on the wire of
 * a node's interface through a raw socket made in its namespace.
 *
 * Checksums are pkt_csum()'s (pkt.h).  Addresses are text, as in
 * traffic.h; a namespace NULL is the caller's own.
 */
#ifndef MCLAB_GMCRAFT_H
#define MCLAB_GMCRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Store the Internet checksum of an IGMP message msg[0..len) in msg[2..3]. */
void gm_igmp_csum(uint8_t *msg, size_t len);

/*
 * An IGMPv3 query (RFC 3376 §4.1) for group (NULL or "0.0.0.0": a general
 * query) and the nsrc sources srcs[], its checksum set: maxresp and qqic
 * raw (codes), qrv the robustness (S flag clear).  Returns its length
 * (12 + 4 * nsrc), 0 when it does not fit in size or an address is not
 * IPv4.
 */
size_t gm_igmp3_query(uint8_t *buf, size_t size, const char *group,
		      uint8_t maxresp, uint8_t qrv, uint8_t qqic,
		      const char *const *srcs, size_t nsrc);

/*
 * An MLDv2 report (RFC 3810 §5.2) with one record of type rtype
 * (1 MODE_IS_INCLUDE .. 6 BLOCK_OLD_SOURCES) for group and no sources;
 * the checksum is left to the kernel (ICMPv6).  Returns its length (28),
 * 0 when it does not fit or group is not IPv6.
 */
size_t gm_mld2_report(uint8_t *buf, size_t size, uint8_t rtype,
		      const char *group);

/*
 * Send the IGMP message msg[0..len) in an IPv4 header of our own: from src
 * to dst with ttl, with the router alert option when ra, out of ifname of
 * netns.  The checksum is not touched (a bad one is sent as it is).
 * Returns 0 or -errno.
 */
int gm_send_igmp(const char *netns, const char *ifname, const char *src,
		 const char *dst, const void *msg, size_t len, int ttl,
		 bool ra);

/*
 * Send the MLD message msg[0..len) to dst (scoped to ifname) out of
 * ifname of netns: hop limit hops, the router alert hop-by-hop option
 * when ra, from src (NULL: the kernel's choice).  Returns 0 or -errno.
 */
int gm_send_mld(const char *netns, const char *ifname, const char *src,
		const char *dst, const void *msg, size_t len, int hops,
		bool ra);

#endif
