// SPDX-License-Identifier: MIT
/*
 * Unit tests for the pure packet parser (pkt.c) and the offline side of
 * capture.c (matching, sequence stats, pcap save, tcpdump text), on crafted
 * packets: IPv4/IPv6 UDP, ICMP echo, IGMPv1/v2/v3, MLDv1/v2, cooked
 * headers, VLAN tags, truncation and garbage.
 *
 * One binary from three files: the parser's tests and main() here, the
 * offline capture's in capture_offline.c, the frames both build in
 * pktbuild.c.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "capture.h"
#include "capture_offline.h"
#include "pkt.h"
#include "pktbuild.h"

static struct pkt_rec rec;

static int parse(int lt, const struct pb *p)
{
	return pkt_parse(lt, p->b, p->n, p->n, 42, &rec);
}

/* Every prefix of a packet parses without reading past it. */
static void all_prefixes(int lt, const struct pb *p)
{
	size_t i;

	for (i = 0; i <= p->n; i++) {
		uint8_t *copy = malloc(i ? i : 1);

		assert_non_null(copy);
		memcpy(copy, p->b, i);
		pkt_parse(lt, copy, i, p->n, 0, &rec);
		if (i < p->n && i > 0)
			assert_true(rec.flags & (PKT_F_TRUNC | PKT_F_BAD));
		free(copy);
	}
}

static bool ip_is(int family, const union pkt_ip *a, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	pkt_ntop(family, a, buf, sizeof(buf));
	return strcmp(buf, s) == 0;
}

/* ---- tests ------------------------------------------------------------ */

static void test_hdr_roundtrip(void **state)
{
	uint8_t b[MCLAB_HDR_LEN];
	uint32_t st, seq;
	uint64_t ts;

	(void)state;
	mclab_hdr_fill(b, 3, 0xdeadbeef, 0x0102030405060708ull);
	assert_true(mclab_hdr_parse(b, sizeof(b), &st, &seq, &ts));
	assert_int_equal(st, 3);
	assert_int_equal(seq, 0xdeadbeef);
	assert_true(ts == 0x0102030405060708ull);
	assert_false(mclab_hdr_parse(b, sizeof(b) - 1, &st, &seq, &ts));
	b[0] ^= 1;
	assert_false(mclab_hdr_parse(b, sizeof(b), &st, &seq, &ts));
	assert_false(mclab_hdr_parse(NULL, 100, NULL, NULL, NULL));
}

static void test_udp4(void **state)
{
	struct pb p;
	char line[256];

	(void)state;
	udp4_pkt(&p, 9, 1234);
	all_prefixes(PKT_DLT_EN10MB, &p);
	/* Ethernet padding after the IP datagram is ignored */
	put32(&p, 0xffffffff);
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.family, AF_INET);
	assert_int_equal(rec.ethertype, 0x0800);
	assert_true(ip_is(AF_INET, &rec.src, "192.0.2.2"));
	assert_true(ip_is(AF_INET, &rec.dst, "239.1.1.1"));
	assert_int_equal(rec.ttl, 9);
	assert_int_equal(rec.tos, 0xc0);
	assert_int_equal(rec.proto, IPPROTO_UDP);
	assert_int_equal(rec.ip_id, 0x1234);
	assert_int_equal(rec.ip_len, 20 + 8 + MCLAB_HDR_LEN);
	assert_int_equal(rec.sport, 40000);
	assert_int_equal(rec.dport, 5000);
	assert_int_equal(rec.l4_len, 8 + MCLAB_HDR_LEN);
	assert_true(rec.flags & PKT_F_MCLAB);
	assert_false(rec.flags & PKT_F_TRUNC);
	assert_int_equal(rec.mc_stream, 7);
	assert_int_equal(rec.mc_seq, 1234);
	assert_true(rec.mc_ts_ns == 1700000000123456789ull);
	assert_true(rec.ts_ns == 42);
	pkt_format(&rec, line, sizeof(line));
	assert_non_null(strstr(line, "192.0.2.2 > 239.1.1.1 ttl 9"));
	assert_non_null(strstr(line, "seq 1234"));
}

