// SPDX-License-Identifier: MIT
/*
 * The field report's signs of health, exactly: mc_forwarding (all and per
 * interface), /proc/net/ip_mr_vif with exactly the used interfaces,
 * /proc/net/ip_mr_cache with the right iif and oifs:ttl per (S,G) and
 * counters equal to the traffic sent; the IPv6 files alike; everything
 * back to 0 and empty once the router stops.  This is also the smoke test
 * of the daemon: it starts, routes, shows it, and leaves nothing behind.
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "common.h"

static const char conf[] =
	"mgroup from wlan0 group 225.1.2.3\n"
	"mroute from wlan0 group 225.1.2.3 to usb0\n"
	"mroute from wlan0 source 192.0.2.2 group 225.1.2.4 to usb0\n"
	"mroute from wlan0 source 2001:db8:1::2 group ff0e::1:4 to usb0\n";

#define N 40
#define PAYLOAD 32 /* udp_tx default */

static int setup(void **state)
{
	static struct fx f;

	fx_up(&f, "pi-router", RF_STATIC, conf);
	*state = &f;
	return 0;
}

static void check_vifs(struct fx *f, int family)
{
	struct mr_vif *v = NULL;
	int n = proc_read_mr_vif(f->r.node, family, &v);

	assert_int_equal(n, 2);
	assert_non_null(mr_vif_by_name(v, n, "wlan0"));
	assert_non_null(mr_vif_by_name(v, n, "usb0"));
	free(v);
}

static void test_mc_forwarding_on(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	assert_true(f->router_up);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET, "all"), 1);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET, "wlan0"),
			 1);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET, "usb0"),
			 1);
	/* lo is not routed: never a VIF. */
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET, "lo"), 0);
}

static void test_vif_table_exact(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	check_vifs(f, AF_INET);
}

static void test_mc_forwarding_on_v6(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET6, "all"),
			 1);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET6, "wlan0"),
			 1);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET6, "usb0"),
			 1);
	check_vifs(f, AF_INET6);
}

struct pkts_want {
	struct fx *f;
	const char *src, *grp;
	long long n;
};

static bool have_pkts(void *arg)
{
	struct pkts_want *w = arg;

	return mfc_pkts(w->f, w->src, w->grp) >= w->n;
}

static bool wait_pkts(struct fx *f, const char *src, const char *grp,
		      long long n, unsigned int timeout_ms)
{
	struct pkts_want w = { f, src, grp, n };

	return wait_until(have_pkts, &w, timeout_ms, 5);
}

/*
 * iif, oifs:ttl and counters of one (S,G) after sending N datagrams
 * (N + 1 when PRIME: one datagram first, the rest once the entry is in).
 */
