// SPDX-License-Identifier: MIT
/*
 * The field report as cases, part 1: static forwarding through the Pi
 * router (wlan0 -> usb0), the TTL sweep, IPv6 hop limits, (S,G), (*,G)
 * and prefix routes, no leaks, TTL thresholds, ping replies.
 */
#include <netinet/in.h>

#include "common.h"

/* The field report's config, plus the other forms of route. */
static const char conf_pi[] =
	"# the field report: join, then route the group to usb0\n"
	"mgroup from wlan0 group 225.1.2.3\n"
	"mroute from wlan0 group 225.1.2.3 to usb0\n"
	"mroute from wlan0 source 192.0.2.2 group 225.1.2.4 to usb0\n"
	"mroute from wlan0 group 225.1.3.0/24 to usb0\n"
	"mroute from wlan0 group ff0e::1:3 to usb0\n"
	"mroute from wlan0 source 2001:db8:1::2 group ff0e::1:4 to usb0\n";

static const int ttls[] = { 1, 2, 3, 10, 64, 255 };
#define NTTL (sizeof(ttls) / sizeof(ttls[0]))
#define PER_TTL 20

static int setup_pi(void **state)
{
	static struct fx f;

	fx_up(&f, "pi-router", RF_STATIC, conf_pi);
	*state = &f;
	return 0;
}

/*
 * Send PER_TTL datagrams at every TTL of the sweep, each TTL its own
 * stream, and check the receiver's wire: exactly those with TTL > 1 (or
 * > threshold), each arriving with TTL-1, no duplicates.
 */
static void udp_sweep(struct fx *f, const char *src, const char *group,
		      int threshold)
{
	bool v6 = strchr(group, ':') != NULL;
	struct cap *c =
		cap_start(fx_ns(f, "rcv"), "eth0", v6 ? "ip6 and udp" : "udp");
	struct pkt_match all = { .dst = group, .mclab = true };
	size_t total = 1; /* the probe */
	bool ok = true;

	assert_non_null(c);
	/*
	 * The route first: a (*,G) source is learned from the kernel's upcall,
	 * which holds at most 4 packets meanwhile (test_prefix_route covers
	 * that at a rate the budget allows).  The sweep then counts exactly.
	 */
	send_udp(f, "snd", "eth0", src, group, 64, 1, 999);
	assert_true(wait_route(f, src, group, true, T_FLOW));
	for (size_t i = 0; i < NTTL; i++)
		assert_int_equal(send_udp(f, "snd", "eth0", src, group, ttls[i],
					  PER_TTL, (uint32_t)ttls[i]),
				 PER_TTL);
	/* Wait for everything due, then one quiet period for extras. */
	for (size_t i = 0; i < NTTL; i++)
		total += ttls[i] > threshold ? PER_TTL : 0;
	cap_wait(c, &all, total, T_FLOW);
	cap_wait(c, &all, total + 1, T_SILENCE);
	for (size_t i = 0; i < NTTL; i++) {
		int t = ttls[i];
		bool fwd = t > threshold;
		struct pkt_match any = { .dst = group,
					 .has_stream = true,
					 .stream = (uint32_t)t };
		struct pkt_match dec = any;
		char what[96];

		dec.ttl = (uint8_t)(t - 1);
		snprintf(what, sizeof(what), "%s-%s-ttl%d", v6 ? "hl" : "ttl",
			 group, t);
		ok &= cap_expect(c, &any, fwd ? PER_TTL : 0, what);
		if (fwd)
			ok &= cap_expect(c, &dec, PER_TTL, what);
	}
	INFO("%s from %s: TTL %d..%d, %zu records on usb0's far side\n", group,
	     src, ttls[0], ttls[NTTL - 1],
	     cap_count(c, &(struct pkt_match){ .dst = group }));
	cap_free(c);
	assert_true(ok);
}

static void test_ttl_sweep_star_g(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	assert_true(f->router_up);
	udp_sweep(f, "192.0.2.2", "225.1.2.3", 1);
}

static void test_ttl_sweep_sg(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	assert_true(f->router_up);
	/* (S,G) routes are in the kernel before any packet. */
	assert_true(wait_mfc(f, "192.0.2.2", "225.1.2.4", 1000));
	udp_sweep(f, "192.0.2.2", "225.1.2.4", 1);
}

