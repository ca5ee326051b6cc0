/* SPDX-License-Identifier: MIT */
/*
 * What the IGMP/MLD state machine's tests (test_gm*.c but test_gm_pkt
 * and test_gm_route) share: the state under test (t), addresses of the
 * protocol under test (S(k) sources, G(k) groups, R(k) routers), a clock
 * that only advance() moves, records, queries, and checks of a group's
 * state and of the queries sent.  Each test runs for IGMPv3 and again for
 * MLDv2 (BOTH).
 */
#ifndef MCR_TEST_GM_FIXTURE_H
#define MCR_TEST_GM_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gm.h"
#include "proxy.h"

/* A message sent, decoded. */
struct sent {
	struct inet_addr dst;
	uint8_t type;
	struct inet_addr group;
	size_t n;
	struct inet_addr srcs[16];
	bool s_flag;
	uint8_t rec_type; /* first record of a v3 report */
};

struct gm_test {
	struct timers ts;
	struct gm_if gif;
	enum gm_proto p;
	struct sent sent[64];
	size_t nsent;
	int changed;
	struct proxy px;
	struct sent psent[64];
	size_t npsent;
};

extern struct gm_test t;
extern const struct gm_ops ops; /* into t.sent, t.changed */
extern const struct proxy_ops pops; /* into t.psent */

struct inet_addr A(const char *s);
/* Source k / group k / router k of the protocol under test. */
struct inet_addr S(int k);
struct inet_addr G(int k);
struct inet_addr R(int k);

/* Move the clock ms on, firing the timers due, each at its own time. */
void advance(uint64_t ms);
/* A gm_if on usb0 (we are R(10)), started; querier or not, a version. */
void start(enum gm_proto p, bool querier, unsigned int version);
int setup_igmp(void **state);
int setup_mld(void **state);
int teardown(void **state);
/* The protocol a test runs for (its setup's). */
enum gm_proto P(void **state);

/* A record for group 1 with sources "1,2,3" (numbers of S()). */
void rec(enum gm_rec_type type, const char *list);
/* Group 1's state, or NULL. */
struct gm_group *grp(void);
/*
 * The state of group 1: mode and, per source, its timer: "1=gmi 2=0
 * 3=lmqt" ("0" = not armed, excluded), every source listed.
 */
void expect(bool exclude, uint64_t gt_ms, const char *srcs);
/* The last query sent: for group 1 with exactly sources list. */
void expect_q(size_t nsent, const char *list);
/* A query from router k, general (grp_or_null NULL) or for a group. */
void query_from(int k, const struct inet_addr *grp_or_null, bool s_flag);

#define GMI 260000 /* 2 x 125 s + 10 s */
#define LMQT 2000 /* 2 x 1 s */

#define BOTH(fn)                                                   \
	cmocka_unit_test_setup_teardown(fn, setup_igmp, teardown), \
		cmocka_unit_test_setup_teardown(fn, setup_mld, teardown)

#endif
