// SPDX-License-Identifier: MIT
/*
 * The IGMP/MLD router state machine on an injected clock: the RFC 3376
 * §6.4 tables row by row (run for IGMPv3 and again for MLDv2, whose
 * RFC 3810 §7.4 tables are the same), timer expiry, last-member queries,
 * querier election and take-over, startup queries, compatibility with
 * v1/v2 hosts and MLDv1, fast-leave, the group cap; and the proxy: the
 * RFC 4605 merge, reports on change, answers to queries, leaves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gm.h"
#include "proxy.h"

#define MS 1000000ull

static uint64_t fake_now;
static uint64_t clk(void)
{
	return fake_now;
}

struct sent {
	struct inet_addr dst;
	uint8_t type;
	struct inet_addr group;
	size_t n;
	struct inet_addr srcs[16];
	bool s_flag;
	uint8_t rec_type; /* first record of a v3 report */
};

static struct {
	struct timers ts;
	struct gm_if gif;
	enum gm_proto p;
	struct sent sent[64];
	size_t nsent;
	int changed;
	struct proxy px;
	struct sent psent[64];
	size_t npsent;
} t;

static struct inet_addr A(const char *s) {
	struct inet_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/* Source k / group k / router k of the protocol under test. */
static struct inet_addr
S(int k) {
	char b[64];

	snprintf(b, sizeof(b), t.p == GM_MLD ? "2001:db8:1::%d" : "192.0.2.%d",
		 k);
	return A(b);
}

static struct inet_addr
G(int k) {
	char b[64];

	snprintf(b, sizeof(b), t.p == GM_MLD ? "ff0e::%d" : "239.1.1.%d", k);
	return A(b);
}

static struct inet_addr
R(int k) {
	char b[64];

	snprintf(b, sizeof(b), t.p == GM_MLD ? "fe80::%d" : "198.51.100.%d", k);
	return A(b);
}

static void
decode(const uint8_t *m, size_t len, struct sent *s)
{
	size_t al = t.p == GM_MLD ? 16 : 4, go = t.p == GM_MLD ? 8 : 4;
	size_t hdr = t.p == GM_MLD ? 24 : 8;

	s->type = m[0];
	memset(&s->group, 0, sizeof(s->group));
	s->group.family = t.p == GM_MLD ? AF_INET6 : AF_INET;
	memcpy(t.p == GM_MLD ? (void *)&s->group.v6 : (void *)&s->group.v4,
	       m + go, al);
	s->n = 0;
	if ((m[0] == 0x11 || m[0] == 130) && len > hdr) {
		s->s_flag = m[hdr] & 8;
		s->n = (size_t)(m[hdr + 2] << 8 | m[hdr + 3]);
		for (size_t i = 0; i < s->n && i < 16; i++)
			gm_src_at(t.p, m + hdr + 4, i, &s->srcs[i]);
	}
	if (m[0] == 0x22 || m[0] == 143) {
		s->rec_type = m[8];
		s->group.family = t.p == GM_MLD ? AF_INET6 : AF_INET;
		memcpy(t.p == GM_MLD ? (void *)&s->group.v6 :
				       (void *)&s->group.v4,
		       m + 12, al);
		s->n = (size_t)(m[10] << 8 | m[11]);
		for (size_t i = 0; i < s->n && i < 16; i++)
			gm_src_at(t.p, m + 12 + al, i, &s->srcs[i]);
	}
}

static int f_send(void *ctx, struct gm_if *gif, const struct inet_addr *dst,
		  const uint8_t *msg, size_t len)
{
	(void)ctx, (void)gif;
	assert_true(t.nsent < 64);
	t.sent[t.nsent].dst = *dst;
	decode(msg, len, &t.sent[t.nsent++]);
	return 0;
}

static void f_changed(void *ctx, struct gm_if *gif, const struct inet_addr *grp)
{
	(void)ctx, (void)gif, (void)grp;
	t.changed++;
}

static const struct gm_ops ops = { f_send, f_changed };

static int f_psend(void *ctx, struct proxy *px, const struct inet_addr *dst,
		   const uint8_t *msg, size_t len)
{
	(void)ctx, (void)px;
	assert_true(t.npsent < 64);
	t.psent[t.npsent].dst = *dst;
	decode(msg, len, &t.psent[t.npsent++]);
	return 0;
}

static const struct proxy_ops pops = { f_psend };

static void advance(uint64_t ms)
{
	uint64_t end = fake_now + ms * MS;

	/* fire timers in order, each at its own time */
	while (t.ts.n && t.ts.heap[0]->when <= end) {
		if (t.ts.heap[0]->when > fake_now)
			fake_now = t.ts.heap[0]->when;
		timers_run(&t.ts);
	}
	fake_now = end;
	timers_run(&t.ts);
}

static void start(enum gm_proto p, bool querier, unsigned int version)
{
	struct gm_cfg c;

	memset(&t, 0, sizeof(t));
	t.p = p;
	fake_now = 1000000 * MS;
	timers_init(&t.ts, false);
	t.ts.now = clk;
	gm_cfg_defaults(&c);
	c.querier = querier;
	c.version = version;
	{
		struct inet_addr me = R(10);

		gm_if_init(&t.gif, p, "usb0", 2, &me, &c, &t.ts, &ops, NULL);
	}
	gm_if_start(&t.gif);
	t.nsent = 0;
}

static int setup_igmp(void **state)
{
	*state = (void *)(uintptr_t)GM_IGMP;
	return 0;
}

static int setup_mld(void **state)
{
	*state = (void *)(uintptr_t)GM_MLD;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gm_if_stop(&t.gif);
	proxy_stop(&t.px, false);
	timers_free(&t.ts);
	return 0;
}

static enum gm_proto P(void **state)
{
	return (enum gm_proto)(uintptr_t)*state;
}

/* A record for group 1 with sources "1,2,3" (numbers of S()). */
static void rec(enum gm_rec_type type, const char *list)
{
	struct inet_addr v[16];
	size_t n = 0;
	struct inet_addr g = G(1), from = R(20);

	for (const char *p = list; *p;) {
		v[n++] = S(atoi(p));
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	gm_if_record(&t.gif, t.p == GM_MLD ? 2 : 3, type, &g, v, n, &from);
}

static struct gm_group *grp(void)
{
	struct inet_addr g = G(1);

	return gm_group_find(&t.gif, &g);
}

/*
 * The state of group 1: mode and, per source, its timer: "1=gmi 2=0
 * 3=lmqt" ("0" = not armed, excluded), every source listed.
 */
static void expect(bool exclude, uint64_t gt_ms, const char *srcs)
{
	struct gm_group *g = grp();
	size_t n = 0;

	assert_non_null(g);
	assert_int_equal(g->exclude, exclude);
	if (exclude)
		assert_int_equal(gm_timer_left_ms(&t.gif, &g->timer), gt_ms);
	for (const char *p = srcs; *p;) {
		int k = atoi(p);
		const char *eq = strchr(p, '=');
		struct inet_addr a = S(k);
		struct gm_src *s = NULL;
		uint64_t want;

		for (s = g->srcs; s && !addr_equal(&s->addr, &a); s = s->next)
			;
		if (!s)
			fail_msg("source %d missing", k);
		want = (uint64_t)strtoull(eq + 1, NULL, 10);
		if (!want)
			assert_false(timer_armed(&s->t));
		else
			assert_int_equal(gm_timer_left_ms(&t.gif, &s->t), want);
		n++;
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	assert_int_equal(g->n_srcs, n);
}

/* The last query sent: for group 1 with exactly sources list. */
static void expect_q(size_t nsent, const char *list)
{
	size_t n = 0;
	struct sent *q;
	struct inet_addr g = G(1);

	assert_int_equal(t.nsent, nsent);
	if (!nsent)
		return;
	q = &t.sent[nsent - 1];
	assert_true(addr_equal(&q->group, &g));
	for (const char *p = list; *p;) {
		struct inet_addr a = S(atoi(p));
		bool found = false;

		for (size_t i = 0; i < q->n; i++)
			found |= addr_equal(&q->srcs[i], &a);
		assert_true(found);
		n++;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	assert_int_equal(q->n, n);
}

#define GMI 260000 /* 2 x 125 s + 10 s */
#define LMQT 2000 /* 2 x 1 s */

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

static void test_inc_is_in(void **state)
{
	start(P(state), true, 0);
	inc12();
	rec(GM_IS_IN, "2,3"); /* INCLUDE (A+B); (B)=GMI */
	expect(false, 0, "1=250000 2=260000 3=260000");
	expect_q(0, "");
}

static void test_inc_is_ex(void **state)
{
	start(P(state), true, 0);
	inc12();
	/* EXCLUDE (A*B, B-A); (B-A)=0; Delete (A-B); Group Timer=GMI */
	rec(GM_IS_EX, "2,3");
	expect(true, GMI, "2=250000 3=0");
	expect_q(0, "");
}

static void test_inc_allow(void **state)
{
	start(P(state), true, 0);
	inc12();
	rec(GM_ALLOW, "2,3"); /* INCLUDE (A+B); (B)=GMI */
	expect(false, 0, "1=250000 2=260000 3=260000");
}

static void test_inc_block(void **state)
{
	start(P(state), true, 0);
	inc12();
	rec(GM_BLOCK, "2,3"); /* INCLUDE (A); Send Q(G,A*B) */
	expect(false, 0, "1=250000 2=2000");
	expect_q(1, "2");
	/* LMQC retransmissions at LMQI, then source 2 times out */
	advance(1000);
	expect_q(2, "2");
	advance(1000);
	expect(false, 0, "1=248000");
	assert_int_equal(t.nsent, 2);
}

static void test_inc_to_ex(void **state)
{
	start(P(state), true, 0);
	inc12();
	/* EXCLUDE (A*B, B-A); (B-A)=0; Delete (A-B); Send Q(G,A*B);
	 * Group Timer=GMI */
	rec(GM_TO_EX, "2,3");
	expect(true, GMI, "2=2000 3=0");
	expect_q(1, "2");
}

static void test_inc_to_in(void **state)
{
	start(P(state), true, 0);
	inc12();
	rec(GM_TO_IN, "2,3"); /* INCLUDE (A+B); (B)=GMI; Send Q(G,A-B) */
	expect(false, 0, "1=2000 2=260000 3=260000");
	expect_q(1, "1");
}

static void test_ex_is_in(void **state)
{
	start(P(state), true, 0);
	ex12_34();
	rec(GM_IS_IN, "2,3,5"); /* EXCLUDE (X+A, Y-A); (A)=GMI */
	expect(true, 250000, "1=250000 2=260000 3=260000 4=0 5=260000");
	expect_q(0, "");
}

static void test_ex_is_ex(void **state)
{
	start(P(state), true, 0);
	ex12_34();
	/* EXCLUDE (A-Y, Y*A); (A-X-Y)=GMI; Delete (X-A); Delete (Y-A);
	 * Group Timer=GMI */
	rec(GM_IS_EX, "2,3,5");
	expect(true, GMI, "2=250000 3=0 5=260000");
	expect_q(0, "");
}

static void test_ex_allow(void **state)
{
	start(P(state), true, 0);
	ex12_34();
	rec(GM_ALLOW, "2,3,5"); /* EXCLUDE (X+A, Y-A); (A)=GMI */
	expect(true, 250000, "1=250000 2=260000 3=260000 4=0 5=260000");
}

static void test_ex_block(void **state)
{
	start(P(state), true, 0);
	ex12_34();
	/* EXCLUDE (X+(A-Y), Y); (A-X-Y)=Group Timer; Send Q(G,A-Y) */
	rec(GM_BLOCK, "2,3,5");
	expect(true, 250000, "1=250000 2=2000 3=0 4=0 5=2000");
	expect_q(1, "2,5");
}

static void test_ex_to_ex(void **state)
{
	start(P(state), true, 0);
	ex12_34();
	/* EXCLUDE (A-Y, Y*A); (A-X-Y)=Group Timer; Delete (X-A);
	 * Delete (Y-A); Send Q(G,A-Y); Group Timer=GMI */
	rec(GM_TO_EX, "2,3,5");
	expect(true, GMI, "2=2000 3=0 5=2000");
	expect_q(1, "2,5");
}

static void test_ex_to_in(void **state)
{
	start(P(state), true, 0);
	ex12_34();
	/* EXCLUDE (X+A, Y-A); (A)=GMI; Send Q(G,X-A); Send Q(G) */
	rec(GM_TO_IN, "2,3,5");
	expect(true, LMQT, "1=2000 2=260000 3=260000 4=0 5=260000");
	assert_int_equal(t.nsent, 2);
	/* Q(G), then Q(G,X-A) */
	assert_int_equal(t.sent[0].n, 0);
	expect_q(2, "1");
	/* nobody answers: group timer expires -> INCLUDE {2,3,5} */
	advance(LMQT);
	expect(false, 0, "2=258000 3=258000 5=258000");
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

/* ---- querier ---------------------------------------------------------- */

static void query_from(int k, const struct inet_addr *grp_or_null, bool s_flag)
{
	struct gm_msg m;

	memset(&m, 0, sizeof(m));
	m.proto = t.p;
	m.type = GM_QUERY;
	m.version = t.p == GM_MLD ? 2 : 3;
	m.src = R(k);
	if (grp_or_null)
		m.group = *grp_or_null;
	else
		m.group.family = t.p == GM_MLD ? AF_INET6 : AF_INET;
	m.max_resp_ms = 10000;
	m.s_flag = s_flag;
	gm_if_input(&t.gif, &m);
}

static void test_startup(void **state)
{
	start(P(state), true, 0);
	/* startup: RV queries QI/4 apart, then every QI */
	gm_if_stop(&t.gif);
	gm_if_start(&t.gif);
	assert_int_equal(t.nsent, 1);
	advance(31250);
	assert_int_equal(t.nsent, 2);
	advance(31250);
	assert_int_equal(t.nsent, 2);
	advance(125000 - 31250);
	assert_int_equal(t.nsent, 3);
	assert_true(t.gif.querier);
	{
		struct inet_addr all;

		gm_addr_all_hosts(t.p, &all);
		assert_true(addr_equal(&t.sent[0].dst, &all));
		assert_true(addr_is_any(&t.sent[0].group));
	}
}

static void test_election(void **state)
{
	struct inet_addr lower;

	start(P(state), true, 0);
	lower = R(5);
	/* a higher address: we stay querier */
	query_from(20, NULL, false);
	assert_true(t.gif.querier);
	/* a lower one: quiet, other querier present = RV*QI + QRI/2 */
	query_from(5, NULL, false);
	assert_false(t.gif.querier);
	assert_true(addr_equal(&t.gif.querier_addr, &lower));
	assert_int_equal(gm_timer_left_ms(&t.gif, &t.gif.oqp_t), 255000);
	t.nsent = 0;
	advance(200000);
	query_from(5, NULL, false); /* refreshes */
	assert_int_equal(t.nsent, 0);
	advance(254999);
	assert_false(t.gif.querier);
	assert_int_equal(t.nsent, 0);
	/* it died: take over with a general query */
	advance(1);
	assert_true(t.gif.querier);
	assert_int_equal(t.nsent, 1);
	advance(125000);
	assert_int_equal(t.nsent, 2);

	/* the querier's QRV and QQI are adopted (RFC 3376 §4.1.6-7) */
	{
		struct gm_msg m;

		memset(&m, 0, sizeof(m));
		m.proto = t.p;
		m.type = GM_QUERY;
		m.version = t.p == GM_MLD ? 2 : 3;
		m.src = R(5);
		m.group.family = t.p == GM_MLD ? AF_INET6 : AF_INET;
		m.max_resp_ms = 10000;
		m.qrv = 3;
		m.qqi_s = 60;
		gm_if_input(&t.gif, &m);
		assert_false(t.gif.querier);
		/* 3 x 60 s + 10 s / 2 */
		gm_if_input(&t.gif, &m);
		assert_int_equal(gm_timer_left_ms(&t.gif, &t.gif.oqp_t),
				 185000);
		assert_int_equal(gm_gmi(&t.gif.cfg), 190000);
		/* taking over again: our own values */
		advance(185000);
		assert_true(t.gif.querier);
		assert_int_equal(gm_gmi(&t.gif.cfg), GMI);
	}
}

static void test_non_querier(void **state)
{
	struct inet_addr g;

	start(P(state), true, 0);
	g = G(1);
	query_from(5, NULL, false);
	t.nsent = 0;
	rec(GM_IS_EX, "");
	/* a non-querier sends no Q(G) on a leave ... */
	rec(GM_TO_IN, "");
	assert_int_equal(t.nsent, 0);
	expect(true, GMI, "");
	/* ... but lowers its timer on the querier's Q(G) (§6.6.1) */
	query_from(5, &g, true); /* S set: no change */
	expect(true, GMI, "");
	query_from(5, &g, false);
	expect(true, LMQT, "");
	advance(LMQT);
	assert_null(grp());
}

static void test_s_flag(void **state)
{
	start(P(state), true, 0);
	rec(GM_IS_EX, "");
	rec(GM_TO_IN, "");
	assert_false(t.sent[0].s_flag);
	/* a report meanwhile: the retransmission has S set */
	rec(GM_IS_EX, "");
	advance(1000);
	assert_int_equal(t.nsent, 2);
	assert_true(t.sent[1].s_flag);
}

/* ---- proxy ------------------------------------------------------------ */

static void pstart(enum gm_proto p, unsigned int version)
{
	struct gm_cfg c;

	start(p, true, 0);
	gm_cfg_defaults(&c);
	c.version = version;
	proxy_init(&t.px, p, "wlan0", &c, &t.ts, &pops, NULL);
	t.npsent = 0;
}

static void test_merge(void **state)
{
	struct gm_if d2;
	struct inet_addr g, from, *out = NULL;
	const struct gm_group *gs[2];
	size_t n;
	bool ex;
	struct gm_cfg c;

	start(P(state), true, 0);
	gm_cfg_defaults(&c);
	{
		struct inet_addr me = R(11);

		gm_if_init(&d2, t.p, "usb1", 3, &me, &c, &t.ts, &ops, NULL);
	}
	g = G(1), from = R(20);
	/* INCLUDE {1,2} + INCLUDE {2,3} = INCLUDE {1,2,3} */
	rec(GM_ALLOW, "1,2");
	{
		struct inet_addr v[2] = { S(2), S(3) };

		gm_if_record(&d2, 3, GM_ALLOW, &g, v, 2, &from);
	}
	gs[0] = grp();
	gs[1] = gm_group_find(&d2, &g);
	assert_int_equal(proxy_merge(gs, 2, &ex, &out, &n), 0);
	assert_false(ex);
	assert_int_equal(n, 3);
	free(out);
	/* EXCLUDE {1,2,4} + INCLUDE {2,3}: EXCLUDE {1,4} */
	rec(GM_TO_EX, "1,2,4");
	rec(GM_BLOCK, "");
	gs[0] = grp();
	/* make 1,2,4 all excluded: their timers were set to GT; clear */
	for (struct gm_src *s = grp()->srcs; s; s = s->next)
		timer_cancel(&t.ts, &s->t);
	assert_int_equal(proxy_merge(gs, 2, &ex, &out, &n), 0);
	assert_true(ex);
	assert_int_equal(n, 2);
	free(out);
	/* EXCLUDE {1,4} + EXCLUDE {4,5} (+ nothing): EXCLUDE {4} */
	gm_if_stop(&d2);
	{
		struct inet_addr v[2] = { S(4), S(5) };

		gm_if_record(&d2, 3, GM_IS_EX, &g, v, 2, &from);
		for (struct gm_src *s = gm_group_find(&d2, &g)->srcs; s;
		     s = s->next)
			timer_cancel(&t.ts, &s->t);
	}
	gs[1] = gm_group_find(&d2, &g);
	assert_int_equal(proxy_merge(gs, 2, &ex, &out, &n), 0);
	assert_true(ex);
	assert_int_equal(n, 1);
	{
		struct inet_addr s4 = S(4);

		assert_true(addr_equal(&out[0], &s4));
	}
	free(out);
	/* nobody: INCLUDE {} */
	gs[0] = gs[1] = NULL;
	assert_int_equal(proxy_merge(gs, 2, &ex, &out, &n), 0);
	assert_false(ex);
	assert_int_equal(n, 0);
	free(out);
	gm_if_stop(&d2);
}

static void test_proxy_reports(void **state)
{
	struct inet_addr g, s1, r22;

	pstart(P(state), 0);
	g = G(1), s1 = S(1);
	gm_addr_v3_reports(t.p, &r22);
	/* join: TO_EX({}) now and RV-1 more within the URI */
	proxy_set(&t.px, &g, true, NULL, 0);
	assert_int_equal(t.npsent, 1);
	assert_true(addr_equal(&t.psent[0].dst, &r22));
	assert_int_equal(t.psent[0].rec_type, GM_TO_EX);
	advance(PROXY_URI_MS);
	assert_int_equal(t.npsent, 2);
	/* the same state again: nothing */
	proxy_set(&t.px, &g, true, NULL, 0);
	advance(PROXY_URI_MS);
	assert_int_equal(t.npsent, 2);
	/* a general query: IS_EX within max response */
	query_from(5, NULL, false);
	proxy_query(&t.px, &(struct gm_msg){ .proto = t.p,
					     .type = GM_QUERY,
					     .version = t.p == GM_MLD ? 2 : 3,
					     .max_resp_ms = 1000,
					     .group = (struct inet_addr){
						     .family = g.family } });
	advance(1000);
	assert_int_equal(t.npsent, 3);
	assert_int_equal(t.psent[2].rec_type, GM_IS_EX);
	/* SSM: INCLUDE {1} */
	proxy_set(&t.px, &g, false, &s1, 1);
	assert_int_equal(t.psent[3].rec_type, GM_TO_IN);
	assert_int_equal(t.psent[3].n, 1);
	/* last member gone: TO_IN({}) x RV, then the state is freed */
	advance(PROXY_URI_MS);
	proxy_set(&t.px, &g, false, NULL, 0);
	assert_int_equal(t.psent[t.npsent - 1].rec_type, GM_TO_IN);
	assert_int_equal(t.psent[t.npsent - 1].n, 0);
	advance(PROXY_URI_MS);
	assert_null(proxy_group_find(&t.px, &g));
	assert_int_equal(t.px.st.leaves, 1);
}

/* A group(-and-source)-specific query from upstream, after 10 s at most. */
static void gs_query(const struct inet_addr *g, const struct inet_addr *srcs,
		     size_t n)
{
	uint8_t raw[16 * 16];
	size_t al = t.p == GM_MLD ? 16 : 4;

	for (size_t i = 0; i < n; i++)
		memcpy(raw + i * al,
		       t.p == GM_MLD ? (const void *)&srcs[i].v6 :
				       (const void *)&srcs[i].v4,
		       al);
	proxy_query(&t.px, &(struct gm_msg){ .proto = t.p,
					     .type = GM_QUERY,
					     .version = t.p == GM_MLD ? 2 : 3,
					     .max_resp_ms = 1000,
					     .group = *g,
					     .n_srcs = n,
					     .srcs = raw });
}

static bool sent_srcs(const struct sent *s, const struct inet_addr *v, size_t n)
{
	if (s->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < n && !addr_equal(&s->srcs[j], &v[i]); j++)
			;
		if (j == n)
			return false;
	}
	return true;
}

/*
 * RFC 3376 §5.2 / RFC 3810 §6.2: a group-and-source-specific query gets
 * IS_IN of the asked sources the host wants (INCLUDE: A*B; EXCLUDE:
 * B-A), nothing when there are none; such queries add up while the
 * answer is pending; a group-specific one makes it the whole state.
 */
static void test_proxy_gs_query(void **state)
{
	struct inet_addr g, s[4];
	size_t before;

	pstart(P(state), 0);
	g = G(3);
	for (int i = 0; i < 4; i++)
		s[i] = S(i + 1);
	proxy_set(&t.px, &g, false, s, 2); /* INCLUDE {1,2} */
	advance(PROXY_URI_MS);
	before = t.npsent;
	/* asked {2,3}: IS_IN {2} */
	gs_query(&g, (struct inet_addr[]){ s[1], s[2] }, 2);
	advance(1000);
	assert_int_equal(t.npsent, before + 1);
	assert_int_equal(t.psent[before].rec_type, GM_IS_IN);
	assert_true(sent_srcs(&t.psent[before], &s[1], 1));
	/* asked {3}: nothing wanted, no answer */
	gs_query(&g, &s[2], 1);
	advance(1000);
	assert_int_equal(t.npsent, before + 1);
	/* asked {1}, then {2} before the answer: IS_IN {1,2} */
	gs_query(&g, &s[0], 1);
	gs_query(&g, &s[1], 1);
	advance(1000);
	assert_int_equal(t.npsent, before + 2);
	assert_int_equal(t.psent[before + 1].rec_type, GM_IS_IN);
	assert_true(sent_srcs(&t.psent[before + 1], s, 2));
	/* asked {3}, then group-specific: the whole state, IS_IN {1,2} */
	gs_query(&g, &s[2], 1);
	gs_query(&g, NULL, 0);
	advance(1000);
	assert_int_equal(t.npsent, before + 3);
	assert_int_equal(t.psent[before + 2].rec_type, GM_IS_IN);
	assert_true(sent_srcs(&t.psent[before + 2], s, 2));
	/* EXCLUDE {1}: asked {1,2,4}: IS_IN {2,4} */
	proxy_set(&t.px, &g, true, s, 1);
	advance(PROXY_URI_MS);
	before = t.npsent;
	gs_query(&g, (struct inet_addr[]){ s[0], s[1], s[3] }, 3);
	advance(1000);
	assert_int_equal(t.npsent, before + 1);
	assert_int_equal(t.psent[before].rec_type, GM_IS_IN);
	assert_true(sent_srcs(&t.psent[before],
			      (struct inet_addr[]){ s[1], s[3] }, 2));
	/* another group's query: no answer for this one */
	gs_query((struct inet_addr[]){ G(4) }, &s[1], 1);
	advance(1000);
	assert_int_equal(t.npsent, before + 1);
	/*
	 * More asked sources than PROXY_MAX_RESP_SRCS while pending: the
	 * whole state (IS_EX {1}), not an ever-growing list.
	 */
	for (int k = 0; k * 4 <= PROXY_MAX_RESP_SRCS; k++) {
		struct inet_addr v[4];

		for (int i = 0; i < 4; i++)
			v[i] = S(10 + k * 4 + i);
		gs_query(&g, v, 4);
	}
	advance(1000);
	assert_int_equal(t.npsent, before + 2);
	assert_int_equal(t.psent[before + 1].rec_type, GM_IS_EX);
	assert_true(sent_srcs(&t.psent[before + 1], s, 1));
}

static void test_proxy_v2(void **state)
{
	struct inet_addr g, routers;

	pstart(P(state), 0);
	g = G(2);
	gm_addr_all_routers(t.p, &routers);
	/* an older querier upstream: v2 / MLDv1 reports and leaves */
	proxy_query(&t.px, &(struct gm_msg){ .proto = t.p,
					     .type = GM_QUERY,
					     .version = t.p == GM_MLD ? 1 : 2,
					     .max_resp_ms = 1000,
					     .group = (struct inet_addr){
						     .family = g.family } });
	assert_int_equal(proxy_version(&t.px), t.p == GM_MLD ? 1 : 2);
	proxy_set(&t.px, &g, true, NULL, 0);
	assert_int_equal(t.psent[0].type, t.p == GM_MLD ? 131 : 0x16);
	assert_true(addr_equal(&t.psent[0].dst, &g));
	advance(PROXY_URI_MS);
	proxy_set(&t.px, &g, false, NULL, 0);
	assert_int_equal(t.psent[t.npsent - 1].type,
			 t.p == GM_MLD ? 132 : 0x17);
	assert_true(addr_equal(&t.psent[t.npsent - 1].dst, &routers));
	/* the older querier goes: back to v3 after RV x QI + max resp */
	advance(250000 + 1000);
	assert_int_equal(proxy_version(&t.px), t.p == GM_MLD ? 2 : 3);
}

#define BOTH(fn)                                                   \
	cmocka_unit_test_setup_teardown(fn, setup_igmp, teardown), \
		cmocka_unit_test_setup_teardown(fn, setup_mld, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_inc_is_in),
		BOTH(test_inc_is_ex),
		BOTH(test_inc_allow),
		BOTH(test_inc_block),
		BOTH(test_inc_to_ex),
		BOTH(test_inc_to_in),
		BOTH(test_ex_is_in),
		BOTH(test_ex_is_ex),
		BOTH(test_ex_allow),
		BOTH(test_ex_block),
		BOTH(test_ex_to_ex),
		BOTH(test_ex_to_in),
		BOTH(test_expiry),
		BOTH(test_admits),
		BOTH(test_leave_lmq),
		BOTH(test_compat),
		BOTH(test_v2_router),
		BOTH(test_fast_leave),
		BOTH(test_cap),
		BOTH(test_ssm_range),
		BOTH(test_many_groups),
		BOTH(test_startup),
		BOTH(test_election),
		BOTH(test_non_querier),
		BOTH(test_s_flag),
		BOTH(test_merge),
		BOTH(test_proxy_reports),
		BOTH(test_proxy_v2),
		BOTH(test_proxy_gs_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
