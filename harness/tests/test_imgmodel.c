// SPDX-License-Identifier: MIT
/*
 * Unit tests for imgmodel.c: the router an image's init starts (on
 * Buildroot's own S41smcroute and S41mrouted, and the stand-ins'), the
 * mangle table's TTL rules and what they do to a TTL across the router,
 * and the NAT rules, from iptables -S text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "imgmodel.h"

#define G(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* Buildroot's package/smcroute/S41smcroute, in its shape */
static const char buildroot_smcroute[] =
	"==> /etc/init.d/S01syslogd\n"
	"#!/bin/sh\n"
	"DAEMON=\"syslogd\"\n"
	"start-stop-daemon -b -m -S -q -p /var/run/syslogd.pid -x /sbin/syslogd\n"
	"==> /etc/init.d/S41smcroute\n"
	"#!/bin/sh\n"
	"# Starts smcrouted, see also mrouted\n"
	"DAEMON=\"smcrouted\"\n"
	"PIDFILE=\"/var/run/$DAEMON.pid\"\n"
	"SMCROUTED_ARGS=\"\"\n"
	"[ -r \"/etc/default/$DAEMON\" ] && . \"/etc/default/$DAEMON\"\n"
	"start() {\n"
	"\tstart-stop-daemon -S -q -p \"$PIDFILE\" -x \"/usr/sbin/$DAEMON\" \\\n"
	"\t\t-- $SMCROUTED_ARGS\n"
	"}\n";

static void test_router_buildroot(void **state)
{
	struct img_router r;

	(void)state;
	assert_int_equal(img_find_router(buildroot_smcroute, &r), 0);
	assert_int_equal(r.daemon, IMG_SMCROUTED);
	assert_string_equal(r.script, "/etc/init.d/S41smcroute");
	assert_string_equal(r.conf, "/etc/smcroute.conf");
	assert_false(r.conf_given);
}

static void test_router_conf_flag(void **state)
{
	struct img_router r;

	(void)state;
	assert_int_equal(
		img_find_router("==> /etc/init.d/S41smcroute\n"
				"#!/bin/sh\n"
				"# smcrouted -f /etc/not-this.conf\n"
				"\tsmcrouted -f /etc/smcroute.conf && echo OK\n",
				&r),
		0);
	assert_int_equal(r.daemon, IMG_SMCROUTED);
	assert_string_equal(r.conf, "/etc/smcroute.conf");
	assert_true(r.conf_given);
	assert_int_equal(
		img_find_router("==> /etc/init.d/S41mrouted\n"
				"/usr/sbin/mrouted -c /etc/mrouted.conf\n",
				&r),
		0);
	assert_int_equal(r.daemon, IMG_MROUTED);
	assert_string_equal(r.conf, "/etc/mrouted.conf");
	assert_int_equal(img_find_router("==> /etc/init.d/S50x\n"
					 "mcrouted -n -f /etc/mc.conf\n",
					 &r),
			 0);
	assert_int_equal(r.daemon, IMG_MCROUTED);
	assert_string_equal(r.conf, "/etc/mc.conf");
}

static void test_router_none(void **state)
{
	struct img_router r;

	(void)state;
	/* a comment, a name inside a word, a text before any script */
	assert_int_equal(img_find_router("smcrouted\n"
					 "==> /etc/init.d/S40network\n"
					 "# we used to run smcrouted here\n"
					 "echo nosmcrouted\n"
					 "ifup -a\n",
					 &r),
			 -1);
	assert_int_equal(r.daemon, IMG_NO_DAEMON);
	assert_int_equal(img_find_router("", &r), -1);
}

static const char field_report_mangle[] =
	"-P PREROUTING ACCEPT\n"
	"-P INPUT ACCEPT\n"
	"-P FORWARD ACCEPT\n"
	"-P OUTPUT ACCEPT\n"
	"-P POSTROUTING ACCEPT\n"
	"-A PREROUTING -d 224.0.0.0/4 -i wlan0 -j TTL --ttl-set 64\n";

static void test_mangle_parse(void **state)
{
	struct img_ttl_rule r[4];
	int un;

	(void)state;
	assert_int_equal(img_parse_mangle(field_report_mangle, r, 4, &un), 1);
	assert_int_equal(un, 0);
	assert_string_equal(r[0].chain, "PREROUTING");
	assert_string_equal(r[0].in, "wlan0");
	assert_int_equal(r[0].op, IMG_TTL_SET);
	assert_int_equal(r[0].val, 64);
	assert_int_equal(r[0].dst, G(224, 0, 0, 0));
	assert_int_equal(r[0].dmask, 0xf0000000u);
	assert_int_equal(
		img_parse_mangle(
			"-A PREROUTING -i wlan0 -m ttl --ttl-eq 1 -j TTL --ttl-set 2\n"
			"-A FORWARD ! -i usb0 -j TTL --ttl-inc 1\n"
			"-A POSTROUTING -o usb+ -j TTL --ttl-dec 2\n"
			"-A PREROUTING -i wlan0 -j MARK --set-mark 1\n",
			r, 4, &un),
		1);
	assert_int_equal(un, 2);
	assert_string_equal(r[0].out, "usb+");
	assert_int_equal(r[0].op, IMG_TTL_DEC);
	/* no text, no rule */
	assert_int_equal(img_parse_mangle("", r, 4, &un), 0);
}

