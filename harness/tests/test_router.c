// SPDX-License-Identifier: MIT
/*
 * Unit tests for the router selection: names, features and skip reasons,
 * and the pure config translations for smcroute (-N phyint lines) and
 * igmpproxy (upstream/downstream/disabled).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

static const char field_report[] =
	"mgroup from wlan0 group 225.1.2.3\n"
	"mroute from wlan0 group 225.1.2.3 to usb0\n";

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(router_kind_parse(NULL), ROUTER_MCROUTED);
	assert_int_equal(router_kind_parse(""), ROUTER_MCROUTED);
	assert_int_equal(router_kind_parse("smcroute"), ROUTER_SMCROUTE);
	assert_int_equal(router_kind_parse("smcrouted"), ROUTER_SMCROUTE);
	assert_int_equal(router_kind_parse("igmpproxy"), ROUTER_IGMPPROXY);
	assert_int_equal(router_kind_parse("mrouted"), -1);
	setenv("ROUTER", "smcroute", 1);
	assert_int_equal(router_kind_from_env(), ROUTER_SMCROUTE);
	unsetenv("ROUTER");
	assert_int_equal(router_kind_from_env(), ROUTER_MCROUTED);
	assert_string_equal(router_kind_name(ROUTER_IGMPPROXY), "igmpproxy");
}

static void test_features(void **state)
{
	(void)state;
	assert_null(router_skip_reason(ROUTER_MCROUTED,
				       RF_CONNTRACK_FLUSH |
					       RF_NO_IPV6_SURVIVAL | RF_IPV6));
	assert_string_equal(
		router_skip_reason(ROUTER_SMCROUTE, RF_NO_IPV6_SURVIVAL),
		"smcroute has no IPv4-only mode (it fails without kernel IPv6)");
	assert_string_equal(router_skip_reason(ROUTER_IGMPPROXY, RF_IPV6),
			    "igmpproxy has no IPv6 multicast routing");
	assert_null(router_skip_reason(ROUTER_IGMPPROXY, RF_IPV4));
	assert_true(router_features(ROUTER_SMCROUTE) & RF_STATIC);
	assert_false(router_features(ROUTER_IGMPPROXY) & RF_STATIC);
}

static void test_smcroute_conf(void **state)
{
	char *c;

	(void)state;
	c = router_conf_smcroute(field_report);
	assert_non_null(c);
	assert_non_null(strstr(c, "phyint wlan0 enable\nphyint usb0 enable\n"));
	assert_non_null(strstr(c, field_report));
	free(c);

	/* an existing phyint line is kept, not doubled; several outputs */
	c = router_conf_smcroute(
		"phyint usb0 enable ttl-threshold 10\n"
		"mroute from wlan0 source 192.0.2.2 group 225.1.2.3 to usb0 usb1 # x\n"
		"mroute from wlan0 group ff0e::1 to usb1\n");
	assert_non_null(c);
	assert_non_null(strstr(c, "phyint wlan0 enable\nphyint usb1 enable\n"));
	assert_null(strstr(c, "phyint usb0 enable\n"));
	assert_non_null(strstr(c, "phyint usb0 enable ttl-threshold 10\n"));
	free(c);
}

static void test_igmpproxy_conf(void **state)
{
	static const char *const ifs[] = { "wlan0", "usb0", "eth1" };
	char *c;

	(void)state;
	c = router_conf_igmpproxy(field_report, ifs, 3);
	assert_non_null(c);
	assert_non_null(strstr(c,
			       "phyint wlan0 upstream ratelimit 0 threshold 1\n"
			       "\taltnet 0.0.0.0/0\n"));
	assert_non_null(
		strstr(c, "phyint usb0 downstream ratelimit 0 threshold 1\n"));
	assert_non_null(strstr(c, "phyint eth1 disabled\n"));
	assert_null(strstr(c, "phyint wlan0 disabled"));
	assert_non_null(
		strstr(c, "#   mroute from wlan0 group 225.1.2.3 to usb0\n"));
	free(c);
	/* two upstreams cannot be expressed */
	errno = 0;
	assert_null(
		router_conf_igmpproxy("mroute from a group 225.1.1.1 to c\n"
				      "mroute from b group 225.1.1.2 to c\n",
				      ifs, 3));
	assert_int_equal(errno, EINVAL);
	assert_null(router_conf_igmpproxy("", ifs, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_smcroute_conf),
		cmocka_unit_test(test_igmpproxy_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