static void test_udp4_no_magic_and_frag(void **state)
{
	struct pb p;

	(void)state;
	udp4_pkt(&p, 2, 0);
	p.b[14 + 20 + 8] ^= 0xff; /* break the magic */
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_PORTS);
	assert_false(rec.flags & PKT_F_MCLAB);

	udp4_pkt(&p, 2, 0);
	p.b[14 + 6] = 0x00;
	p.b[14 + 7] = 0x10; /* fragment offset 16 */
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_FRAG);
	assert_false(rec.flags & PKT_F_PORTS);
}

static void test_vlan_sll_sll2_raw(void **state)
{
	struct pb p, q;

	(void)state;
	udp4_pkt(&p, 5, 9);
	/* 802.1Q tag */
	q.n = 0;
	put(&q, p.b, 12);
	put16(&q, 0x8100);
	put16(&q, 100);
	put(&q, p.b + 12, p.n - 12);
	assert_int_equal(parse(PKT_DLT_EN10MB, &q), 0);
	assert_int_equal(rec.mc_seq, 9);
	all_prefixes(PKT_DLT_EN10MB, &q);

	/* Linux cooked v1: outgoing */
	q.n = 0;
	put16(&q, 4);
	put16(&q, 1);
	put16(&q, 6);
	put(&q, p.b + 6, 6);
	put16(&q, 0);
	put16(&q, 0x0800);
	put(&q, p.b + 14, p.n - 14);
	assert_int_equal(parse(PKT_DLT_LINUX_SLL, &q), 0);
	assert_int_equal(rec.pkttype, 4);
	assert_int_equal(rec.ttl, 5);
	assert_int_equal(rec.mc_seq, 9);
	all_prefixes(PKT_DLT_LINUX_SLL, &q);

	/* Linux cooked v2 */
	q.n = 0;
	put16(&q, 0x0800);
	put16(&q, 0);
	put32(&q, 3);
	put16(&q, 1);
	put8(&q, 0);
	put8(&q, 6);
	put(&q, p.b + 6, 6);
	put16(&q, 0);
	put(&q, p.b + 14, p.n - 14);
	assert_int_equal(parse(PKT_DLT_LINUX_SLL2, &q), 0);
	assert_int_equal(rec.pkttype, 0);
	assert_int_equal(rec.dport, 5000);
	all_prefixes(PKT_DLT_LINUX_SLL2, &q);

	/* raw IP */
	q.n = 0;
	put(&q, p.b + 14, p.n - 14);
	assert_int_equal(parse(PKT_DLT_RAW_LT, &q), 0);
	assert_int_equal(rec.mc_seq, 9);
	assert_int_equal(parse(PKT_DLT_RAW, &q), 0);

	/* ARP is parsed as non-IP, not as an error crash */
	q.n = 0;
	eth(&q, 0x0806);
	put32(&q, 0x00010800);
	assert_int_equal(parse(PKT_DLT_EN10MB, &q), -1);
	assert_int_equal(rec.ethertype, 0x0806);
	assert_false(rec.flags & PKT_F_IP);

	/* unknown link type */
	assert_int_equal(parse(9999, &q), -1);
	assert_true(rec.flags & PKT_F_BAD);
}

static void test_icmp_echo(void **state)
{
	struct pb p;

	(void)state;
	icmp4_echo(&p, 8, 10, "192.0.2.2", "239.1.1.1");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.proto, IPPROTO_ICMP);
	assert_true(rec.flags & PKT_F_ECHO);
	assert_int_equal(rec.icmp_type, 8);
	assert_int_equal(rec.icmp_code, 0);
	assert_int_equal(rec.echo_id, 4113);
	assert_int_equal(rec.echo_seq, 92);
	assert_true(rec.flags & PKT_F_MCLAB);
	assert_int_equal(rec.mc_seq, 92);
	all_prefixes(PKT_DLT_EN10MB, &p);

	icmp4_echo(&p, 0, 64, "198.51.100.2", "192.0.2.2");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.icmp_type, 0);
	assert_true(rec.flags & PKT_F_ECHO);

	/* a non-echo ICMP: no id/seq */
	icmp4_echo(&p, 3, 64, "198.51.100.2", "192.0.2.2");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_ICMP);
	assert_false(rec.flags & PKT_F_ECHO);
}

