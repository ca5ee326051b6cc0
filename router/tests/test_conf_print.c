// SPDX-License-Identifier: MIT
/*
 * Unit tests for a parsed config read back: conf_print() round trips,
 * conf_equal(), the interface name wildcards, conf_phyint_find(); and
 * random text, which parses with a well-formed error or prints back the
 * same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_fixture.h"

static const char rich[] =
	"conntrack-flush off\n"
	"phyint eth0 enable mrdisc ttl-threshold 11 upstream igmpv3 mldv2 "
	"fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/32\n"
	"phyint eth1 disable\n"
	"phyint wlan+ enable downstream igmpv2 mldv1\n"
	"mgroup from eth0 group 225.1.2.3\n"
	"mgroup from eth0 source 10.0.0.1 group 232.1.1.1\n"
	"mgroup from eth+ source 10.0.0.0/30 group 232.1.1.0/30\n"
	"mgroup from eth1 source 2001:db8::1 group ff3e::1\n"
	"mgroup from eth1 group ff0e::/120\n"
	"mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1 eth2\n"
	"mroute from eth0 group 225.0.0.0/24 to eth1\n"
	"mroute from eth0 source 0.0.0.0/0 group 225.0.0.1 to eth1\n"
	"mroute from wlan+ source 2001:db8::/64 group ff0e::/16 to usb0 eth1\n";

static void test_print_roundtrip(void **state)
{
	struct conf a, b;
	char *t1, *t2;

	(void)state;
	ok(&a, rich);
	t1 = print_conf(&a);
	assert_string_equal(t1, rich);
	ok(&b, t1);
	assert_true(conf_equal(&a, &b));
	t2 = print_conf(&b);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	conf_free(&a);
	conf_free(&b);

	/* non-canonical input prints canonically */
	ok(&a, "phyint eth0\n"
	       "mroute group 225.1.1.1 from eth0 source 0.0.0.0 to eth1 eth1\n"
	       "mgroup group ff0e::1 source :: from eth0\n");
	t1 = print_conf(&a);
	assert_string_equal(t1, "conntrack-flush on\n"
				"phyint eth0 enable\n"
				"mgroup from eth0 group ff0e::1\n"
				"mroute from eth0 group 225.1.1.1 to eth1\n");
	assert_reads_back(&a, t1);
	free(t1);
	conf_free(&a);
}

static void test_equal(void **state)
{
	static const char *const variants[] = {
		"conntrack-flush on\n",
		"phyint eth0 enable mrdisc ttl-threshold 11 upstream igmpv3 mldv2 fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/32 altnet 10.1.0.0/16\n",
		"phyint eth0 enable mrdisc ttl-threshold 12 upstream igmpv3 mldv2 fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/32\n",
		"phyint eth0 enable mrdisc ttl-threshold 11 upstream igmpv3 mldv2 fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/33\n",
		"phyint eth1 enable\n",
		"mgroup from eth0 group 225.1.2.4\n",
		"mgroup from eth1 source 2001:db8::2 group ff3e::1\n",
		"mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth2 eth1\n",
		"mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1\n",
		"mroute from eth0 group 225.1.2.3 to eth1 eth2\n",
	};
	struct conf a, b;

	(void)state;
	ok(&a, rich);
	ok(&b, rich);
	assert_true(conf_equal(&a, &b));
	conf_free(&b);
	/* each variant appended changes the config */
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		size_t n = strlen(rich) + strlen(variants[i]) + 1;
		char *t = malloc(n);

		snprintf(t, n, "%s%s", rich, variants[i]);
		ok(&b, t);
		if (conf_equal(&a, &b))
			print_error("variant %zu: %s", i, variants[i]);
		assert_false(conf_equal(&a, &b));
		conf_free(&b);
		free(t);
	}
	conf_free(&a);
}

static void test_ifname_match(void **state)
{
	(void)state;
	assert_true(ifname_match("eth0", "eth0"));
	assert_false(ifname_match("eth0", "eth01"));
	assert_false(ifname_match("eth0", "eth"));
	assert_true(ifname_match("eth+", "eth0"));
	assert_true(ifname_match("eth+", "eth10"));
	assert_true(ifname_match("eth+", "eth"));
	assert_false(ifname_match("eth+", "et"));
	assert_false(ifname_match("eth+", "wlan0"));
	assert_true(ifname_match("+", "anything"));
	assert_false(ifname_match("", "eth0"));
	assert_false(ifname_match(NULL, "eth0"));
	assert_false(ifname_match("eth0", NULL));
}

