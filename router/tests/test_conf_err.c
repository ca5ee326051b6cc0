// SPDX-License-Identifier: MIT
/*
 * Unit tests for the config parser: every error message, with its file,
 * line and column, and the mgroup expansion cap.
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

static const struct err_case err_general[] = {
	{ "bogus", "test.conf:1:1: unknown directive 'bogus' " DIRECTIVES },
	{ "Phyint eth0",
	  "test.conf:1:1: unknown directive 'Phyint' " DIRECTIVES },
	{ "ssmgroup from eth0 group 225.1.1.1",
	  "test.conf:1:1: unknown directive 'ssmgroup' " DIRECTIVES },
	{ "bo\x01g\\us",
	  "test.conf:1:1: unknown directive 'bo\\x01g\\us' " DIRECTIVES },
	{ "\xff\xfe",
	  "test.conf:1:1: unknown directive '\xff\xfe' " DIRECTIVES },
	{ "1234567890123456789012345678901234567890123456789012345678901234567890",
	  "test.conf:1:1: unknown directive '1234567890123456789012345678901234567890123456789012345678901234...' " DIRECTIVES },
	{ "conntrack-flush",
	  "test.conf:1:1: conntrack-flush: expected 'on' or 'off'" },
	{ "conntrack-flush maybe",
	  "test.conf:1:17: conntrack-flush: expected 'on' or 'off', not 'maybe'" },
	{ "conntrack-flush ON",
	  "test.conf:1:17: conntrack-flush: expected 'on' or 'off', not 'ON'" },
	{ "conntrack-flush on off",
	  "test.conf:1:20: unexpected 'off' after 'conntrack-flush on'" },
};

static void test_err_nul(void **state)
{
	static const char text[] = "phyint eth0\nphyint eth1\0 enable\n";
	static const char text2[] = "phyint eth0 # a comment \0 is fine\n\0";
	struct conf_error err;
	struct conf c;

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "nul.conf", text, sizeof(text) - 1,
				    NULL, &err),
			 -1);
	assert_string_equal(err.msg, "nul.conf:2:12: NUL byte in the text");
	conf_free(&c);

	conf_init(&c);
	assert_int_equal(conf_parse(&c, "nul.conf", text2, sizeof(text2) - 1,
				    NULL, &err),
			 -1);
	assert_string_equal(err.msg, "nul.conf:2:1: NUL byte in the text");
	assert_int_equal(c.n_phyints, 1); /* what came before stays */
	conf_free(&c);

	/* NULL err: no crash, same result */
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "nul.conf", text, sizeof(text) - 1,
				    NULL, NULL),
			 -1);
	conf_free(&c);
}