static void test_igmp_v1_v2(void **state)
{
	struct pb p;

	(void)state;
	igmp_simple(&p, 0x16, 0, "239.1.1.1", "239.1.1.1");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_RA);
	assert_true(rec.flags & PKT_F_GM);
	assert_int_equal(rec.gm_kind, PKT_GM_IGMP);
	assert_int_equal(rec.gm_ver, 2);
	assert_int_equal(rec.gm_type, 0x16);
	assert_true(ip_is(AF_INET, &rec.gm_group, "239.1.1.1"));
	all_prefixes(PKT_DLT_EN10MB, &p);

	igmp_simple(&p, 0x17, 0, "239.1.1.1", "224.0.0.2");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_ver, 2);
	assert_int_equal(rec.gm_type, 0x17);

	igmp_simple(&p, 0x12, 0, "239.1.1.2", "239.1.1.2");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_ver, 1);

	igmp_simple(&p, 0x11, 100, "0.0.0.0", "224.0.0.1");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_ver, 2);
	assert_int_equal(rec.gm_maxresp, 100);

	igmp_simple(&p, 0x11, 0, "0.0.0.0", "224.0.0.1");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_ver, 1);

	/* v3 query: 12 bytes or more */
	p.n = 0;
	eth(&p, 0x0800);
	ip4(&p, 1, IPPROTO_IGMP, "192.0.2.1", "224.0.0.1", 12, true);
	put32(&p, 0x11640000);
	put32(&p, 0);
	put32(&p, 0x027d0000);
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_ver, 3);
	assert_int_equal(rec.gm_type, 0x11);
	assert_int_equal(rec.gm_qrv, 2);
	assert_int_equal(rec.gm_qqic, 125);
}

static void test_igmp_v3_report(void **state)
{
	struct pb p;
	char line[512];

	(void)state;
	igmp3_report(&p, true);
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_false(rec.flags & PKT_F_TRUNC);
	assert_int_equal(rec.gm_ver, 3);
	assert_int_equal(rec.gm_type, 0x22);
	assert_int_equal(rec.gm_nrec, 3);
	assert_int_equal(rec.gm_nrec_kept, 3);
	assert_int_equal(rec.grec[0].type, 5);
	assert_true(ip_is(AF_INET, &rec.grec[0].group, "232.1.1.1"));
	assert_int_equal(rec.grec[0].nsrc, 1);
	assert_true(ip_is(AF_INET, &rec.grec[0].src[0], "198.51.100.7"));
	assert_int_equal(rec.grec[1].type, 4);
	assert_int_equal(rec.grec[1].nsrc, 0);
	assert_true(ip_is(AF_INET, &rec.grec[1].group, "239.1.1.1"));
	assert_int_equal(rec.grec[2].nsrc, 6);
	assert_int_equal(rec.grec[2].nsrc_kept, PKT_MAX_GSRC);
	assert_true(ip_is(AF_INET, &rec.grec[2].src[3], "198.51.100.4"));
	pkt_format(&rec, line, sizeof(line));
	assert_non_null(strstr(line, "[ALLOW 232.1.1.1 198.51.100.7]"));

	/* match helpers: SSM source lookup */
	assert_true(pkt_matches(
		&rec, &(struct pkt_match){ .gm_ver = 3,
					   .gm_group = "232.1.1.1",
					   .gm_source = "198.51.100.7" }));
	assert_false(pkt_matches(
		&rec, &(struct pkt_match){ .gm_group = "239.1.1.1",
					   .gm_source = "198.51.100.7" }));
	assert_true(pkt_matches(
		&rec, &(struct pkt_match){ .gm_group = "239.1.1.1" }));
	assert_false(pkt_matches(
		&rec, &(struct pkt_match){ .gm_group = "not an address" }));
	all_prefixes(PKT_DLT_EN10MB, &p);

	/* announced record count larger than the data: truncated */
	p.b[14 + 24 + 7] = 200;
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_TRUNC);
	assert_int_equal(rec.gm_nrec_kept, 3);

	/* source count huge: must stay inside the buffer */
	igmp3_report(&p, true);
	p.b[14 + 24 + 8 + 2] = 0xff;
	p.b[14 + 24 + 8 + 3] = 0xff;
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_TRUNC);
}

