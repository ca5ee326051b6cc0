// SPDX-License-Identifier: MIT
/*
 * The field report as cases, item 8: mgroup joins.  The router's join on
 * wlan0 must show on the wire (an IGMPv3 / MLDv2 report with the right
 * record) and in /proc/net/igmp{,6}; an SSM join reports its source; more
 * joins than one socket may hold (igmp_max_memberships, 20) all happen;
 * runtime join/leave through the control tool come and go.
 */
#include <stdlib.h>
#include <time.h>
#include <netinet/in.h>

#include "common.h"

#define G_ASM "225.1.2.3"
#define G_SSM "225.1.2.4"
#define S_SSM "192.0.2.2"
#define G6_ASM "ff0e::1:3"
#define G6_SSM "ff3e::1:4"
#define S6_SSM "2001:db8:1::2"
#define G_RUN "225.1.5.1"
#define G_NEW "225.1.2.9"
#define RTR_IP "192.0.2.1"

/* IGMPv3 / MLDv2 record types (RFC 3376 4.2.12, RFC 3810 5.2.12) */
enum { IS_IN = 1, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK };
#define BIT(t) (1u << (t))

static const char conf_joins[] =
	"mgroup from wlan0 group " G_ASM "\n"
	"mgroup from wlan0 source " S_SSM " group " G_SSM "\n"
	"mgroup from wlan0 group " G6_ASM "\n"
	"mgroup from wlan0 source " S6_SSM " group " G6_SSM "\n"
	"mroute from wlan0 group " G_ASM " to usb0\n";

struct mfx {
	struct fx f;
	struct cap *c; /* snd:eth0, from before the router started */
	uint64_t t_start_ns; /* CLOCK_REALTIME just before the start */
};

static uint64_t real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int setup_joins(void **state)
{
	static struct mfx m;

	fx_up(&m.f, "pi-router", RF_MGROUP, NULL);
	*state = &m;
	if (m.f.skip[0])
		return 0;
	/* The wire on the Wi-Fi side: every report the router sends.  MLD
	 * has a hop-by-hop header, which "icmp6" in BPF does not follow. */
	m.c = cap_start(fx_ns(&m.f, "snd"), "eth0", "igmp or ip6");
	if (!m.c) {
		snprintf(m.f.skip, sizeof(m.f.skip), "capture: %s",
			 cap_error());
		return 0;
	}
	m.t_start_ns = real_now();
	fx_start(&m.f, conf_joins);
	return 0;
}

static int teardown_joins(void **state)
{
	struct mfx *m = *state;

	cap_free(m->c);
	m->c = NULL;
	fx_down(&m->f);
	return 0;
}

/* A report record for group, of one of the types, listing source. */
struct grec_want {
	int family;
	const char *group, *source;
	unsigned int types; /* BIT(type) mask */
};

static bool rec_has(const struct pkt_rec *r, void *arg)
{
	const struct grec_want *w = arg;
	union pkt_ip g, s;
	int fam;

	if (pkt_pton(w->group, &fam, &g) < 0 ||
	    (w->source && pkt_pton(w->source, &fam, &s) < 0))
		return false;
	for (unsigned int i = 0; i < r->gm_nrec_kept; i++) {
		const struct pkt_grec *gr = &r->grec[i];
		size_t alen = fam == AF_INET ? 4 : 16;

		if (memcmp(&gr->group, &g, alen) || !(w->types & BIT(gr->type)))
			continue;
		if (!w->source)
			return true;
		for (unsigned int k = 0; k < gr->nsrc_kept; k++)
			if (!memcmp(&gr->src[k], &s, alen))
				return true;
	}
	return false;
}

static struct pkt_match report_match(struct grec_want *w)
{
	bool v6 = strchr(w->group, ':') != NULL;

	w->family = v6 ? AF_INET6 : AF_INET;
	return (struct pkt_match){
		.family = w->family,
		.gm_kind = v6 ? PKT_GM_MLD : PKT_GM_IGMP,
		.gm_ver = v6 ? 2 : 3,
		.gm_type = v6 ? 143 : 0x22,
		.src = v6 ? NULL : RTR_IP,
		.fn = rec_has,
		.fn_arg = w,
	};
}

/*
 * A report for group (records of types, listing source when given)
 * arrives within T_FLOW; and none of the records for group is of a type
 * in never.  Prints the delay after the router's start.
 */