static void test_ttl_plain(void **state)
{
	uint32_t g = G(225, 1, 2, 3);

	(void)state;
	/* TTL 1 is never routed; the rest arrive with one less */
	assert_int_equal(img_ttl_expect(NULL, 0, "wlan0", "usb0", g, 1, 1), 0);
	assert_int_equal(img_ttl_expect(NULL, 0, "wlan0", "usb0", g, 2, 1), 1);
	assert_int_equal(img_ttl_expect(NULL, 0, "wlan0", "usb0", g, 64, 1),
			 63);
	assert_int_equal(img_ttl_expect(NULL, 0, "wlan0", "usb0", g, 255, 1),
			 254);
	/* ttl-threshold 10: TTL 10 stays, 11 crosses */
	assert_int_equal(img_ttl_expect(NULL, 0, "wlan0", "usb0", g, 10, 10),
			 0);
	assert_int_equal(img_ttl_expect(NULL, 0, "wlan0", "usb0", g, 11, 10),
			 10);
}

static void test_ttl_rules(void **state)
{
	struct img_ttl_rule r[4];
	uint32_t g = G(225, 1, 2, 3);
	int n, un;

	(void)state;
	n = img_parse_mangle(field_report_mangle, r, 4, &un);
	/* the field report's fix: TTL 1 senders cross, with 63 */
	assert_int_equal(img_ttl_expect(r, n, "wlan0", "usb0", g, 1, 1), 63);
	assert_int_equal(img_ttl_expect(r, n, "wlan0", "usb0", g, 255, 1), 63);
	/* not from wlan0: no effect */
	assert_int_equal(img_ttl_expect(r, n, "usb0", "wlan0", g, 1, 1), 0);
	/* not to a group in 224/4 */
	assert_int_equal(
		img_ttl_expect(r, n, "wlan0", "usb0", G(10, 0, 0, 1), 1, 1), 0);
	/* after the decrement: POSTROUTING sees what FORWARD left */
	n = img_parse_mangle("-A FORWARD -i wlan0 -o usb0 -j TTL --ttl-inc 5\n"
			     "-A POSTROUTING -o usb+ -j TTL --ttl-dec 2\n",
			     r, 4, &un);
	assert_int_equal(n, 2);
	assert_int_equal(img_ttl_expect(r, n, "wlan0", "usb0", g, 10, 1), 12);
	/* the threshold is before FORWARD: TTL 1 still stays */
	assert_int_equal(img_ttl_expect(r, n, "wlan0", "usb0", g, 1, 1), 0);
	/* rules apply in order, every one of them */
	n = img_parse_mangle("-A PREROUTING -j TTL --ttl-set 1\n"
			     "-A PREROUTING -i wlan0 -j TTL --ttl-inc 1\n",
			     r, 4, &un);
	assert_int_equal(img_ttl_expect(r, n, "wlan0", "usb0", g, 64, 1), 1);
	assert_int_equal(img_ttl_expect(r, n, "eth0", "usb0", g, 64, 1), 0);
}

static void test_nat(void **state)
{
	struct img_nat_rule r[4];

	(void)state;
	assert_int_equal(
		img_parse_nat(
			"-P PREROUTING ACCEPT\n"
			"-A POSTROUTING -o usb0 -j MASQUERADE\n"
			"-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 198.51.100.1\n"
			"-A PREROUTING -i usb0 -j DNAT --to-destination 1.2.3.4\n",
			r, 4),
		2);
	assert_string_equal(r[0].out, "usb0");
	assert_string_equal(r[0].target, "MASQUERADE");
	assert_string_equal(r[1].out, "");
	assert_string_equal(r[1].target, "SNAT");
	assert_int_equal(img_parse_nat("", r, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_buildroot),
		cmocka_unit_test(test_router_conf_flag),
		cmocka_unit_test(test_router_none),
		cmocka_unit_test(test_mangle_parse),
		cmocka_unit_test(test_ttl_plain),
		cmocka_unit_test(test_ttl_rules),
		cmocka_unit_test(test_nat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
