// SPDX-License-Identifier: MIT
/*
 * The field report as cases, part 5: TTL rewriting in front of the router.
 * "iptables -t mangle -A PREROUTING -i wlan0 -j TTL --ttl-set 64" lets a
 * sender whose packets leave with TTL 1 reach the far side (with 63).
 * mangle PREROUTING runs before the multicast routing decision, so every
 * rewrite (set, inc, dec; IPv6: the HL target) decides what is forwarded,
 * and the router then takes one off.  Removing the rule brings back the
 * dropping of TTL 1.  The rules' packet counters equal the packets sent.
 */
#include <netinet/in.h>

#include "common.h"

static const char conf_pi[] = "# the field report, and the same for IPv6\n"
			      "mgroup from wlan0 group 225.1.2.3\n"
			      "mroute from wlan0 group 225.1.2.3 to usb0\n"
			      "mroute from wlan0 group ff0e::1:3 to usb0\n";

#define SRC4 "192.0.2.2"
#define SRC6 "2001:db8:1::2"
#define GRP4 "225.1.2.3"
#define GRP6 "ff0e::1:3"
#define PER 20
#define PRIME_STREAM 9999

/* The rule of the running test, removed by its fx_teardown whatever failed. */
static struct nf_rule rule;

static int setup_pi(void **state)
{
	static struct fx f;

	fx_up(&f, "pi-router", RF_STATIC, conf_pi);
	*state = &f;
	return 0;
}

static int rule_teardown(void **state)
{
	(void)state;
	if (rule.added && nf_rule_del(&rule) < 0)
		print_message("# could not delete the rule %s\n", rule.spec);
	return 0;
}

static bool not_primer(const struct pkt_rec *r, void *arg)
{
	(void)arg;
	return !(r->flags & PKT_F_MCLAB) || r->mc_stream != PRIME_STREAM;
}

/*
 * Resolve the (*,G) route before the rule and the capture exist: one TTL-64
 * packet, and the (S,G) entry is in the MFC.  It is not counted by any
 * rule and not matched by any expectation below.
 */
static void prime(struct fx *f, const char *src, const char *grp)
{
	assert_int_equal(
		send_udp(f, "snd", "eth0", src, grp, 64, 1, PRIME_STREAM), 1);
	assert_true(wait_mfc(f, src, grp, T_FLOW));
}

/* A rule could not be added: a missing xtables target is a skip. */
static void add_or_skip(int rc, const char *err)
{
	if (rc == 0)
		return;
	print_message("# SKIP reason: %s\n", err);
	skip();
}

static void add_ttl_rule(struct fx *f, int family, enum nf_ttl_op op,
			 unsigned int value)
{
	char err[1024];

	if (family == AF_INET) {
		/* exactly the field report's rule (with set/inc/dec) */
		add_or_skip(nf_ttl_add(fx_node(f, "rtr"), AF_INET, "wlan0", op,
				       value, &rule, err, sizeof(err)),
			    err);
	} else {
		/*
		 * -p udp: snd's MLD reports and neighbour solicitations also
		 * come in on wlan0, and the counter must equal what we send.
		 */
		static const char *const ops[] = { "set", "inc", "dec" };
		char spec[128];

		snprintf(spec, sizeof(spec), "-i wlan0 -p udp -j HL --hl-%s %u",
			 ops[op], value);
		add_or_skip(nf_rule_add(fx_node(f, "rtr"), AF_INET6, "mangle",
					"PREROUTING", spec, &rule, err,
					sizeof(err)),
			    err);
	}
}

struct step {
	int ttl; /* sent with */
	int arrive; /* arrives with, -1: is not forwarded */
};

/*
 * Send PER datagrams for every step (stream base+i) and check the far
 * side: exactly PER with the step's TTL for the forwarded ones, none for
 * the others, nothing else.  With a rule, its counter equals the sent.
 */
static void run_steps(struct fx *f, const char *src, const char *grp,
		      const struct step *st, size_t n, uint32_t base,
		      const char *name)
{
	bool v6 = strchr(grp, ':') != NULL;
	struct pkt_match all = { .src = src, .dst = grp, .fn = not_primer };
	size_t want_total = 0;
	struct cap *c;
	bool ok = true;
	long pk;

	c = cap_start(fx_ns(f, "rcv"), "eth0", v6 ? "ip6 and udp" : "udp");
	assert_non_null(c);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(send_udp(f, "snd", "eth0", src, grp, st[i].ttl,
					  PER, base + (uint32_t)i),
				 PER);
		if (st[i].arrive > 0)
			want_total += PER;
	}
	cap_wait(c, &all, want_total, T_FLOW);
	cap_wait(c, &all, want_total + 1, T_SILENCE);
	for (size_t i = 0; i < n; i++) {
		struct pkt_match any = all, exact;
		char what[96];

		any.has_stream = true;
		any.stream = base + (uint32_t)i;
		exact = any;
		exact.ttl = (uint8_t)(st[i].arrive > 0 ? st[i].arrive : 0);
		snprintf(what, sizeof(what), "%s-ttl%d", name, st[i].ttl);
		ok &= cap_expect(c, &any, st[i].arrive > 0 ? PER : 0, what);
		if (st[i].arrive > 0)
			ok &= cap_expect(c, &exact, PER, what);
		if (st[i].arrive > 0)
			snprintf(what, sizeof(what), " with %d", st[i].arrive);
		else
			what[0] = '\0';
		INFO("%s: %d datagrams sent with %s %d, %zu arrived%s\n", name,
		     PER, v6 ? "hop limit" : "TTL", st[i].ttl,
		     cap_count(c, &any), what);
	}
	ok &= cap_expect(c, &all, want_total, name);
	cap_free(c);
	if (rule.added) {
		pk = nf_rule_packets(&rule);
		INFO("%s: rule \"%s\" counted %ld packets\n", name, rule.spec,
		     pk);
		assert_int_equal(pk, (long)(n * PER));
	}
	assert_true(ok);
}

