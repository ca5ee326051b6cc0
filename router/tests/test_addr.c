// SPDX-License-Identifier: MIT
/*
 * Unit tests for addr.c: parse, print, match, size, nth, hash.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static struct inet_addr A(const char *s) {
	struct inet_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct inet_prefix
P(const char *s) {
	struct inet_prefix p;

	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static void
test_addr_parse(void **state)
{
	struct inet_addr a;

	(void)state;
	assert_int_equal(addr_parse("192.168.1.42", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(ntohl(a.v4.s_addr), 0xc0a8012a);
	assert_int_equal(addr_parse("ff0e::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.v6.s6_addr[0], 0xff);
	assert_int_equal(a.v6.s6_addr[15], 1);
	assert_int_equal(addr_parse("::", &a), 0);
	assert_int_equal(a.family, AF_INET6);

	assert_int_equal(addr_parse("", &a), -1);
	assert_int_equal(a.family, AF_UNSPEC);
	assert_int_equal(addr_parse("1.2.3", &a), -1);
	assert_int_equal(addr_parse("1.2.3.256", &a), -1);
	assert_int_equal(addr_parse("eth0", &a), -1);
	assert_int_equal(addr_parse("1.2.3.4/8", &a), -1);
	assert_int_equal(addr_parse("ff0e:::1", &a), -1);
}

/* A prefix parsed: what prefix_parse() returns and, on success, the length. */
static const struct {
	const char *text;
	int rc, len;
} prefixes[] = {
	{ "225.1.2.3", 0, 32 },
	{ "225.1.2.0/24", 0, 24 },
	{ "0.0.0.0/0", 0, 0 },
	{ "ff0e::/16", 0, 16 },
	{ "ff0e::1", 0, 128 },
	{ "10.0.0.0/020", 0, 20 },
	{ "x/8", -1, -1 },
	{ "/8", -1, -1 },
	{ "", -1, -1 },
	{ "10.0.0.0/", -2, -1 },
	{ "10.0.0.0/33", -2, -1 },
	{ "10.0.0.0/1x", -2, -1 },
	{ "10.0.0.0/-1", -2, -1 },
	{ "10.0.0.0/0008", -2, -1 },
	{ "10.0.0.0/8/8", -2, -1 },
	{ "ff0e::/129", -2, -1 },
	{ "10.0.0.1/24", -3, -1 },
	{ "10.0.16.0/19", -3, -1 },
	{ "10.0.32.0/19", 0, 19 },
	{ "ff0e::1/64", -3, -1 },
	{ "ff0e::1/127", -3, -1 },
	{ "ff0e::2/127", 0, 127 },
};

static void test_prefix_parse(void **state)
{
	struct inet_prefix p;
	char big[200];

	(void)state;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		assert_int_equal(prefix_parse(prefixes[i].text, &p),
				 prefixes[i].rc);
		if (!prefixes[i].rc)
			assert_int_equal(p.len, prefixes[i].len);
	}
	assert_int_equal(prefix_parse("ff0e::/16", &p), 0);
	assert_int_equal(p.addr.family, AF_INET6);

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(prefix_parse(big, &p), -1);
	big[100] = '/';
	assert_int_equal(prefix_parse(big, &p), -1);
}

static void test_ntop(void **state)
{
	struct inet_addr a;
	struct inet_prefix p;
	char buf[PREFIX_STRLEN];

	(void)state;
	a = A("225.1.2.3");
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "225.1.2.3");
	a = A("FF0E:0::0:1");
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "ff0e::1");
	memset(&a, 0, sizeof(a));
	assert_string_equal(addr_ntop(&a, buf, sizeof(buf)), "*");

	p = P("225.1.2.0/24");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "225.1.2.0/24");
	p = P("225.1.2.3");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "225.1.2.3");
	p = P("ff0e::/16");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "ff0e::/16");
	p = P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
	memset(&p, 0, sizeof(p));
	assert_string_equal(prefix_ntop(&p, buf, sizeof(buf)), "*");
}

static void test_predicates(void **state)
{
	struct inet_addr a, b, u;

	(void)state;
	memset(&u, 0, sizeof(u));
	a = A("0.0.0.0");
	assert_true(addr_is_any(&a));
	a = A("::");
	assert_true(addr_is_any(&a));
	assert_true(addr_is_any(&u));
	a = A("10.0.0.1");
	assert_false(addr_is_any(&a));
	assert_false(addr_is_multicast(&a));
	a = A("224.0.0.0");
	assert_true(addr_is_multicast(&a));
	a = A("239.255.255.255");
	assert_true(addr_is_multicast(&a));
	a = A("240.0.0.0");
	assert_false(addr_is_multicast(&a));
	a = A("ff02::1");
	assert_true(addr_is_multicast(&a));
	a = A("fe80::1");
	assert_false(addr_is_multicast(&a));
	assert_false(addr_is_multicast(&u));

	a = A("10.0.0.1");
	b = A("10.0.0.1");
	assert_true(addr_equal(&a, &b));
	assert_int_equal(addr_cmp(&a, &b), 0);
	b = A("10.0.0.2");
	assert_false(addr_equal(&a, &b));
	assert_true(addr_cmp(&a, &b) < 0);
	assert_true(addr_cmp(&b, &a) > 0);
	b = A("::a00:1");
	assert_false(addr_equal(&a, &b)); /* families differ */
	assert_true(addr_cmp(&a, &b) < 0);
	assert_true(addr_cmp(&u, &a) < 0);

	addr_set_any(&a, AF_INET6);
	assert_int_equal(a.family, AF_INET6);
	assert_true(addr_is_any(&a));
	b = A("::");
	assert_true(addr_equal(&a, &b));
}

