// SPDX-License-Identifier: MIT
/*
 * Unit tests for the .topo parser: every directive, the shipped
 * topologies, and every error message with its file:line.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "topo.h"

static struct topo *parse_ok(const char *text)
{
	char err[TOPO_ERR_MAX];
	struct topo *t = topo_parse(text, "t.topo", err, sizeof(err));

	if (!t)
		print_error("unexpected error: %s\n", err);
	assert_non_null(t);
	return t;
}

static void addr_is(const struct topo_addr *a, const char *s)
{
	char buf[64];

	assert_string_equal(topo_addr_str(a, buf, sizeof(buf)), s);
}

static void test_minimal(void **state)
{
	struct topo *t;

	(void)state;
	t = parse_ok("node a\n");
	assert_int_equal(t->nnodes, 1);
	assert_string_equal(t->nodes[0].name, "a");
	assert_int_equal(t->nodes[0].roles, 0);
	assert_string_equal(t->name, "t");
	assert_int_equal(topo_router_index(t), -1);
	topo_free(t);
}

static void test_full(void **state)
{
	static const char text[] =
		"# comment line\n"
		"\n"
		"node snd sender   # trailing comment\n"
		"node rtr router host\n"
		"node rcv receiver\n"
		"link snd:eth0 192.0.2.2/24 2001:db8:1::2/64 rtr:wlan0 192.0.2.1/24\n"
		"lan usb snooping rtr:usb0 198.51.100.1/24 \\\n"
		"    rcv:eth0 198.51.100.2/24 \\\n"
		"    snd:eth1\n"
		"addr rtr:wlan0 2001:db8:1::1/64 10.9.9.9/8\n"
		"bridge rtr:br0 203.0.113.1/24 ports usb0\n"
		"route snd default via 192.0.2.1\n"
		"route snd default via 2001:db8:1::1\n"
		"route rcv 203.0.113.0/24 via 198.51.100.1 dev eth0\n"
		"route rcv default6 dev eth0\n"
		"route rcv default dev eth0\n"
		"sysctl rcv net.ipv4.icmp_echo_ignore_broadcasts=0\n";
	const struct topo_if *ifs[8];
	struct topo *t = parse_ok(text);

	(void)state;
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(t->nodes[0].roles, TOPO_ROLE_SENDER);
	assert_int_equal(t->nodes[1].roles, TOPO_ROLE_ROUTER | TOPO_ROLE_HOST);
	assert_int_equal(t->nodes[1].line, 4);
	assert_int_equal(topo_router_index(t), 1);

	assert_int_equal(t->nlinks, 1);
	assert_int_equal(t->links[0].a.naddrs, 2);
	addr_is(&t->links[0].a.addrs[0], "192.0.2.2/24");
	addr_is(&t->links[0].a.addrs[1], "2001:db8:1::2/64");
	assert_int_equal(t->links[0].a.addrs[1].family, AF_INET6);
	/* wlan0 got its own address and the two of the addr line */
	assert_int_equal(t->links[0].b.naddrs, 3);
	addr_is(&t->links[0].b.addrs[2], "10.9.9.9/8");
	assert_int_equal(t->naddrs, 1);
	assert_int_equal(t->addrs[0].line, 10);

	assert_int_equal(t->nlans, 1);
	assert_true(t->lans[0].snooping);
	assert_int_equal(t->lans[0].nmembers, 3);
	assert_int_equal(t->lans[0].line, 7);
	assert_int_equal(t->lans[0].members[2].naddrs, 0);
	assert_string_equal(t->lans[0].members[2].ifname, "eth1");

	assert_int_equal(t->nbridges, 1);
	assert_int_equal(t->bridges[0].nports, 1);
	assert_string_equal(t->bridges[0].ports[0], "usb0");
	addr_is(&t->bridges[0].br.addrs[0], "203.0.113.1/24");

	assert_int_equal(t->nroutes, 5);
	assert_int_equal(t->routes[0].family, AF_INET);
	assert_true(t->routes[0].has_gw);
	assert_int_equal(t->routes[0].dst.plen, 0);
	assert_int_equal(t->routes[1].family, AF_INET6);
	addr_is(&t->routes[2].dst, "203.0.113.0/24");
	assert_string_equal(t->routes[2].dev, "eth0");
	assert_int_equal(t->routes[3].family, AF_INET6);
	assert_false(t->routes[3].has_gw);
	assert_int_equal(t->routes[4].family, AF_INET);

	assert_int_equal(t->nsysctls, 1);
	assert_string_equal(t->sysctls[0].key,
			    "net.ipv4.icmp_echo_ignore_broadcasts");
	assert_string_equal(t->sysctls[0].value, "0");
	assert_int_equal(t->sysctls[0].line, 17);

	/* interfaces per node, in declaration order */
	assert_int_equal(topo_node_ifs(t, 1, ifs, 8), 3);
	assert_string_equal(ifs[0]->ifname, "wlan0");
	assert_string_equal(ifs[1]->ifname, "usb0");
	assert_string_equal(ifs[2]->ifname, "br0");
	assert_non_null(topo_find_if(t, 0, "eth1"));
	assert_null(topo_find_if(t, 0, "eth9"));
	addr_is(topo_if_addr(t, 1, "wlan0", AF_INET6), "2001:db8:1::1/64");
	assert_null(topo_if_addr(t, 0, "eth1", AF_INET));
	topo_free(t);
}