static void expect_report(struct mfx *m, const char *group, const char *source,
			  unsigned int types, unsigned int never,
			  const char *what)
{
	struct grec_want w = { .group = group,
			       .source = source,
			       .types = types };
	struct grec_want bad = { .group = group, .types = never };
	struct pkt_match pm = report_match(&w), pbad = report_match(&bad);
	const struct pkt_rec *recs;
	size_t n;
	long i;

	if (!cap_wait(m->c, &pm, 1, T_FLOW)) {
		cap_report(m->c, what);
		fail_msg("no %s report for %s%s%s within %u ms", what, group,
			 source ? " listing " : "", source ? source : "",
			 T_FLOW);
	}
	i = cap_find(m->c, &pm, 0);
	recs = cap_records(m->c, &n);
	assert_true(i >= 0 && (size_t)i < n);
	INFO("%s: first report for %s %.1f ms after the router was started\n",
	     what, group, (double)(recs[i].ts_ns - m->t_start_ns) / 1e6);
	if (never && !cap_expect(m->c, &pbad, 0, what))
		fail_msg("a report for %s has a record of a wrong type", group);
}

static void test_asm_report(void **state)
{
	struct mfx *m = *state;
	struct igmp_group *g = NULL;
	const struct igmp_group *e;
	int n;

	FX_CHECK(&m->f);
	assert_true(m->f.router_up);
	/* IGMPv3 (no querier seen): the join is a CHANGE_TO_EXCLUDE({}). */
	expect_report(m, G_ASM, NULL, BIT(TO_EX) | BIT(IS_EX),
		      BIT(TO_IN) | BIT(ALLOW) | BIT(BLOCK) | BIT(IS_IN),
		      "igmp-asm");
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_ASM, true, T_FLOW));
	n = proc_read_igmp(m->f.r.node, AF_INET, &g);
	assert_true(n > 0);
	e = igmp_find(g, n, "wlan0", G_ASM);
	assert_non_null(e);
	INFO("/proc/net/igmp: %s on wlan0, %d user(s), querier v%d\n", G_ASM,
	     e->users, e->querier);
	assert_int_equal(e->users, 1);
	assert_int_equal(e->querier, 3);
	/* Joined where asked only. */
	assert_null(igmp_find(g, n, "usb0", G_ASM));
	free(g);
}

static void test_ssm_report(void **state)
{
	struct mfx *m = *state;

	FX_CHECK(&m->f);
	assert_true(m->f.router_up);
	/* INCLUDE({}) -> INCLUDE({S}): ALLOW_NEW_SOURCES(S), never EXCLUDE */
	expect_report(m, G_SSM, S_SSM, BIT(ALLOW) | BIT(TO_IN) | BIT(IS_IN),
		      BIT(TO_EX) | BIT(IS_EX), "igmp-ssm");
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_SSM, true, T_FLOW));
}

static void test_mld_asm_report(void **state)
{
	struct mfx *m = *state;
	struct igmp_group *g = NULL;
	int n;

	FX_CHECK(&m->f);
	FX_NEED(&m->f, RF_IPV6);
	assert_true(m->f.router_up);
	expect_report(m, G6_ASM, NULL, BIT(TO_EX) | BIT(IS_EX),
		      BIT(TO_IN) | BIT(ALLOW) | BIT(BLOCK) | BIT(IS_IN),
		      "mld-asm");
	assert_true(wait_igmp(m->f.r.node, "wlan0", G6_ASM, true, T_FLOW));
	n = proc_read_igmp(m->f.r.node, AF_INET6, &g);
	assert_true(n > 0);
	assert_int_equal(igmp_find(g, n, "wlan0", G6_ASM)->users, 1);
	assert_null(igmp_find(g, n, "usb0", G6_ASM));
	free(g);
}

static void test_mld_ssm_report(void **state)
{
	struct mfx *m = *state;

	FX_CHECK(&m->f);
	FX_NEED(&m->f, RF_IPV6);
	assert_true(m->f.router_up);
	expect_report(m, G6_SSM, S6_SSM, BIT(ALLOW) | BIT(TO_IN) | BIT(IS_IN),
		      BIT(TO_EX) | BIT(IS_EX), "mld-ssm");
	assert_true(wait_igmp(m->f.r.node, "wlan0", G6_SSM, true, T_FLOW));
}

