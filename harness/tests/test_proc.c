// SPDX-License-Identifier: MIT
/*
 * Unit tests for the /proc parsers, on real samples of every file
 * (harness/tests/fixtures/README says how each was taken) and on broken
 * text.  The IPv4 fixtures were taken on a little-endian host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nf.h"
#include "proc.h"

static char *fixture(const char *name)
{
	char path[256];
	FILE *f;
	char *buf = calloc(1, 65536);
	size_t n;

	snprintf(path, sizeof(path), FIXTURES "/%s", name);
	f = fopen(path, "r");
	if (!f)
		print_error("%s: %s\n", path, strerror(errno));
	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The fixture name parsed by proc_parse_mr_vif() (the same for the
 * others below): its result, the text freed. */
static int mr_vif_of(const char *name, int family, struct mr_vif **v)
{
	char *t = fixture(name);
	int n = proc_parse_mr_vif(t, family, v);

	free(t);
	return n;
}

static int mr_mfc_of(const char *name, int family, struct mr_mfc **m)
{
	char *t = fixture(name);
	int n = proc_parse_mr_mfc(t, family, m);

	free(t);
	return n;
}

static int igmp_of(const char *name, struct igmp_group **g)
{
	char *t = fixture(name);
	int n = proc_parse_igmp(t, g);

	free(t);
	return n;
}

static int igmp6_of(const char *name, struct igmp_group **g)
{
	char *t = fixture(name);
	int n = proc_parse_igmp6(t, g);

	free(t);
	return n;
}

static void v4_is(struct in_addr a, const char *s)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof(buf)), s);
}

static void v6_is(const struct in6_addr *a, const char *s)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET6, a, buf, sizeof(buf)), s);
}

static void test_ip_mr_vif(void **state)
{
	struct mr_vif *v;
	int n;

	(void)state;
	n = mr_vif_of("ip_mr_vif.smcroute", AF_INET, &v);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].vif, 0);
	assert_string_equal(v[0].name, "wlan0");
	assert_int_equal(v[0].bytes_in, 1280);
	assert_int_equal(v[0].pkts_in, 10);
	assert_int_equal(v[0].bytes_out, 0);
	assert_int_equal(v[0].pkts_out, 0);
	assert_int_equal(v[0].flags, MR_VIFF_USE_IFINDEX);
	assert_int_equal(v[0].ifindex, 2);
	assert_string_equal(v[1].name, "usb0");
	assert_int_equal(v[1].bytes_out, 1152);
	assert_int_equal(v[1].pkts_out, 9);
	assert_int_equal(v[1].ifindex, 3);
	assert_ptr_equal(mr_vif_by_name(v, n, "usb0"), &v[1]);
	assert_null(mr_vif_by_name(v, n, "eth0"));
	assert_ptr_equal(mr_vif_by_index(v, n, 0), &v[0]);
	assert_null(mr_vif_by_index(v, n, 5));
	free(v);

	n = mr_vif_of("ip_mr_vif.igmpproxy", AF_INET, &v);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].flags, 0);
	assert_int_equal(v[0].ifindex, 0);
	v4_is(v[0].local, "192.0.2.1");
	v4_is(v[1].local, "198.51.100.1");
	v4_is(v[1].remote, "0.0.0.0");
	free(v);

	assert_int_equal(mr_vif_of("ip_mr_vif.empty", AF_INET, &v), 0);
	assert_null(v);
}

static void test_ip6_mr_vif(void **state)
{
	struct mr_vif *v;
	int n;

	(void)state;
	n = mr_vif_of("ip6_mr_vif.smcroute", AF_INET6, &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "wlan0");
	assert_int_equal(v[0].bytes_in, 888);
	assert_int_equal(v[0].pkts_in, 6);
	assert_string_equal(v[1].name, "usb0");
	assert_int_equal(v[1].bytes_out, 740);
	assert_int_equal(v[1].pkts_out, 5);
	assert_int_equal(v[1].flags, 0);
	free(v);
	/* the IPv4 format has two more columns: strictness */
	assert_int_equal(mr_vif_of("ip6_mr_vif.smcroute", AF_INET, &v), -1);
	assert_int_equal(errno, EINVAL);

	assert_int_equal(mr_vif_of("ip6_mr_vif.empty", AF_INET6, &v), 0);
}

