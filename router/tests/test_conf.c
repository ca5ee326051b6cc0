// SPDX-License-Identifier: MIT
/*
 * Unit tests for the config parser (conf*.c), the grammar: every form of
 * every directive, IPv6, wildcards, the IGMP/MLD timers, CRLF and a byte
 * order mark, columns, lines without a length limit.  Errors are in
 * test_conf_err.c, include and files in test_conf_files.c, conf_print()
 * and the comparisons in test_conf_print.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_fixture.h"

static void test_empty(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "");
	assert_int_equal(c.n_phyints + c.n_mgroups + c.n_mroutes, 0);
	assert_true(c.conntrack_flush);
	assert_int_equal(c.n_files, 1);
	assert_string_equal(c.files[0], "test.conf");
	conf_free(&c);

	ok(&c, "\n\n   \t\n# only a comment\n\t# indented comment\r\n#");
	assert_int_equal(c.n_phyints + c.n_mgroups + c.n_mroutes, 0);
	conf_free(&c);

	/* No text at all, no name, no error struct. */
	conf_init(&c);
	assert_int_equal(conf_parse(&c, NULL, NULL, 0, NULL, NULL), 0);
	assert_string_equal(c.files[0], "<config>");
	conf_free(&c);
}

static void test_phyint(void **state)
{
	const struct conf_phyint *p;
	struct conf c;

	(void)state;
	ok(&c, "phyint eth0\n"
	       "phyint eth1 disable\n"
	       "phyint eth2 enable mrdisc ttl-threshold 11\n"
	       "phyint eth3 ttl-threshold 255 enable upstream igmpv3 mldv2\n"
	       "phyint eth4 downstream igmpv2 mldv1 fast-leave disable\n"
	       "phyint eth5 upstream altnet 10.0.0.0/8 altnet 192.168.1.0/24 "
	       "altnet 2001:db8::/32 altnet 172.16.0.1\n"
	       "phyint wlan+ enable\n"
	       "phyint 0123456789abcde enable\n"
	       "phyint eth0 enable enable\n"
	       "phyint eth6 ttl-threshold 1 ttl-threshold 007\n");
	assert_int_equal(c.n_phyints, 9);

	p = &c.phyints[0];
	assert_string_equal(p->ifname, "eth0");
	assert_true(p->enable);
	assert_false(p->mrdisc);
	assert_int_equal(p->ttl_threshold, 1);
	assert_int_equal(p->role, ROLE_NONE);
	assert_int_equal(p->igmp_version, 0);
	assert_int_equal(p->mld_version, 0);
	assert_false(p->fast_leave);
	assert_int_equal(p->n_altnet, 0);
	/* replaced by line 9, in place */
	assert_int_equal(p->loc.line, 9);
	assert_int_equal(p->loc.col, 1);
	assert_string_equal(p->loc.file, "test.conf");

	p = &c.phyints[1];
	assert_false(p->enable);
	assert_int_equal(p->loc.line, 2);

	p = &c.phyints[2];
	assert_true(p->enable);
	assert_true(p->mrdisc);
	assert_int_equal(p->ttl_threshold, 11);

	p = &c.phyints[3];
	assert_int_equal(p->ttl_threshold, 255);
	assert_int_equal(p->role, ROLE_UPSTREAM);
	assert_int_equal(p->igmp_version, 3);
	assert_int_equal(p->mld_version, 2);

	p = &c.phyints[4];
	assert_false(p->enable);
	assert_int_equal(p->role, ROLE_DOWNSTREAM);
	assert_int_equal(p->igmp_version, 2);
	assert_int_equal(p->mld_version, 1);
	assert_true(p->fast_leave);

	p = &c.phyints[5];
	assert_int_equal(p->n_altnet, 4);
	assert_prefix(&p->altnet[0], "10.0.0.0/8");
	assert_prefix(&p->altnet[1], "192.168.1.0/24");
	assert_prefix(&p->altnet[2], "2001:db8::/32");
	assert_prefix(&p->altnet[3], "172.16.0.1");

	assert_string_equal(c.phyints[6].ifname, "wlan+");
	assert_string_equal(c.phyints[7].ifname, "0123456789abcde");
	assert_int_equal(c.phyints[8].ttl_threshold, 7);
	conf_free(&c);
}