/* join/leave at run time: in /proc/net/igmp and on the wire, then gone. */
static void test_runtime_join_leave(void **state)
{
	struct mfx *m = *state;
	struct grec_want wj = { .group = G_RUN, .types = BIT(TO_EX) };
	struct grec_want wl = { .group = G_RUN, .types = BIT(TO_IN) };
	struct pkt_match join = report_match(&wj), leave = report_match(&wl);
	char out[1024];
	uint64_t t0;
	int rc;

	FX_CHECK(&m->f);
	FX_NEED(&m->f, RF_CTL);
	assert_true(m->f.router_up);
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_RUN, false, 0));
	t0 = mono_ns();
	rc = router_ctl(&m->f.r, out, sizeof(out), "join wlan0 %s", G_RUN);
	if (rc)
		print_message("# join: %s", out);
	assert_int_equal(rc, 0);
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_RUN, true, T_FLOW));
	INFO("runtime join: %s in /proc/net/igmp %.1f ms after the command\n",
	     G_RUN, (double)(mono_ns() - t0) / 1e6);
	if (!cap_wait(m->c, &join, 1, T_FLOW)) {
		cap_report(m->c, "runtime-join");
		fail_msg("no TO_EX report for %s after the join", G_RUN);
	}
	/* The config's joins are untouched. */
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_ASM, true, 0));

	t0 = mono_ns();
	rc = router_ctl(&m->f.r, out, sizeof(out), "leave wlan0 %s", G_RUN);
	if (rc)
		print_message("# leave: %s", out);
	assert_int_equal(rc, 0);
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_RUN, false, T_FLOW));
	INFO("runtime leave: %s gone from /proc/net/igmp %.1f ms after\n",
	     G_RUN, (double)(mono_ns() - t0) / 1e6);
	if (!cap_wait(m->c, &leave, 1, T_FLOW)) {
		cap_report(m->c, "runtime-leave");
		fail_msg("no TO_IN({}) report for %s after the leave", G_RUN);
	}
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_ASM, true, 0));
}

/* A reload drops the joins no longer configured and adds the new ones. */
static void test_reload_joins(void **state)
{
	struct mfx *m = *state;
	static const char conf2[] =
		"mgroup from wlan0 group " G_ASM "\n"
		"mgroup from wlan0 group " G_NEW "\n"
		"mgroup from wlan0 group " G6_ASM "\n"
		"mgroup from wlan0 source " S6_SSM " group " G6_SSM "\n"
		"mroute from wlan0 group " G_ASM " to usb0\n";
	struct grec_want wn = { .group = G_NEW, .types = BIT(TO_EX) };
	struct grec_want wg = { .group = G_SSM,
				.source = S_SSM,
				.types = BIT(BLOCK) };
	struct pkt_match pn = report_match(&wn), pg = report_match(&wg);
	struct igmp_group *g = NULL;
	uint64_t t0;
	int n;

	FX_CHECK(&m->f);
	FX_NEED(&m->f, RF_RELOAD);
	assert_true(m->f.router_up);
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_SSM, true, 0));
	t0 = mono_ns();
	assert_int_equal(router_reload(&m->f.r, conf2), 0);
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_NEW, true, T_FLOW));
	assert_true(wait_igmp(m->f.r.node, "wlan0", G_SSM, false, T_FLOW));
	INFO("reload (%s): %s joined, (%s,%s) left within %.1f ms\n",
	     router_kind_name(m->f.kind), G_NEW, S_SSM, G_SSM,
	     (double)(mono_ns() - t0) / 1e6);
	/* On the wire: the new group's join, the source blocked. */
	if (!cap_wait(m->c, &pn, 1, T_FLOW)) {
		cap_report(m->c, "reload-join");
		fail_msg("no TO_EX report for %s after the reload", G_NEW);
	}
	if (!cap_wait(m->c, &pg, 1, T_FLOW)) {
		cap_report(m->c, "reload-leave");
		fail_msg("no BLOCK(%s) report for %s after the reload", S_SSM,
			 G_SSM);
	}
	/* The unchanged join is still there, once. */
	n = proc_read_igmp(m->f.r.node, AF_INET, &g);
	assert_true(n > 0);
	assert_non_null(igmp_find(g, n, "wlan0", G_ASM));
	assert_int_equal(igmp_find(g, n, "wlan0", G_ASM)->users, 1);
	free(g);
}

/* ---- more joins than one socket may hold ----------------------------- */

#define MANY_PREFIX "225.1.4.0/27"
#define MANY 32
/* 16 sources of one group: igmp_max_msf (10) is the per-socket cap */
#define MANY_SRC "192.0.2.0/28"
#define MANY_SSM "225.1.6.1"
#define MANY_SSM_HEX "0xe1010601"
#define NSRC 16

static int setup_many(void **state)
{
	static struct fx f;

	fx_up(&f, "pi-router", RF_MGROUP,
	      "mgroup from wlan0 group " MANY_PREFIX "\n"
	      "mgroup from wlan0 source " MANY_SRC " group " MANY_SSM "\n");
	*state = &f;
	return 0;
}

