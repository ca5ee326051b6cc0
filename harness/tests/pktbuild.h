/* SPDX-License-Identifier: MIT */
/*
 * The frames harness/tests/test_capture builds to feed the packet parser
 * and to write pcap files: a byte builder (struct pb, put*) and headers
 * and messages on it (Ethernet, IPv4, IPv6, UDP with our payload header,
 * ICMP echo, IGMP, MLD).  Failing to fit a frame fails the test.
 */
#ifndef MCLAB_TESTS_PKTBUILD_H
#define MCLAB_TESTS_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pb {
	uint8_t b[1600];
	size_t n;
};

void put(struct pb *p, const void *d, size_t n);
void put8(struct pb *p, unsigned int v);
void put16(struct pb *p, unsigned int v);
void put32(struct pb *p, uint32_t v);
/* An address's 4 or 16 bytes. */
void putip(struct pb *p, const char *s);
/* The checksum of p->b[at..at+len) into the 16 bits at p->b[at+off]. */
void put_csum(struct pb *p, size_t at, size_t len, size_t off);
/* An Ethernet header to 01:00:5e:01:01:01. */
void eth(struct pb *p, unsigned int ethertype);
/* IPv4 header at p->n with optional router alert; returns its offset. */
size_t ip4(struct pb *p, unsigned int ttl, unsigned int proto, const char *src,
	   const char *dst, size_t payload, bool ra);
void ip6(struct pb *p, unsigned int hlim, unsigned int nh, const char *src,
	 const char *dst, size_t payload);
/* Our payload header (struct mclab_hdr) of stream and seq. */
void mclab(struct pb *p, uint32_t stream, uint32_t seq);
/* A whole frame: UDP 192.0.2.2:40000 -> 239.1.1.1:5000, stream 7, seq. */
void udp4_pkt(struct pb *p, unsigned int ttl, uint32_t seq);
/* A whole frame: ICMP of type (echo id 4113, seq 92, our header). */
void icmp4_echo(struct pb *p, unsigned int type, unsigned int ttl,
		const char *src, const char *dst);
/* A whole frame: an 8-byte IGMP message from 192.0.2.2 with router alert. */
void igmp_simple(struct pb *p, unsigned int type, unsigned int code,
		 const char *group, const char *dst);
/* A whole frame: an IGMPv3 report of 3 records (the first with aux data). */
void igmp3_report(struct pb *p, bool aux);
/* IPv6 + hop-by-hop with router alert, then an MLD message. */
void mld_pkt(struct pb *p, const char *dst, size_t mldlen);

#endif