static void check_mfc(struct fx *f, const char *src, const char *grp,
		      unsigned int iplen, bool prime)
{
	const long long n = N + (prime ? 1 : 0);
	int family = strchr(grp, ':') ? AF_INET6 : AF_INET;
	struct mr_vif *v = NULL;
	struct mr_mfc *m = NULL;
	const struct mr_mfc *e;
	const struct mr_vif *wlan0, *usb0;
	int nv, nm;

	if (prime) {
		assert_int_equal(send_udp(f, "snd", "eth0", src, grp, 10, 1, 1),
				 1);
		assert_true(wait_mfc(f, src, grp, T_FLOW));
	}
	assert_int_equal(send_udp(f, "snd", "eth0", src, grp, 10, N, 1), N);
	assert_true(wait_mfc(f, src, grp, T_FLOW));
	/* A slow router (the emulated Pi) may still be forwarding. */
	assert_true(wait_pkts(f, src, grp, n, T_FLOW));
	nv = proc_read_mr_vif(f->r.node, family, &v);
	wlan0 = mr_vif_by_name(v, nv, "wlan0");
	usb0 = mr_vif_by_name(v, nv, "usb0");
	assert_non_null(wlan0);
	assert_non_null(usb0);
	nm = proc_read_mr_mfc(f->r.node, family, &m);
	e = mr_mfc_find_str(m, nm, src, grp);
	assert_non_null(e);
	INFO("%s,%s: iif %d, %d oif(s), %llu pkts, %llu bytes, %llu wrong\n",
	     src, grp, e->iif, e->noifs, (unsigned long long)e->pkts,
	     (unsigned long long)e->bytes, (unsigned long long)e->wrong_if);
	assert_false(e->unresolved);
	assert_int_equal(e->iif, wlan0->vif);
	assert_int_equal(e->noifs, 1);
	assert_int_equal(mr_mfc_oif_ttl(e, usb0->vif), 1);
	assert_int_equal(mr_mfc_oif_ttl(e, wlan0->vif), -1);
	assert_int_equal(e->pkts, n);
	assert_int_equal(e->bytes, (uint64_t)n * iplen);
	assert_int_equal(e->wrong_if, 0);
	/* ip_mr_vif counts the same packets in on wlan0, out on usb0. */
	assert_true(wlan0->pkts_in >= (uint64_t)n);
	assert_true(usb0->pkts_out >= (uint64_t)n);
	free(v);
	free(m);
}

static void test_mfc_sg(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	check_mfc(f, "192.0.2.2", "225.1.2.4", 20 + 8 + PAYLOAD, false);
}

static void test_mfc_star_g(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	/*
	 * The kernel counts the packets it queued while unresolved when it
	 * resolves, but queues only 4: a router slower than 4 ms from
	 * upcall to install (the emulated Pi is) loses the 5th on.  The
	 * first datagram goes alone, then the count is exact.
	 */
	check_mfc(f, "192.0.2.2", "225.1.2.3", 20 + 8 + PAYLOAD, true);
}

static void test_mfc_sg_v6(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	/* ip6_mr_cache counts whole packets, IPv6 header included. */
	check_mfc(f, "2001:db8:1::2", "ff0e::1:4", 40 + 8 + PAYLOAD, false);
}

static bool stopped_clean(void *arg)
{
	struct fx *f = arg;

	return proc_read_mc_forwarding(f->r.node, AF_INET, "all") == 0;
}

static void test_stop_clears_everything(void **state)
{
	struct fx *f = *state;
	struct mr_vif *v = NULL;
	struct mr_mfc *m = NULL;
	int fam[2] = { AF_INET, AF_INET6 };

	FX_CHECK(f);
	assert_true(f->router_up);
	router_stop(&f->r, 3000);
	f->router_up = false;
	assert_true(wait_until(stopped_clean, f, 1000, 5));
	for (int i = 0; i < 2; i++) {
		if (fam[i] == AF_INET6 &&
		    router_skip_reason(f->kind, RF_IPV6) != NULL)
			continue;
		assert_int_equal(
			proc_read_mc_forwarding(f->r.node, fam[i], "all"), 0);
		assert_int_equal(
			proc_read_mc_forwarding(f->r.node, fam[i], "wlan0"), 0);
		assert_int_equal(
			proc_read_mc_forwarding(f->r.node, fam[i], "usb0"), 0);
		assert_int_equal(proc_read_mr_vif(f->r.node, fam[i], &v), 0);
		assert_int_equal(proc_read_mr_mfc(f->r.node, fam[i], &m), 0);
		free(v);
		free(m);
		v = NULL;
		m = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mc_forwarding_on),
		cmocka_unit_test(test_vif_table_exact),
		cmocka_unit_test(test_mc_forwarding_on_v6),
		cmocka_unit_test(test_mfc_sg),
		cmocka_unit_test(test_mfc_star_g),
		cmocka_unit_test(test_mfc_sg_v6),
		cmocka_unit_test(test_stop_clears_everything),
	};

	return cmocka_run_group_tests_name("proc", tests, setup, fx_teardown);
}
