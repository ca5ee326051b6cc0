// SPDX-License-Identifier: MIT
/*
 * A kernel without IPv6 (the field report's "Errno(97): Address family not
 * supported by protocol"), simulated for the router alone by a seccomp
 * filter (mclab-fault --no-ipv6): socket(AF_INET6) fails with EAFNOSUPPORT.  The
 * router must log one clear warning, report each IPv6 line as skipped, and
 * keep routing IPv4.  (Debian's smcroute 2.5.6 segfaults here.)
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "common.h"

static const char conf[] = "mgroup from wlan0 group 225.1.2.3\n"
			   "mgroup from wlan0 group ff0e::1:3\n"
			   "mroute from wlan0 group 225.1.2.3 to usb0\n"
			   "mroute from wlan0 group ff0e::1:3 to usb0\n"
			   "mroute from wlan0 source 2001:db8:1::2 group "
			   "ff0e::1:4 to usb0\n";

static char wrap_bin[512];

static int setup(void **state)
{
	static struct fx f;
	char err[2048];
	const char *wrap[] = { wrap_bin, "--no-ipv6", NULL };

	if (!fx_needs(&f, NODE_CAP_HOST_FS | NODE_CAP_HOST_PROC,
		      "no-IPv6 is faked on the host (see cases/qemu)"))
		fx_up(&f, "pi-router", RF_STATIC | RF_NO_IPV6_SURVIVAL, NULL);
	*state = &f;
	if (f.skip[0])
		return 0;
	if (!router_find_tool("mclab-fault", wrap_bin, sizeof(wrap_bin))) {
		snprintf(f.skip, sizeof(f.skip), "mclab-fault is not built");
		return 0;
	}
	if (router_start_wrapped(&f.r, f.kind, lab_router(f.lab), conf, NULL,
				 wrap, T_READY, err, sizeof(err)))
		print_message("# router_start: %s\n", err);
	else
		f.router_up = true;
	return 0;
}

static void test_ipv4_still_forwards(void **state)
{
	struct fx *f = *state;
	struct cap *c;

	FX_CHECK(f);
	assert_true(f->router_up);
	c = cap_start(fx_ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	assert_int_equal(send_udp(f, "snd", "eth0", "192.0.2.2", "225.1.2.3",
				  10, 50, 1),
			 50);
	assert_true(expect_exact(
		c, &(struct pkt_match){ .dst = "225.1.2.3", .ttl = 9 }, 50,
		"noipv6-v4"));
	cap_free(c);
}

static void test_warning_logged(void **state)
{
	struct fx *f = *state;
	char *log = NULL;
	size_t len;
	FILE *fp;

	FX_CHECK(f);
	fp = fopen(f->r.log, "r");
	assert_non_null(fp);
	assert_int_equal(getdelim(&log, &len, '\0', fp) > 0, 1);
	fclose(fp);
	/* One warning for the family, one per IPv6 line, with file:line. */
	assert_non_null(strstr(log, "IPv6 multicast routing is not available "
				    "(Address family not supported by "
				    "protocol)"));
	assert_non_null(strstr(log, ".conf:2: IPv6 join skipped"));
	assert_non_null(strstr(log, ".conf:4: IPv6 route skipped"));
	assert_non_null(strstr(log, ".conf:5: IPv6 route skipped"));
	assert_null(strstr(log, ".conf:3: IPv6"));
	free(log);
}

static void test_no_mifs(void **state)
{
	struct fx *f = *state;
	struct mr_vif *v = NULL;

	FX_CHECK(f);
	assert_int_equal(proc_read_mr_vif(f->r.node, AF_INET6, &v), 0);
	assert_int_equal(proc_read_mc_forwarding(f->r.node, AF_INET6, "all"),
			 0);
	free(v);
	assert_true(proc_running(f->r.pid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_still_forwards),
		cmocka_unit_test(test_warning_logged),
		cmocka_unit_test(test_no_mifs),
	};

	return cmocka_run_group_tests_name("noipv6", tests, setup, fx_teardown);
}