static void test_ip_mr_cache(void **state)
{
	const struct mr_mfc *e;
	struct mr_mfc *m;
	int n;

	(void)state;
	n = mr_mfc_of("ip_mr_cache.smcroute", AF_INET, &m);
	assert_int_equal(n, 4);
	v4_is(m[0].group.v4, "225.3.3.3");
	v4_is(m[0].origin.v4, "192.0.2.2");
	assert_int_equal(m[0].iif, 0);
	assert_false(m[0].unresolved);
	assert_int_equal(m[0].pkts, 4);
	assert_int_equal(m[0].bytes, 512);
	assert_int_equal(m[0].wrong_if, 0);
	assert_int_equal(m[0].noifs, 1);
	assert_int_equal(m[0].oifs[0].vif, 1);
	assert_int_equal(m[0].oifs[0].ttl, 1);
	assert_int_equal(mr_mfc_oif_ttl(&m[0], 1), 1);
	assert_int_equal(mr_mfc_oif_ttl(&m[0], 0), -1);

	e = mr_mfc_find_str(m, n, "192.0.2.2", "225.1.2.3");
	assert_non_null(e);
	assert_int_equal(e->pkts, 3);
	assert_int_equal(e->bytes, 384);
	e = mr_mfc_find_str(m, n, NULL, "225.9.1.1");
	assert_non_null(e);
	assert_int_equal(e->pkts, 2);
	/* a group without a route: an entry with no outputs */
	e = mr_mfc_find_str(m, n, "192.0.2.2", "225.7.7.7");
	assert_non_null(e);
	assert_int_equal(e->noifs, 0);
	assert_int_equal(e->pkts, 1);
	assert_null(mr_mfc_find_str(m, n, "192.0.2.3", "225.1.2.3"));
	assert_null(mr_mfc_find_str(m, n, NULL, "225.1.2.4"));
	free(m);

	n = mr_mfc_of("ip_mr_cache.unresolved", AF_INET, &m);
	assert_int_equal(n, 2);
	assert_true(m[0].unresolved);
	assert_int_equal(m[0].iif, -1);
	v4_is(m[0].group.v4, "225.7.7.9");
	v4_is(m[1].group.v4, "225.7.7.8");
	assert_int_equal(m[1].noifs, 0);
	free(m);

	n = mr_mfc_of("ip_mr_cache.igmpproxy", AF_INET, &m);
	assert_int_equal(n, 1);
	assert_true(m[0].unresolved);
	free(m);

	assert_int_equal(mr_mfc_of("ip_mr_cache.empty", AF_INET, &m), 0);
	assert_null(m);
}

static void test_ip6_mr_cache(void **state)
{
	const struct mr_mfc *e;
	struct mr_mfc *m;
	int n;

	(void)state;
	n = mr_mfc_of("ip6_mr_cache.smcroute", AF_INET6, &m);
	assert_int_equal(n, 3);
	v6_is(&m[0].group.v6, "ff0e::3:3");
	v6_is(&m[0].origin.v6, "2001:db8:1::2");
	assert_int_equal(m[0].iif, 0);
	assert_int_equal(m[0].pkts, 2);
	assert_int_equal(m[0].bytes, 296);
	assert_int_equal(m[0].noifs, 1);
	assert_int_equal(mr_mfc_oif_ttl(&m[0], 1), 1);
	e = mr_mfc_find_str(m, n, "2001:db8:1::2", "ff0e::1:2");
	assert_non_null(e);
	assert_int_equal(e->pkts, 3);
	assert_int_equal(e->bytes, 444);
	e = mr_mfc_find_str(m, n, NULL, "ff0e::7:7");
	assert_non_null(e);
	assert_int_equal(e->noifs, 0);
	free(m);

	assert_int_equal(mr_mfc_of("ip6_mr_cache.empty", AF_INET6, &m), 0);
}