static void test_phyint_override(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "phyint eth0 enable ttl-threshold 5 altnet 10.0.0.0/8\n"
	       "phyint eth1\n"
	       "phyint eth0 disable\n");
	assert_int_equal(c.n_phyints, 2);
	assert_string_equal(c.phyints[0].ifname, "eth0");
	assert_false(c.phyints[0].enable);
	assert_int_equal(c.phyints[0].ttl_threshold, 1);
	assert_int_equal(c.phyints[0].n_altnet, 0);
	assert_int_equal(c.phyints[0].loc.line, 3);
	conf_free(&c);
}

static void test_mgroup(void **state)
{
	const struct conf_mgroup *g;
	struct conf c;

	(void)state;
	ok(&c, "mgroup from eth0 group 225.1.2.3\n"
	       "mgroup from virbr0 source 192.168.123.110 group 225.1.2.4\n"
	       "mgroup from eth0 group 225.0.0.0/24\n"
	       "mgroup\tfrom\teth0\tsource 10.0.0.0/30 group 232.1.1.0/30 # x\n"
	       "mgroup group ff0e::1 from eth1\n"
	       "mgroup from eth1 source 2001:db8::1 group ff3e::1234\n"
	       "mgroup source 0.0.0.0 group 225.9.9.9 from eth+\n"
	       "mgroup from eth0 source :: group ff05::/120\n"
	       "   mgroup from eth0 group 225.3.2.1#comment\n");
	assert_int_equal(c.n_mgroups, 9);

	g = &c.mgroups[0];
	assert_string_equal(g->ifname, "eth0");
	assert_int_equal(g->source.addr.family, AF_UNSPEC);
	assert_prefix(&g->group, "225.1.2.3");
	assert_int_equal(g->loc.line, 1);
	assert_int_equal(conf_mgroup_size(g), 1);

	g = &c.mgroups[1];
	assert_string_equal(g->ifname, "virbr0");
	assert_prefix(&g->source, "192.168.123.110");
	assert_prefix(&g->group, "225.1.2.4");

	g = &c.mgroups[2];
	assert_prefix(&g->group, "225.0.0.0/24");
	assert_int_equal(conf_mgroup_size(g), 256);

	g = &c.mgroups[3];
	assert_prefix(&g->source, "10.0.0.0/30");
	assert_prefix(&g->group, "232.1.1.0/30");
	assert_int_equal(conf_mgroup_size(g), 16);

	g = &c.mgroups[4];
	assert_string_equal(g->ifname, "eth1");
	assert_int_equal(g->group.addr.family, AF_INET6);
	assert_prefix(&g->group, "ff0e::1");

	g = &c.mgroups[5];
	assert_prefix(&g->source, "2001:db8::1");
	assert_prefix(&g->group, "ff3e::1234");

	g = &c.mgroups[6]; /* source 0.0.0.0 is an ASM join */
	assert_string_equal(g->ifname, "eth+");
	assert_int_equal(g->source.addr.family, AF_UNSPEC);

	g = &c.mgroups[7];
	assert_int_equal(g->source.addr.family, AF_UNSPEC);
	assert_prefix(&g->group, "ff05::/120");
	assert_int_equal(conf_mgroup_size(g), 256);

	g = &c.mgroups[8];
	assert_prefix(&g->group, "225.3.2.1");
	assert_int_equal(g->loc.line, 9);
	assert_int_equal(g->loc.col, 4);
	conf_free(&c);
}

