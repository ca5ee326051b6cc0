// SPDX-License-Identifier: MIT
/*
 * Route matching: (S,G), (*,G), source and group prefixes, wildcards,
 * precedence, and the hash staying right as the table grows and shrinks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "routes.h"

static void add(struct ruleset *rs, const char *line)
{
	char buf[256], *w[16], *p;
	size_t n = 0;
	struct rule r;
	char err[128];

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p && n < 16; p = strtok(NULL, " "))
		w[n++] = p;
	assert_int_equal(rule_from_words(&r, w, n, true, err, sizeof(err)), 0);
	assert_int_equal(ruleset_add(rs, &r), 0);
	rule_free(&r);
}

static const struct rule *match(struct ruleset *rs, const char *s,
				const char *g, const char *ifname)
{
	struct inet_addr src, grp;

	assert_int_equal(addr_parse(s, &src), 0);
	assert_int_equal(addr_parse(g, &grp), 0);
	return ruleset_match(rs, &src, &grp, ifname);
}

/* A packet (source, group, inbound interface) and the rule it must match:
 * its first outbound interface, NULL for none; exact 1 or 0 for whether
 * the rule is an (S,G) one, -1 for unchecked. */
struct probe {
	const char *src, *grp, *iif;
	const char *oif;
	int exact;
};

/* Rules added in order, then packets matched against them. */
struct match_case {
	const char *rules[4];
	struct probe probes[6];
};

static const struct match_case exact_and_star = {
	{ "wlan0 225.1.2.3 usb0", "wlan0 192.0.2.2 225.1.2.3 eth1" },
	{
		/* exact source wins */
		{ "192.0.2.2", "225.1.2.3", "wlan0", "eth1", 1 },
		{ "192.0.2.9", "225.1.2.3", "wlan0", "usb0", 0 },
		{ "192.0.2.9", "225.1.2.3", "usb0", NULL, -1 },
		{ "192.0.2.9", "225.1.2.4", "wlan0", NULL, -1 },
	},
};

static const struct match_case prefixes = {
	{ "wlan0 225.1.2.0/24 usb0", "wlan0 225.1.0.0/16 eth9",
	  "wlan0 192.0.2.0/25 225.1.0.0/16 eth8" },
	{
		/* longer group */
		{ "192.0.2.200", "225.1.2.77", "wlan0", "usb0", -1 },
		{ "192.0.2.200", "225.1.3.1", "wlan0", "eth9", -1 },
		/* source prefix first */
		{ "192.0.2.1", "225.1.2.77", "wlan0", "eth8", -1 },
		{ "192.0.2.1", "225.2.0.1", "wlan0", NULL, -1 },
	},
};

static const struct match_case wildcard_and_v6 = {
	{ "eth+ ff0e::1:3 usb0", "wlan0 2001:db8::2 ff0e::1:3 usb1" },
	{
		{ "2001:db8::9", "ff0e::1:3", "eth12", "usb0", -1 },
		{ "2001:db8::2", "ff0e::1:3", "wlan0", "usb1", -1 },
		{ "2001:db8::2", "ff0e::1:3", "usb0", NULL, -1 },
		/* An IPv4 packet never matches an IPv6 rule. */
		{ "192.0.2.1", "225.1.2.3", "eth0", NULL, -1 },
	},
};

static const struct match_case tie_first_wins = {
	{ "wlan0 225.1.2.3 usb0", "wlan+ 225.1.2.3 usb1" },
	{
		{ "192.0.2.2", "225.1.2.3", "wlan0", "usb0", -1 },
	},
};

/* The match_case in *state. */
static void test_match_case(void **state)
{
	const struct match_case *mc = *state;
	struct ruleset rs;

	ruleset_init(&rs);
	for (size_t i = 0; i < 4 && mc->rules[i]; i++)
		add(&rs, mc->rules[i]);
	for (size_t i = 0; i < 6 && mc->probes[i].src; i++) {
		const struct probe *p = &mc->probes[i];
		const struct rule *r = match(&rs, p->src, p->grp, p->iif);

		if (!p->oif) {
			assert_null(r);
			continue;
		}
		assert_non_null(r);
		assert_string_equal(r->oifs[0], p->oif);
		if (p->exact >= 0)
			assert_int_equal(rule_is_exact(r), p->exact);
	}
	ruleset_free(&rs);
}

/* The key of a rule ("IIF [SOURCE] GROUP") deleted: what ruleset_del() says. */
static int del(struct ruleset *rs, const char *line)
{
	char buf[256], *w[3], *p, err[64];
	size_t n = 0;
	struct rule key;
	int rc;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p && n < 3; p = strtok(NULL, " "))
		w[n++] = p;
	assert_int_equal(rule_from_words(&key, w, n, false, err, sizeof(err)),
			 0);
	rc = ruleset_del(rs, &key);
	rule_free(&key);
	return rc;
}

/* Source and group of the i-th (S,G) rule of the big tables. */
static void nth_sg(int i, char s[32], char g[32])
{
	snprintf(s, 32, "192.0.2.%d", i % 250 + 1);
	snprintf(g, 32, "225.%d.%d.1", i / 250 + 1, i % 250);
}

/* Rules 0 to n-1 of the big tables, "wlan0 S G usb0". */
static void add_many(struct ruleset *rs, int n)
{
	char line[96], s[32], g[32];

	for (int i = 0; i < n; i++) {
		nth_sg(i, s, g);
		snprintf(line, sizeof(line), "wlan0 %s %s usb0", s, g);
		add(rs, line);
	}
}