static const struct err_case err_phyint[] = {
	{ "phyint", "test.conf:1:1: phyint: expected an interface name" },
	{ "  phyint # eth0",
	  "test.conf:1:3: phyint: expected an interface name" },
	{ "phyint 0123456789abcdef",
	  "test.conf:1:8: interface name '0123456789abcdef' is too long (at most 15 characters)" },
	{ "phyint eth/0",
	  "test.conf:1:8: invalid character in interface name 'eth/0'" },
	{ "phyint eth0:1",
	  "test.conf:1:8: invalid character in interface name 'eth0:1'" },
	{ "phyint eth\x7f",
	  "test.conf:1:8: invalid character in interface name 'eth\\x7f'" },
	{ "phyint eth\x01",
	  "test.conf:1:8: invalid character in interface name 'eth\\x01'" },
	{ "phyint .", "test.conf:1:8: invalid interface name '.'" },
	{ "phyint ..", "test.conf:1:8: invalid interface name '..'" },
	{ "phyint e+th",
	  "test.conf:1:8: '+' may only end an interface name, in 'e+th'" },
	{ "phyint eth++",
	  "test.conf:1:8: '+' may only end an interface name, in 'eth++'" },
	{ "phyint eth0 bogus",
	  "test.conf:1:13: unknown phyint option 'bogus' " PHYINT_OPTS },
	{ "phyint eth0 Enable",
	  "test.conf:1:13: unknown phyint option 'Enable' " PHYINT_OPTS },
	{ "phyint eth0 enable disable",
	  "test.conf:1:20: 'disable' conflicts with 'enable'" },
	{ "phyint eth0 disable mrdisc enable",
	  "test.conf:1:28: 'enable' conflicts with 'disable'" },
	{ "phyint eth0 upstream downstream",
	  "test.conf:1:22: 'downstream' conflicts with 'upstream'" },
	{ "phyint eth0 igmpv3 igmpv2",
	  "test.conf:1:20: 'igmpv2' conflicts with 'igmpv3'" },
	{ "phyint eth0 mldv1 igmpv3 mldv2",
	  "test.conf:1:26: 'mldv2' conflicts with 'mldv1'" },
	{ "phyint eth0 ttl-threshold",
	  "test.conf:1:1: phyint: 'ttl-threshold' needs a value (1-255)" },
	{ "phyint eth0 ttl-threshold 0",
	  "test.conf:1:27: ttl-threshold '0' is out of range (1-255)" },
	{ "phyint eth0 ttl-threshold 256",
	  "test.conf:1:27: ttl-threshold '256' is out of range (1-255)" },
	{ "phyint eth0 ttl-threshold 99999999999999999999999999999",
	  "test.conf:1:27: ttl-threshold '99999999999999999999999999999' is out of range (1-255)" },
	{ "phyint eth0 ttl-threshold -1",
	  "test.conf:1:27: ttl-threshold '-1' is not a number (1-255)" },
	{ "phyint eth0 ttl-threshold 0x10",
	  "test.conf:1:27: ttl-threshold '0x10' is not a number (1-255)" },
	{ "phyint eth0 ttl-threshold enable",
	  "test.conf:1:27: ttl-threshold 'enable' is not a number (1-255)" },
	{ "phyint eth0 altnet",
	  "test.conf:1:1: phyint: 'altnet' needs a prefix" },
	{ "phyint eth0 altnet foo",
	  "test.conf:1:20: altnet 'foo' is not an IPv4 or IPv6 address" },
	{ "phyint eth0 altnet 10.0.0.1/8",
	  "test.conf:1:20: altnet '10.0.0.1/8' has host bits set (did you mean '10.0.0.0/8'?)" },
	{ "phyint eth0 altnet 10.0.0.0/40",
	  "test.conf:1:20: altnet '10.0.0.0/40' has a bad prefix length (0-32 for IPv4)" },
	{ "phyint eth0 altnet 239.0.0.0/8",
	  "test.conf:1:20: altnet '239.0.0.0/8' is a multicast address (expected a unicast sender)" },
	{ "phyint eth0 altnet 10.0.0.0/8 altnet ff00::/8",
	  "test.conf:1:38: altnet 'ff00::/8' is a multicast address (expected a unicast sender)" },
};