static void rewrite_case(void **state, int family, enum nf_ttl_op op,
			 unsigned int value, const struct step *st, size_t n,
			 uint32_t base, const char *name)
{
	struct fx *f = *state;
	const char *src = family == AF_INET6 ? SRC6 : SRC4;
	const char *grp = family == AF_INET6 ? GRP6 : GRP4;

	FX_CHECK(f);
	if (family == AF_INET6)
		FX_NEED(f, RF_IPV6);
	assert_true(f->router_up);
	prime(f, src, grp);
	add_ttl_rule(f, family, op, value);
	assert_int_equal(nf_rule_packets(&rule), 0);
	run_steps(f, src, grp, st, n, base, name);
}

/* The field report's rule: TTL 1 (and any other) arrives with 63. */
static void test_ttl_set_64(void **state)
{
	static const struct step st[] = { { 1, 63 }, { 2, 63 }, { 200, 63 } };

	rewrite_case(state, AF_INET, NF_TTL_SET, 64, st, 3, 100, "ttl-set-64");
}

/* +5 before the routing decision: TTL 1 -> 6 -> arrives with 5. */
static void test_ttl_inc_5(void **state)
{
	static const struct step st[] = { { 1, 5 }, { 3, 7 }, { 250, 254 } };

	rewrite_case(state, AF_INET, NF_TTL_INC, 5, st, 3, 200, "ttl-inc-5");
}

/* -1 before the routing decision: TTL 2 -> 1 is dropped, 3 -> 2 -> 1. */
static void test_ttl_dec_1(void **state)
{
	static const struct step st[] = { { 2, -1 }, { 3, 1 }, { 64, 62 } };

	rewrite_case(state, AF_INET, NF_TTL_DEC, 1, st, 3, 300, "ttl-dec-1");
}

static void test_hl_set_64(void **state)
{
	static const struct step st[] = { { 1, 63 }, { 2, 63 }, { 200, 63 } };

	rewrite_case(state, AF_INET6, NF_TTL_SET, 64, st, 3, 400, "hl-set-64");
}

static void test_hl_inc_5(void **state)
{
	static const struct step st[] = { { 1, 5 }, { 3, 7 }, { 250, 254 } };

	rewrite_case(state, AF_INET6, NF_TTL_INC, 5, st, 3, 500, "hl-inc-5");
}

static void test_hl_dec_1(void **state)
{
	static const struct step st[] = { { 2, -1 }, { 3, 1 }, { 64, 62 } };

	rewrite_case(state, AF_INET6, NF_TTL_DEC, 1, st, 3, 600, "hl-dec-1");
}

/*
 * With the rule, TTL 1 crosses; after "iptables -D" of exactly that rule
 * it is dropped again, while TTL 2 still crosses with 1.
 */
static void removed_case(void **state, int family, uint32_t base,
			 const char *name)
{
	static const struct step with[] = { { 1, 63 } };
	static const struct step without[] = { { 1, -1 }, { 2, 1 } };
	struct fx *f = *state;
	char what[64];

	rewrite_case(state, family, NF_TTL_SET, 64, with, 1, base, name);
	assert_int_equal(nf_rule_del(&rule), 0);
	assert_false(rule.added);
	/* gone from the table, not only forgotten here */
	assert_int_equal(nf_rule_packets(&rule), -1);
	snprintf(what, sizeof(what), "%s-removed", name);
	run_steps(f, family == AF_INET6 ? SRC6 : SRC4,
		  family == AF_INET6 ? GRP6 : GRP4, without, 2, base + 10,
		  what);
}

static void test_ttl_rule_removed(void **state)
{
	removed_case(state, AF_INET, 700, "ttl-set-64");
}

static void test_hl_rule_removed(void **state)
{
	removed_case(state, AF_INET6, 800, "hl-set-64");
}

int main(void)
{
	const struct CMUnitTest pi[] = {
		cmocka_unit_test_teardown(test_ttl_set_64, rule_teardown),
		cmocka_unit_test_teardown(test_ttl_inc_5, rule_teardown),
		cmocka_unit_test_teardown(test_ttl_dec_1, rule_teardown),
		cmocka_unit_test_teardown(test_ttl_rule_removed, rule_teardown),
		cmocka_unit_test_teardown(test_hl_set_64, rule_teardown),
		cmocka_unit_test_teardown(test_hl_inc_5, rule_teardown),
		cmocka_unit_test_teardown(test_hl_dec_1, rule_teardown),
		cmocka_unit_test_teardown(test_hl_rule_removed, rule_teardown),
	};

	return cmocka_run_group_tests_name("ttl-rewrite-pi-router", pi,
					   setup_pi, fx_teardown);
}