static void test_igmp(void **state)
{
	const struct igmp_group *g;
	struct igmp_group *gs;
	int n;

	(void)state;
	n = igmp_of("igmp.smcroute", &gs);
	assert_int_equal(n, 5);
	assert_string_equal(gs[0].dev, "lo");
	assert_int_equal(gs[0].ifindex, 1);
	v4_is(gs[0].group.v4, "224.0.0.1");
	/* the router's mgroup joins on wlan0, ASM and SSM */
	g = igmp_find(gs, n, "wlan0", "225.1.2.3");
	assert_non_null(g);
	assert_int_equal(g->ifindex, 2);
	assert_int_equal(g->querier, 3);
	assert_int_equal(g->dev_count, 3);
	assert_int_equal(g->users, 1);
	assert_non_null(igmp_find(gs, n, "wlan0", "232.1.1.1"));
	assert_null(igmp_find(gs, n, "usb0", "225.1.2.3"));
	assert_non_null(igmp_find(gs, n, NULL, "225.1.2.3"));
	free(gs);

	n = igmp_of("igmp.igmpproxy", &gs);
	assert_int_equal(n, 5);
	g = igmp_find(gs, n, "usb0", "224.0.0.22");
	assert_non_null(g);
	assert_int_equal(g->querier, 2);
	assert_true(g->timer_running);
	assert_int_equal(g->timer, 0xc3);
	assert_false(g->reporter);
	free(gs);

	n = igmp_of("igmp.receiver", &gs);
	assert_int_equal(n, 4);
	g = igmp_find(gs, n, "eth0", "225.5.5.5");
	assert_non_null(g);
	assert_true(g->reporter);
	assert_int_equal(g->querier, 2);
	assert_non_null(igmp_find(gs, n, "eth0", "239.1.1.1"));
	free(gs);
}

static void test_igmp6(void **state)
{
	const struct igmp_group *g;
	struct igmp_group *gs;
	int n;

	(void)state;
	n = igmp6_of("igmp6.receiver", &gs);
	assert_int_equal(n, 7);
	g = igmp_find(gs, n, "eth0", "ff0e::1:2");
	assert_non_null(g);
	assert_int_equal(g->ifindex, 2);
	assert_int_equal(g->users, 1);
	assert_int_equal(g->flags, 4);
	assert_int_equal(g->family, AF_INET6);
	assert_non_null(igmp_find(gs, n, "lo", "ff02::1"));
	assert_null(igmp_find(gs, n, "lo", "ff0e::1:2"));
	free(gs);

	n = igmp6_of("igmp6.smcroute", &gs);
	assert_int_equal(n, 11);
	assert_non_null(igmp_find(gs, n, "wlan0", "ff0e::1:2"));
	free(gs);
}

static void test_mc_forwarding(void **state)
{
	char *t = fixture("mc_forwarding.1");
	long v = -1;

	(void)state;
	assert_int_equal(proc_parse_int(t, &v), 0);
	assert_int_equal(v, 1);
	free(t);
	t = fixture("mc_forwarding.0");
	assert_int_equal(proc_parse_int(t, &v), 0);
	assert_int_equal(v, 0);
	free(t);
	assert_int_equal(proc_parse_int("", &v), -1);
	assert_int_equal(proc_parse_int("1 2\n", &v), -1);
	assert_int_equal(proc_parse_int("x\n", &v), -1);
	assert_int_equal(proc_parse_int(NULL, &v), -1);
}

static void test_mc_forwarding_list(void **state)
{
	char *t = fixture("mc_forwarding.list");
	struct mc_fwd *v;
	int n;

	(void)state;
	n = proc_parse_mc_forwarding_list(t, &v);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].ifname, "all");
	assert_int_equal(v[0].value, 1);
	assert_string_equal(v[1].ifname, "default");
	assert_int_equal(v[1].value, 0);
	assert_string_equal(v[3].ifname, "usb0");
	assert_int_equal(v[3].value, 1);
	assert_string_equal(v[4].ifname, "wlan0");
	assert_int_equal(v[4].value, 1);
	free(v);
	free(t);
	assert_int_equal(proc_parse_mc_forwarding_list("", &v), 0);
	assert_null(v);
	/* not grep -H's lines of mc_forwarding files */
	assert_int_equal(proc_parse_mc_forwarding_list("1\n", &v), -1);
	assert_int_equal(
		proc_parse_mc_forwarding_list(
			"/proc/sys/net/ipv4/conf/usb0/mc_forwarding:x\n", &v),
		-1);
	assert_int_equal(proc_parse_mc_forwarding_list(
				 "/proc/sys/net/ipv4/conf/usb0/forwarding:1\n",
				 &v),
			 -1);
	assert_int_equal(
		proc_parse_mc_forwarding_list(
			"/proc/sys/net/ipv4/conf/abcdefghijklmnopq/mc_forwarding:1\n",
			&v),
		-1);
	assert_null(v);
}

