// SPDX-License-Identifier: MIT
/*
 * The field report as cases, part 4: two Pi routers in series (topology
 * chain).  Both r1 and r2 run the router under test with the same kind of
 * route (wlan0 -> usb0), so every hop takes one off the TTL (hop limit):
 * a TTL-2 packet reaches the middle LAN (mid) with TTL 1 and goes no
 * further, TTL 3 reaches the far receiver (rcv) with TTL 1.
 *
 *   snd -- wlan0:r1:usb0 --[midlan: mid, r2:wlan0]-- r2:usb0 -- rcv
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "common.h"
#include "second_router.h"

static const char conf_r1[] = "# r1: the sender's side to the middle LAN\n"
			      "mroute from wlan0 group 225.1.2.3 to usb0\n"
			      "mroute from wlan0 group ff0e::1:3 to usb0\n";
static const char conf_r2[] = "# r2: the middle LAN to the far receiver\n"
			      "mroute from wlan0 group 225.1.2.3 to usb0\n"
			      "mroute from wlan0 group ff0e::1:3 to usb0\n";

#define SRC4 "192.0.2.2"
#define SRC6 "2001:db8:1::2"
#define GRP4 "225.1.2.3"
#define GRP6 "ff0e::1:3"
#define MID4 "198.51.100.3"
#define RCV4 "203.0.113.2"

static const int ttls[] = { 1, 2, 3, 4, 10, 64, 255 };
#define NTTL (sizeof(ttls) / sizeof(ttls[0]))
#define PER_TTL 20
#define PRIME_STREAM 9999

/* The group's state: the common fixture (r1) plus the second router. */
struct chain {
	struct fx f;
	struct router r2;
	bool r2_up;
};

static int setup_chain(void **state)
{
	static struct chain c;

	fx_up(&c.f, "chain", RF_STATIC, conf_r1);
	c.r2_up = false;
	if (!c.f.skip[0] && c.f.router_up)
		c.r2_up = start_other(&c.f, &c.r2, "r2", conf_r2);
	*state = &c;
	return 0;
}

static int teardown_chain(void **state)
{
	struct chain *c = *state;

	fx_down_other(&c->f, &c->r2, &c->r2_up);
	return 0;
}

/* Both routers are running (fails the test otherwise). */
static struct chain *chain_check(void **state)
{
	struct chain *c = *state;

	FX_CHECK(&c->f);
	assert_true(c->f.router_up);
	assert_true(c->r2_up);
	assert_true(router_running(&c->f.r));
	assert_true(router_running(&c->r2));
	return c;
}

struct mfc_in {
	struct node *n;
	const char *src, *grp;
};

static bool has_mfc_in(void *arg)
{
	struct mfc_in *w = arg;
	int family = strchr(w->grp, ':') ? AF_INET6 : AF_INET;
	struct mr_mfc *m = NULL;
	int n = proc_read_mr_mfc(w->n, family, &m);
	const struct mr_mfc *e = n > 0 ? mr_mfc_find_str(m, n, w->src, w->grp) :
					 NULL;
	bool found = e && !e->unresolved;

	free(m);
	return found;
}

/* Everything but the primer, which may still be on its way to rcv. */
static bool not_primer(const struct pkt_rec *r, void *arg)
{
	(void)arg;
	return !(r->flags & PKT_F_MCLAB) || r->mc_stream != PRIME_STREAM;
}

/*
 * (*,G) routes are resolved on the first packet (an upcall): send one
 * TTL-64 packet and wait until both routers have the (S,G) entry, so the
 * sweep that follows never races the installs.  The primer is sent before
 * any capture starts.
 */
static void prime(struct chain *c, const char *src, const char *grp)
{
	struct mfc_in w1 = { c->f.r.node, src, grp };
	struct mfc_in w2 = { c->r2.node, src, grp };

	assert_int_equal(send_udp(&c->f, "snd", "eth0", src, grp, 64, 1,
				  PRIME_STREAM),
			 1);
	assert_true(wait_until(has_mfc_in, &w1, T_FLOW, 5));
	assert_true(wait_until(has_mfc_in, &w2, T_FLOW, 5));
}

/*
 * PER_TTL datagrams at every TTL of the sweep, one stream per TTL.  On the
 * middle LAN exactly those with TTL >= 2 arrive, with TTL-1; at the far
 * receiver exactly those with TTL >= 3, with TTL-2.  Nothing else.
 */
