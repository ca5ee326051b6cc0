// SPDX-License-Identifier: MIT
/*
 * The IGMP/MLD router state machine on an injected clock: the RFC 3376
 * §6.4 tables row by row (run for IGMPv3 and again for MLDv2, whose
 * RFC 3810 §7.4 tables are the same), timer expiry, last-member queries,
 * compatibility with v1/v2 hosts and MLDv1, fast-leave, the group cap,
 * the SSM range.  The querier is in test_gm_querier.c, the proxy in
 * test_gm_proxy.c; gm_fixture.c is what they share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gm_fixture.h"

/* INCLUDE {1,2} */
static void inc12(void)
{
	rec(GM_ALLOW, "1,2");
	advance(10000);
	t.nsent = 0;
	expect(false, 0, "1=250000 2=250000");
}

/* EXCLUDE X={1,2} Y={3,4}, group timer GMI-10 s */
static void ex12_34(void)
{
	rec(GM_ALLOW, "1,2");
	rec(GM_IS_EX, "1,2,3,4");
	advance(10000);
	t.nsent = 0;
	expect(true, 250000, "1=250000 2=250000 3=0 4=0");
}

/* ---- RFC 3376 §6.4.1 / §6.4.2, RFC 3810 §7.4.1 / §7.4.2 -------------- */

/*
 * A row of the tables: from a state (INCLUDE {1,2} or EXCLUDE {1,2} {3,4}),
 * a record of a type with sources; then the group's state (as expect())
 * and, when nq >= 0, the queries sent (as expect_q()); then more checks.
 */
struct row {
	const char *name;
	void (*from)(void);
	enum gm_rec_type type;
	const char *list;
	bool exclude;
	uint64_t gt_ms;
	const char *srcs;
	int nq;
	const char *q;
	void (*then)(void);
};

/* LMQC retransmissions at LMQI, then source 2 times out */
static void inc_block_then(void)
{
	advance(1000);
	expect_q(2, "2");
	advance(1000);
	expect(false, 0, "1=248000");
	assert_int_equal(t.nsent, 2);
}

static void ex_to_in_then(void)
{
	assert_int_equal(t.nsent, 2);
	/* Q(G), then Q(G,X-A) */
	assert_int_equal(t.sent[0].n, 0);
	expect_q(2, "1");
	/* nobody answers: group timer expires -> INCLUDE {2,3,5} */
	advance(LMQT);
	expect(false, 0, "2=258000 3=258000 5=258000");
}

