// SPDX-License-Identifier: MIT
/*
 * Valgrind memcheck over mcrouted's whole life: start, routes learned from
 * upcalls, ctl traffic (good and bad), reload (good and broken), runtime
 * add/del, join/leave, stop.  0 errors and 0 leaks, or the case fails with
 * valgrind's report.
 */
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

static const char conf[] = "mgroup from wlan0 group 225.1.2.3\n"
			   "mroute from wlan0 group 225.1.2.3 to usb0\n"
			   "mroute from wlan0 group 225.1.3.0/24 to usb0\n"
			   "mroute from wlan0 source 192.0.2.2 group 225.1.2.4 "
			   "to usb0\n"
			   "mroute from wlan0 group ff0e::1:3 to usb0\n";

static char vglog[600], vgarg[640];

static int setup(void **state)
{
	static struct fx f;
	char err[2048];
	const char *wrap[] = { "valgrind",
			       "--leak-check=full",
			       "--show-leak-kinds=definite,indirect",
			       "--errors-for-leak-kinds=definite,indirect",
			       "--error-exitcode=99",
			       vgarg,
			       NULL };

	if (!fx_needs(&f, NODE_CAP_HOST_FS | NODE_CAP_HOST_PROC,
		      "runs the host-built daemon under valgrind"))
		fx_up(&f, "pi-router", RF_STATIC, NULL);
	*state = &f;
	if (f.skip[0])
		return 0;
#ifdef SANITIZED
	snprintf(f.skip, sizeof(f.skip),
		 "a sanitized build cannot run under valgrind");
	return 0;
#endif
	if (f.kind != ROUTER_MCROUTED) {
		snprintf(f.skip, sizeof(f.skip), "memcheck is of mcrouted");
		return 0;
	}
	if (access("/usr/bin/valgrind", X_OK)) {
		snprintf(f.skip, sizeof(f.skip), "valgrind is not installed");
		return 0;
	}
	snprintf(vglog, sizeof(vglog), "%s/valgrind.log", f.lab->results);
	snprintf(vgarg, sizeof(vgarg), "--log-file=%s", vglog);
	/* valgrind starts slowly: allow it 10x the usual readiness time. */
	if (router_start_wrapped(&f.r, f.kind, lab_router(f.lab), conf, NULL,
				 wrap, 10 * T_READY, err, sizeof(err)))
		print_message("# router_start: %s\n", err);
	else
		f.router_up = true;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->router_up)
		router_stop(&f->r, 20000);
	f->router_up = false;
	fx_down(f);
	return 0;
}

static void test_life_under_memcheck(void **state)
{
	struct fx *f = *state;
	char out[8192];
	int code;

	FX_CHECK(f);
	assert_true(f->router_up);
	/* Upcalls: (*,G) and prefix sources, IPv4 and IPv6. */
	send_udp(f, "snd", "eth0", "192.0.2.2", "225.1.2.3", 10, 20, 1);
	send_udp(f, "snd", "eth0", "192.0.2.2", "225.1.3.9", 10, 20, 2);
	send_udp(f, "snd", "eth0", "2001:db8:1::2", "ff0e::1:3", 10, 20, 3);
	assert_true(wait_mfc(f, "192.0.2.2", "225.1.3.9", 10000));
	assert_true(wait_mfc(f, "2001:db8:1::2", "ff0e::1:3", 10000));
	/* Control traffic, good and refused. */
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show routes"), 0);
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "-j show stats"),
			 0);
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show groups"), 0);
	assert_int_equal(router_ctl(&f->r, out, sizeof(out),
				    "add wlan0 192.0.2.2 225.1.9.9 usb0"),
			 0);
	assert_int_equal(router_ctl(&f->r, out, sizeof(out),
				    "del wlan0 192.0.2.2 225.1.9.9"),
			 0);
	assert_int_equal(
		router_ctl(&f->r, out, sizeof(out), "join usb0 225.1.7.7"), 0);
	assert_int_equal(
		router_ctl(&f->r, out, sizeof(out), "leave usb0 225.1.7.7"), 0);
	assert_int_not_equal(router_ctl(&f->r, out, sizeof(out), "frob"), 0);
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "flush"), 0);
	/* Reloads: a good one, then a broken one that is refused. */
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "reload"), 0);
	fx_write_conf(f, "mroute from wlan0 group 192.0.2.1 to usb0\n");
	assert_int_not_equal(router_ctl(&f->r, out, sizeof(out), "reload"), 0);
	code = router_stop(&f->r, 20000);
	f->router_up = false;
	if (code != 0) {
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s", vglog);
		if (system(cmd) < 0)
			print_message("# see %s\n", vglog);
	}
	assert_int_equal(code, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_life_under_memcheck),
	};

	return cmocka_run_group_tests_name("memcheck", tests, setup, teardown);
}
