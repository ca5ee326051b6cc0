// SPDX-License-Identifier: MIT
/*
 * cases/igmp, group igmp_router_mode: router mode (mrouted-like) on
 * pi-router, a querier on both sides; per-interface timers in the
 * queries; reloads that change versions or turn IGMP off.
 */
#include "igmp.h"

static const char conf_router[] = "phyint wlan0 igmpv3 mldv2\n"
				  "phyint usb0 igmpv3 mldv2\n" TIMERS;

static int setup_router(void **state)
{
	return setup_mcrouted_only(state, "pi-router", conf_router,
				   "has no IGMP router mode (mrouted-like)");
}

static void test_router_mode(void **state)
{
	struct fx *f = *state;
	char out[65536];

	FX_CHECK(f);
	assert_true(f->router_up);
	cycle(f, "snd", "192.0.2.2", "rcv", "239.1.4.1", NULL,
	      LMQT_MS + SLACK_MS, "router mode");
	cycle(f, "snd", "2001:db8:1::2", "rcv", "ff0e::1:41", NULL,
	      LMQT_MS + SLACK_MS, "router mode MLD");
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "-j show groups"),
			 0);
	assert_non_null(strstr(out, "\"mode\":\"router\""));
	/* a querier on both sides */
	assert_non_null(strstr(out, "{\"interface\":\"wlan0\",\"proto\":"
				    "\"IGMP\",\"version\":3,\"role\":"
				    "\"querier\""));
	assert_non_null(strstr(out, "{\"interface\":\"usb0\",\"proto\":"
				    "\"IGMP\",\"version\":3,\"role\":"
				    "\"querier\""));
}

/* A general query (IGMPv3 or MLDv2): group zero, QQIC set. */
static bool general_query(const struct pkt_rec *r, void *arg)
{
	(void)arg;
	if (r->gm_kind == PKT_GM_IGMP)
		return r->gm_type == 0x11 && r->gm_ver == 3 &&
		       r->gm_group.v4.s_addr == 0;
	return r->gm_kind == PKT_GM_MLD && r->gm_type == 130 &&
	       r->gm_ver == 2 && IN6_IS_ADDR_UNSPECIFIED(&r->gm_group.v6);
}

/* The first general query of kind on c's wire: its QRV, QQIC, max resp. */
static void expect_query(struct cap *c, int kind, int qrv, int qqic,
			 int maxresp, const char *where)
{
	struct pkt_match m = { .gm_kind = (uint8_t)kind, .fn = general_query };
	const struct pkt_rec *rec;
	size_t n, i;

	if (!cap_wait(c, &m, 1, (unsigned int)(3000 * timeout_mult())))
		fail_msg("no %s general query on %s",
			 kind == PKT_GM_MLD ? "MLDv2" : "IGMPv3", where);
	rec = cap_records(c, &n);
	for (i = 0; i < n && !pkt_matches(&rec[i], &m); i++)
		;
	assert_true(i < n);
	INFO("%s %s query: QRV %u, QQIC %u, max resp %u\n", where,
	     kind == PKT_GM_MLD ? "MLDv2" : "IGMPv3", rec[i].gm_qrv,
	     rec[i].gm_qqic, rec[i].gm_maxresp);
	assert_int_equal(rec[i].gm_qrv, qrv);
	assert_int_equal(rec[i].gm_qqic, qqic);
	assert_int_equal(rec[i].gm_maxresp, maxresp);
}

/*
 * Each interface's own timers (phyint ... robustness, query-interval,
 * query-response-interval) go out in its own queries, the others keep the
 * global ones: QRV, QQIC and the max response on both wires.
 */
static void test_phyint_timers(void **state)
{
	struct fx *f = *state;
	struct cap *cw, *cu;

	FX_CHECK(f);
	assert_true(f->router_up);
	/* the reload is applied when mcroutectl returns */
	assert_int_equal(router_reload(&f->r,
				       "phyint wlan0 igmpv3 mldv2 robustness 3 "
				       "query-interval 20 "
				       "query-response-interval 1.5\n"
				       "phyint usb0 igmpv3 mldv2\n" TIMERS),
			 0);
	/* the next query (the old schedule: within 2 s) carries the new
	 * values; IGMP max resp in tenths, MLD in ms */
	cw = cap_start(fx_ns(f, "snd"), "eth0", NULL);
	cu = cap_start(fx_ns(f, "rcv"), "eth0", NULL);
	assert_non_null(cw);
	assert_non_null(cu);
	expect_query(cw, PKT_GM_IGMP, 3, 20, 15, "wlan0");
	expect_query(cu, PKT_GM_IGMP, 2, 2, 10, "usb0");
	expect_query(cw, PKT_GM_MLD, 3, 20, 1500, "wlan0");
	expect_query(cu, PKT_GM_MLD, 2, 2, 1000, "usb0");
	cap_free(cw);
	cap_free(cu);
	assert_int_equal(router_reload(&f->r, conf_router), 0);
}

struct json_want {
	struct router *r;
	const char *what, *needle;
};

static bool json_has(void *arg)
{
	struct json_want *w = arg;
	char out[65536];

	if (router_ctl(w->r, out, sizeof(out), "-j show %s", w->what) != 0)
		return false;
	return strstr(out, w->needle) != NULL;
}

/* Reload: versions change in place; without IGMP keywords it all stops. */
static void test_router_reload(void **state)
{
	struct fx *f = *state;
	struct udp_tx *tx;
	struct cap *c;
	struct rx *rx, *rx6;
	char out[65536];
	struct json_want v2 = { &f->r, "groups",
				"{\"interface\":\"usb0\",\"proto\":\"IGMP\","
				"\"version\":2" };
	struct json_want off = { &f->r, "groups", "\"mode\":\"off\"" };
	uint64_t t;
	double s;

	FX_CHECK(f);
	assert_true(f->router_up);
	tx = flow(f, "snd", "192.0.2.2", "239.1.4.2", 1);
	rx = join(f, "rcv", "239.1.4.2", NULL);
	rx6 = join(f, "rcv", "ff0e::1:42", NULL);
	assert_true(rx_wait_count(rx, 1, T_FLOW));
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show groups"), 0);
	print_message("%s", out);
	assert_true(table_narrow(out));
	assert_int_equal(router_reload(&f->r,
				       "phyint wlan0 igmpv2 mldv1\n"
				       "phyint usb0 igmpv2 mldv1\n" TIMERS),
			 0);
	assert_true(wait_until(json_has, &v2, T_FLOW, 20));
	/* the membership survived: still forwarded */
	{
		unsigned long n = rx_count(rx);

		assert_true(rx_wait_count(rx, n + 50, T_FLOW));
	}
	c = cap_start(fx_ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	t = rt_ns();
	assert_int_equal(router_reload(&f->r, "phyint wlan0\nphyint usb0\n"),
			 0);
	assert_true(wait_until(json_has, &off, T_FLOW, 20));
	s = stop_ms(c, "239.1.4.2", t, T_FLOW);
	INFO("reload to a config without IGMP: forwarding stopped %.1f ms "
	     "after the reload\n",
	     s);
	assert_true(s >= 0 && s < 1000);
	cap_free(c);
	udp_tx_stop(tx, NULL);
	rx_free(rx);
	rx_free(rx6);
}

int igmp_run_router_mode(void)
{
	const struct CMUnitTest router[] = {
		cmocka_unit_test(test_router_mode),
		cmocka_unit_test(test_phyint_timers),
		cmocka_unit_test(test_router_reload),
	};

	return cmocka_run_group_tests_name("igmp_router_mode", router,
					   setup_router, fx_teardown);
}