static void chain_sweep(struct chain *c, const char *src, const char *grp)
{
	bool v6 = strchr(grp, ':') != NULL;
	const char *filter = v6 ? "ip6 and udp" : "udp";
	struct pkt_match all = { .dst = grp, .fn = not_primer };
	struct cap *mid, *rcv;
	bool ok = true;

	prime(c, src, grp);
	mid = cap_start(fx_ns(&c->f, "mid"), "eth0", filter);
	rcv = cap_start(fx_ns(&c->f, "rcv"), "eth0", filter);
	assert_non_null(mid);
	assert_non_null(rcv);
	for (size_t i = 0; i < NTTL; i++)
		assert_int_equal(send_udp(&c->f, "snd", "eth0", src, grp,
					  ttls[i], PER_TTL, (uint32_t)ttls[i]),
				 PER_TTL);
	/*
	 * Wait for the whole sweep at both places, then once for extras
	 * (late packets, duplicates), then check every stream exactly.
	 */
	cap_wait(mid, &all, (NTTL - 1) * PER_TTL, T_FLOW);
	cap_wait(rcv, &all, (NTTL - 2) * PER_TTL, T_FLOW);
	cap_wait(mid, &all, (NTTL - 1) * PER_TTL + 1, T_SILENCE);
	for (size_t i = 0; i < NTTL; i++) {
		int t = ttls[i];
		struct pkt_match any = { .src = src,
					 .dst = grp,
					 .has_stream = true,
					 .stream = (uint32_t)t };
		struct pkt_match hop1 = any, hop2 = any;
		char what[96];

		hop1.ttl = (uint8_t)(t - 1);
		hop2.ttl = (uint8_t)(t - 2);
		snprintf(what, sizeof(what), "chain-mid-%s-%d", grp, t);
		ok &= cap_expect(mid, &any, t >= 2 ? PER_TTL : 0, what);
		if (t >= 2)
			ok &= cap_expect(mid, &hop1, PER_TTL, what);
		snprintf(what, sizeof(what), "chain-rcv-%s-%d", grp, t);
		ok &= cap_expect(rcv, &any, t >= 3 ? PER_TTL : 0, what);
		if (t >= 3)
			ok &= cap_expect(rcv, &hop2, PER_TTL, what);
	}
	/* Nothing but the sweep itself (no primer late, no duplicates). */
	ok &= cap_expect(mid, &all, (NTTL - 1) * PER_TTL, "chain-mid-total");
	ok &= cap_expect(rcv, &all, (NTTL - 2) * PER_TTL, "chain-rcv-total");
	INFO("%s from %s through r1 and r2: TTL %d..%d, %zu on the middle "
	     "LAN, %zu at the far receiver\n",
	     grp, src, ttls[0], ttls[NTTL - 1], cap_count(mid, NULL),
	     cap_count(rcv, NULL));
	cap_free(mid);
	cap_free(rcv);
	assert_true(ok);
}

static void test_ttl_sweep_v4(void **state)
{
	struct chain *c = chain_check(state);

	chain_sweep(c, SRC4, GRP4);
}

static void test_hoplimit_sweep_v6(void **state)
{
	struct chain *c = chain_check(state);

	FX_NEED(&c->f, RF_IPV6);
	chain_sweep(c, SRC6, GRP6);
}

/*
 * ping -t TTL to the group with both mid and rcv joined: replies come from
 * exactly the hosts the TTL reaches, each reply with 64 less the hops back
 * (mid is one router away from snd, rcv two).
 */
