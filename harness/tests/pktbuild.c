// SPDX-License-Identifier: MIT
/*
 * The frames harness/tests/test_capture builds (pktbuild.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "pkt.h"
#include "pktbuild.h"

void put(struct pb *p, const void *d, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

void put8(struct pb *p, unsigned int v)
{
	uint8_t x = (uint8_t)v;

	put(p, &x, 1);
}

void put16(struct pb *p, unsigned int v)
{
	put8(p, v >> 8);
	put8(p, v);
}

void put32(struct pb *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

void putip(struct pb *p, const char *s)
{
	union pkt_ip a;
	int f;

	assert_int_equal(pkt_pton(s, &f, &a), 0);
	put(p, &a, f == AF_INET ? 4 : 16);
}

/* The checksum of p->b[at..at+len) into the 16 bits at p->b[at+off]. */
void put_csum(struct pb *p, size_t at, size_t len, size_t off)
{
	uint16_t c = pkt_csum(p->b + at, len);

	p->b[at + off] = (uint8_t)(c >> 8);
	p->b[at + off + 1] = (uint8_t)c;
}

void eth(struct pb *p, unsigned int ethertype)
{
	static const uint8_t mac[12] = { 1, 0, 0x5e, 1, 1, 1, 2, 0, 0, 0, 0, 1 };

	put(p, mac, sizeof(mac));
	put16(p, ethertype);
}

/* IPv4 header at p->n with optional router alert; returns its offset. */
size_t ip4(struct pb *p, unsigned int ttl, unsigned int proto, const char *src,
	   const char *dst, size_t payload, bool ra)
{
	size_t at = p->n, hl = ra ? 24 : 20;

	put8(p, 0x40 | (unsigned int)(hl / 4));
	put8(p, 0xc0);
	put16(p, (unsigned int)(hl + payload));
	put16(p, 0x1234);
	put16(p, 0x4000);
	put8(p, ttl);
	put8(p, proto);
	put16(p, 0);
	putip(p, src);
	putip(p, dst);
	if (ra)
		put32(p, 0x94040000);
	put_csum(p, at, hl, 10);
	return at;
}

void ip6(struct pb *p, unsigned int hlim, unsigned int nh, const char *src,
	 const char *dst, size_t payload)
{
	put32(p, 0x60000000);
	put16(p, (unsigned int)payload);
	put8(p, nh);
	put8(p, hlim);
	putip(p, src);
	putip(p, dst);
}

void mclab(struct pb *p, uint32_t stream, uint32_t seq)
{
	uint8_t h[MCLAB_HDR_LEN];

	mclab_hdr_fill(h, stream, seq, 1700000000123456789ull);
	put(p, h, sizeof(h));
}

void udp4_pkt(struct pb *p, unsigned int ttl, uint32_t seq)
{
	p->n = 0;
	eth(p, 0x0800);
	ip4(p, ttl, IPPROTO_UDP, "192.0.2.2", "239.1.1.1", 8 + MCLAB_HDR_LEN,
	    false);
	put16(p, 40000);
	put16(p, 5000);
	put16(p, 8 + MCLAB_HDR_LEN);
	put16(p, 0);
	mclab(p, 7, seq);
}

void icmp4_echo(struct pb *p, unsigned int type, unsigned int ttl,
		const char *src, const char *dst)
{
	size_t at;

	p->n = 0;
	eth(p, 0x0800);
	ip4(p, ttl, IPPROTO_ICMP, src, dst, 8 + MCLAB_HDR_LEN, false);
	at = p->n;
	put8(p, type);
	put8(p, 0);
	put16(p, 0);
	put16(p, 4113);
	put16(p, 92);
	mclab(p, 4113, 92);
	put_csum(p, at, p->n - at, 2);
}

void igmp_simple(struct pb *p, unsigned int type, unsigned int code,
		 const char *group, const char *dst)
{
	p->n = 0;
	eth(p, 0x0800);
	ip4(p, 1, IPPROTO_IGMP, "192.0.2.2", dst, 8, true);
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	putip(p, group);
}

void igmp3_report(struct pb *p, bool aux)
{
	size_t at;

	p->n = 0;
	eth(p, 0x0800);
	ip4(p, 1, IPPROTO_IGMP, "192.0.2.2", "224.0.0.22",
	    8 + (8 + 4 + (aux ? 4 : 0)) + (8 + 0) + (8 + 4 * 6), true);
	at = p->n;
	put8(p, 0x22);
	put8(p, 0);
	put16(p, 0);
	put16(p, 0);
	put16(p, 3);
	/* ALLOW (5) 232.1.1.1 from 198.51.100.7, with 4 bytes aux data */
	put8(p, 5);
	put8(p, aux);
	put16(p, 1);
	putip(p, "232.1.1.1");
	putip(p, "198.51.100.7");
	if (aux)
		put32(p, 0xaaaaaaaa);
	/* TO_EX (4) 239.1.1.1, no sources = ASM join */
	put8(p, 4);
	put8(p, 0);
	put16(p, 0);
	putip(p, "239.1.1.1");
	/* IS_IN (1) 232.2.2.2 with 6 sources (only PKT_MAX_GSRC kept) */
	put8(p, 1);
	put8(p, 0);
	put16(p, 6);
	putip(p, "232.2.2.2");
	putip(p, "198.51.100.1");
	putip(p, "198.51.100.2");
	putip(p, "198.51.100.3");
	putip(p, "198.51.100.4");
	putip(p, "198.51.100.5");
	putip(p, "198.51.100.6");
	put_csum(p, at, p->n - at, 2);
}

/* IPv6 + hop-by-hop with router alert, then an MLD message. */
void mld_pkt(struct pb *p, const char *dst, size_t mldlen)
{
	p->n = 0;
	eth(p, 0x86dd);
	ip6(p, 1, 0, "fe80::1", dst, 8 + mldlen);
	put8(p, IPPROTO_ICMPV6);
	put8(p, 0);
	put16(p, 0x0502); /* router alert, len 2 */
	put16(p, 0); /* MLD */
	put16(p, 0x0100); /* PadN, len 0 */
}
