/* SPDX-License-Identifier: MIT */
/*
 * What every integration suite shares: a group fixture (a topology, the
 * router under test started with a config), skip handling that says why,
 * and short-hands for sending and counting traffic.
 *
 * A suite is written once against this and libmclab; it never knows which
 * router runs (ROUTER=mcrouted|smcroute|igmpproxy).  Whatever the router
 * cannot do is skipped with the reason, never passed.
 */
#ifndef CASES_COMMON_H
#define CASES_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mclab.h"

#define CASE_PORT 5001
#define CASE_SPORT 40001
#define T_READY 5000 /* router start, ms (scaled) */
#define T_FLOW 3000 /* traffic to arrive */
#define T_SILENCE 300 /* how long nothing must arrive for a negative */

/* Built with ASan (SANITIZE=1): no valgrind, no ptrace under LeakSanitizer. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#define INFO(...) print_message("# INFO " __VA_ARGS__)

struct fx {
	struct lab *lab;
	struct router r;
	enum router_kind kind;
	bool router_up;
	char skip[1200]; /* non-empty: the group's tests skip with this */
	/* non-empty: the group's tests fail with this (skip holds it too,
	 * so that set-ups stop there) */
	char fail[1200];
};

/*
 * Group setup: bring up topology topo and start the router under test in
 * the topology's router node with conf.  Never fails the group: when this
 * machine or router cannot run it, f->skip says why and every test skips.
 * features: the router_feature bits the suite needs.
 */
void fx_up(struct fx *f, const char *topo, unsigned int features,
	   const char *conf);
void fx_down(struct fx *f);
/* The group teardown of every suite whose state is a struct fx. */
int fx_teardown(void **state);
/*
 * For suites that need the router node's backend to do more than every
 * backend does (node.h's NODE_CAP_*: the daemon as a host process, veths
 * made from host code in the node): when $TARGET's backend cannot, every
 * test skips with why and the backend's ENOTSUP reason.  True when it
 * will.
 */
bool fx_needs(struct fx *f, unsigned int caps, const char *why);
/* Skip (or fail) the running test when the group could not be set up. */
#define FX_CHECK(f)                                                      \
	do {                                                             \
		if ((f)->fail[0])                                        \
			fail_msg("%s", (f)->fail);                       \
		if ((f)->skip[0]) {                                      \
			print_message("# SKIP reason: %s\n", (f)->skip); \
			skip();                                          \
		}                                                        \
	} while (0)
/* Skip the running test when the router lacks a feature. */
#define FX_NEED(f, features)                                                \
	do {                                                                \
		const char *why_ = router_skip_reason((f)->kind, features); \
		if (why_) {                                                 \
			print_message("# SKIP reason: %s\n", why_);         \
			skip();                                             \
		}                                                           \
	} while (0)

struct node *fx_node(struct fx *f, const char *name);
/* The netns name of a node (for traffic/capture calls). */
const char *fx_ns(struct fx *f, const char *name);
/* Stop the router (if running) and start it again with conf. */
void fx_restart(struct fx *f, const char *conf, const char *const *extra);

/* Wait until the router's MFC (family) has an entry for (src, grp). */
bool wait_mfc(struct fx *f, const char *src, const char *grp,
	      unsigned int timeout_ms);
/* Wait until the router's VIF table (family) lists ifname. */
bool wait_vif(struct fx *f, int family, const char *ifname,
	      unsigned int timeout_ms);

/* Send count UDP datagrams from node:ifname (source src) to group. */
unsigned long send_udp(struct fx *f, const char *node, const char *ifname,
		       const char *src, const char *group, int ttl,
		       unsigned long count, uint32_t stream);
/* The same at a given rate. */
unsigned long send_udp_pps(struct fx *f, const char *node, const char *ifname,
			   const char *src, const char *group, int ttl,
			   unsigned long count, uint32_t stream,
			   unsigned int pps);

/*
 * Expect exactly n records matching m in c, waiting up to timeout_ms for
 * them (0 = T_FLOW) and then T_SILENCE more for extras.  On a mismatch the
 * capture is saved and its tcpdump text printed.  Returns true when exact.
 */
bool expect_exact(struct cap *c, const struct pkt_match *m, size_t n,
		  const char *what);

/* ---- helpers for the mgroup, reload and hotplug suites -------------- */

/*
 * Start the router with conf when fx_up() was given none (or it was
 * stopped).  Returns true when it is up; on failure the reason and the
 * log's tail are printed and false returned.
 */
bool fx_start(struct fx *f, const char *conf);
/* Write the router's config file (translated for its kind), no signal. */
int fx_write_conf(struct fx *f, const char *conf);
/*
 * Wait until the router's MFC has (present) or has no (!present) resolved
 * entry for (src, grp).  Unlike wait_mfc(), unresolved entries (the kernel
 * queueing packets of an unrouted flow for an upcall) do not count.
 */
bool wait_route(struct fx *f, const char *src, const char *grp, bool present,
		unsigned int timeout_ms);
/* The packet counter of the resolved MFC entry (src, grp), -1 if none. */
long long mfc_pkts(struct fx *f, const char *src, const char *grp);
/*
 * Wait until /proc/net/igmp (igmp6 for an IPv6 group) of node n lists
 * group on dev (present) or stops listing it (!present).
 */
bool wait_igmp(struct node *n, const char *dev, const char *group, bool present,
	       unsigned int timeout_ms);
/* Run "sh -c CMD" in node n; fail the test when it does not exit 0. */
void node_must(struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Wait until the receiver has n datagrams of stream. */
bool wait_stream(struct rx *rx, uint32_t stream, unsigned long n,
		 unsigned int timeout_ms);

#endif
