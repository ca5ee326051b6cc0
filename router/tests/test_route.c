// SPDX-License-Identifier: MIT
/*
 * One route validator, two ways in: every route here goes through the
 * config parser ("mroute from IIF [source S] group G to OIF ..." and the
 * mgroup line, through conf_parse() and ruleset_add_conf()) and through
 * the control protocol (rule_from_words(), what "mcroutectl add" and
 * "join" call), and both must give the same answer: the same rule, or
 * the same error.  The answer itself is checked too: which sources mean
 * "any" (0.0.0.0 and :: alone) and which are prefixes (0.0.0.0/N, ::/N).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "route.h"
#include "routes.h"

/*
 * A route a line: "IIF SOURCE GROUP [OIF...] => WANT", SOURCE "-" for
 * none.  WANT is "SOURCE GROUP OIF..." as printed back ("*" for any
 * source), or the error's message (conf's without its "file:line:col: "),
 * or "!" for an error each grammar words its own way (only "both refuse"
 * is checked).
 */
static const char *const cases[] = {
	/* (*,G) and what means any source */
	"eth0 - 225.1.1.1 eth1 => * 225.1.1.1 eth1",
	"eth0 0.0.0.0 225.1.1.1 eth1 => * 225.1.1.1 eth1",
	"eth0 0.0.0.0/32 225.1.1.1 eth1 => * 225.1.1.1 eth1",
	"eth0 :: ff0e::1 eth1 => * ff0e::1 eth1",
	"eth0 ::/128 ff0e::1 eth1 => * ff0e::1 eth1",
	/* an all-zero prefix is a prefix like any other */
	"eth0 0.0.0.0/0 225.1.1.1 eth1 => 0.0.0.0/0 225.1.1.1 eth1",
	"eth0 0.0.0.0/1 225.1.1.1 eth1 => 0.0.0.0/1 225.1.1.1 eth1",
	"eth0 0.0.0.0/8 225.1.1.1 eth1 => 0.0.0.0/8 225.1.1.1 eth1",
	"eth0 0.0.0.0/24 225.1.1.1 eth1 => 0.0.0.0/24 225.1.1.1 eth1",
	"eth0 0.0.0.0/31 225.1.1.1 eth1 => 0.0.0.0/31 225.1.1.1 eth1",
	"eth0 ::/0 ff0e::1 eth1 => ::/0 ff0e::1 eth1",
	"eth0 ::/1 ff0e::1 eth1 => ::/1 ff0e::1 eth1",
	"eth0 ::/64 ff0e::1 eth1 => ::/64 ff0e::1 eth1",
	"eth0 ::/127 ff0e::1 eth1 => ::/127 ff0e::1 eth1",
	/* (S,G), source and group prefixes, IPv6, wildcards */
	"eth0 192.0.2.1 225.1.1.1 eth1 eth2 => 192.0.2.1 225.1.1.1 eth1 eth2",
	"eth0 192.0.2.0/24 225.1.1.1 eth1 => 192.0.2.0/24 225.1.1.1 eth1",
	"eth0 - 225.1.0.0/16 eth1 => * 225.1.0.0/16 eth1",
	"eth0 10.0.0.0/8 239.0.0.0/8 eth1 => 10.0.0.0/8 239.0.0.0/8 eth1",
	"eth0 - 224.0.0.0/4 eth1 => * 224.0.0.0/4 eth1",
	"eth0 2001:db8::1 ff3e::8000:1 usb0 => 2001:db8::1 ff3e::8000:1 usb0",
	"eth0 2001:db8::/32 ff0e::/16 usb0 => 2001:db8::/32 ff0e::/16 usb0",
	"eth0 - ff00::/8 usb0 => * ff00::/8 usb0",
	"eth+ - 225.1.1.1 usb0 => * 225.1.1.1 usb0",
	"+ 192.0.2.1 225.1.1.1 usb0 => 192.0.2.1 225.1.1.1 usb0",
	/* bad groups */
	"eth0 - 10.0.0.1 eth1 => group '10.0.0.1' is not a multicast address",
	"eth0 - 240.0.0.1 eth1 => group '240.0.0.1' is not a multicast address",
	"eth0 - fe80::1 eth1 => group 'fe80::1' is not a multicast address",
	"eth0 - 224.0.0.0/3 eth1 => group '224.0.0.0/3' is wider than the multicast range (/4 at least)",
	"eth0 - 225.1.1.1/24 eth1 => group '225.1.1.1/24' has host bits set (did you mean '225.1.1.0/24'?)",
	"eth0 - 225.1.1.1/33 eth1 => group '225.1.1.1/33' has a bad prefix length (0-32 for IPv4)",
	"eth0 - ff0e::1/129 eth1 => group 'ff0e::1/129' has a bad prefix length (0-128 for IPv6)",
	"eth0 - ff0e::1/64 eth1 => group 'ff0e::1/64' has host bits set (did you mean 'ff0e::/64'?)",
	"eth0 - 225.1.1.0/x eth1 => group '225.1.1.0/x' has a bad prefix length (0-32 for IPv4)",
	"eth0 - nonsense eth1 => !",
	/* bad sources */
	"eth0 225.1.1.2 225.1.1.1 eth1 => source '225.1.1.2' is a multicast address (expected a unicast sender)",
	"eth0 ff0e::2 ff0e::1 eth1 => source 'ff0e::2' is a multicast address (expected a unicast sender)",
	"eth0 10.0.0.1/8 225.1.1.1 eth1 => source '10.0.0.1/8' has host bits set (did you mean '10.0.0.0/8'?)",
	"eth0 10.0.0.0/33 225.1.1.1 eth1 => source '10.0.0.0/33' has a bad prefix length (0-32 for IPv4)",
	"eth0 2001:db8::1/64 ff0e::1 eth1 => source '2001:db8::1/64' has host bits set (did you mean '2001:db8::/64'?)",
	"eth0 0.0.0.1/0 225.1.1.1 eth1 => source '0.0.0.1/0' has host bits set (did you mean '0.0.0.0/0'?)",
	/* IPv4 and IPv6 mixed */
	"eth0 10.0.0.1 ff0e::1 eth1 => source '10.0.0.1' is IPv4 but group 'ff0e::1' is IPv6",
	"eth0 2001:db8::1 225.1.1.1 eth1 => source '2001:db8::1' is IPv6 but group '225.1.1.1' is IPv4",
	"eth0 0.0.0.0 ff0e::1 eth1 => source '0.0.0.0' is IPv4 but group 'ff0e::1' is IPv6",
	"eth0 :: 225.1.1.1 eth1 => source '::' is IPv6 but group '225.1.1.1' is IPv4",
	"eth0 0.0.0.0/8 ff0e::1 eth1 => source '0.0.0.0/8' is IPv4 but group 'ff0e::1' is IPv6",
	"eth0 ::/0 225.1.1.1 eth1 => source '::/0' is IPv6 but group '225.1.1.1' is IPv4",
	/* bad interfaces */
	"0123456789abcdef - 225.1.1.1 eth1 => interface name '0123456789abcdef' is too long (at most 15 characters)",
	"eth/0 - 225.1.1.1 eth1 => invalid character in interface name 'eth/0'",
	"eth0:1 - 225.1.1.1 eth1 => invalid character in interface name 'eth0:1'",
	"e+th - 225.1.1.1 eth1 => '+' may only end an interface name, in 'e+th'",
	".. - 225.1.1.1 eth1 => invalid interface name '..'",
};