static void test_mroute(void **state)
{
	const struct conf_mroute *r;
	struct conf c;

	(void)state;
	ok(&c,
	   "mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1 eth2\n"
	   "mroute from eth0 group 225.3.2.1 to eth1 eth2\n"
	   "mroute from eth0 source 0.0.0.0 group 225.0.0.0/24 to eth1\n"
	   "mroute from eth0 source 10.1.0.0/16 group 239.0.0.0/8 to eth1\n"
	   "mroute group 225.1.1.1 source 10.0.0.1 from eth+ to usb0\n"
	   "mroute from eth0 source 2001:db8::1 group ff0e::1 to eth1\n"
	   "mroute from eth0 source :: group ff0e::/16 to eth1 eth2 eth1\n"
	   "mroute from eth0 source 0.0.0.0/0 group 225.1.1.1 to eth1\n"
	   "mroute from eth0 group ff3e::/96 to eth1\n");
	assert_int_equal(c.n_mroutes, 9);

	r = &c.mroutes[0];
	assert_string_equal(r->ifname, "eth0");
	assert_prefix(&r->source, "192.168.1.42");
	assert_prefix(&r->group, "225.1.2.3");
	assert_int_equal(r->n_oifs, 2);
	assert_string_equal(r->oifs[0], "eth1");
	assert_string_equal(r->oifs[1], "eth2");
	assert_int_equal(r->loc.line, 1);

	r = &c.mroutes[1]; /* (*,G) */
	assert_int_equal(r->source.addr.family, AF_UNSPEC);
	assert_prefix(&r->group, "225.3.2.1");

	r = &c.mroutes[2]; /* (*,G/24) */
	assert_int_equal(r->source.addr.family, AF_UNSPEC);
	assert_prefix(&r->group, "225.0.0.0/24");

	r = &c.mroutes[3];
	assert_prefix(&r->source, "10.1.0.0/16");
	assert_prefix(&r->group, "239.0.0.0/8");

	r = &c.mroutes[4];
	assert_string_equal(r->ifname, "eth+");
	assert_prefix(&r->source, "10.0.0.1");
	assert_string_equal(r->oifs[0], "usb0");

	r = &c.mroutes[5];
	assert_int_equal(r->source.addr.family, AF_INET6);
	assert_prefix(&r->group, "ff0e::1");

	r = &c.mroutes[6]; /* :: is (*,G); eth1 kept once */
	assert_int_equal(r->source.addr.family, AF_UNSPEC);
	assert_int_equal(r->n_oifs, 2);

	r = &c.mroutes[7]; /* 0.0.0.0/0 is kept as a prefix */
	assert_prefix(&r->source, "0.0.0.0/0");

	assert_prefix(&c.mroutes[8].group, "ff3e::/96");
	conf_free(&c);
}

static void test_mroute_many_oifs(void **state)
{
	size_t n = 2000, len = 0;
	char *text = malloc(64 + n * 8), *p;
	struct conf c;

	(void)state;
	p = text;
	p += sprintf(p, "mroute from eth0 group 225.1.1.1 to");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, " e%zu", i);
	*p = '\0';
	len = (size_t)(p - text);
	assert_true(len > 10000);
	ok(&c, text);
	assert_int_equal(c.n_mroutes, 1);
	assert_int_equal(c.mroutes[0].n_oifs, n);
	assert_string_equal(c.mroutes[0].oifs[1999], "e1999");
	conf_free(&c);
	free(text);
}

static void test_conntrack(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "conntrack-flush off\n");
	assert_false(c.conntrack_flush);
	conf_free(&c);
	ok(&c, "conntrack-flush off\nconntrack-flush on # again\n");
	assert_true(c.conntrack_flush);
	conf_free(&c);
}

static void test_smcroute_example(void **state)
{
	struct conf c;

	(void)state;
	/* The example of smcroute.conf(5) and the field report's config. */
	ok(&c,
	   "#\n# smcroute.conf example\n#\n"
	   "phyint eth0 enable ttl-threshold 11\n"
	   "phyint eth1 enable ttl-threshold 3\n"
	   "phyint eth2 enable ttl-threshold 5\n"
	   "phyint virbr0 enable ttl-threshold 5\n"
	   "mgroup from eth0\t\t\tgroup 225.1.2.3\n"
	   "mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1 eth2\n"
	   "mgroup from virbr0 source 192.168.123.110 group 225.1.2.4\n"
	   "mroute from virbr0 source 192.168.123.110 group 225.1.2.4 to eth0\n"
	   "mgroup from eth0 group 225.3.2.1\n"
	   "mroute from eth0 group 225.3.2.1 to eth1 eth2\n"
	   "mgroup from eth0 group 225.0.0.0/24\n"
	   "mroute from eth0 group 225.0.0.0/24 to eth1 eth2\n"
	   "mgroup from wlan0 group 239.255.255.250\n"
	   "mroute from wlan0 group 239.255.255.250 to usb0\n");
	assert_int_equal(c.n_phyints, 4);
	assert_int_equal(c.n_mgroups, 5);
	assert_int_equal(c.n_mroutes, 5);
	assert_int_equal(c.mroutes[0].loc.line, 9);
	conf_free(&c);
}

