// SPDX-License-Identifier: MIT
/*
 * The IGMP/MLD state machine's tests' shared part (gm_fixture.h): an
 * injected clock, a gm_if and a proxy whose messages are decoded into
 * t.sent and t.psent, and the helpers that drive and check them.
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

#define MS 1000000ull

struct gm_test t;

static uint64_t fake_now;
static uint64_t clk(void)
{
	return fake_now;
}

struct inet_addr A(const char *s) {
	struct inet_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/* Source k / group k / router k of the protocol under test. */
struct inet_addr
S(int k) {
	char b[64];

	snprintf(b, sizeof(b), t.p == GM_MLD ? "2001:db8:1::%d" : "192.0.2.%d",
		 k);
	return A(b);
}

struct inet_addr
G(int k) {
	char b[64];

	snprintf(b, sizeof(b), t.p == GM_MLD ? "ff0e::%d" : "239.1.1.%d", k);
	return A(b);
}

struct inet_addr
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

/* A message sent to dst, decoded into the n in v (64 at the most). */
static int record(struct sent *v, size_t *n, const struct inet_addr *dst,
		  const uint8_t *msg, size_t len)
{
	assert_true(*n < 64);
	v[*n].dst = *dst;
	decode(msg, len, &v[(*n)++]);
	return 0;
}

static int f_send(void *ctx, struct gm_if *gif, const struct inet_addr *dst,
		  const uint8_t *msg, size_t len)
{
	(void)ctx, (void)gif;
	return record(t.sent, &t.nsent, dst, msg, len);
}

static void f_changed(void *ctx, struct gm_if *gif, const struct inet_addr *grp)
{
	(void)ctx, (void)gif, (void)grp;
	t.changed++;
}

const struct gm_ops ops = { f_send, f_changed };

static int f_psend(void *ctx, struct proxy *px, const struct inet_addr *dst,
		   const uint8_t *msg, size_t len)
{
	(void)ctx, (void)px;
	return record(t.psent, &t.npsent, dst, msg, len);
}

const struct proxy_ops pops = { f_psend };

void advance(uint64_t ms)
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

void start(enum gm_proto p, bool querier, unsigned int version)
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

int setup_igmp(void **state)
{
	*state = (void *)(uintptr_t)GM_IGMP;
	return 0;
}

int setup_mld(void **state)
{
	*state = (void *)(uintptr_t)GM_MLD;
	return 0;
}

int teardown(void **state)
{
	(void)state;
	gm_if_stop(&t.gif);
	proxy_stop(&t.px, false);
	timers_free(&t.ts);
	return 0;
}

enum gm_proto P(void **state)
{
	return (enum gm_proto)(uintptr_t)*state;
}

/* A record for group 1 with sources "1,2,3" (numbers of S()). */
/* The item after p in a list separated by sep, NULL after the last. */
static const char *next_item(const char *p, char sep)
{
	p = strchr(p, sep);
	return p ? p + 1 : NULL;
}

void rec(enum gm_rec_type type, const char *list)
{
	struct inet_addr v[16];
	size_t n = 0;
	struct inet_addr g = G(1), from = R(20);

	for (const char *p = list; p && *p; p = next_item(p, ','))
		v[n++] = S(atoi(p));
	gm_if_record(&t.gif, t.p == GM_MLD ? 2 : 3, type, &g, v, n, &from);
}

struct gm_group *grp(void)
{
	struct inet_addr g = G(1);

	return gm_group_find(&t.gif, &g);
}

/*
 * The state of group 1: mode and, per source, its timer: "1=gmi 2=0
 * 3=lmqt" ("0" = not armed, excluded), every source listed.
 */
void expect(bool exclude, uint64_t gt_ms, const char *srcs)
{
	struct gm_group *g = grp();
	size_t n = 0;

	assert_non_null(g);
	assert_int_equal(g->exclude, exclude);
	if (exclude)
		assert_int_equal(gm_timer_left_ms(&t.gif, &g->timer), gt_ms);
	for (const char *p = srcs; p && *p; p = next_item(p, ' ')) {
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
	}
	assert_int_equal(g->n_srcs, n);
}

/* The last query sent: for group 1 with exactly sources list. */
void expect_q(size_t nsent, const char *list)
{
	size_t n = 0;
	struct sent *q;
	struct inet_addr g = G(1);

	assert_int_equal(t.nsent, nsent);
	if (!nsent)
		return;
	q = &t.sent[nsent - 1];
	assert_true(addr_equal(&q->group, &g));
	for (const char *p = list; p && *p; p = next_item(p, ',')) {
		struct inet_addr a = S(atoi(p));
		bool found = false;

		for (size_t i = 0; i < q->n; i++)
			found |= addr_equal(&q->srcs[i], &a);
		assert_true(found);
		n++;
	}
	assert_int_equal(q->n, n);
}

void query_from(int k, const struct inet_addr *grp_or_null, bool s_flag)
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