/* The same, about outbound interfaces: routes only (a join has none). */
static const char *const oif_cases[] = {
	"eth0 - 225.1.1.1 eth1 eth2 eth1 => * 225.1.1.1 eth1 eth2",
	"eth0 - 225.1.1.1 eth1 usb+ => wildcard 'usb+' is not allowed as an outbound interface",
	"eth0 - 225.1.1.1 usb/0 => invalid character in interface name 'usb/0'",
	"eth0 - 225.1.1.1 eth1 0123456789abcdef => interface name '0123456789abcdef' is too long (at most 15 characters)",
	"eth0 - 225.1.1.1 => !",
};

/* buf split at spaces into w (16 words at the most). */
static size_t split(char *buf, char **w)
{
	size_t n = 0;

	for (char *p = strtok(buf, " "); p && n < 16; p = strtok(NULL, " "))
		w[n++] = p;
	return n;
}

/* What a rule says, the way want spells it. */
static void rule_str(const struct rule *r, bool oifs, char *out, size_t len)
{
	char s[PREFIX_STRLEN], g[PREFIX_STRLEN];
	int n;

	if (r->src.addr.family == AF_UNSPEC)
		snprintf(s, sizeof(s), "*");
	else
		prefix_ntop(&r->src, s, sizeof(s));
	n = snprintf(out, len, "%s %s", s, prefix_ntop(&r->grp, g, sizeof(g)));
	for (size_t i = 0; oifs && i < r->n_oifs && n > 0 && (size_t)n < len;
	     i++)
		n += snprintf(out + n, len - (size_t)n, " %s", r->oifs[i]);
}