static void test_crlf_bom_columns(void **state)
{
	struct conf c;

	(void)state;
	ok(&c,
	   "\xef\xbb\xbfphyint eth0\r\nmgroup from eth0 group 225.1.1.1\r\n");
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].ifname, "eth0");
	assert_int_equal(c.phyints[0].loc.col, 1);
	conf_free(&c);

	fails("\xef\xbb\xbf"
	      "bogus",
	      "test.conf:1:1: unknown directive 'bogus' (expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)");
	/* columns are 1-based bytes; a tab is one column */
	fails("\t  phyint eth0 x",
	      "test.conf:1:16: unknown phyint option 'x' (expected enable, disable, mrdisc, ttl-threshold, upstream, downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)");
	fails("phyint eth0\n\n# c\n\n  nope\n",
	      "test.conf:5:3: unknown directive 'nope' (expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)");
	/* the first error stops the parse */
	fails("phyint eth0 bad1\nphyint eth0 bad2\n",
	      "test.conf:1:13: unknown phyint option 'bad1' (expected enable, disable, mrdisc, ttl-threshold, upstream, downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)");
}

static void test_gm_timers(void **state)
{
	struct conf c;
	char *txt;

	(void)state;
	ok(&c, "");
	assert_int_equal(c.gm.robustness, 2);
	assert_int_equal(c.gm.query_interval_ms, 125000);
	assert_int_equal(c.gm.query_resp_ms, 10000);
	assert_int_equal(c.gm.lmq_interval_ms, 1000);
	assert_int_equal(c.gm.lmq_count, 0);
	assert_int_equal(c.gm.max_groups, 1024);
	txt = print_conf(&c);
	assert_null(strstr(txt, "query"));
	free(txt);
	conf_free(&c);

	ok(&c, "query-response-interval 0.5\nquery-interval 2\nrobustness 3\n"
	       "last-member-query-interval 0.1 # fast\n"
	       "last-member-query-count 1\nmax-groups 65536\n");
	assert_int_equal(c.gm.query_interval_ms, 2000);
	assert_int_equal(c.gm.query_resp_ms, 500);
	assert_int_equal(c.gm.robustness, 3);
	assert_int_equal(c.gm.lmq_interval_ms, 100);
	assert_int_equal(c.gm.lmq_count, 1);
	assert_int_equal(c.gm.max_groups, 65536);
	txt = print_conf(&c);
	assert_non_null(strstr(txt, "query-interval 2\n"
				    "query-response-interval 0.5\n"
				    "robustness 3\n"
				    "last-member-query-interval 0.1\n"
				    "last-member-query-count 1\n"
				    "max-groups 65536\n"));
	assert_reads_back(&c, txt);
	free(txt);
	conf_free(&c);

	/* the last one wins; whole seconds for the tenths forms */
	ok(&c, "robustness 7\nrobustness 1\nquery-response-interval 25\n");
	assert_int_equal(c.gm.robustness, 1);
	assert_int_equal(c.gm.query_resp_ms, 25000);
	conf_free(&c);
}