static void test_prefix_route(void **state)
{
	struct fx *f = *state;
	const char *groups[] = { "225.1.3.0", "225.1.3.77", "225.1.3.255" };
	struct cap *c;
	bool ok = true;

	FX_CHECK(f);
	FX_NEED(f, RF_PREFIX);
	c = cap_start(fx_ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	/*
	 * Each group is a new (S,G): the kernel queues up to 4 packets until
	 * the router installs it.  At 200 pps that is a 20 ms budget for the
	 * upcall round trip; every packet must arrive.
	 */
	for (int i = 0; i < 3; i++)
		send_udp_pps(f, "snd", "eth0", "192.0.2.2", groups[i], 10, 10,
			     100 + (uint32_t)i, 200);
	/* Outside the prefix: not routed. */
	send_udp(f, "snd", "eth0", "192.0.2.2", "225.1.4.1", 10, 10, 199);
	for (int i = 0; i < 3; i++)
		ok &= expect_exact(
			c, &(struct pkt_match){ .dst = groups[i], .ttl = 9 },
			10, groups[i]);
	ok &= expect_exact(c, &(struct pkt_match){ .dst = "225.1.4.1" }, 0,
			   "outside-prefix");
	cap_free(c);
	assert_true(ok);
}

static void test_hoplimit_sweep_star_g(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	udp_sweep(f, "2001:db8:1::2", "ff0e::1:3", 1);
}

static void test_hoplimit_sweep_sg(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	assert_true(wait_mfc(f, "2001:db8:1::2", "ff0e::1:4", 1000));
	udp_sweep(f, "2001:db8:1::2", "ff0e::1:4", 1);
}

static void test_unrouted_group(void **state)
{
	struct fx *f = *state;
	struct cap *c;

	FX_CHECK(f);
	c = cap_start(fx_ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	send_udp(f, "snd", "eth0", "192.0.2.2", "225.9.9.9", 64, 20, 7);
	assert_true(expect_exact(c, &(struct pkt_match){ .dst = "225.9.9.9" },
				 0, "unrouted"));
	cap_free(c);
}

/*
 * ping -t 10 to the group gets replies from the receiver, but only when it
 * has joined the group (measured: the kernel answers an echo to a group
 * only on a socket-less member).  TTL 1, a host's default, gets nothing.
 */
static void ping_case(struct fx *f, int ttl, bool join, unsigned int want)
{
	struct mping_result res;
	struct rx *rx = NULL;
	struct mping_opts o = {
		.netns = fx_ns(f, "snd"),
		.ifname = "eth0",
		.group = "225.1.2.3",
		.ttl = ttl,
		.count = 5,
		.interval_ms = 20,
		.timeout_ms = 1000,
		.expect = want,
	};

	if (join) {
		rx = rx_start(&(struct rx_opts){ .netns = fx_ns(f, "rcv"),
						 .ifname = "eth0",
						 .group = "225.1.2.3",
						 .port = CASE_PORT });
		assert_non_null(rx);
	}
	assert_int_equal(mping_run(&o, &res), 0);
	INFO("ping -t %d, receiver %s: %u/%u replies from 198.51.100.2\n", ttl,
	     join ? "joined" : "not joined",
	     mping_count(&res, "198.51.100.2", -1), res.sent);
	assert_int_equal(res.sent, 5);
	assert_int_equal(mping_count(&res, "198.51.100.2", -1), want);
	assert_int_equal(res.nreply, want);
	mping_result_free(&res);
	if (rx) {
		rx_stop(rx);
		rx_free(rx);
	}
}

static void test_ping_ttl10_joined(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	ping_case(f, 10, true, 5);
}

static void test_ping_ttl10_not_joined(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	ping_case(f, 10, false, 0);
}

static void test_ping_ttl1(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	ping_case(f, 1, true, 0);
}

/* phyint usb0 ttl-threshold 10: TTL <= 10 stays, >= 11 crosses. */
static void test_threshold(void **state)
{
	struct fx *f = *state;
	char conf[sizeof(conf_pi) + 64];

	FX_CHECK(f);
	FX_NEED(f, RF_TTL_THRESHOLD);
	snprintf(conf, sizeof(conf), "phyint usb0 ttl-threshold 10\n%s",
		 conf_pi);
	fx_restart(f, conf, NULL);
	udp_sweep(f, "192.0.2.2", "225.1.2.4", 10);
	fx_restart(f, conf_pi, NULL);
}

/*
 * A source that moves to another port (the kernel's WRONGVIF upcall): with
 * (*,G) rules in both directions, 192.0.2.2's entry is learned on wlan0;
 * then the same address sends from behind usb0 (rcv; snd goes quiet).
 * The kernel drops those datagrams (wrong interface) and, the entry having
 * usb0 as an outbound interface, reports it; the router moves the learned
 * entry to usb0, and the flow crosses to wlan0's side.
 */
static void test_source_moves(void **state)
{
	struct fx *f = *state;
	static const char conf[] =
		"mroute from wlan0 group 225.1.9.9 to usb0\n"
		"mroute from usb0 group 225.1.9.9 to wlan0\n";
	const char *src = "192.0.2.2", *grp = "225.1.9.9";
	struct pkt_match pm = { .dst = "225.1.9.9", .has_stream = true };
	struct cap *c;
	bool moved = false, ok = false;

	FX_CHECK(f);
	FX_NEED(f, RF_SOURCE_MOVE);
	fx_restart(f, conf, NULL);
	/* learned on wlan0: forwarded to usb0 */
	send_udp(f, "snd", "eth0", src, grp, 64, 1, 700);
	assert_true(wait_route(f, src, grp, true, T_FLOW));
	/* the source moves: its address now lives behind usb0 */
	node_must(fx_node(f, "rcv"), "ip addr add %s/32 dev eth0", src);
	node_must(f->r.node, "sysctl -qw net.ipv4.conf.all.rp_filter=0 "
			     "net.ipv4.conf.usb0.rp_filter=0");
	c = cap_start(fx_ns(f, "snd"), "eth0", "udp");
	assert_non_null(c);
	/*
	 * Until the router has moved the entry the kernel drops the
	 * datagrams (and reports at most one every 3 s): one at a time until
	 * one comes out on wlan0.
	 */
	pm.stream = 701;
	for (int i = 0; i < 40 && !moved; i++) {
		send_udp(f, "rcv", "eth0", src, grp, 10, 1, 701);
		moved = cap_wait(c, &pm, 1, 100);
	}
	if (moved) {
		send_udp(f, "rcv", "eth0", src, grp, 10, 30, 702);
		ok = expect_exact(c,
				  &(struct pkt_match){ .dst = grp,
						       .ttl = 9,
						       .has_stream = true,
						       .stream = 702 },
				  30, "source-moved");
	}
	cap_free(c);
	node_must(fx_node(f, "rcv"), "ip addr del %s/32 dev eth0", src);
	fx_restart(f, conf_pi, NULL);
	assert_true(moved);
	assert_true(ok);
}

/* ---- several downstream interfaces ---------------------------------- */

static const char conf_multi[] =
	"mroute from wlan0 group 225.1.2.3 to usb0\n"
	"mroute from wlan0 source 192.0.2.2 group 225.1.2.5 to usb0 usb1\n"
	"mroute from wlan0 group ff0e::1:3 to usb1\n";

static int setup_multi(void **state)
{
	static struct fx f;

	fx_up(&f, "multi-down", RF_STATIC, conf_multi);
	*state = &f;
	return 0;
}

static void fanout(struct fx *f, const char *src, const char *group,
		   const bool to[3])
{
	const char *rcv[3] = { "rcv1", "rcv2", "rcv3" };
	struct cap *c[3];
	bool ok = true;

	/* The route first (a (*,G) is learned from an upcall). */
	send_udp(f, "snd", "eth0", src, group, 64, 1, 999);
	assert_true(wait_route(f, src, group, true, T_FLOW));
	for (int i = 0; i < 3; i++) {
		c[i] = cap_start(fx_ns(f, rcv[i]), "eth0", "udp");
		assert_non_null(c[i]);
	}
	send_udp(f, "snd", "eth0", src, group, 10, 50, 1);
	for (int i = 0; i < 3; i++) {
		char what[64];

		snprintf(what, sizeof(what), "%s-%s", group, rcv[i]);
		ok &= expect_exact(c[i],
				   &(struct pkt_match){ .dst = group,
							.ttl = 9,
							.has_stream = true,
							.stream = 1 },
				   to[i] ? 50 : 0, what);
		/* And nothing else at all. */
		ok &= expect_exact(c[i], &(struct pkt_match){ .dst = group },
				   to[i] ? 50 : 0, what);
		cap_free(c[i]);
	}
	assert_true(ok);
}

static void test_no_leak_star_g(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	fanout(f, "192.0.2.2", "225.1.2.3", (bool[3]){ true, false, false });
}

static void test_two_oifs_sg(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	fanout(f, "192.0.2.2", "225.1.2.5", (bool[3]){ true, true, false });
}

static void test_no_leak_v6(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	fanout(f, "2001:db8:1::2", "ff0e::1:3",
	       (bool[3]){ false, true, false });
}

int main(void)
{
	const struct CMUnitTest pi[] = {
		cmocka_unit_test(test_ttl_sweep_star_g),
		cmocka_unit_test(test_ttl_sweep_sg),
		cmocka_unit_test(test_prefix_route),
		cmocka_unit_test(test_hoplimit_sweep_star_g),
		cmocka_unit_test(test_hoplimit_sweep_sg),
		cmocka_unit_test(test_unrouted_group),
		cmocka_unit_test(test_ping_ttl10_joined),
		cmocka_unit_test(test_ping_ttl10_not_joined),
		cmocka_unit_test(test_ping_ttl1),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_source_moves),
	};
	const struct CMUnitTest multi[] = {
		cmocka_unit_test(test_no_leak_star_g),
		cmocka_unit_test(test_two_oifs_sg),
		cmocka_unit_test(test_no_leak_v6),
	};
	int rc = 0;

	rc |= cmocka_run_group_tests_name("static-pi-router", pi, setup_pi,
					  fx_teardown);
	rc |= cmocka_run_group_tests_name("static-multi-down", multi,
					  setup_multi, fx_teardown);
	return rc;
}
