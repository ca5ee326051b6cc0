// SPDX-License-Identifier: MIT
/*
 * IGMP/MLD codec: build and parse round trips for every message, and
 * every drop reason (short, checksum, TTL/hop limit, router alert, source,
 * group, type, length, IP header), plus random bytes that must never crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "gm_io.h"
#include "gm_pkt.h"

static struct inet_addr A(const char *s) {
	struct inet_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/* An IPv4 header (with router alert when ra) in front of an IGMP message. */
static size_t
ip4(uint8_t *out, const uint8_t *igmp, size_t len, int ttl, bool ra,
    const char *src, const char *dst)
{
	size_t ihl = ra ? 24 : 20;
	struct inet_addr s = A(src), d = A(dst);

	memset(out, 0, ihl);
	out[0] = (uint8_t)(0x40 | ihl / 4);
	out[2] = (uint8_t)((ihl + len) >> 8);
	out[3] = (uint8_t)(ihl + len);
	out[8] = (uint8_t)ttl;
	out[9] = 2;
	memcpy(out + 12, &s.v4, 4);
	memcpy(out + 16, &d.v4, 4);
	if (ra) {
		out[20] = 148;
		out[21] = 4;
	}
	memcpy(out + ihl, igmp, len);
	return ihl + len;
}

static enum gm_drop parse4(const uint8_t *igmp, size_t len, int ttl, bool ra,
			   struct gm_msg *m)
{
	static uint8_t pkt[4096];
	size_t n = ip4(pkt, igmp, len, ttl, ra, "198.51.100.2", "224.0.0.22");

	return gm_parse_ipv4(pkt, n, m);
}

/* The IGMP checksum of b (len bytes) set again after b was changed. */
static void resum(uint8_t *b, size_t len)
{
	uint16_t c;

	b[2] = b[3] = 0;
	c = gm_csum(b, len, 0);
	b[2] = (uint8_t)(c >> 8);
	b[3] = (uint8_t)c;
}

static struct gm_meta6 meta6(const char *src, int hl, bool ra)
{
	struct gm_meta6 m = { A(src), A("ff02::16"), hl, ra };

	return m;
}

static void test_igmp_queries(void **state)
{
	struct inet_addr srcs[2] = { A("192.0.2.2"), A("192.0.2.3") };
	struct gm_query_out q = { .version = 3,
				  .group = A("239.1.1.1"),
				  .max_resp_ms = 1000,
				  .s_flag = true,
				  .qrv = 2,
				  .qqi_s = 125,
				  .srcs = srcs,
				  .n_srcs = 2 };
	uint8_t b[256];
	struct gm_msg m;
	struct inet_addr a;
	size_t n;

	(void)state;
	n = gm_build_query(GM_IGMP, &q, b, sizeof(b), NULL, NULL);
	assert_int_equal(n, 12 + 8);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_OK);
	assert_int_equal(m.type, GM_QUERY);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.max_resp_ms, 1000);
	assert_true(m.s_flag);
	assert_int_equal(m.qrv, 2);
	assert_int_equal(m.qqi_s, 125);
	assert_int_equal(m.n_srcs, 2);
	gm_src_at(GM_IGMP, m.srcs, 1, &a);
	assert_true(addr_equal(&a, &srcs[1]));
	assert_true(addr_equal(&m.group, &q.group));

	/* v2: 8 bytes, code in tenths; v1: code 0 = 10 s */
	q.version = 2;
	q.group.family = AF_UNSPEC;
	q.max_resp_ms = 10000;
	n = gm_build_query(GM_IGMP, &q, b, sizeof(b), NULL, NULL);
	assert_int_equal(n, 8);
	assert_int_equal(parse4(b, n, 1, false, &m), GM_OK);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.max_resp_ms, 10000);
	assert_true(addr_is_any(&m.group));
	q.version = 1;
	n = gm_build_query(GM_IGMP, &q, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, false, &m), GM_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.max_resp_ms, 10000);
	/* A query of 9-11 bytes is no version's (RFC 3376 §7.1). */
	b[1] = 0;
	b[8] = 0;
	resum(b, 9);
	assert_int_equal(parse4(b, 9, 1, false, &m), GM_DROP_LEN);
}

