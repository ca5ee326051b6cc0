// SPDX-License-Identifier: MIT
/*
 * The IGMP/MLD querier on an injected clock: startup queries, the
 * election (the lowest address wins) and take-over when the other
 * querier goes quiet, a non-querier's timers on queries, the S flag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gm_fixture.h"

static void test_startup(void **state)
{
	start(P(state), true, 0);
	/* startup: RV queries QI/4 apart, then every QI */
	gm_if_stop(&t.gif);
	gm_if_start(&t.gif);
	assert_int_equal(t.nsent, 1);
	advance(31250);
	assert_int_equal(t.nsent, 2);
	advance(31250);
	assert_int_equal(t.nsent, 2);
	advance(125000 - 31250);
	assert_int_equal(t.nsent, 3);
	assert_true(t.gif.querier);
	{
		struct inet_addr all;

		gm_addr_all_hosts(t.p, &all);
		assert_true(addr_equal(&t.sent[0].dst, &all));
		assert_true(addr_is_any(&t.sent[0].group));
	}
}

static void test_election(void **state)
{
	struct inet_addr lower;

	start(P(state), true, 0);
	lower = R(5);
	/* a higher address: we stay querier */
	query_from(20, NULL, false);
	assert_true(t.gif.querier);
	/* a lower one: quiet, other querier present = RV*QI + QRI/2 */
	query_from(5, NULL, false);
	assert_false(t.gif.querier);
	assert_true(addr_equal(&t.gif.querier_addr, &lower));
	assert_int_equal(gm_timer_left_ms(&t.gif, &t.gif.oqp_t), 255000);
	t.nsent = 0;
	advance(200000);
	query_from(5, NULL, false); /* refreshes */
	assert_int_equal(t.nsent, 0);
	advance(254999);
	assert_false(t.gif.querier);
	assert_int_equal(t.nsent, 0);
	/* it died: take over with a general query */
	advance(1);
	assert_true(t.gif.querier);
	assert_int_equal(t.nsent, 1);
	advance(125000);
	assert_int_equal(t.nsent, 2);

	/* the querier's QRV and QQI are adopted (RFC 3376 §4.1.6-7) */
	{
		struct gm_msg m;

		memset(&m, 0, sizeof(m));
		m.proto = t.p;
		m.type = GM_QUERY;
		m.version = t.p == GM_MLD ? 2 : 3;
		m.src = R(5);
		m.group.family = t.p == GM_MLD ? AF_INET6 : AF_INET;
		m.max_resp_ms = 10000;
		m.qrv = 3;
		m.qqi_s = 60;
		gm_if_input(&t.gif, &m);
		assert_false(t.gif.querier);
		/* 3 x 60 s + 10 s / 2 */
		gm_if_input(&t.gif, &m);
		assert_int_equal(gm_timer_left_ms(&t.gif, &t.gif.oqp_t),
				 185000);
		assert_int_equal(gm_gmi(&t.gif.cfg), 190000);
		/* taking over again: our own values */
		advance(185000);
		assert_true(t.gif.querier);
		assert_int_equal(gm_gmi(&t.gif.cfg), GMI);
	}
}

static void test_non_querier(void **state)
{
	struct inet_addr g;

	start(P(state), true, 0);
	g = G(1);
	query_from(5, NULL, false);
	t.nsent = 0;
	rec(GM_IS_EX, "");
	/* a non-querier sends no Q(G) on a leave ... */
	rec(GM_TO_IN, "");
	assert_int_equal(t.nsent, 0);
	expect(true, GMI, "");
	/* ... but lowers its timer on the querier's Q(G) (§6.6.1) */
	query_from(5, &g, true); /* S set: no change */
	expect(true, GMI, "");
	query_from(5, &g, false);
	expect(true, LMQT, "");
	advance(LMQT);
	assert_null(grp());
}

static void test_s_flag(void **state)
{
	start(P(state), true, 0);
	rec(GM_IS_EX, "");
	rec(GM_TO_IN, "");
	assert_false(t.sent[0].s_flag);
	/* a report meanwhile: the retransmission has S set */
	rec(GM_IS_EX, "");
	advance(1000);
	assert_int_equal(t.nsent, 2);
	assert_true(t.sent[1].s_flag);
}

static const struct CMUnitTest tests[] = {
	BOTH(test_startup),
	BOTH(test_election),
	BOTH(test_non_querier),
	BOTH(test_s_flag),
};

int main(void)
{
	return cmocka_run_group_tests_name("gm_querier", tests, NULL, NULL);
}