static void test_udp6_icmp6(void **state)
{
	struct pb p;

	(void)state;
	p.n = 0;
	eth(&p, 0x86dd);
	ip6(&p, 7, IPPROTO_UDP, "2001:db8:1::2", "ff0e::114",
	    8 + MCLAB_HDR_LEN);
	put16(&p, 40000);
	put16(&p, 5000);
	put16(&p, 8 + MCLAB_HDR_LEN);
	put16(&p, 0);
	mclab(&p, 1, 77);
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.family, AF_INET6);
	assert_int_equal(rec.ttl, 7);
	assert_true(ip_is(AF_INET6, &rec.src, "2001:db8:1::2"));
	assert_true(ip_is(AF_INET6, &rec.dst, "ff0e::114"));
	assert_int_equal(rec.dport, 5000);
	assert_int_equal(rec.mc_seq, 77);
	assert_true(pkt_matches(&rec, &(struct pkt_match){ .family = AF_INET6,
							   .dst = "ff0e::114",
							   .ttl = 7,
							   .proto = IPPROTO_UDP,
							   .has_stream = true,
							   .stream = 1 }));
	assert_false(pkt_matches(&rec, &(struct pkt_match){ .ttl = 8 }));
	assert_false(
		pkt_matches(&rec, &(struct pkt_match){ .src = "192.0.2.2" }));
	all_prefixes(PKT_DLT_EN10MB, &p);

	p.n = 0;
	eth(&p, 0x86dd);
	ip6(&p, 64, IPPROTO_ICMPV6, "2001:db8:2::2", "2001:db8:1::2",
	    8 + MCLAB_HDR_LEN);
	put8(&p, 129);
	put8(&p, 0);
	put16(&p, 0);
	put16(&p, 0x8001);
	put16(&p, 3);
	mclab(&p, 0x8001, 3);
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.proto, IPPROTO_ICMPV6);
	assert_int_equal(rec.icmp_type, 129);
	assert_int_equal(rec.echo_id, 0x8001);
	assert_int_equal(rec.echo_seq, 3);
	assert_true(
		pkt_matches(&rec, &(struct pkt_match){ .has_icmp_type = true,
						       .icmp_type = 129,
						       .echo = true,
						       .echo_id = 0x8001 }));
	assert_false(
		pkt_matches(&rec, &(struct pkt_match){ .has_icmp_type = true,
						       .icmp_type = 0 }));
	all_prefixes(PKT_DLT_EN10MB, &p);

	/* ICMP (v4) protocol number inside IPv6 is not parsed as ICMP */
	p.b[14 + 6] = IPPROTO_ICMP;
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_false(rec.flags & PKT_F_ICMP);
}

static void test_mld_v1(void **state)
{
	struct pb p;

	(void)state;
	mld_pkt(&p, "ff0e::114", 24);
	put8(&p, 131);
	put8(&p, 0);
	put16(&p, 0);
	put16(&p, 0);
	put16(&p, 0);
	putip(&p, "ff0e::114");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_RA);
	assert_int_equal(rec.proto, IPPROTO_ICMPV6);
	assert_int_equal(rec.ttl, 1);
	assert_int_equal(rec.gm_kind, PKT_GM_MLD);
	assert_int_equal(rec.gm_ver, 1);
	assert_int_equal(rec.gm_type, 131);
	assert_true(ip_is(AF_INET6, &rec.gm_group, "ff0e::114"));
	assert_true(pkt_matches(
		&rec, &(struct pkt_match){ .gm_kind = PKT_GM_MLD,
					   .gm_group = "ff0e::114" }));
	all_prefixes(PKT_DLT_EN10MB, &p);

	/* v1 done */
	p.b[14 + 48] = 132;
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_type, 132);

	/* general query v2 (28 bytes) */
	mld_pkt(&p, "ff02::1", 28);
	put8(&p, 130);
	put8(&p, 0);
	put16(&p, 0);
	put16(&p, 10000);
	put16(&p, 0);
	putip(&p, "::");
	put32(&p, 0x027d0000);
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_int_equal(rec.gm_ver, 2);
	assert_int_equal(rec.gm_maxresp, 10000);
	assert_int_equal(rec.gm_qrv, 2);
	assert_int_equal(rec.gm_qqic, 125);
}