static int teardown_many(void **state)
{
	fx_down(*state);
	return 0;
}

struct many_arg {
	struct node *n;
	int found;
};

static bool all_joined(void *arg)
{
	struct many_arg *a = arg;
	struct igmp_group *g = NULL;
	int n = proc_read_igmp(a->n, AF_INET, &g);

	a->found = 0;
	for (int i = 0; i < MANY && n > 0; i++) {
		char grp[32];

		snprintf(grp, sizeof(grp), "225.1.4.%d", i);
		a->found += igmp_find(g, n, "wlan0", grp) != NULL;
	}
	free(g);
	return a->found == MANY;
}

static void test_many_joins(void **state)
{
	struct fx *f = *state;
	struct many_arg a = { .n = NULL };
	long max;
	char out[8192];

	FX_CHECK(f);
	assert_true(f->router_up);
	a.n = f->r.node;
	max = node_sysctl_int(f->r.node, "net.ipv4.igmp_max_memberships");
	/* The point of the case: more groups than one socket may join. */
	assert_int_equal(max, 20);
	if (!wait_until(all_joined, &a, T_FLOW, 5)) {
		if (router_ctl(&f->r, out, sizeof(out), "show groups") >= 0)
			print_message("# show groups:\n%s", out);
		fail_msg("%d of the %d groups of %s joined on wlan0 (the "
			 "per-socket cap is %ld)",
			 a.found, MANY, MANY_PREFIX, max);
	}
	INFO("%s: all %d groups in /proc/net/igmp on wlan0 (per-socket cap "
	     "%ld), %s\n",
	     MANY_PREFIX, MANY, max, router_kind_name(f->kind));
	assert_true(wait_igmp(f->r.node, "wlan0", "225.1.4.32", false, 0));
}

struct msf_arg {
	struct node *n;
	int found;
};

/* /proc/net/mcfilter: "IDX DEV 0xGROUP 0xSOURCE INC EXC", host order. */
static bool all_sources(void *arg)
{
	struct msf_arg *a = arg;
	char *text = NULL, *save = NULL;
	bool seen[NSRC] = { false };
	size_t len;

	a->found = 0;
	if (node_read_file(a->n, "/proc/net/mcfilter", &text, &len) < 0)
		return false;
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char dev[IFNAMSIZ], grp[16];
		unsigned int src;
		unsigned long inc, exc;
		int idx;

		if (sscanf(l, "%d %15s %15s %x %lu %lu", &idx, dev, grp, &src,
			   &inc, &exc) != 6 ||
		    strcmp(dev, "wlan0") || strcmp(grp, MANY_SSM_HEX) ||
		    (src & ~0xfu) != 0xc0000200u || inc != 1 || exc != 0)
			continue;
		if (!seen[src & 0xf])
			a->found++;
		seen[src & 0xf] = true;
	}
	free(text);
	return a->found == NSRC;
}

static void test_many_sources(void **state)
{
	struct fx *f = *state;
	struct msf_arg a = { .n = NULL };
	long max;

	FX_CHECK(f);
	assert_true(f->router_up);
	a.n = f->r.node;
	max = node_sysctl_int(f->r.node, "net.ipv4.igmp_max_msf");
	assert_int_equal(max, 10);
	if (!wait_until(all_sources, &a, T_FLOW, 5))
		fail_msg("%d of the %d sources of %s joined for %s on wlan0 "
			 "(per-socket cap %ld)",
			 a.found, NSRC, MANY_SRC, MANY_SSM, max);
	INFO("%s: all %d sources of %s in /proc/net/mcfilter (per-socket cap "
	     "%ld), %s\n",
	     MANY_SSM, NSRC, MANY_SRC, max, router_kind_name(f->kind));
	assert_true(wait_igmp(f->r.node, "wlan0", MANY_SSM, true, 0));
}

int main(void)
{
	const struct CMUnitTest joins[] = {
		cmocka_unit_test(test_asm_report),
		cmocka_unit_test(test_ssm_report),
		cmocka_unit_test(test_mld_asm_report),
		cmocka_unit_test(test_mld_ssm_report),
		cmocka_unit_test(test_runtime_join_leave),
		cmocka_unit_test(test_reload_joins),
	};
	const struct CMUnitTest many[] = {
		cmocka_unit_test(test_many_joins),
		cmocka_unit_test(test_many_sources),
	};
	int rc = 0;

	rc |= cmocka_run_group_tests_name("mgroup-joins", joins, setup_joins,
					  teardown_joins);
	rc |= cmocka_run_group_tests_name("mgroup-many", many, setup_many,
					  teardown_many);
	return rc;
}