static void test_many_and_delete(void **state)
{
	struct ruleset rs;
	char s[32], g[32];

	(void)state;
	ruleset_init(&rs);
	add_many(&rs, 5000);
	assert_int_equal(rs.n, 5000);
	for (int i = 0; i < 5000; i += 7) {
		nth_sg(i, s, g);
		assert_non_null(match(&rs, s, g, "wlan0"));
	}
	assert_int_equal(del(&rs, "wlan0 192.0.2.1 225.1.0.1"), 1);
	assert_int_equal(del(&rs, "wlan0 192.0.2.1 225.1.0.1"), 0);
	assert_null(match(&rs, "192.0.2.1", "225.1.0.1", "wlan0"));
	assert_non_null(match(&rs, "192.0.2.2", "225.1.1.1", "wlan0"));
	ruleset_free(&rs);
}

static void test_words_errors(void **state)
{
	struct rule r;
	char err[128];
	char *a[] = { "wlan0", "192.0.2.1" };
	char *b[] = { "wlan0", "225.1.2.3" };
	char *c[] = { "wlan0", "225.1.2.3", "225.1.2.4", "usb0" };
	char *d[] = { "wlan0", "2001:db8::1", "225.1.2.3", "usb0" };
	char *e[] = { "wlan0", "225.1.2.3", "usb+" };

	(void)state;
	assert_int_equal(rule_from_words(&r, a, 2, true, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "group '192.0.2.1' is not a multicast address");
	assert_int_equal(rule_from_words(&r, b, 2, true, err, sizeof(err)), -1);
	assert_string_equal(err, "expected at least one outbound interface");
	assert_int_equal(rule_from_words(&r, c, 4, true, err, sizeof(err)), -1);
	assert_string_equal(
		err,
		"source '225.1.2.3' is a multicast address (expected a unicast sender)");
	assert_int_equal(rule_from_words(&r, d, 4, true, err, sizeof(err)), -1);
	assert_string_equal(
		err,
		"source '2001:db8::1' is IPv6 but group '225.1.2.3' is IPv4");
	assert_int_equal(rule_from_words(&r, e, 3, true, err, sizeof(err)), -1);
	assert_string_equal(
		err, "wildcard 'usb+' is not allowed as an outbound interface");
	assert_int_equal(rule_from_words(&r, b, 2, false, err, sizeof(err)), 0);
	rule_free(&r);
}

/* Deleting through the hash keeps every other rule findable. */
static void test_delete_keeps_index(void **state)
{
	struct ruleset rs;
	char line[96], s[32], g[32];

	(void)state;
	ruleset_init(&rs);
	add(&rs, "wlan0 226.7.0.0/16 usb1");
	add_many(&rs, 3000);
	add(&rs, "wlan0 226.8.0.0/16 usb2");
	/* Remove every third (S,G) rule. */
	for (int i = 0; i < 3000; i += 3) {
		nth_sg(i, s, g);
		snprintf(line, sizeof(line), "wlan0 %s %s", s, g);
		assert_int_equal(del(&rs, line), 1);
	}
	assert_int_equal(rs.n, 3002 - 1000);
	for (int i = 0; i < 3000; i++) {
		const struct rule *r;

		nth_sg(i, s, g);
		r = match(&rs, s, g, "wlan0");
		if (i % 3 == 0)
			assert_null(r);
		else
			assert_non_null(r);
	}
	/* The prefix rules moved around and are still matched. */
	assert_string_equal(
		match(&rs, "192.0.2.1", "226.7.3.4", "wlan0")->oifs[0], "usb1");
	assert_string_equal(
		match(&rs, "192.0.2.1", "226.8.3.4", "wlan0")->oifs[0], "usb2");
	/* A prefix rule deleted through the prefix list, not a rebuild: the
	 * other prefix and the (S,G) rules are still found. */
	assert_int_equal(del(&rs, "wlan0 226.7.0.0/16"), 1);
	assert_int_equal(del(&rs, "wlan0 226.7.0.0/16"), 0);
	assert_int_equal(rs.n, 3002 - 1000 - 1);
	assert_int_equal(rs.n_prefixed, 1);
	assert_null(match(&rs, "192.0.2.1", "226.7.3.4", "wlan0"));
	assert_string_equal(
		match(&rs, "192.0.2.1", "226.8.3.4", "wlan0")->oifs[0], "usb2");
	assert_non_null(match(&rs, "192.0.2.2", "225.1.1.1", "wlan0"));
	assert_null(match(&rs, "192.0.2.1", "225.1.0.1", "wlan0"));
	ruleset_free(&rs);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "test_exact_and_star", test_match_case, NULL, NULL,
		  (void *)&exact_and_star },
		{ "test_prefixes", test_match_case, NULL, NULL,
		  (void *)&prefixes },
		{ "test_wildcard_and_v6", test_match_case, NULL, NULL,
		  (void *)&wildcard_and_v6 },
		{ "test_tie_first_wins", test_match_case, NULL, NULL,
		  (void *)&tie_first_wins },
		cmocka_unit_test(test_many_and_delete),
		cmocka_unit_test(test_words_errors),
		cmocka_unit_test(test_delete_keeps_index),
	};

	return cmocka_run_group_tests_name("routes", tests, NULL, NULL);
}
