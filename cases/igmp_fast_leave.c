// SPDX-License-Identifier: MIT
/*
 * cases/igmp, group igmp_fast_leave: fast-leave on usb0 of pi-router, a
 * leave stops forwarding at once (IGMP and MLD).
 */
#include "igmp.h"

static const char conf_fast[] = "phyint wlan0 upstream\n"
				"phyint usb0 downstream fast-leave\n" TIMERS;

static int setup_fast(void **state)
{
	static struct fx f;

	return setup_proxied(state, &f, "pi-router", conf_fast);
}

static void test_fast_leave(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	assert_true(f->router_up);
	cycle(f, "snd", "192.0.2.2", "rcv", "239.1.3.1", NULL,
	      is_mcrouted(f) ? 50 + SLACK_MS : 60000, "fast-leave");
	if (router_features(f->kind) & RF_IPV6)
		cycle(f, "snd", "2001:db8:1::2", "rcv", "ff0e::1:31", NULL,
		      50 + SLACK_MS, "fast-leave MLD");
}

int igmp_run_fast_leave(void)
{
	const struct CMUnitTest fast[] = {
		cmocka_unit_test(test_fast_leave),
	};

	return cmocka_run_group_tests_name("igmp_fast_leave", fast, setup_fast,
					   fx_teardown);
}