static void test_shipped(void **state)
{
	static const struct {
		const char *name;
		int nodes, links, lans, routers;
	} want[] = {
		{ "pi-router", 3, 2, 0, 1 },
		{ "pi-router-lan", 5, 0, 2, 1 },
		{ "chain", 5, 2, 1, 2 },
		{ "multi-down", 5, 4, 0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char path[128], err[TOPO_ERR_MAX];
		struct topo *t;
		int r = 0, n, s;
		bool dad_or_echo = false;

		snprintf(path, sizeof(path), "topologies/%s.topo",
			 want[i].name);
		t = topo_load(path, err, sizeof(err));
		if (!t)
			print_error("%s\n", err);
		assert_non_null(t);
		assert_string_equal(t->name, want[i].name);
		assert_int_equal(t->nnodes, want[i].nodes);
		assert_int_equal(t->nlinks, want[i].links);
		assert_int_equal(t->nlans, want[i].lans);
		for (n = 0; n < t->nnodes; n++)
			r += !!(t->nodes[n].roles & TOPO_ROLE_ROUTER);
		assert_int_equal(r, want[i].routers);
		/* receivers answer pings to groups (field report) */
		for (s = 0; s < t->nsysctls; s++)
			if (!strcmp(t->sysctls[s].key,
				    "net.ipv4.icmp_echo_ignore_broadcasts"))
				dad_or_echo = true;
		assert_true(dad_or_echo);
		/* dual stack: every router interface has both families */
		n = topo_router_index(t);
		{
			const struct topo_if *ifs[8];
			int k, cnt = topo_node_ifs(t, n, ifs, 8);

			for (k = 0; k < cnt; k++) {
				assert_non_null(topo_if_addr(
					t, n, ifs[k]->ifname, AF_INET));
				assert_non_null(topo_if_addr(
					t, n, ifs[k]->ifname, AF_INET6));
			}
		}
		topo_free(t);
	}
}

static void test_by_name(void **state)
{
	char err[TOPO_ERR_MAX];
	struct topo *t = topo_load("pi-router", err, sizeof(err));

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->nnodes, 3);
	topo_free(t);
	t = topo_load("no-such-topology", err, sizeof(err));
	assert_null(t);
	assert_non_null(strstr(err, "no-such-topology.topo: No such file"));
}

static void test_crlf_tabs(void **state)
{
	struct topo *t =
		parse_ok("node\ta\r\nnode b\t\r\nlink a:x 10.0.0.1/24\tb:y\n");

	(void)state;
	assert_int_equal(t->nnodes, 2);
	assert_string_equal(t->links[0].b.ifname, "y");
	topo_free(t);
}