static const struct err_case err_mgroup[] = {
	{ "mgroup", "test.conf:1:1: mgroup: missing 'from IFNAME'" },
	{ "mgroup group 225.1.1.1",
	  "test.conf:1:1: mgroup: missing 'from IFNAME'" },
	{ "mgroup from eth0",
	  "test.conf:1:1: mgroup: missing 'group GROUP[/LEN]'" },
	{ "mgroup from eth0 source 10.0.0.1",
	  "test.conf:1:1: mgroup: missing 'group GROUP[/LEN]'" },
	{ "mgroup from",
	  "test.conf:1:1: mgroup: 'from' needs an interface name" },
	{ "mgroup from eth0 group",
	  "test.conf:1:1: mgroup: 'group' needs an address" },
	{ " mgroup from eth0 source",
	  "test.conf:1:2: mgroup: 'source' needs an address" },
	{ "mgroup from eth0 from eth1 group 225.1.1.1",
	  "test.conf:1:18: mgroup: duplicate 'from'" },
	{ "mgroup from eth0 group 225.1.1.1 group 225.1.1.2",
	  "test.conf:1:34: mgroup: duplicate 'group'" },
	{ "mgroup from eth0 group 225.1.1.1 to eth1",
	  "test.conf:1:34: unexpected 'to' in mgroup (expected from, source or group)" },
	{ "mgroup from eth0 225.1.1.1",
	  "test.conf:1:18: unexpected '225.1.1.1' in mgroup (expected from, source or group)" },
	{ "mgroup from 0123456789abcdef group 225.1.1.1",
	  "test.conf:1:13: interface name '0123456789abcdef' is too long (at most 15 characters)" },
	{ "mgroup from e+0 group 225.1.1.1",
	  "test.conf:1:13: '+' may only end an interface name, in 'e+0'" },
	{ "mgroup from eth0 group 10.0.0.1",
	  "test.conf:1:24: group '10.0.0.1' is not a multicast address" },
	{ "mgroup from eth0 group 240.0.0.1",
	  "test.conf:1:24: group '240.0.0.1' is not a multicast address" },
	{ "mgroup from eth0 group 224.0.0.0/3",
	  "test.conf:1:24: group '224.0.0.0/3' is wider than the multicast range (/4 at least)" },
	{ "mgroup from eth0 group 225.1.1.1/33",
	  "test.conf:1:24: group '225.1.1.1/33' has a bad prefix length (0-32 for IPv4)" },
	{ "mgroup from eth0 group 225.1.1.0/",
	  "test.conf:1:24: group '225.1.1.0/' has a bad prefix length (0-32 for IPv4)" },
	{ "mgroup from eth0 group 225.1.1.0/x",
	  "test.conf:1:24: group '225.1.1.0/x' has a bad prefix length (0-32 for IPv4)" },
	{ "mgroup from eth0 group 225.1.1.1/24",
	  "test.conf:1:24: group '225.1.1.1/24' has host bits set (did you mean '225.1.1.0/24'?)" },
	{ "mgroup from eth0 group 225.1.1",
	  "test.conf:1:24: group '225.1.1' is not an IPv4 or IPv6 address" },
	{ "mgroup from eth0 group 225.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
	  "test.conf:1:24: group '225.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1' is not an IPv4 or IPv6 address" },
	{ "mgroup from eth0 group ff0e::1/129",
	  "test.conf:1:24: group 'ff0e::1/129' has a bad prefix length (0-128 for IPv6)" },
	{ "mgroup from eth0 group ff0e::1/64",
	  "test.conf:1:24: group 'ff0e::1/64' has host bits set (did you mean 'ff0e::/64'?)" },
	{ "mgroup from eth0 group fe80::1",
	  "test.conf:1:24: group 'fe80::1' is not a multicast address" },
	{ "mgroup from eth0 group ff00::/7",
	  "test.conf:1:24: group 'ff00::/7' has host bits set (did you mean 'fe00::/7'?)" },
	{ "mgroup from eth0 group f000::/4",
	  "test.conf:1:24: group 'f000::/4' is not a multicast address" },
	{ "mgroup from eth0 source 225.1.1.1 group 225.1.1.1",
	  "test.conf:1:25: source '225.1.1.1' is a multicast address (expected a unicast sender)" },
	{ "mgroup from eth0 source ff0e::1 group ff0e::1",
	  "test.conf:1:25: source 'ff0e::1' is a multicast address (expected a unicast sender)" },
	{ "mgroup from eth0 source 10.0.0.1 group ff0e::1",
	  "test.conf:1:40: source '10.0.0.1' is IPv4 but group 'ff0e::1' is IPv6" },
	{ "mgroup from eth0 group ff0e::1 source 10.0.0.1",
	  "test.conf:1:39: source '10.0.0.1' is IPv4 but group 'ff0e::1' is IPv6" },
	{ "mgroup from eth0 source 0.0.0.0 group ff0e::1",
	  "test.conf:1:39: source '0.0.0.0' is IPv4 but group 'ff0e::1' is IPv6" },
	{ "mgroup from eth0 source :: group 225.1.1.1",
	  "test.conf:1:34: source '::' is IPv6 but group '225.1.1.1' is IPv4" },
};