static void ct_is(const struct ct_entry *e, const char *osrc, const char *odst,
		  const char *rdst)
{
	const union mr_addr *a[] = { &e->orig_src, &e->orig_dst, &e->repl_dst };
	const char *want[] = { osrc, odst, rdst };

	for (int i = 0; i < 3; i++) {
		if (e->family == AF_INET)
			v4_is(a[i]->v4, want[i]);
		else
			v6_is(&a[i]->v6, want[i]);
	}
}

static void test_nf_conntrack(void **state)
{
	char *t = fixture("nf_conntrack.guest");
	struct ct_entry *v;
	int n;

	(void)state;
	/* the guest, MASQUERADE on usb0: (S,G) flows SNATed to usb0 */
	n = nf_ct_parse(t, AF_UNSPEC, &v);
	assert_int_equal(n, 4);
	ct_is(&v[0], "192.0.2.2", "225.1.2.3", "198.51.100.1");
	assert_int_equal(v[0].proto, IPPROTO_UDP);
	assert_int_equal(v[0].orig_sport, 40002);
	assert_int_equal(v[0].orig_dport, 5001);
	assert_true(v[0].snat);
	assert_false(v[0].dnat);
	/* IGMP ("unknown 2"): no ports, not NATed */
	ct_is(&v[1], "192.0.2.1", "224.0.0.22", "192.0.2.1");
	assert_int_equal(v[1].proto, 2);
	assert_int_equal(v[1].orig_sport, 0);
	assert_false(v[1].snat);
	assert_int_equal(v[2].family, AF_INET6);
	ct_is(&v[2], "2001:db8:1::2", "ff0e::1:3", "2001:db8:2::1");
	assert_true(v[2].snat);
	free(v);
	assert_int_equal(nf_ct_parse(t, AF_INET6, &v), 1);
	assert_int_equal(v[0].orig_sport, 40003);
	free(v);
	assert_int_equal(nf_ct_parse(t, AF_INET, &v), 3);
	free(v);
	free(t);
	/* a host: ICMP, TCP with its state and [ASSURED], accounting on */
	t = fixture("nf_conntrack.host");
	n = nf_ct_parse(t, AF_UNSPEC, &v);
	assert_int_equal(n, 6);
	assert_int_equal(v[0].proto, IPPROTO_ICMP);
	assert_int_equal(v[2].family, AF_INET6);
	ct_is(&v[2], "2001:db8::1", "2001:db8::1", "2001:db8::1");
	assert_int_equal(v[3].orig_dport, 5009);
	assert_int_equal(v[5].proto, IPPROTO_TCP);
	assert_int_equal(v[5].orig_dport, 6000);
	for (int i = 0; i < n; i++)
		assert_false(v[i].snat || v[i].dnat);
	free(v);
	free(t);
	assert_int_equal(nf_ct_parse("", AF_UNSPEC, &v), 0);
	assert_null(v);
}

static void test_nf_conntrack_broken(void **state)
{
	static const char *const bad[] = {
		"ipv5     2 udp      17 29 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4\n",
		"ipv4     10 udp      17 29 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4\n",
		"ipv4     2 udp      17 29 src=1.2.3.4 dst=5.6.7.8 use=2\n",
		"ipv4     2 udp      17 29 src=1.2.3 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4\n",
		"ipv4     2 udp      17 29 src=1.2.3.4 dst=5.6.7.8 sport=70000 src=5.6.7.8 dst=1.2.3.4\n",
		"ipv6     10 udp      17 29 src=1.2.3.4 dst=5.6.7.8 src=5.6.7.8 dst=1.2.3.4\n",
		"ipv4     2\n",
	};
	struct ct_entry *v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(nf_ct_parse(bad[i], AF_UNSPEC, &v), -1);
		assert_int_equal(errno, EINVAL);
		assert_null(v);
	}
}