static const struct row rows[] = {
	/* INCLUDE (A+B); (B)=GMI */
	{ "test_inc_is_in", inc12, GM_IS_IN, "2,3", false, 0,
	  "1=250000 2=260000 3=260000", 0, "", NULL },
	/* EXCLUDE (A*B, B-A); (B-A)=0; Delete (A-B); Group Timer=GMI */
	{ "test_inc_is_ex", inc12, GM_IS_EX, "2,3", true, GMI, "2=250000 3=0",
	  0, "", NULL },
	/* INCLUDE (A+B); (B)=GMI */
	{ "test_inc_allow", inc12, GM_ALLOW, "2,3", false, 0,
	  "1=250000 2=260000 3=260000", -1, NULL, NULL },
	/* INCLUDE (A); Send Q(G,A*B) */
	{ "test_inc_block", inc12, GM_BLOCK, "2,3", false, 0, "1=250000 2=2000",
	  1, "2", inc_block_then },
	/* EXCLUDE (A*B, B-A); (B-A)=0; Delete (A-B); Send Q(G,A*B);
	 * Group Timer=GMI */
	{ "test_inc_to_ex", inc12, GM_TO_EX, "2,3", true, GMI, "2=2000 3=0", 1,
	  "2", NULL },
	/* INCLUDE (A+B); (B)=GMI; Send Q(G,A-B) */
	{ "test_inc_to_in", inc12, GM_TO_IN, "2,3", false, 0,
	  "1=2000 2=260000 3=260000", 1, "1", NULL },
	/* EXCLUDE (X+A, Y-A); (A)=GMI */
	{ "test_ex_is_in", ex12_34, GM_IS_IN, "2,3,5", true, 250000,
	  "1=250000 2=260000 3=260000 4=0 5=260000", 0, "", NULL },
	/* EXCLUDE (A-Y, Y*A); (A-X-Y)=GMI; Delete (X-A); Delete (Y-A);
	 * Group Timer=GMI */
	{ "test_ex_is_ex", ex12_34, GM_IS_EX, "2,3,5", true, GMI,
	  "2=250000 3=0 5=260000", 0, "", NULL },
	/* EXCLUDE (X+A, Y-A); (A)=GMI */
	{ "test_ex_allow", ex12_34, GM_ALLOW, "2,3,5", true, 250000,
	  "1=250000 2=260000 3=260000 4=0 5=260000", -1, NULL, NULL },
	/* EXCLUDE (X+(A-Y), Y); (A-X-Y)=Group Timer; Send Q(G,A-Y) */
	{ "test_ex_block", ex12_34, GM_BLOCK, "2,3,5", true, 250000,
	  "1=250000 2=2000 3=0 4=0 5=2000", 1, "2,5", NULL },
	/* EXCLUDE (A-Y, Y*A); (A-X-Y)=Group Timer; Delete (X-A);
	 * Delete (Y-A); Send Q(G,A-Y); Group Timer=GMI */
	{ "test_ex_to_ex", ex12_34, GM_TO_EX, "2,3,5", true, GMI,
	  "2=2000 3=0 5=2000", 1, "2,5", NULL },
	/* EXCLUDE (X+A, Y-A); (A)=GMI; Send Q(G,X-A); Send Q(G) */
	{ "test_ex_to_in", ex12_34, GM_TO_IN, "2,3,5", true, LMQT,
	  "1=2000 2=260000 3=260000 4=0 5=260000", -1, NULL, ex_to_in_then },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void run_row(enum gm_proto p, const struct row *r)
{
	start(p, true, 0);
	r->from();
	rec(r->type, r->list);
	expect(r->exclude, r->gt_ms, r->srcs);
	if (r->nq >= 0)
		expect_q((size_t)r->nq, r->q);
	if (r->then)
		r->then();
}

/* A row (its prestate) for IGMPv3, and for MLDv2. */
static void test_row_igmp(void **state)
{
	run_row(GM_IGMP, *state);
}

static void test_row_mld(void **state)
{
	run_row(GM_MLD, *state);
}

/* ---- timers ----------------------------------------------------------- */

static void test_expiry(void **state)
{
	int before;

	start(P(state), true, 0);
	rec(GM_IS_EX, "");
	expect(true, GMI, "");
	before = t.changed;
	advance(GMI - 1);
	assert_non_null(grp());
	advance(1);
	assert_null(grp()); /* EXCLUDE {} -> nothing -> gone */
	assert_int_equal(t.changed, before + 1);

	/* EXCLUDE with X: group timer -> INCLUDE (X), Y deleted */
	rec(GM_IS_EX, "3");
	rec(GM_ALLOW, "1");
	advance(100000);
	rec(GM_IS_EX, "1,3");
	advance(100000);
	rec(GM_ALLOW, "1");
	advance(160000);
	expect(false, 0, "1=100000");
	/* the last source times out: the group goes */
	advance(100000);
	assert_null(grp());
	/* EXCLUDE: a source timer expiring moves it to the excluded list */
	rec(GM_ALLOW, "1");
	rec(GM_IS_EX, "1");
	advance(100000);
	rec(GM_IS_EX, "1");
	advance(160000);
	expect(true, 100000, "1=0");
}

static void test_admits(void **state)
{
	struct inet_addr s1, s2, s3;

	start(P(state), true, 0);
	s1 = S(1), s2 = S(2), s3 = S(3);
	rec(GM_ALLOW, "1");
	assert_true(gm_group_admits(grp(), &s1));
	assert_false(gm_group_admits(grp(), &s2));
	rec(GM_TO_EX, "2");
	/* EXCLUDE {} forwarded, {2} blocked */
	assert_true(gm_group_admits(grp(), &s3));
	assert_false(gm_group_admits(grp(), &s2));
	{
		struct inet_addr g = G(1);

		assert_true(gm_if_admits(&t.gif, &s3, &g));
		g = G(2);
		assert_false(gm_if_admits(&t.gif, &s3, &g));
	}
}

/* ---- v1/v2 hosts, MLDv1 ----------------------------------------------- */

static void test_leave_lmq(void **state)
{
	struct inet_addr g, from;

	start(P(state), true, 0);
	g = G(1), from = R(20);
	/* a v2 (MLDv1) host joins and leaves */
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_IS_EX, &g, NULL, 0,
		     &from);
	assert_int_equal(gm_group_version(grp()), t.p == GM_MLD ? 1 : 2);
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_TO_IN, &g, NULL, 0,
		     &from);
	/* Q(G) now and LMQC-1 more; gone after LMQT */
	assert_int_equal(t.nsent, 1);
	assert_int_equal(t.sent[0].n, 0);
	assert_true(addr_equal(&t.sent[0].dst, &g));
	/* the host repeats its leave: the timer is not raised again */
	advance(LMQT / 2);
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_TO_IN, &g, NULL, 0,
		     &from);
	advance(LMQT / 2 - 1);
	assert_true(t.nsent >= 2);
	assert_non_null(grp());
	advance(1);
	assert_null(grp());
	/* a leave message (IGMPv2 leave / MLDv1 done) does the same */
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_IS_EX, &g, NULL, 0,
		     &from);
	{
		struct gm_msg m;

		memset(&m, 0, sizeof(m));
		m.proto = t.p;
		m.type = GM_LEAVE;
		m.version = t.p == GM_MLD ? 1 : 2;
		m.group = g;
		m.src = from;
		gm_if_input(&t.gif, &m);
		advance(LMQT);
		assert_null(grp());
	}
	/* the v2 host state went with the group; a v3 report now */
	rec(GM_ALLOW, "1");
	assert_int_equal(gm_group_version(grp()), t.p == GM_MLD ? 2 : 3);
}