static const struct err_case err_mroute[] = {
	{ "mroute", "test.conf:1:1: mroute: missing 'from IFNAME'" },
	{ "mroute to eth1", "test.conf:1:1: mroute: missing 'from IFNAME'" },
	{ "mroute from eth0 to eth1",
	  "test.conf:1:1: mroute: missing 'group GROUP[/LEN]'" },
	{ "mroute from eth0 group 225.1.1.1",
	  "test.conf:1:1: mroute: missing 'to OIF [OIF ...]'" },
	{ "mroute from eth0 group 225.1.1.1 to",
	  "test.conf:1:1: mroute: 'to' needs at least one outbound interface" },
	{ "mroute from eth0 group 225.1.1.1 to # eth1",
	  "test.conf:1:1: mroute: 'to' needs at least one outbound interface" },
	{ "mroute from eth0 group 225.1.1.1 to eth1 eth+",
	  "test.conf:1:42: wildcard 'eth+' is not allowed as an outbound interface" },
	{ "mroute from eth0 group 225.1.1.1 to +",
	  "test.conf:1:37: wildcard '+' is not allowed as an outbound interface" },
	{ "mroute from eth0 group 225.1.1.1 to e+1",
	  "test.conf:1:37: '+' may only end an interface name, in 'e+1'" },
	{ "mroute from eth0 group 225.1.1.1 to eth1 0123456789abcdef",
	  "test.conf:1:42: interface name '0123456789abcdef' is too long (at most 15 characters)" },
	{ "mroute from eth0 group 225.1.1.1 bogus to eth1",
	  "test.conf:1:34: unexpected 'bogus' in mroute (expected from, source, group or to)" },
	{ "mroute from eth0 source 10.0.0.1 source 10.0.0.2 group 225.1.1.1 to eth1",
	  "test.conf:1:34: mroute: duplicate 'source'" },
	{ "mroute from",
	  "test.conf:1:1: mroute: 'from' needs an interface name" },
	{ "mroute from eth0 source 10.0.0.0/33 group 225.1.1.1 to eth1",
	  "test.conf:1:25: source '10.0.0.0/33' has a bad prefix length (0-32 for IPv4)" },
	{ "mroute from eth0 source 10.0.0.1/24 group 225.1.1.1 to eth1",
	  "test.conf:1:25: source '10.0.0.1/24' has host bits set (did you mean '10.0.0.0/24'?)" },
	{ "mroute from eth0 source 2001:db8::1/64 group ff0e::1 to eth1",
	  "test.conf:1:25: source '2001:db8::1/64' has host bits set (did you mean '2001:db8::/64'?)" },
	{ "mroute from eth0 source eth1 group 225.1.1.1 to eth1",
	  "test.conf:1:25: source 'eth1' is not an IPv4 or IPv6 address" },
	{ "mroute from eth0 source 239.1.1.1 group 225.1.1.1 to eth1",
	  "test.conf:1:25: source '239.1.1.1' is a multicast address (expected a unicast sender)" },
	{ "mroute from eth0 group 192.168.1.1 to eth1",
	  "test.conf:1:24: group '192.168.1.1' is not a multicast address" },
	{ "mroute from eth0 source 2001:db8::1 group 225.1.1.1 to eth1",
	  "test.conf:1:43: source '2001:db8::1' is IPv6 but group '225.1.1.1' is IPv4" },
	{ "mroute from eth0 group to eth1",
	  "test.conf:1:24: group 'to' is not an IPv4 or IPv6 address" },
};

static void test_expand_cap(void **state)
{
	/* each expands to more than CONF_MAX_EXPAND joins */
	static const struct err_case over[] = {
		{ "mgroup from eth0 group 225.0.0.0/21",
		  "test.conf:1:24: mgroup expands to 2048 joins" },
		{ "mgroup from eth0 source 10.0.0.0/24 group 232.0.0.0/29",
		  "test.conf:1:43: mgroup expands to 2048 joins" },
		{ "phyint eth0\nmgroup from eth0 group ff0e::/16",
		  "test.conf:2:24: mgroup expands to 2^112 joins" },
		{ "mgroup from eth0 source ::/0 group ff00::/8",
		  "test.conf:1:36: mgroup expands to 2^248 joins" },
		{ "mgroup from eth0 source 0.0.0.0/16 group 224.0.0.0/16",
		  "test.conf:1:42: mgroup expands to 4294967296 joins" },
	};
	struct conf c;
	char msg[CONF_ERR_MAX];

	(void)state;
	ok(&c, "mgroup from eth0 group 225.0.0.0/22\n"
	       "mgroup from eth0 source 10.0.0.0/24 group 232.0.0.0/30\n"
	       "mgroup from eth0 group ff0e::/118\n"
	       "mroute from eth0 group ff0e::/16 to eth1\n"
	       "mroute from eth0 source 0.0.0.0/0 group 224.0.0.0/4 to eth1\n");
	assert_int_equal(conf_mgroup_size(&c.mgroups[0]), CONF_MAX_EXPAND);
	assert_int_equal(conf_mgroup_size(&c.mgroups[1]), CONF_MAX_EXPAND);
	assert_int_equal(conf_mgroup_size(&c.mgroups[2]), CONF_MAX_EXPAND);
	conf_free(&c);

	for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		snprintf(msg, sizeof(msg),
			 "%s (sources x groups), more than %d", over[i].msg,
			 CONF_MAX_EXPAND);
		fails(over[i].text, msg);
	}
}

