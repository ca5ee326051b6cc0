// SPDX-License-Identifier: MIT
/*
 * Learned routes expire with -c SECONDS: an idle (*,G)-learned (S,G) goes
 * within (SEC, 2*SEC] of its last packet (checked every SEC); a busy one
 * stays, untouched; static (S,G) routes never expire.  Measured: Debian's
 * smcroute 2.5.6 behaves the same (its man page says it flushes every
 * dynamic route every SEC; it only flushes idle ones).
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "common.h"

static const char conf[] =
	"mroute from wlan0 group 225.1.2.3 to usb0\n"
	"mroute from wlan0 group 225.1.3.0/24 to usb0\n"
	"mroute from wlan0 source 192.0.2.2 group 225.1.2.4 to usb0\n";

static int setup(void **state)
{
	static struct fx f;
	const char *extra[] = { "-c", "1", NULL };

	fx_up(&f, "pi-router", RF_STATIC | RF_PREFIX, NULL);
	*state = &f;
	if (!f.skip[0])
		fx_restart(&f, conf, extra);
	return 0;
}

static void test_idle_learned_expires(void **state)
{
	struct fx *f = *state;
	uint64_t t_last, gone_ms;

	FX_CHECK(f);
	send_udp(f, "snd", "eth0", "192.0.2.2", "225.1.3.7", 10, 10, 1);
	t_last = mono_ns();
	assert_true(wait_route(f, "192.0.2.2", "225.1.3.7", true, T_FLOW));
	assert_true(wait_route(f, "192.0.2.2", "225.1.3.7", false, 4000));
	gone_ms = (mono_ns() - t_last) / 1000000;
	INFO("%s -c 1: idle learned route gone %llu ms after its last "
	     "packet\n",
	     router_kind_name(f->kind), (unsigned long long)gone_ms);
	/*
	 * Idle for one whole check period, checked every second: gone
	 * between 1 and 2 s after the last packet, plus the poll's step
	 * and a loaded runner's scheduling delay (500 ms).
	 */
	assert_in_range(gone_ms, 1000, 2000 + 500);
	/* The static (S,G) is never expired. */
	assert_true(wait_route(f, "192.0.2.2", "225.1.2.4", true, 100));
}

static void test_busy_learned_stays(void **state)
{
	struct fx *f = *state;
	struct udp_tx_stats st;
	struct udp_tx *tx;
	long long pkts;

	FX_CHECK(f);
	tx = udp_tx_start(&(struct udp_tx_opts){ .netns = fx_ns(f, "snd"),
						 .ifname = "eth0",
						 .src = "192.0.2.2",
						 .group = "225.1.2.3",
						 .sport = CASE_SPORT,
						 .dport = CASE_PORT,
						 .ttl = 10,
						 .count = 300,
						 .pps = 100,
						 .stream = 2 });
	assert_non_null(tx);
	assert_true(udp_tx_wait(tx, 10000)); /* 3 s: three expiry checks */
	udp_tx_stop(tx, &st);
	assert_true(wait_route(f, "192.0.2.2", "225.1.2.3", true, 100));
	pkts = mfc_pkts(f, "192.0.2.2", "225.1.2.3");
	INFO("%s -c 1: busy route after 3 s: %lld of %lu packets counted by "
	     "its MFC entry\n",
	     router_kind_name(f->kind), pkts, st.sent);
	assert_int_equal(pkts, (long long)st.sent); /* never removed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_learned_expires),
		cmocka_unit_test(test_busy_learned_stays),
	};

	return cmocka_run_group_tests_name("expire", tests, setup, fx_teardown);
}