/* Every error: text -> exact "t.topo:LINE: message". */
static const struct {
	const char *text;
	const char *msg;
} errors[] = {
	{ "", "t.topo:1: no nodes declared" },
	{ "# only a comment\n\n", "t.topo:2: no nodes declared" },
	{ "nod a\n", "t.topo:1: unknown directive 'nod'" },
	{ "node\n",
	  "t.topo:1: usage: node NAME [router|sender|receiver|host...]" },
	{ "node a/b\n",
	  "t.topo:1: bad node name 'a/b' (1-15 of A-Z a-z 0-9 _ -)" },
	{ "node abcdefghijklmnop\n",
	  "t.topo:1: bad node name 'abcdefghijklmnop' (1-15 of A-Z a-z 0-9 _ -)" },
	{ "node a\nnode a\n", "t.topo:2: node 'a' is declared twice" },
	{ "node a\nnode b boss\n",
	  "t.topo:2: unknown role 'boss' (router, sender, receiver, host)" },
	{ "node a\nlan a a:x\n", "t.topo:2: lan 'a' has the name of a node" },
	{ "node a\nlan l a:x\nnode l\n",
	  "t.topo:3: node 'l' has the name of a lan" },
	{ "node a\nlink a:x\n",
	  "t.topo:2: usage: link NODE:IF [ADDR/LEN...] NODE:IF [ADDR/LEN...]" },
	{ "node a\nlink a:x a:y a:z a:w\n", "t.topo:2: too many endpoints" },
	{ "node a\nlink a:x b:y\n", "t.topo:2: unknown node 'b'" },
	{ "node a\nlink :x a:y\n", "t.topo:2: bad node name in ':x'" },
	{ "node a\nlink a:x junk a:y\n", "t.topo:2: unexpected 'junk'" },
	{ "node a\nlink 10.0.0.1/24 a:x a:y\n",
	  "t.topo:2: address '10.0.0.1/24' before any NODE:IF" },
	{ "node a\nlink a: a:y\n",
	  "t.topo:2: bad interface name '' (1-15 characters, no '/', ':' or spaces)" },
	{ "node a\nlink a:abcdefghijklmnop a:y\n",
	  "t.topo:2: bad interface name 'abcdefghijklmnop' (1-15 characters, no '/', ':' or spaces)" },
	{ "node a\nlink a:x a:x\n",
	  "t.topo:2: a link needs two different interfaces" },
	{ "node a\nlink a:lo a:y\n",
	  "t.topo:2: interface name 'lo' is reserved" },
	{ "node a\nlink a:x a:y\nlink a:x a:z\n",
	  "t.topo:3: interface a:x is declared twice" },
	{ "node a\nlink a:x 10.0.0.300/24 a:y\n",
	  "t.topo:2: bad address '10.0.0.300/24'" },
	{ "node a\nlink a:x 10.0.0.1/33 a:y\n",
	  "t.topo:2: bad prefix length in address '10.0.0.1/33'" },
	{ "node a\nlink a:x 2001:db8::1/129 a:y\n",
	  "t.topo:2: bad prefix length in address '2001:db8::1/129'" },
	{ "node a\nlink a:x 10.0.0.1/ a:y\n",
	  "t.topo:2: bad prefix length in address '10.0.0.1/'" },
	{ "node a\nlink a:x 10.0.0.1/8 10.0.0.2/8 10.0.0.3/8 10.0.0.4/8 10.0.0.5/8 10.0.0.6/8 10.0.0.7/8 10.0.0.8/8 10.0.0.9/8 a:y\n",
	  "t.topo:2: too many addresses on a:x (at most 8)" },
	{ "node a\nlan\n",
	  "t.topo:2: usage: lan NAME [snooping] NODE:IF [ADDR/LEN...] ..." },
	{ "node a\nlan a.b a:x\n",
	  "t.topo:2: bad lan name 'a.b' (1-15 of A-Z a-z 0-9 _ -)" },
	{ "node a\nlan l a:x\nlan l a:y\n",
	  "t.topo:3: lan 'l' is declared twice" },
	{ "node a\nlan l snooping\n", "t.topo:2: lan 'l' has no members" },
	{ "node a\nlan l a:x a:x\n",
	  "t.topo:2: interface a:x is declared twice" },
	{ "node a\nlan l a:x what\n", "t.topo:2: unexpected 'what'" },
	{ "node a\nbridge a:br0\n",
	  "t.topo:2: usage: bridge NODE:BR [ADDR/LEN...] ports IF [IF...]" },
	{ "node a\nbridge a:br0 ports\n",
	  "t.topo:2: bridge a:br0 has no ports" },
	{ "node a\nbridge a:br0 ports eth0\n",
	  "t.topo:2: bridge port 'eth0' is not an interface of node 'a'" },
	{ "node a\nlink a:x a:y\nbridge a:br0 ports x x\n",
	  "t.topo:3: interface 'x' is already a bridge port" },
	{ "node a\nlink a:x a:y\nbridge a:br0 ports x\nbridge a:br1 ports x\n",
	  "t.topo:4: interface 'x' is already a bridge port" },
	{ "node a\nlink a:x a:y\nbridge a:br0 ports a b c d e f g h i\n",
	  "t.topo:3: too many bridge ports (at most 8)" },
	{ "node a\naddr a:x\n", "t.topo:2: usage: addr NODE:IF ADDR/LEN..." },
	{ "node a\naddr a:x 10.0.0.1/8\n",
	  "t.topo:2: interface a:x is not declared (by link, lan or bridge)" },
	{ "node a\nlink a:x a:y\naddr a:x 10.0.0.1/8 b\n",
	  "t.topo:3: unexpected 'b'" },
	{ "node a\nlink a:x 10.0.0.1/8 10.0.0.2/8 10.0.0.3/8 10.0.0.4/8 10.0.0.5/8 10.0.0.6/8 10.0.0.7/8 10.0.0.8/8 a:y\naddr a:x 10.1.1.1/8\n",
	  "t.topo:3: too many addresses on a:x (at most 8)" },
	{ "node a\nroute a default\n",
	  "t.topo:2: usage: route NODE DEST [via GW] [dev IF]" },
	{ "node a\nroute b default via 10.0.0.1\n",
	  "t.topo:2: unknown node 'b'" },
	{ "node a\nroute a 10.0.0.0/40 via 10.0.0.1\n",
	  "t.topo:2: bad prefix length in destination '10.0.0.0/40'" },
	{ "node a\nroute a default via nowhere\n",
	  "t.topo:2: bad gateway 'nowhere'" },
	{ "node a\nroute a default via 10.0.0.0/8\n",
	  "t.topo:2: gateway '10.0.0.0/8' must be an address, not a prefix" },
	{ "node a\nroute a default via 10.0.0.1 via 10.0.0.2\n",
	  "t.topo:2: unexpected 'via' (usage: route NODE DEST [via GW] [dev IF])" },
	{ "node a\nroute a default dev a/b\n",
	  "t.topo:2: bad interface name 'a/b'" },
	{ "node a\nroute a 10.0.0.0/8 metric 5\n",
	  "t.topo:2: unexpected 'metric' (usage: route NODE DEST [via GW] [dev IF])" },
	{ "node a\nroute a default6 via 10.0.0.1\n",
	  "t.topo:2: gateway family does not match the destination" },
	{ "node a\nroute a 10.0.0.0/8 via 2001:db8::1\n",
	  "t.topo:2: gateway family does not match the destination" },
	{ "node a\nroute a default dev eth0\n",
	  "t.topo:2: route device 'eth0' is not an interface of node 'a'" },
	{ "node a\nroute a 10.0.0.0/8 dev\n",
	  "t.topo:2: unexpected 'dev' (usage: route NODE DEST [via GW] [dev IF])" },
	{ "node a\nsysctl a\n", "t.topo:2: usage: sysctl NODE KEY=VALUE" },
	{ "node a\nsysctl b net.x=1\n", "t.topo:2: unknown node 'b'" },
	{ "node a\nsysctl a net.x\n",
	  "t.topo:2: expected KEY=VALUE, got 'net.x'" },
	{ "node a\nsysctl a net.x=\n",
	  "t.topo:2: expected KEY=VALUE, got 'net.x='" },
	{ "node a\nsysctl a kernel.x=1\n",
	  "t.topo:2: sysctl 'kernel.x' is not per namespace (only net.* keys)" },
	{ "node a\nsysctl a net.a/../b=1\n",
	  "t.topo:2: bad sysctl key 'net.a/../b'" },
	{ "node a\n\nlink a:x \\\n  a:y junk\n",
	  "t.topo:3: unexpected 'junk'" },
};

static void test_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		char err[TOPO_ERR_MAX];
		struct topo *t =
			topo_parse(errors[i].text, "t.topo", err, sizeof(err));

		if (t || strcmp(err, errors[i].msg))
			print_error("case %zu: want \"%s\", got \"%s\"\n", i,
				    errors[i].msg, t ? "(parsed)" : err);
		assert_null(t);
		assert_string_equal(err, errors[i].msg);
	}
}

static void test_long_line(void **state)
{
	char *text = malloc(200 * 3 + 16);
	char err[TOPO_ERR_MAX];
	int i;

	(void)state;
	strcpy(text, "node");
	for (i = 0; i < 200; i++)
		strcat(text, " a");
	assert_null(topo_parse(text, "t.topo", err, sizeof(err)));
	assert_string_equal(err,
			    "t.topo:1: line too long (more than 128 words)");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_crlf_tabs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