static void chain_ping(struct chain *c, int ttl, unsigned int want_mid,
		       unsigned int want_rcv)
{
	struct mping_result res;
	struct rx *rxm, *rxr;
	struct mping_opts o = {
		.netns = fx_ns(&c->f, "snd"),
		.ifname = "eth0",
		.group = GRP4,
		.ttl = ttl,
		.count = 5,
		.interval_ms = 20,
		/* every reply is in well within T_SILENCE on veths; wait it
		 * out whole, so that an extra reply is seen too */
		.timeout_ms = T_SILENCE,
	};
	unsigned int bad_ttl = 0;

	rxm = rx_start(&(struct rx_opts){ .netns = fx_ns(&c->f, "mid"),
					  .ifname = "eth0",
					  .group = GRP4,
					  .port = CASE_PORT });
	rxr = rx_start(&(struct rx_opts){ .netns = fx_ns(&c->f, "rcv"),
					  .ifname = "eth0",
					  .group = GRP4,
					  .port = CASE_PORT });
	assert_non_null(rxm);
	assert_non_null(rxr);
	assert_int_equal(mping_run(&o, &res), 0);
	for (unsigned int i = 0; i < res.nreply; i++) {
		char a[46];
		int want;

		pkt_ntop(res.reply[i].family, &res.reply[i].src, a, sizeof(a));
		want = !strcmp(a, MID4) ? 63 : !strcmp(a, RCV4) ? 62 : -1;
		if (res.reply[i].ttl != want) {
			print_message("# reply from %s seq %u with TTL %u, "
				      "want %d\n",
				      a, res.reply[i].seq, res.reply[i].ttl,
				      want);
			bad_ttl++;
		}
	}
	INFO("ping -t %d through the chain: %u/%u replies from mid, %u/%u "
	     "from rcv\n",
	     ttl, mping_count(&res, MID4, -1), res.sent,
	     mping_count(&res, RCV4, -1), res.sent);
	assert_int_equal(res.sent, 5);
	assert_int_equal(mping_count(&res, MID4, -1), want_mid);
	assert_int_equal(mping_count(&res, RCV4, -1), want_rcv);
	assert_int_equal(res.nreply, want_mid + want_rcv);
	assert_int_equal(bad_ttl, 0);
	mping_result_free(&res);
	rx_free(rxm);
	rx_free(rxr);
}

static void test_ping_ttl1(void **state)
{
	struct chain *c = chain_check(state);

	chain_ping(c, 1, 0, 0);
}

static void test_ping_ttl2_mid_only(void **state)
{
	struct chain *c = chain_check(state);

	chain_ping(c, 2, 5, 0);
}

static void test_ping_ttl3_both(void **state)
{
	struct chain *c = chain_check(state);

	chain_ping(c, 3, 5, 5);
}

/*
 * The second hop is r2's doing: with r2 stopped, TTL 64 still reaches the
 * middle LAN (20 with TTL 63) and nothing reaches rcv; with r2 started
 * again, rcv gets them all with TTL 62.
 */
static void test_second_router_stopped(void **state)
{
	struct chain *c = chain_check(state);
	struct pkt_match m = { .src = SRC4, .dst = GRP4, .ttl = 63 };
	struct pkt_match r = { .src = SRC4, .dst = GRP4, .ttl = 62 };
	struct cap *mid, *rcv;
	bool ok = true;

	router_stop(&c->r2, 3000);
	c->r2_up = false;
	mid = cap_start(fx_ns(&c->f, "mid"), "eth0", "udp");
	rcv = cap_start(fx_ns(&c->f, "rcv"), "eth0", "udp");
	assert_non_null(mid);
	assert_non_null(rcv);
	send_udp(&c->f, "snd", "eth0", SRC4, GRP4, 64, PER_TTL, 501);
	ok &= expect_exact(mid, &m, PER_TTL, "r2-stopped-mid");
	ok &= expect_exact(rcv, &(struct pkt_match){ .dst = GRP4 }, 0,
			   "r2-stopped-rcv");
	cap_free(mid);
	cap_free(rcv);
	assert_true(ok);

	c->r2_up = start_other(&c->f, &c->r2, "r2", conf_r2);
	assert_true(c->r2_up);
	prime(c, SRC4, GRP4);
	rcv = cap_start(fx_ns(&c->f, "rcv"), "eth0", "udp");
	assert_non_null(rcv);
	r.has_stream = true;
	r.stream = 502;
	send_udp(&c->f, "snd", "eth0", SRC4, GRP4, 64, PER_TTL, 502);
	ok &= expect_exact(rcv, &r, PER_TTL, "r2-restarted-rcv");
	ok &= expect_exact(rcv,
			   &(struct pkt_match){ .dst = GRP4, .fn = not_primer },
			   PER_TTL, "r2-restarted-rcv-total");
	cap_free(rcv);
	assert_true(ok);
}

int main(void)
{
	const struct CMUnitTest chain[] = {
		cmocka_unit_test(test_ttl_sweep_v4),
		cmocka_unit_test(test_hoplimit_sweep_v6),
		cmocka_unit_test(test_ping_ttl1),
		cmocka_unit_test(test_ping_ttl2_mid_only),
		cmocka_unit_test(test_ping_ttl3_both),
		cmocka_unit_test(test_second_router_stopped),
	};

	return cmocka_run_group_tests_name("chain", chain, setup_chain,
					   teardown_chain);
}
