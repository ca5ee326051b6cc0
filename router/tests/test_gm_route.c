// SPDX-License-Identifier: MIT
/*
 * The route engine's membership hook (struct mroute_member) against a fake
 * kernel: an upcall nobody wants becomes an entry without outbound
 * interfaces (no more upcalls), a membership change updates entries of its
 * group at once (and only when they change), entries go when membership no
 * longer covers them, configured routes win, full syncs keep them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "fake_kern.h"
#include "mroute.h"

/* the membership hook's answer */
static struct {
	bool covers;
	const char *oif;
	const char *iif_only;
	int asked;
} hk;

static bool covers(void *ctx, enum kern_fam fam, const struct inet_addr *src,
		   const struct inet_addr *grp, const char *iif,
		   char (*oifs)[IFNAMSIZ], size_t *n)
{
	(void)ctx, (void)fam, (void)src;
	hk.asked++;
	*n = 0;
	if (!hk.covers || (hk.iif_only && strcmp(iif, hk.iif_only)))
		return false;
	/* members only for 239.1.1.1 */
	if (hk.oif && ntohl(grp->v4.s_addr) == 0xef010101)
		strcpy(oifs[(*n)++], hk.oif);
	return true;
}

static const struct mroute_member hook = { covers, NULL };

static struct {
	struct iface_table ifs;
	struct mroute m;
	struct conf c;
} t;

static struct inet_addr A(const char *s) {
	struct inet_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static int
vif_of(const char *name)
{
	for (int v = 0; v < KERN_MAXVIFS; v++)
		if (t.m.vifs[KF_V4][v].used &&
		    !strcmp(t.m.vifs[KF_V4][v].name, name))
			return v;
	return -1;
}

static int setup(void **state)
{
	static const char conf[] = "phyint up\nphyint down\nphyint other\n";
	int fd;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&hk, 0, sizeof(hk));
	hk.covers = true;
	hk.iif_only = "up";
	iface_table_init(&t.ifs);
	iface_upsert(&t.ifs, 2, "up", IFF_UP | IFF_MULTICAST);
	iface_upsert(&t.ifs, 3, "down", IFF_UP | IFF_MULTICAST);
	iface_upsert(&t.ifs, 4, "other", IFF_UP | IFF_MULTICAST);
	conf_init(&t.c);
	assert_int_equal(
		conf_parse(&t.c, "t.conf", conf, strlen(conf), NULL, NULL), 0);
	mroute_init(&t.m, &fake_kern_ops, NULL, &t.ifs);
	assert_int_equal(mroute_open(&t.m, KF_V4, 0, &fd), 0);
	t.m.conf = &t.c;
	t.m.member = &hook;
	mroute_sync(&t.m);
	assert_true(vif_of("up") >= 0 && vif_of("down") >= 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mroute_close(&t.m);
	mroute_free(&t.m);
	conf_free(&t.c);
	iface_table_free(&t.ifs);
	return 0;
}

static void upcall(const char *iif, const char *src, const char *grp)
{
	struct kern_upcall up = { KU_NOCACHE, KF_V4, vif_of(iif), A(src),
				  A(grp) };

	mroute_upcall(&t.m, &up);
}

static void test_unwanted_is_negative(void **state)
{
	const struct kern_mfc *k;

	(void)state;
	upcall("up", "192.0.2.2", "239.1.1.1");
	k = kmfc("192.0.2.2", "239.1.1.1");
	assert_non_null(k);
	assert_int_equal(k->iif, vif_of("up"));
	for (int v = 0; v < KERN_MAXVIFS; v++)
		assert_int_equal(k->ttls[v], 0);
	assert_int_equal(t.m.st.member_routes, 1);
	assert_int_equal(t.m.st.upcalls_unmatched, 0);
}

static void test_join_leave(void **state)
{
	struct inet_addr g = A("239.1.1.1");
	int adds;

	(void)state;
	upcall("up", "192.0.2.2", "239.1.1.1");
	upcall("up", "192.0.2.3", "239.1.1.2"); /* another group */
	hk.oif = "down";
	adds = fk.mfc_add;
	mroute_resync_group(&t.m, KF_V4, &g);
	assert_int_equal(fk.mfc_add, adds + 1); /* only 239.1.1.1's entry */
	assert_int_equal(kmfc("192.0.2.2", "239.1.1.1")->ttls[vif_of("down")],
			 1);
	assert_int_equal(kmfc("192.0.2.3", "239.1.1.2")->ttls[vif_of("down")],
			 0);
	/* unchanged: the kernel is not touched */
	mroute_resync_group(&t.m, KF_V4, &g);
	assert_int_equal(fk.mfc_add, adds + 1);
	/* a full sync keeps it */
	mroute_sync(&t.m);
	assert_int_equal(fk.mfc_add, adds + 1);
	assert_int_equal(fk.mfc_del, 0);
	/* the last member leaves: the outbound interface goes at once */
	hk.oif = NULL;
	mroute_resync_group(&t.m, KF_V4, &g);
	assert_int_equal(kmfc("192.0.2.2", "239.1.1.1")->ttls[vif_of("down")],
			 0);
	/* membership no longer covers it (mode off): the entry goes */
	hk.covers = false;
	mroute_resync_group(&t.m, KF_V4, &g);
	assert_null(kmfc("192.0.2.2", "239.1.1.1"));
	t.m.member = NULL;
	mroute_sync(&t.m);
	assert_null(kmfc("192.0.2.3", "239.1.1.2"));
}

static void test_not_covered(void **state)
{
	(void)state;
	upcall("other", "192.0.2.2", "239.1.1.1");
	assert_null(kmfc("192.0.2.2", "239.1.1.1"));
	assert_int_equal(t.m.st.upcalls_unmatched, 1);
}

static void test_rule_wins(void **state)
{
	struct rule r;
	char *w[] = { "up", "239.1.1.0/24", "other" };
	char err[128];
	struct inet_addr g = A("239.1.1.1");

	(void)state;
	assert_int_equal(rule_from_words(&r, w, 3, true, err, sizeof(err)), 0);
	assert_int_equal(ruleset_add(&t.m.rules, &r), 0);
	rule_free(&r);
	mroute_sync(&t.m);
	hk.oif = "down";
	upcall("up", "192.0.2.2", "239.1.1.1");
	assert_int_equal(kmfc("192.0.2.2", "239.1.1.1")->ttls[vif_of("other")],
			 1);
	assert_int_equal(kmfc("192.0.2.2", "239.1.1.1")->ttls[vif_of("down")],
			 0);
	mroute_resync_group(&t.m, KF_V4, &g);
	assert_int_equal(kmfc("192.0.2.2", "239.1.1.1")->ttls[vif_of("down")],
			 0);
	assert_int_equal(t.m.st.member_routes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unwanted_is_negative,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_leave, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_covered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rule_wins, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