/* The error of conf, without its "file:line:col: ". */
static const char *conf_msg(const struct conf_error *e)
{
	const char *p = strstr(e->msg, ": ");

	return p ? p + 2 : e->msg;
}

static bool same_prefix(const struct inet_prefix *a,
			const struct inet_prefix *b)
{
	return a->addr.family == b->addr.family && a->len == b->len &&
	       addr_equal(&a->addr, &b->addr);
}

/* The config's route (as given and as the rule set has it) and r. */
static int differ_mroute(const char *text, const struct conf *c,
			 const struct rule *r, const char *want)
{
	const struct conf_mroute *m = &c->mroutes[0];
	char got[256], cs[256];
	struct ruleset rs;
	int bad = 0;

	ruleset_init(&rs);
	assert_int_equal(ruleset_add_conf(&rs, c), 0);
	rule_str(r, true, got, sizeof(got));
	rule_str(&rs.v[0], true, cs, sizeof(cs));
	if (!rule_equal(&rs.v[0], r) ||
	    !same_prefix(&rs.v[0].src, &m->source) ||
	    !same_prefix(&r->src, &m->source) || strcmp(got, want)) {
		print_error("%s: conf gives '%s', the control protocol '%s', "
			    "want '%s'\n",
			    text, cs, got, want);
		bad++;
	}
	ruleset_free(&rs);
	return bad;
}

/* The config's group and a join's r: want without its OIFs. */
static int differ_mgroup(const char *text, const struct conf_mgroup *g,
			 const struct rule *r, const char *want)
{
	char got[256];
	size_t n;

	rule_str(r, false, got, sizeof(got));
	n = strlen(got);
	if (!same_prefix(&g->source, &r->src) ||
	    !same_prefix(&g->group, &r->grp) || strcmp(g->ifname, r->iif) ||
	    strncmp(got, want, n) || (want[n] && want[n] != ' ')) {
		print_error("%s: conf and the control protocol differ "
			    "(control: '%s', want '%s')\n",
			    text, got, want);
		return 1;
	}
	return 0;
}

/*
 * One case as an mroute (route true) or as an mgroup and a join.  Returns
 * the number of disagreements, each printed.
 */
static int run(const char *line, bool route)
{
	char buf[256], text[256], err[ROUTE_ERR_MAX], *f[16], *w[16];
	const char *what = route ? "mroute" : "mgroup", *want, *src;
	struct conf_error ce;
	struct conf c;
	struct rule r;
	int crc, wrc, bad = 0;
	size_t nf, n = 0, len;

	/* "IIF SOURCE GROUP OIF... => WANT" */
	want = strstr(line, " => ") + 4;
	len = (size_t)(want - 4 - line);
	snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
	nf = split(buf, f);
	assert_true(nf >= 3);
	src = strcmp(f[1], "-") ? f[1] : NULL;
	len = (size_t)snprintf(text, sizeof(text), "%s from %s%s%s group %s%s",
			       what, f[0], src ? " source " : "",
			       src ? src : "", f[2], route ? " to" : "");
	w[n++] = f[0];
	if (src)
		w[n++] = f[1];
	w[n++] = f[2];
	for (size_t i = 3; route && i < nf; i++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len, " %s",
					f[i]);
		w[n++] = f[i];
	}

	conf_init(&c);
	crc = conf_parse(&c, "test.conf", text, strlen(text), NULL, &ce);
	wrc = rule_from_words(&r, w, n, route, err, sizeof(err));
	if (!route && crc && strstr(conf_msg(&ce), "mgroup expands to")) {
		/* mgroup's own cap (test_conf), not the route's validity */
	} else if (crc != wrc) {
		print_error("%s: conf says %s, the control protocol %s\n", text,
			    crc ? conf_msg(&ce) : "ok", wrc ? err : "ok");
		bad++;
	} else if (crc) {
		if (strcmp(want, "!") &&
		    (strcmp(conf_msg(&ce), err) || strcmp(err, want))) {
			print_error("%s: conf says '%s', the control protocol "
				    "'%s', want '%s'\n",
				    text, conf_msg(&ce), err, want);
			bad++;
		}
	} else if (route) {
		bad += differ_mroute(text, &c, &r, want);
	} else {
		bad += differ_mgroup(text, &c.mgroups[0], &r, want);
	}
	if (!wrc)
		rule_free(&r);
	conf_free(&c);
	return bad;
}