static void test_igmp_reports(void **state)
{
	struct inet_addr s[3] = { A("192.0.2.2"), A("192.0.2.3"),
				  A("192.0.2.4") };
	struct gm_rec_out r[2] = {
		{ GM_IS_IN, A("232.1.1.1"), s, 2 },
		{ GM_TO_EX, A("239.2.2.2"), s + 2, 1 },
	};
	struct inet_addr g = A("239.1.1.1"), a;
	uint8_t b[256];
	struct gm_msg m;
	struct gm_rec rec;
	size_t n, off = 0;

	(void)state;
	n = gm_build_report3(GM_IGMP, r, 2, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_OK);
	assert_int_equal(m.type, GM_REPORT3);
	assert_int_equal(m.n_recs, 2);
	assert_true(gm_rec_next(&m, &off, &rec));
	assert_int_equal(rec.type, GM_IS_IN);
	assert_int_equal(rec.n_srcs, 2);
	gm_src_at(GM_IGMP, rec.srcs, 1, &a);
	assert_true(addr_equal(&a, &s[1]));
	assert_true(gm_rec_next(&m, &off, &rec));
	assert_int_equal(rec.type, GM_TO_EX);
	assert_true(addr_equal(&rec.group, &r[1].group));
	assert_false(gm_rec_next(&m, &off, &rec));
	/* v3 reports need the router alert (RFC 3376 §9.1) */
	assert_int_equal(parse4(b, n, 1, false, &m), GM_DROP_RA);

	n = gm_build_simple(GM_IGMP, GM_REPORT2, &g, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, false, &m), GM_OK);
	assert_int_equal(m.type, GM_REPORT2);
	assert_int_equal(m.version, 2);
	assert_true(addr_equal(&m.group, &g));
	n = gm_build_simple(GM_IGMP, GM_REPORT1, &g, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_OK);
	assert_int_equal(m.type, GM_REPORT1);
	assert_int_equal(m.version, 1);
	n = gm_build_simple(GM_IGMP, GM_LEAVE, &g, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_OK);
	assert_int_equal(m.type, GM_LEAVE);
}

static void test_igmp_drops(void **state)
{
	struct inet_addr g = A("239.1.1.1"), u = A("10.1.1.1");
	uint8_t b[256], pkt[512];
	struct gm_msg m;
	size_t n;

	(void)state;
	n = gm_build_simple(GM_IGMP, GM_REPORT2, &g, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 2, true, &m), GM_DROP_TTL);
	assert_int_equal(parse4(b, n, 64, true, &m), GM_DROP_TTL);
	assert_int_equal(parse4(b, 7, 1, true, &m), GM_DROP_SHORT);
	b[5] ^= 1;
	assert_int_equal(parse4(b, n, 1, true, &m), GM_DROP_CSUM);
	b[5] ^= 1;
	/* a report for a unicast group */
	n = gm_build_simple(GM_IGMP, GM_REPORT2, &u, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_DROP_GROUP);
	/* unknown type (DVMRP 0x13), checksummed */
	memset(b, 0, 8);
	b[0] = 0x13;
	resum(b, 8);
	assert_int_equal(parse4(b, 8, 1, true, &m), GM_DROP_TYPE);

	/* IP header problems */
	n = gm_build_simple(GM_IGMP, GM_REPORT2, &g, b, sizeof(b), NULL, NULL);
	n = ip4(pkt, b, n, 1, true, "198.51.100.2", "239.1.1.1");
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_OK);
	assert_int_equal(gm_parse_ipv4(pkt, 19, &m), GM_DROP_SHORT);
	assert_int_equal(gm_parse_ipv4(pkt, n - 1, &m), GM_DROP_SHORT);
	pkt[6] = 0x20; /* more fragments */
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_DROP_IPHDR);
	pkt[6] = 0;
	pkt[21] = 9; /* an option running past the header */
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_DROP_IPHDR);
	pkt[21] = 4;
	pkt[9] = 17;
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_DROP_IPHDR);
	pkt[9] = 2;
	pkt[0] = 0x44; /* IHL 16 */
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_DROP_IPHDR);
	pkt[0] = 0x4f; /* IHL 60 > length */
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_DROP_SHORT);
	pkt[0] = 0x46;
	pkt[2] = 0x10; /* total length > what was read */
	assert_int_equal(gm_parse_ipv4(pkt, n, &m), GM_DROP_SHORT);
}