static void test_compat(void **state)
{
	struct inet_addr g, from;
	unsigned int old = P(state) == GM_MLD ? 1 : 2;

	start(P(state), true, 0);
	g = G(1), from = R(20);
	gm_if_record(&t.gif, old, GM_IS_EX, &g, NULL, 0, &from);
	/* in v2/MLDv1 mode: BLOCK ignored, TO_EX(x) = TO_EX({}) */
	rec(GM_BLOCK, "1");
	expect(true, GMI, "");
	rec(GM_TO_EX, "1,2");
	expect(true, GMI, "");
	/* a source list wants the group: a join, no source state */
	rec(GM_ALLOW, "3");
	expect(true, GMI, "");
	/* older host present timeout: RV x QI + QRI, then v3 again */
	advance(GMI - 1);
	assert_int_equal(gm_group_version(grp()), old);
	rec(GM_IS_EX, "");
	advance(1);
	assert_int_equal(gm_group_version(grp()), old + 1);
	rec(GM_BLOCK, "1");
	expect(true, GMI - 1, "1=2000");
	if (P(state) == GM_MLD)
		return;
	/* IGMPv1: leaves are ignored */
	gm_if_record(&t.gif, 1, GM_IS_EX, &g, NULL, 0, &from);
	assert_int_equal(gm_group_version(grp()), 1);
	{
		struct gm_msg m;

		memset(&m, 0, sizeof(m));
		m.type = GM_LEAVE;
		m.version = 2;
		m.group = g;
		m.src = from;
		t.nsent = 0;
		gm_if_input(&t.gif, &m);
		assert_int_equal(t.nsent, 0);
		assert_true(grp()->exclude);
		assert_int_equal(t.gif.st.ignored, 1);
	}
}

static void test_v2_router(void **state)
{
	struct gm_msg m;

	start(P(state), true, P(state) == GM_MLD ? 1 : 2);
	/* a v2 router sends v2 queries (8 / 24 bytes: no source part) */
	gm_if_stop(&t.gif);
	gm_if_start(&t.gif);
	assert_int_equal(t.nsent, 1);
	assert_int_equal(t.sent[0].n, 0);
	t.nsent = 0;
	/* source records from v3 hosts are group joins */
	rec(GM_IS_IN, "1");
	expect(true, GMI, "");
	rec(GM_TO_IN, "");
	assert_int_equal(t.nsent, 1); /* Q(G) */
	memset(&m, 0, sizeof(m));
	(void)m;
}

static void test_fast_leave(void **state)
{
	struct inet_addr g, from;

	start(P(state), true, 0);
	t.gif.cfg.fast_leave = true;
	g = G(1), from = R(20);
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_IS_EX, &g, NULL, 0,
		     &from);
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_TO_IN, &g, NULL, 0,
		     &from);
	advance(0);
	assert_null(grp());
	assert_int_equal(t.nsent, 0);
	/* v3: BLOCK of the last included source */
	rec(GM_ALLOW, "1,2");
	rec(GM_BLOCK, "1");
	advance(0);
	expect(false, 0, "2=260000");
	rec(GM_TO_IN, "");
	advance(0);
	assert_null(grp());
}