/* Every case of a table, one way; all must agree. */
static void run_all(const char *const *v, size_t n, bool route)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += run(v[i], route);
	if (bad)
		print_error("%d of %zu %s disagree\n", bad, n,
			    route ? "routes" : "groups");
	assert_int_equal(bad, 0);
}

#define RUN_ALL(v, route) run_all(v, sizeof(v) / sizeof(v[0]), route)

static void test_same_answers_mroute(void **state)
{
	(void)state;
	RUN_ALL(cases, true);
	RUN_ALL(oif_cases, true);
}

static void test_same_answers_mgroup(void **state)
{
	(void)state;
	RUN_ALL(cases, false);
}

static bool matches(const struct ruleset *rs, const char *s, const char *g)
{
	struct inet_addr src, grp;

	assert_int_equal(addr_parse(s, &src), 0);
	assert_int_equal(addr_parse(g, &grp), 0);
	return ruleset_match(rs, &src, &grp, "eth0") != NULL;
}

/* A control-protocol key for rule_from_words(), words split at spaces. */
static size_t del(struct ruleset *rs, const char *line)
{
	char buf[128], *w[16], err[ROUTE_ERR_MAX];
	struct rule key;
	size_t n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = split(buf, w);
	assert_int_equal(rule_from_words(&key, w, n, false, err, sizeof(err)),
			 0);
	n = ruleset_del(rs, &key);
	rule_free(&key);
	return n;
}

/*
 * What the answers mean for traffic: an all-zero prefix holds only the
 * senders inside it, the unspecified address alone any sender; and a
 * configured (*,G) is the same route as the control protocol's, whichever
 * way each wrote "any source".
 */
static void test_zero_prefix_and_any(void **state)
{
	static const char text[] =
		"mroute from eth0 source 0.0.0.0/8 group 225.1.1.1 to eth1\n"
		"mroute from eth0 source 0.0.0.0 group 225.1.1.2 to eth1\n"
		"mroute from eth0 group 225.1.1.3 to eth1\n"
		"mroute from eth0 source 0.0.0.0/0 group 225.1.1.4 to eth1\n"
		"mroute from eth0 source ::/1 group ff0e::1 to eth1\n"
		"mroute from eth0 source :: group ff0e::2 to eth1\n";
	struct ruleset rs;
	struct conf c;

	(void)state;
	conf_init(&c);
	assert_int_equal(
		conf_parse(&c, "t.conf", text, strlen(text), NULL, NULL), 0);
	ruleset_init(&rs);
	assert_int_equal(ruleset_add_conf(&rs, &c), 0);
	conf_free(&c);

	assert_true(matches(&rs, "0.1.2.3", "225.1.1.1"));
	assert_false(matches(&rs, "192.0.2.1", "225.1.1.1"));
	assert_true(matches(&rs, "192.0.2.1", "225.1.1.2"));
	assert_true(matches(&rs, "192.0.2.1", "225.1.1.3"));
	assert_true(matches(&rs, "192.0.2.1", "225.1.1.4"));
	assert_true(matches(&rs, "2001:db8::1", "ff0e::1"));
	assert_false(matches(&rs, "8000::1", "ff0e::1"));
	assert_true(matches(&rs, "8000::1", "ff0e::2"));

	/* del with 0.0.0.0 or no source finds the (*,G) either way */
	assert_int_equal(del(&rs, "eth0 0.0.0.0 225.1.1.3"), 1);
	assert_int_equal(del(&rs, "eth0 225.1.1.2"), 1);
	assert_int_equal(del(&rs, "eth0 ::/128 ff0e::2"), 1);
	/* and a prefix only with its length */
	assert_int_equal(del(&rs, "eth0 225.1.1.1"), 0);
	assert_int_equal(del(&rs, "eth0 0.0.0.0 225.1.1.1"), 0);
	assert_int_equal(del(&rs, "eth0 0.0.0.0/8 225.1.1.1"), 1);
	assert_int_equal(del(&rs, "eth0 0.0.0.0/0 225.1.1.4"), 1);
	assert_int_equal(rs.n, 1);
	ruleset_free(&rs);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_same_answers_mroute),
	cmocka_unit_test(test_same_answers_mgroup),
	cmocka_unit_test(test_zero_prefix_and_any),
};

int main(void)
{
	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