static void test_igmp_records(void **state)
{
	struct inet_addr s[2] = { A("192.0.2.2"), A("192.0.2.3") };
	struct gm_rec_out r[2] = {
		{ GM_ALLOW, A("232.1.1.1"), s, 2 },
		{ GM_BLOCK, A("232.1.1.2"), s, 1 },
	};
	uint8_t b[256];
	struct gm_msg m;
	struct gm_rec rec;
	size_t n, off = 0;

	(void)state;
	n = gm_build_report3(GM_IGMP, r, 2, b, sizeof(b), NULL, NULL);
	/* a record cut short */
	b[6] = 0, b[7] = 3;
	resum(b, n);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_DROP_SHORT);
	/* an unknown record type is skipped, the rest used */
	n = gm_build_report3(GM_IGMP, r, 2, b, sizeof(b), NULL, NULL);
	b[8] = 9;
	resum(b, n);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_OK);
	assert_true(gm_rec_next(&m, &off, &rec));
	assert_int_equal(rec.type, GM_BLOCK);
	assert_false(gm_rec_next(&m, &off, &rec));
	/* a record group that is not multicast */
	r[0].group = A("10.0.0.1");
	n = gm_build_report3(GM_IGMP, r, 2, b, sizeof(b), NULL, NULL);
	assert_int_equal(parse4(b, n, 1, true, &m), GM_DROP_GROUP);
}

static void test_mld(void **state)
{
	struct in6_addr src = A("fe80::1").v6, dst = A("ff02::16").v6,
			dst1 = A("ff02::1").v6;
	struct inet_addr s[1] = { A("2001:db8:1::2") };
	struct gm_rec_out r = { GM_IS_IN, A("ff3e::1:1"), s, 1 };
	struct gm_query_out q = {
		.version = 2, .max_resp_ms = 40000, .qrv = 2, .qqi_s = 125
	};
	struct gm_meta6 mt = meta6("fe80::1", 1, true);
	struct inet_addr g = A("ff0e::1:3");
	uint8_t b[256];
	struct gm_msg m;
	struct gm_rec rec;
	size_t n, off = 0;

	(void)state;
	n = gm_build_report3(GM_MLD, &r, 1, b, sizeof(b), &src, &dst);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_OK);
	assert_int_equal(m.type, GM_REPORT3);
	assert_int_equal(m.version, 2);
	assert_true(gm_rec_next(&m, &off, &rec));
	assert_int_equal(rec.n_srcs, 1);
	mt.hoplimit = 255;
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_DROP_TTL);
	mt = meta6("fe80::1", 1, false);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_DROP_RA);
	/* checksum covers the pseudo-header: another source breaks it */
	mt = meta6("fe80::2", 1, true);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_DROP_CSUM);
	src = A("2001:db8:2::2").v6;
	n = gm_build_report3(GM_MLD, &r, 1, b, sizeof(b), &src, &dst);
	mt = meta6("2001:db8:2::2", 1, true);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_DROP_SRC);
	src = A("fe80::1").v6;
	mt = meta6("fe80::1", 1, true);
	assert_int_equal(gm_parse_mld(b, 7, &mt, &m), GM_DROP_SHORT);

	/* queries: v2 (28+), v1 (24), 25-27 no version's */
	mt.dst = A("ff02::1");
	n = gm_build_query(GM_MLD, &q, b, sizeof(b), &src, &dst1);
	assert_int_equal(n, 28);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_OK);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.max_resp_ms, 40000);
	assert_int_equal(m.qqi_s, 125);
	q.version = 1;
	q.max_resp_ms = 10000;
	n = gm_build_query(GM_MLD, &q, b, sizeof(b), &src, &dst1);
	assert_int_equal(n, 24);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.max_resp_ms, 10000);

	/* MLDv1 report and done */
	mt.dst = g;
	n = gm_build_simple(GM_MLD, GM_REPORT2, &g, b, sizeof(b), &src, &g.v6);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_OK);
	assert_int_equal(m.type, GM_REPORT2);
	assert_int_equal(m.version, 1);
	assert_true(addr_equal(&m.group, &g));
	mt.dst = A("ff02::2");
	n = gm_build_simple(GM_MLD, GM_LEAVE, &g, b, sizeof(b), &src,
			    &mt.dst.v6);
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_OK);
	assert_int_equal(m.type, GM_LEAVE);
	/* Not MLD (an echo request): not ours */
	b[0] = 128;
	assert_int_equal(gm_parse_mld(b, n, &mt, &m), GM_DROP_TYPE);
}