/* A prefix, an address, whether the one contains the other. */
static const struct {
	const char *prefix, *addr;
	bool in;
} contains[] = {
	{ "225.1.0.0/20", "225.1.15.255", true },
	{ "225.1.0.0/20", "225.1.16.0", false },
	{ "225.1.0.0/20", "::ffff:225.1.0.1", false },
	{ "0.0.0.0/0", "1.2.3.4", true },
	{ "1.2.3.4", "1.2.3.4", true },
	{ "1.2.3.4", "1.2.3.5", false },
	{ "ff0e::/16", "ff0e:1::1", true },
	{ "ff0e::/16", "ff0f::1", false },
	{ "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "2001:db8::/33", "2001:db8:8000::1", false },
};

static void test_contains(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(contains) / sizeof(contains[0]); i++) {
		struct inet_prefix p = P(contains[i].prefix);
		struct inet_addr a = A(contains[i].addr);

		assert_int_equal(prefix_contains(&p, &a), contains[i].in);
	}
}

static void test_in(void **state)
{
	struct inet_addr v[3] = { A("192.0.2.1"), A("2001:db8::1"),
				  A("192.0.2.3") };
	struct inet_addr a;

	(void)state;
	a = A("192.0.2.3");
	assert_true(addr_in(v, 3, &a));
	assert_false(addr_in(v, 2, &a));
	a = A("2001:db8::1");
	assert_true(addr_in(v, 3, &a));
	a = A("::ffff:192.0.2.1"); /* a v4-mapped address is not the v4 one */
	assert_false(addr_in(v, 3, &a));
	assert_false(addr_in(NULL, 0, &a));
}

/* The n-th address of a prefix. */
static const struct {
	const char *prefix;
	uint64_t n;
	const char *want;
} nth[] = {
	{ "10.0.0.0/16", 0, "10.0.0.0" },
	{ "10.0.0.0/16", 255, "10.0.0.255" },
	{ "10.0.0.0/16", 256, "10.0.1.0" },
	{ "10.0.0.0/16", 65535, "10.0.255.255" },
	{ "225.0.255.0/24", 255, "225.0.255.255" },
	{ "ff0e::/64", 0x10203, "ff0e::1:203" },
	{ "ff0e::/64", 0x1ffffffffULL, "ff0e::1:ffff:ffff" },
};

static void test_size_nth(void **state)
{
	struct inet_prefix p;
	struct inet_addr a, want;

	(void)state;
	p = P("225.1.2.3");
	assert_int_equal(prefix_size(&p, 1000), 1);
	p = P("225.1.2.0/24");
	assert_int_equal(prefix_size(&p, 1000), 256);
	assert_int_equal(prefix_size(&p, 100), 100);
	p = P("0.0.0.0/0");
	assert_int_equal(prefix_size(&p, UINT64_MAX), 1ULL << 32);
	p = P("ff0e::/64");
	assert_int_equal(prefix_size(&p, 5000), 5000);
	assert_true(prefix_size(&p, UINT64_MAX) == UINT64_MAX);
	p = P("ff0e::/65");
	assert_true(prefix_size(&p, UINT64_MAX) == 1ULL << 63);
	p = P("::/0");
	assert_int_equal(prefix_size(&p, 7), 7);

	for (size_t i = 0; i < sizeof(nth) / sizeof(nth[0]); i++) {
		p = P(nth[i].prefix);
		prefix_nth(&p, nth[i].n, &a);
		want = A(nth[i].want);
		assert_true(addr_equal(&a, &want));
	}
}

static void test_hash(void **state)
{
	struct inet_addr a, b;

	(void)state;
	a = A("225.1.2.3");
	b = A("225.1.2.3");
	assert_int_equal(addr_hash(&a, 0), addr_hash(&b, 0));
	assert_int_equal(addr_hash(&a, 42), addr_hash(&b, 42));
	assert_int_not_equal(addr_hash(&a, 0), addr_hash(&a, 1));
	b = A("225.1.2.4");
	assert_int_not_equal(addr_hash(&a, 0), addr_hash(&b, 0));
	a = A("ff0e::1");
	b = A("ff0e::1");
	assert_int_equal(addr_hash(&a, 7), addr_hash(&b, 7));
	b = A("ff0e::2");
	assert_int_not_equal(addr_hash(&a, 7), addr_hash(&b, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_ntop),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_in),
		cmocka_unit_test(test_size_nth),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
