// SPDX-License-Identifier: MIT
/*
 * The IGMP/MLD proxy (RFC 4605) on an injected clock: the merge of the
 * downstream interfaces' state, reports upstream on change, answers to
 * general and group-and-source queries, leaves, older queriers.
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

static void pstart(enum gm_proto p, unsigned int version)
{
	struct gm_cfg c;

	start(p, true, 0);
	gm_cfg_defaults(&c);
	c.version = version;
	proxy_init(&t.px, p, "wlan0", &c, &t.ts, &pops, NULL);
	t.npsent = 0;
}

/*
 * A general query from upstream, 1 s max response, from a querier of the
 * newest version (IGMPv3, MLDv2) or, older, of the one before.
 */
static void general_query(bool older)
{
	unsigned int v = t.p == GM_MLD ? 2 : 3;

	proxy_query(&t.px,
		    &(struct gm_msg){ .proto = t.p,
				      .type = GM_QUERY,
				      .version = older ? v - 1 : v,
				      .max_resp_ms = 1000,
				      .group = (struct inet_addr){
					      .family = t.p == GM_MLD ?
								AF_INET6 :
								AF_INET } });
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
	general_query(false);
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
	general_query(true);
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

static const struct CMUnitTest tests[] = {
	BOTH(test_merge),
	BOTH(test_proxy_reports),
	BOTH(test_proxy_v2),
	BOTH(test_proxy_gs_query),
};

int main(void)
{
	return cmocka_run_group_tests_name("gm_proxy", tests, NULL, NULL);
}