static const struct err_case gm_timer_errors[] = {
	{ "robustness", "test.conf:1:1: robustness: expected a value (1-7)" },
	{ "robustness 0",
	  "test.conf:1:12: robustness: '0' is out of range (1-7)" },
	{ "robustness 8",
	  "test.conf:1:12: robustness: '8' is out of range (1-7)" },
	{ "robustness two",
	  "test.conf:1:12: robustness: 'two' is not a number (1-7)" },
	{ "robustness 2 3",
	  "test.conf:1:14: unexpected '3' after 'robustness 2'" },
	{ "  query-interval 0",
	  "test.conf:1:18: query-interval: '0' is out of range (1-31744)" },
	{ "query-interval 31745",
	  "test.conf:1:16: query-interval: '31745' is out of range (1-31744)" },
	{ "query-interval 1.5",
	  "test.conf:1:16: query-interval: '1.5' is not a number (1-31744)" },
	{ "query-interval 99999999999999999999",
	  "test.conf:1:16: query-interval: '99999999999999999999' is out of range (1-31744)" },
	{ "query-response-interval 0.05",
	  "test.conf:1:25: query-response-interval: '0.05' is not a number of seconds (0.1-3174.4 seconds)" },
	{ "query-response-interval 0",
	  "test.conf:1:25: query-response-interval: '0' is out of range (0.1-3174.4 seconds)" },
	{ "query-response-interval .5",
	  "test.conf:1:25: query-response-interval: '.5' is not a number of seconds (0.1-3174.4 seconds)" },
	{ "query-response-interval 1.",
	  "test.conf:1:25: query-response-interval: '1.' is not a number of seconds (0.1-3174.4 seconds)" },
	{ "last-member-query-interval 25.6",
	  "test.conf:1:28: last-member-query-interval: '25.6' is out of range (0.1-25.5 seconds)" },
	{ "last-member-query-count 0",
	  "test.conf:1:25: last-member-query-count: '0' is out of range (1-7)" },
	{ "max-groups 0",
	  "test.conf:1:12: max-groups: '0' is out of range (1-65536)" },
	{ "max-groups -1",
	  "test.conf:1:12: max-groups: '-1' is not a number (1-65536)" },
	{ "query-interval 5\nquery-response-interval 5",
	  "test.conf:2:25: query-response-interval: must be less than the query-interval (5 s)" },
	{ "query-response-interval 9.5\nquery-interval 9",
	  "test.conf:2:16: query-interval: 9 s is not more than the query-response-interval (9.5 s)" },
	/* the same words on a phyint line */
	{ "phyint wlan0 robustness",
	  "test.conf:1:14: phyint: 'robustness' needs a value (1-7)" },
	{ "phyint wlan0 robustness 9",
	  "test.conf:1:25: robustness: '9' is out of range (1-7)" },
	{ "phyint wlan0 query-interval 2.5 enable",
	  "test.conf:1:29: query-interval: '2.5' is not a number (1-31744)" },
	{ "phyint wlan0 last-member-query-interval 0.05",
	  "test.conf:1:41: last-member-query-interval: '0.05' is not a number of seconds (0.1-25.5 seconds)" },
	{ "phyint wlan0 query-interval 5 query-response-interval 5",
	  "test.conf:1:55: phyint: the query-response-interval (5.0 s) must be less than the query-interval (5 s)" },
	{ "phyint wlan0 max-groups x",
	  "test.conf:1:25: max-groups: 'x' is not a number (1-65536)" },
};

static const struct CMUnitTest tests[] = {
	{ "test_err_general", test_err_table, NULL, NULL,
	  ERR_TABLE(err_general) },
	cmocka_unit_test(test_err_nul),
	{ "test_err_phyint", test_err_table, NULL, NULL,
	  ERR_TABLE(err_phyint) },
	{ "test_err_mgroup", test_err_table, NULL, NULL,
	  ERR_TABLE(err_mgroup) },
	{ "test_err_mroute", test_err_table, NULL, NULL,
	  ERR_TABLE(err_mroute) },
	cmocka_unit_test(test_expand_cap),
	{ "test_gm_timer_errors", test_err_table, NULL, NULL,
	  ERR_TABLE(gm_timer_errors) },
};

int main(void)
{
	return cmocka_run_group_tests_name("conf_err", tests, NULL, NULL);
}