static void test_phyint_find(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "phyint + ttl-threshold 2\n"
	       "phyint eth+ ttl-threshold 3\n"
	       "phyint eth1+ ttl-threshold 4\n"
	       "phyint eth10 ttl-threshold 5\n"
	       "phyint wlan0 disable\n");
	assert_int_equal(conf_phyint_find(&c, "eth10")->ttl_threshold, 5);
	assert_int_equal(conf_phyint_find(&c, "eth11")->ttl_threshold, 4);
	assert_int_equal(conf_phyint_find(&c, "eth1")->ttl_threshold, 4);
	assert_int_equal(conf_phyint_find(&c, "eth0")->ttl_threshold, 3);
	assert_int_equal(conf_phyint_find(&c, "eth")->ttl_threshold, 3);
	assert_int_equal(conf_phyint_find(&c, "usb0")->ttl_threshold, 2);
	assert_false(conf_phyint_find(&c, "wlan0")->enable);
	assert_int_equal(conf_phyint_find(&c, "wlan1")->ttl_threshold, 2);
	assert_int_equal(conf_phyint_find(&c, "eth+")->ttl_threshold, 3);
	conf_free(&c);

	ok(&c, "phyint eth0\n");
	assert_null(conf_phyint_find(&c, "eth1"));
	assert_non_null(conf_phyint_find(&c, "eth0"));
	conf_free(&c);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Random token soup and random bytes: never a crash, a well-formed error. */
static void test_fuzz(void **state)
{
	static const char *const words[] = {
		"phyint",
		"mgroup",
		"mroute",
		"include",
		"conntrack-flush",
		"from",
		"source",
		"group",
		"to",
		"enable",
		"disable",
		"mrdisc",
		"ttl-threshold",
		"upstream",
		"downstream",
		"igmpv2",
		"igmpv3",
		"mldv1",
		"mldv2",
		"fast-leave",
		"altnet",
		"on",
		"off",
		"eth0",
		"eth+",
		"+",
		"225.1.1.1",
		"225.0.0.0/24",
		"10.0.0.1",
		"0.0.0.0",
		"::",
		"ff0e::1",
		"ff0e::/16",
		"2001:db8::1/64",
		"1",
		"255",
		"256",
		"999999999999999999999",
		"*.conf",
		"a.conf",
		"/etc/x.conf",
		"#",
		"\n",
		"\t",
		" ",
		"\r",
		"\0",
		"/",
		"\xff",
		"0123456789abcdefgh",
		"225.1.1.1/",
		"225.1.1.1/99",
	};
	static const struct memfile files[] = {
		{ "a.conf", "phyint eth0\ninclude b.conf\n" },
		{ "b.conf", "mroute from eth0 group 225.1.1.1 to eth1\n" },
		{ "c.conf", "include *.conf\n" },
	};
	char buf[512];

	(void)state;
	SET_FS(files);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0, want = rnd() % 300;
		struct conf_error err;
		struct conf c;
		int rc;

		while (len < want) {
			const char *w;
			size_t wl;

			if (rnd() % 8 == 0) {
				buf[len++] = (char)rnd();
				continue;
			}
			w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
			wl = w[0] ? strlen(w) : 1;
			if (len + wl + 1 >= sizeof(buf))
				break;
			memcpy(buf + len, w, wl);
			len += wl;
			buf[len++] = rnd() % 4 ? ' ' : '\n';
		}
		conf_init(&c);
		rc = conf_parse(&c, "fuzz.conf", buf, len,
				iter % 2 ? &mem_io : NULL, &err);
		assert_true(rc == 0 || rc == -1);
		if (rc) {
			assert_true(strlen(err.msg) > 0);
		} else {
			/* what parses prints and parses back the same */
			char *t = print_conf(&c);

			assert_reads_back(&c, t);
			free(t);
		}
		conf_free(&c);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_print_roundtrip),
	cmocka_unit_test(test_equal),
	cmocka_unit_test(test_ifname_match),
	cmocka_unit_test(test_phyint_find),
	cmocka_unit_test(test_fuzz),
};

int main(void)
{
	return cmocka_run_group_tests_name("conf_print", tests, NULL, NULL);
}