static void test_mld_v2_report(void **state)
{
	struct pb p;

	(void)state;
	mld_pkt(&p, "ff02::16", 8 + 20 + 16 + 20);
	put8(&p, 143);
	put8(&p, 0);
	put16(&p, 0);
	put16(&p, 0);
	put16(&p, 2);
	put8(&p, 3); /* TO_IN */
	put8(&p, 0);
	put16(&p, 1);
	putip(&p, "ff3e::8000:1");
	putip(&p, "2001:db8:1::2");
	put8(&p, 4); /* TO_EX */
	put8(&p, 0);
	put16(&p, 0);
	putip(&p, "ff0e::114");
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_false(rec.flags & PKT_F_TRUNC);
	assert_int_equal(rec.gm_kind, PKT_GM_MLD);
	assert_int_equal(rec.gm_ver, 2);
	assert_int_equal(rec.gm_type, 143);
	assert_int_equal(rec.gm_nrec, 2);
	assert_int_equal(rec.grec[0].type, 3);
	assert_true(ip_is(AF_INET6, &rec.grec[0].group, "ff3e::8000:1"));
	assert_true(ip_is(AF_INET6, &rec.grec[0].src[0], "2001:db8:1::2"));
	assert_true(ip_is(AF_INET6, &rec.grec[1].group, "ff0e::114"));
	assert_true(pkt_matches(
		&rec, &(struct pkt_match){ .gm_kind = PKT_GM_MLD,
					   .gm_ver = 2,
					   .gm_group = "ff3e::8000:1",
					   .gm_source = "2001:db8:1::2" }));
	all_prefixes(PKT_DLT_EN10MB, &p);

	/* an ext header whose length runs past the end */
	p.b[14 + 40 + 1] = 200;
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), 0);
	assert_true(rec.flags & PKT_F_TRUNC);
	assert_false(rec.flags & PKT_F_GM);
}

static void test_ipv6_ext_chain(void **state)
{
	struct pb p;
	int i;

	(void)state;
	/* dest-opts -> fragment(first) -> UDP */
	p.n = 0;
	ip6(&p, 9, 60, "2001:db8::1", "ff0e::1", 8 + 8 + 8 + MCLAB_HDR_LEN);
	put8(&p, 44);
	put8(&p, 0);
	put16(&p, 0x0104);
	put32(&p, 0);
	put8(&p, IPPROTO_UDP);
	put8(&p, 0);
	put16(&p, 0x0001); /* offset 0, more fragments */
	put32(&p, 1);
	put16(&p, 1);
	put16(&p, 2);
	put16(&p, 8 + MCLAB_HDR_LEN);
	put16(&p, 0);
	mclab(&p, 0, 5);
	assert_int_equal(parse(PKT_DLT_RAW_LT, &p), 0);
	assert_int_equal(rec.proto, IPPROTO_UDP);
	assert_int_equal(rec.mc_seq, 5);
	all_prefixes(PKT_DLT_RAW_LT, &p);

	/* non-first fragment: no L4 */
	p.b[40 + 8 + 2] = 0x01;
	assert_int_equal(parse(PKT_DLT_RAW_LT, &p), 0);
	assert_true(rec.flags & PKT_F_FRAG);
	assert_false(rec.flags & PKT_F_PORTS);

	/* an endless chain of hop-by-hop headers terminates */
	p.n = 0;
	ip6(&p, 9, 0, "2001:db8::1", "ff0e::1", 8 * 40);
	for (i = 0; i < 40; i++) {
		put8(&p, 0);
		put8(&p, 0);
		put16(&p, 0x0100);
		put32(&p, 0x01020000);
	}
	assert_int_equal(parse(PKT_DLT_RAW_LT, &p), 0);
	assert_true(rec.flags & PKT_F_BAD);
}