static void test_broken(void **state)
{
	static const char *const vif4[] = {
		"",
		"Group    Origin\n",
		"Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
		" 0 wlan0 1 2 3 4 00008 00000002\n",
		"Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
		" 0 wlan0 1 2 3 4 00008 0000002 00000000\n",
		"Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
		"40 wlan0 1 2 3 4 00008 00000002 00000000\n",
		"Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
		" 0 abcdefghijklmnopq 1 2 3 4 00008 00000002 00000000\n",
	};
	static const char *const mfc4[] = {
		"",
		"Interface\n",
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"030303E1 020200C0 0 4 512\n",
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"030303E1 020200C0 0 4 512 0 1:\n",
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"030303E1 020200C0 0 4 512 0 1:256\n",
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"030303E1 020200C0 0 4 512 0 33:1\n",
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"0303E1 020200C0 0 4 512 0\n",
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"030303E1 020200C0 -2 4 512 0\n",
	};
	static const char *const igmp[] = {
		"",
		"Idx\tDevice\n\t\t\t\t010000E0     1 0:00000000\t\t0\n",
		"Idx\tDevice\n1\tlo        :     1      V4\n",
		"Idx\tDevice\n1\tlo             1      V3\n",
		"Idx\tDevice\n1\tlo        :     1      V3\n\t\t\t\tE0     1 0:00000000\t\t0\n",
	};
	static const char *const igmp6[] = {
		"1    lo              ff02000000000000000000000000001     1 0000000C 0\n",
		"1    lo              ff02000000000000000000000000000g     1 0000000C 0\n",
		"1    lo              ff020000000000000000000000000001     1\n",
	};
	struct mr_vif *v;
	struct mr_mfc *m;
	struct igmp_group *g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vif4) / sizeof(*vif4); i++) {
		assert_int_equal(proc_parse_mr_vif(vif4[i], AF_INET, &v), -1);
		assert_null(v);
	}
	assert_int_equal(proc_parse_mr_vif("Interface\n", AF_UNSPEC, &v), 0);
	assert_int_equal(proc_parse_mr_vif("Interface\n 0 a 1 2 3 4 0\n",
					   AF_UNSPEC, &v),
			 -1);
	for (i = 0; i < sizeof(mfc4) / sizeof(*mfc4); i++) {
		assert_int_equal(proc_parse_mr_mfc(mfc4[i], AF_INET, &m), -1);
		assert_null(m);
	}
	assert_int_equal(proc_parse_mr_mfc("Group\n", AF_UNSPEC, &m), -1);
	assert_int_equal(proc_parse_mr_mfc("Group\nff0e::1 zz 0 1 2 3\n",
					   AF_INET6, &m),
			 -1);
	for (i = 0; i < sizeof(igmp) / sizeof(*igmp); i++)
		assert_int_equal(proc_parse_igmp(igmp[i], &g), -1);
	for (i = 0; i < sizeof(igmp6) / sizeof(*igmp6); i++)
		assert_int_equal(proc_parse_igmp6(igmp6[i], &g), -1);
	assert_int_equal(proc_parse_igmp6("", &g), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_mr_vif),
		cmocka_unit_test(test_ip6_mr_vif),
		cmocka_unit_test(test_ip_mr_cache),
		cmocka_unit_test(test_ip6_mr_cache),
		cmocka_unit_test(test_igmp),
		cmocka_unit_test(test_igmp6),
		cmocka_unit_test(test_mc_forwarding),
		cmocka_unit_test(test_mc_forwarding_list),
		cmocka_unit_test(test_nf_conntrack),
		cmocka_unit_test(test_nf_conntrack_broken),
		cmocka_unit_test(test_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