/* A phyint's own timers: parsed, printed back, 0 = the global value. */
static void test_gm_phyint_timers(void **state)
{
	struct conf_gm t;
	struct conf c, d;
	const struct conf_phyint *w, *u;
	char *txt;

	(void)state;
	ok(&c, "robustness 4\n"
	       "phyint wlan0 downstream robustness 3 query-interval 30 "
	       "query-response-interval 2.5 last-member-query-interval 0.5 "
	       "last-member-query-count 4 max-groups 64 fast-leave\n"
	       "phyint usb0 downstream\n");
	w = conf_phyint_find(&c, "wlan0");
	u = conf_phyint_find(&c, "usb0");
	assert_int_equal(w->gm.robustness, 3);
	assert_int_equal(w->gm.query_interval_ms, 30000);
	assert_int_equal(w->gm.query_resp_ms, 2500);
	assert_int_equal(w->gm.lmq_interval_ms, 500);
	assert_int_equal(w->gm.lmq_count, 4);
	assert_int_equal(w->gm.max_groups, 64);
	assert_true(w->fast_leave);
	assert_int_equal(u->gm.robustness, 0);
	assert_int_equal(u->gm.query_interval_ms, 0);
	assert_int_equal(c.gm.robustness, 4);
	txt = print_conf(&c);
	assert_non_null(strstr(
		txt,
		"phyint wlan0 enable downstream fast-leave query-interval 30 "
		"query-response-interval 2.5 robustness 3 "
		"last-member-query-interval 0.5 last-member-query-count 4 "
		"max-groups 64\n"));
	assert_reads_back(&c, txt);
	free(txt);
	/* a different value is a different config (a reload applies it) */
	ok(&d, "robustness 4\nphyint wlan0 downstream robustness 2 "
	       "query-interval 30 query-response-interval 2.5 "
	       "last-member-query-interval 0.5 last-member-query-count 4 "
	       "max-groups 64 fast-leave\nphyint usb0 downstream\n");
	assert_false(conf_equal(&c, &d));
	conf_free(&d);
	conf_free(&c);

	/* in force: the phyint's own, the global ones for the rest */
	ok(&c, "robustness 4\nmax-groups 99\n"
	       "phyint wlan0 robustness 3 last-member-query-count 5\n"
	       "phyint usb0\n");
	conf_phyint_gm(&c, conf_phyint_find(&c, "wlan0"), &t);
	assert_int_equal(t.robustness, 3);
	assert_int_equal(t.lmq_count, 5);
	assert_int_equal(t.max_groups, 99);
	assert_int_equal(t.query_interval_ms, 125000);
	conf_phyint_gm(&c, conf_phyint_find(&c, "usb0"), &t);
	assert_int_equal(t.robustness, 4);
	assert_int_equal(t.lmq_count, 0);
	assert_int_equal(t.lmq_interval_ms, 1000);
	conf_free(&c);
}

static void test_long_lines(void **state)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 64);
	struct conf c;

	(void)state;
	/* a 1 MiB comment, then a directive */
	text[0] = '#';
	memset(text + 1, 'x', n);
	strcpy(text + 1 + n, "\nphyint eth0\n");
	ok(&c, text);
	assert_int_equal(c.n_phyints, 1);
	assert_int_equal(c.phyints[0].loc.line, 2);
	conf_free(&c);

	/* 1 MiB of blanks before a directive: the column is exact */
	memset(text, ' ', n);
	strcpy(text + n, "bogus");
	fails(text,
	      "test.conf:1:1048577: unknown directive 'bogus' " DIRECTIVES);

	/* a 1 MiB token */
	memset(text, 'a', n);
	strcpy(text + n, " x");
	fails(text,
	      "test.conf:1:1: unknown directive 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' " DIRECTIVES);
	memcpy(text, "phyint ", 7);
	fails(text,
	      "test.conf:1:8: interface name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (at most 15 characters)");
	memcpy(text, "mgroup from eth0 group ", 23);
	fails(text,
	      "test.conf:1:24: group 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not an IPv4 or IPv6 address");
	free(text);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_empty),
	cmocka_unit_test(test_phyint),
	cmocka_unit_test(test_phyint_override),
	cmocka_unit_test(test_mgroup),
	cmocka_unit_test(test_mroute),
	cmocka_unit_test(test_mroute_many_oifs),
	cmocka_unit_test(test_conntrack),
	cmocka_unit_test(test_smcroute_example),
	cmocka_unit_test(test_crlf_bom_columns),
	cmocka_unit_test(test_gm_timers),
	cmocka_unit_test(test_gm_phyint_timers),
	cmocka_unit_test(test_long_lines),
};

int main(void)
{
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