static void test_cap(void **state)
{
	struct inet_addr from;

	start(P(state), true, 0);
	t.gif.cfg.max_groups = 2;
	from = R(20);
	for (int k = 1; k <= 3; k++) {
		struct inet_addr g = G(k);

		gm_if_record(&t.gif, t.p == GM_MLD ? 2 : 3, GM_IS_EX, &g, NULL,
			     0, &from);
	}
	assert_int_equal(t.gif.n_groups, 2);
	assert_int_equal(t.gif.st.cap_drops, 1);
	/* existing groups still take reports */
	rec(GM_IS_EX, "");
	assert_int_equal(t.gif.st.cap_drops, 1);
	/* link-scope groups are never tracked */
	{
		struct inet_addr ls =
			A(P(state) == GM_MLD ? "ff02::fb" : "224.0.0.251");

		gm_if_record(&t.gif, 3, GM_IS_EX, &ls, NULL, 0, &from);
		assert_null(gm_group_find(&t.gif, &ls));
	}
}

/* 1000 groups x 10 receivers, then more than the cap: bounded, all expire. */
static void test_many_groups(void **state)
{
	char b[64];

	start(P(state), true, 0);
	t.gif.cfg.max_groups = 1024;
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < 3000; k++)
			for (int r = 0; r < 10; r++) {
				struct inet_addr g, from = R(20 + r);

				if (t.p == GM_MLD)
					snprintf(b, sizeof(b), "ff0e::1:%x", k);
				else
					snprintf(b, sizeof(b), "239.2.%d.%d",
						 k / 256, k % 256);
				g = A(b);
				gm_if_record(&t.gif, t.p == GM_MLD ? 2 : 3,
					     GM_IS_EX, &g, NULL, 0, &from);
			}
	assert_int_equal(t.gif.n_groups, 1024);
	assert_int_equal(t.gif.st.cap_drops, 3 * (3000 - 1024) * 10);
	advance(GMI);
	assert_int_equal(t.gif.n_groups, 0);
	assert_int_equal(t.gif.st.groups_expired, 1024);
}

/* RFC 4604: no EXCLUDE (nor v1/v2 reports) in the SSM range. */
static void test_ssm_range(void **state)
{
	struct inet_addr ssm, from, s1;

	start(P(state), true, 0);
	ssm = A(P(state) == GM_MLD ? "ff3e::8000:1" : "232.1.1.1");
	from = R(20);
	s1 = S(1);
	gm_if_record(&t.gif, t.p == GM_MLD ? 1 : 2, GM_IS_EX, &ssm, NULL, 0,
		     &from);
	assert_null(gm_group_find(&t.gif, &ssm));
	gm_if_record(&t.gif, t.p == GM_MLD ? 2 : 3, GM_TO_EX, &ssm, NULL, 0,
		     &from);
	assert_null(gm_group_find(&t.gif, &ssm));
	assert_int_equal(t.gif.st.ignored, 2);
	gm_if_record(&t.gif, t.p == GM_MLD ? 2 : 3, GM_ALLOW, &ssm, &s1, 1,
		     &from);
	assert_non_null(gm_group_find(&t.gif, &ssm));
	assert_int_equal(gm_group_version(gm_group_find(&t.gif, &ssm)),
			 t.p == GM_MLD ? 2 : 3);
	assert_true(gm_if_admits(&t.gif, &s1, &ssm));
}

int main(void)
{
	static const struct CMUnitTest others[] = {
		BOTH(test_expiry), BOTH(test_admits),	 BOTH(test_leave_lmq),
		BOTH(test_compat), BOTH(test_v2_router), BOTH(test_fast_leave),
		BOTH(test_cap),	   BOTH(test_ssm_range), BOTH(test_many_groups),
	};
	struct CMUnitTest tests[2 * N_ROWS + sizeof(others) / sizeof(others[0])];
	size_t n = 0;

	for (size_t i = 0; i < N_ROWS; i++) {
		void *row = (void *)&rows[i];

		tests[n++] = (struct CMUnitTest){ rows[i].name, test_row_igmp,
						  NULL, teardown, row };
		tests[n++] = (struct CMUnitTest){ rows[i].name, test_row_mld,
						  NULL, teardown, row };
	}
	memcpy(&tests[n], others, sizeof(others));
	return _cmocka_run_group_tests(
		"gm", tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
