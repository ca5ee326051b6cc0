// SPDX-License-Identifier: MIT
/*
 * cases/igmp, group igmp_election: querier election between two routers
 * on one LAN (igmp-lan), IGMP and MLD, and the take-over when the
 * querier stops.
 */
#include "igmp.h"
#include "second_router.h"

static const char conf_lan[] = "phyint eth1 igmpv3 mldv2\n" TIMERS;

struct lanfx {
	struct fx f;
	struct router r2;
	bool r2_up;
};

static int setup_lan(void **state)
{
	static struct lanfx l;

	memset(&l, 0, sizeof(l));
	setup_mcrouted_only(state, "igmp-lan", conf_lan,
			    "cannot be inspected for querier state (no "
			    "control socket) and has no router mode");
	l.f = *(struct fx *)*state;
	*state = &l;
	if (l.f.skip[0] || !l.f.router_up)
		return 0;
	l.r2_up = start_other(&l.f, &l.r2, "r2", conf_lan);
	return 0;
}

static int teardown_lan(void **state)
{
	struct lanfx *l = *state;

	fx_down_other(&l->f, &l->r2, &l->r2_up);
	return 0;
}

struct role_want {
	struct router *r;
	const char *proto;
	const char *role;
};

static bool has_role(void *arg)
{
	struct role_want *w = arg;
	char out[65536], key[160];

	if (router_ctl(w->r, out, sizeof(out), "-j show groups") != 0)
		return false;
	snprintf(key, sizeof(key),
		 "{\"interface\":\"eth1\",\"proto\":\"%s\",\"version\":%d,"
		 "\"role\":\"%s\"",
		 w->proto, strcmp(w->proto, "MLD") ? 3 : 2, w->role);
	return strstr(out, key) != NULL;
}

static void test_election(void **state)
{
	struct lanfx *l = *state;
	struct fx *f = &l->f;
	struct role_want r1q = { &f->r, "IGMP", "querier" },
			 r2n = { &l->r2, "IGMP", "non-querier" },
			 r2q = { &l->r2, "IGMP", "querier" },
			 m1q = { &f->r, "MLD", "querier" },
			 m2q = { &l->r2, "MLD", "querier" },
			 m1n = { &f->r, "MLD", "non-querier" },
			 m2n = { &l->r2, "MLD", "non-querier" };
	char out[65536];
	uint64_t t0;
	double took;
	bool mld_one;

	FX_CHECK(f);
	assert_true(f->router_up && l->r2_up);
	/* the lower address (r1) is querier, r2 goes quiet */
	assert_true(wait_until(has_role, &r2n, 3000, 20));
	assert_true(has_role(&r1q));
	assert_int_equal(router_ctl(&l->r2, out, sizeof(out), "-j show groups"),
			 0);
	assert_non_null(strstr(out, "\"querier_address\":\"198.51.100.1\""));
	/* MLD: link-local addresses decide; exactly one querier */
	assert_true(wait_until(has_role, &m1n, 3000, 20) ||
		    wait_until(has_role, &m2n, 3000, 20));
	mld_one = has_role(&m1q) != has_role(&m2q);
	INFO("IGMP querier r1 (198.51.100.1), r2 quiet; MLD: %s querier\n",
	     has_role(&m1q) ? "r1" : "r2");
	assert_true(mld_one);
	/* r1 dies: r2 takes over after the other-querier-present interval */
	router_stop(&f->r, 3000);
	f->router_up = false;
	t0 = mono_ns();
	assert_true(wait_until(has_role, &r2q, OQPI_MS + 3000, 20));
	took = (double)(mono_ns() - t0) / 1e6;
	INFO("r2 took over as IGMP querier %.0f ms after r1 stopped (other "
	     "querier present interval %d ms)\n",
	     took, OQPI_MS);
	assert_true(took <= OQPI_MS + SLACK_MS);
	assert_true(wait_until(has_role, &m2q, OQPI_MS + 3000, 20));
}

int igmp_run_election(void)
{
	const struct CMUnitTest lan[] = {
		cmocka_unit_test(test_election),
	};

	return cmocka_run_group_tests_name("igmp_election", lan, setup_lan,
					   teardown_lan);
}