static void test_bad_headers(void **state)
{
	struct pb p;

	(void)state;
	udp4_pkt(&p, 9, 0);
	p.b[14] = 0x43; /* IHL 3 */
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), -1);
	assert_true(rec.flags & PKT_F_BAD);
	p.b[14] = 0x65; /* version 6 inside an IPv4 ethertype */
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), -1);
	p.b[14] = 0x4f; /* IHL 60 > total length */
	assert_int_equal(parse(PKT_DLT_EN10MB, &p), -1);
	assert_int_equal(pkt_parse(PKT_DLT_EN10MB, NULL, 100, 100, 0, &rec),
			 -1);
	assert_int_equal(pkt_parse_ip(NULL, 0, &rec), -1);
}

static void test_garbage(void **state)
{
	static const int lts[] = { PKT_DLT_EN10MB, PKT_DLT_LINUX_SLL,
				   PKT_DLT_LINUX_SLL2, PKT_DLT_RAW_LT,
				   PKT_DLT_NULL };
	uint32_t x = 0x12345678;
	char line[64];
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		uint8_t b[160];
		size_t n, j;
		int lt = lts[(unsigned int)i % 5];

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = x % sizeof(b);
		for (j = 0; j < n; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[j] = (uint8_t)x;
		}
		/* steer half of them into the IP parsers */
		if (i & 1 && n > 40) {
			size_t o = lt == PKT_DLT_EN10MB	    ? 14 :
				   lt == PKT_DLT_LINUX_SLL  ? 16 :
				   lt == PKT_DLT_LINUX_SLL2 ? 20 :
				   lt == PKT_DLT_NULL	    ? 4 :
							      0;
			bool v6 = x & 0x100;

			if (lt == PKT_DLT_EN10MB)
				b[12] = v6 ? 0x86 : 0x08, b[13] = v6 ? 0xdd : 0;
			if (lt == PKT_DLT_LINUX_SLL)
				b[14] = v6 ? 0x86 : 0x08, b[15] = v6 ? 0xdd : 0;
			if (lt == PKT_DLT_LINUX_SLL2)
				b[0] = v6 ? 0x86 : 0x08, b[1] = v6 ? 0xdd : 0;
			b[o] = (uint8_t)((v6 ? 0x60 : 0x45) | (b[o] & 0x0f));
			if (!v6)
				b[o + 9] = (uint8_t)(x & 0x200 ? IPPROTO_IGMP :
								 IPPROTO_UDP);
			else
				b[o + 6] = (uint8_t)(x & 0x200 ? 0 : 58);
		}
		pkt_parse(lt, b, n, n, 0, &rec);
		pkt_format(&rec, line, sizeof(line));
	}
}

static void test_format_small_buffers(void **state)
{
	struct pb p;
	char line[512];
	size_t n;

	(void)state;
	igmp3_report(&p, true);
	parse(PKT_DLT_EN10MB, &p);
	for (n = 0; n < 200; n++) {
		memset(line, 'x', sizeof(line));
		pkt_format(&rec, line, n);
		if (n)
			assert_true(strlen(line) < n);
		assert_int_equal(line[n], 'x');
	}
	assert_string_equal(pkt_grec_type_name(6), "BLOCK");
	assert_string_equal(pkt_grec_type_name(99), "?");
}

/* RFC 1071's example, an odd length, and a packet that sums to zero */
static void test_csum(void **state)
{
	const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	const uint8_t odd[] = { 0x01 };
	uint8_t igmp[8] = { 0x16, 0, 0, 0, 225, 1, 2, 3 };
	uint16_t c;

	(void)state;
	assert_int_equal(pkt_csum(rfc, sizeof(rfc)), 0x220d);
	assert_int_equal(pkt_csum(odd, 1), 0xfeff);
	c = pkt_csum(igmp, sizeof(igmp));
	igmp[2] = (uint8_t)(c >> 8);
	igmp[3] = (uint8_t)c;
	assert_int_equal(pkt_csum(igmp, sizeof(igmp)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_roundtrip),
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_udp4_no_magic_and_frag),
		cmocka_unit_test(test_vlan_sll_sll2_raw),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_igmp_v1_v2),
		cmocka_unit_test(test_igmp_v3_report),
		cmocka_unit_test(test_udp6_icmp6),
		cmocka_unit_test(test_mld_v1),
		cmocka_unit_test(test_mld_v2_report),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_format_small_buffers),
		cmocka_unit_test(test_offline_queries),
		cmocka_unit_test(test_csum),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