static void test_codes(void **state)
{
	(void)state;
	for (uint32_t v = 0; v < 31744; v += 7) {
		uint32_t d = gm_igmp3_code_decode(gm_igmp3_code_encode(v));

		assert_true(d <= v && v - d <= v / 16 + 1);
	}
	assert_int_equal(gm_igmp3_code_decode(0xff), 31744);
	assert_int_equal(gm_igmp3_code_encode(125), 125);
	assert_int_equal(gm_igmp3_code_decode(gm_igmp3_code_encode(1250)),
			 1216);
	for (uint32_t v = 0; v < 8387584; v += 997) {
		uint32_t d = gm_mld2_code_decode(gm_mld2_code_encode(v));

		assert_true(d <= v && v - d <= v / 4096 + 1);
	}
	assert_int_equal(gm_mld2_code_decode(0xffff), 8387584);
}

static void test_hbh(void **state)
{
	static const uint8_t ra[8] = { 58, 0, 5, 2, 0, 0, 1, 0 };
	static const uint8_t pad[8] = { 58, 0, 0, 1, 2, 0, 0, 0 };
	static const uint8_t bad[8] = { 58, 0, 1, 9, 0, 0, 0, 0 };

	(void)state;
	assert_true(gm_io_hbh_has_ra(ra, sizeof(ra)));
	assert_false(gm_io_hbh_has_ra(pad, sizeof(pad)));
	assert_false(gm_io_hbh_has_ra(bad, sizeof(bad)));
	assert_false(gm_io_hbh_has_ra(ra, 1));
}

/* Random bytes and mutations of valid packets: no crash, no overread. */
static void test_garbage(void **state)
{
	struct gm_meta6 mt = meta6("fe80::1", 1, true);
	uint8_t b[600], good[600];
	struct inet_addr s[4] = { A("192.0.2.2"), A("192.0.2.3"),
				  A("192.0.2.4"), A("192.0.2.5") };
	struct gm_rec_out r[2] = { { GM_IS_IN, A("232.1.1.1"), s, 4 },
				   { GM_TO_EX, A("239.1.1.1"), s, 2 } };
	unsigned int seed = 1;
	size_t gl;
	uint8_t igmp[256];

	(void)state;
	gl = gm_build_report3(GM_IGMP, r, 2, igmp, sizeof(igmp), NULL, NULL);
	gl = ip4(good, igmp, gl, 1, true, "198.51.100.2", "224.0.0.22");
	for (int i = 0; i < 200000; i++) {
		size_t n = (size_t)rand_r(&seed) % sizeof(b);
		struct gm_msg m;
		struct gm_rec rec;
		size_t off = 0;

		if (i & 1) {
			for (size_t k = 0; k < n; k++)
				b[k] = (uint8_t)rand_r(&seed);
		} else {
			n = gl;
			memcpy(b, good, gl);
			for (int k = 0; k < 3; k++)
				b[(size_t)rand_r(&seed) % gl] =
					(uint8_t)rand_r(&seed);
			n -= (size_t)rand_r(&seed) % 4;
			b[0] = 0x46;
		}
		if (gm_parse_ipv4(b, n, &m) == GM_OK)
			while (gm_rec_next(&m, &off, &rec))
				;
		off = 0;
		if (gm_parse_mld(b, n, &mt, &m) == GM_OK)
			while (gm_rec_next(&m, &off, &rec))
				;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_igmp_queries),
		cmocka_unit_test(test_igmp_reports),
		cmocka_unit_test(test_igmp_drops),
		cmocka_unit_test(test_igmp_records),
		cmocka_unit_test(test_mld),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_hbh),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
