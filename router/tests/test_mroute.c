// SPDX-License-Identifier: MIT
/*
 * The route engine against a fake kernel: lazy VIFs, (S,G) install, the
 * reload diff (unchanged entries are never touched), upcalls for (*,G)
 * and prefix routes, WRONGVIF, expiry, hotplug, VIF exhaustion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <cmocka.h>

#include "fake_kern.h"
#include "mroute.h"

struct env {
	struct iface_table it;
	struct mroute m;
	struct conf conf;
	struct conf_phyint ph[2];
	int installs_seen;
};

static void on_install(void *ctx, const struct mfc_ent *e)
{
	(void)e;
	((struct env *)ctx)->installs_seen++;
}

static int setup(void **state)
{
	static struct env env;
	struct env *e = &env;
	int fd;

	memset(&fk, 0, sizeof(fk));
	memset(e, 0, sizeof(*e));
	iface_table_init(&e->it);
	iface_upsert(&e->it, 2, "wlan0", IFF_UP | IFF_MULTICAST);
	iface_upsert(&e->it, 3, "usb0", IFF_UP | IFF_MULTICAST);
	iface_upsert(&e->it, 4, "usb1", IFF_UP | IFF_MULTICAST);
	iface_upsert(&e->it, 5, "eth0", IFF_UP | IFF_MULTICAST);
	mroute_init(&e->m, &fake_kern_ops, NULL, &e->it);
	conf_init(&e->conf);
	e->m.conf = &e->conf;
	e->m.on_install = on_install;
	e->m.cb_ctx = e;
	assert_int_equal(mroute_open(&e->m, KF_V4, 0, &fd), 0);
	assert_int_equal(mroute_open(&e->m, KF_V6, 0, &fd), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	mroute_close(&e->m);
	mroute_free(&e->m);
	iface_table_free(&e->it);
	return 0;
}

/* A rule from a line of words (with oifs: a route; without: a key). */
static void parse_rule(struct rule *r, const char *line, bool oifs)
{
	char buf[256], *w[16], *p, err[128];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p && n < 16; p = strtok(NULL, " "))
		w[n++] = p;
	assert_int_equal(rule_from_words(r, w, n, oifs, err, sizeof(err)), 0);
}

static void rule(struct env *e, const char *line, enum rule_origin o)
{
	struct rule r;

	parse_rule(&r, line, true);
	r.origin = o;
	assert_int_equal(ruleset_add(&e->m.rules, &r), 0);
	rule_free(&r);
}

static int vif_of(struct env *e, enum kern_fam f, const char *name)
{
	for (int v = 0; v < KERN_MAXVIFS; v++)
		if (e->m.vifs[f][v].used && !strcmp(e->m.vifs[f][v].name, name))
			return v;
	return -1;
}

/* The kernel has (s, g) with its inbound interface ifname's IPv4 VIF. */
static void assert_iif(struct env *e, const char *s, const char *g,
		       const char *ifname)
{
	const struct kern_mfc *k = kmfc(s, g);

	assert_non_null(k);
	assert_int_equal(k->iif, vif_of(e, KF_V4, ifname));
}

static void upcall(struct env *e, enum kern_upcall_type t, const char *ifname,
		   const char *s, const char *g)
{
	struct kern_upcall up;

	memset(&up, 0, sizeof(up));
	up.type = t;
	addr_parse(s, &up.src);
	addr_parse(g, &up.grp);
	up.fam = kern_fam_of(up.grp.family);
	up.vif = vif_of(e, up.fam, ifname);
	mroute_upcall(&e->m, &up);
}

static void test_static_install_lazy_vifs(void **state)
{
	struct env *e = *state;
	const struct kern_mfc *k;

	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	assert_int_equal(fk.vif_add, 2); /* wlan0, usb0: not usb1, eth0 */
	assert_int_equal(mroute_vif_count(&e->m, KF_V4), 2);
	assert_int_equal(mroute_vif_count(&e->m, KF_V6), 0);
	k = kmfc("192.0.2.2", "225.1.2.3");
	assert_non_null(k);
	assert_int_equal(k->iif, vif_of(e, KF_V4, "wlan0"));
	assert_int_equal(k->ttls[vif_of(e, KF_V4, "usb0")], 1);
	assert_int_equal(e->installs_seen, 1);
}

static void test_reload_diff(void **state)
{
	struct env *e = *state;
	int adds, dels;

	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.4 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.5 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.6 usb0", RULE_CONF);
	mroute_sync(&e->m);
	assert_int_equal(fk.mfc_add, 4);

	/* Same config again: the kernel sees nothing at all. */
	ruleset_clear_origin(&e->m.rules, RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.4 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.5 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.6 usb0", RULE_CONF);
	adds = fk.mfc_add;
	dels = fk.mfc_del;
	mroute_sync(&e->m);
	assert_int_equal(fk.mfc_add, adds);
	assert_int_equal(fk.mfc_del, dels);
	assert_int_equal(fk.vif_add + fk.vif_del, 2);

	/* .3 unchanged, .4 gets usb1 too, .5 removed, .7 added, .6 same. */
	ruleset_clear_origin(&e->m.rules, RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.7 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.6 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.4 usb0 usb1", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	assert_int_equal(fk.mfc_add - adds, 2); /* .4 update, .7 add */
	assert_int_equal(fk.mfc_del - dels, 1); /* .5 */
	assert_null(kmfc("192.0.2.2", "225.1.2.5"));
	assert_non_null(kmfc("192.0.2.2", "225.1.2.7"));
	assert_int_equal(
		kmfc("192.0.2.2", "225.1.2.4")->ttls[vif_of(e, KF_V4, "usb1")],
		1);
	assert_int_equal(e->m.st.updates, 1);

	/* Drop usb1's only user: its VIF is released. */
	ruleset_clear_origin(&e->m.rules, RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	assert_int_equal(mroute_vif_count(&e->m, KF_V4), 2);
	assert_int_equal(vif_of(e, KF_V4, "usb1"), -1);
	assert_false(fk.vif[KF_V4][2]);
}

static void test_runtime_survives_conf_clear(void **state)
{
	struct env *e = *state;

	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_RUNTIME);
	rule(e, "wlan0 192.0.2.2 225.1.2.4 usb0", RULE_CONF);
	mroute_sync(&e->m);
	ruleset_clear_origin(&e->m.rules, RULE_CONF);
	mroute_sync(&e->m);
	assert_non_null(kmfc("192.0.2.2", "225.1.2.3"));
	assert_null(kmfc("192.0.2.2", "225.1.2.4"));
}

static void test_star_g_upcall(void **state)
{
	struct env *e = *state;
	const struct kern_mfc *k;

	rule(e, "wlan0 225.1.2.3 usb0", RULE_CONF);
	rule(e, "wlan0 225.9.0.0/16 usb1", RULE_CONF);
	mroute_sync(&e->m);
	/* VIFs for the route's interfaces, no MFC until a source shows up. */
	assert_int_equal(mroute_vif_count(&e->m, KF_V4), 3);
	assert_int_equal(fk.mfc_add, 0);

	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.2", "225.1.2.3");
	k = kmfc("192.0.2.2", "225.1.2.3");
	assert_non_null(k);
	assert_int_equal(k->ttls[vif_of(e, KF_V4, "usb0")], 1);
	assert_true(mroute_find(&e->m, KF_V4, &k->src, &k->grp)->learned);

	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.9", "225.9.77.1");
	assert_non_null(kmfc("192.0.2.9", "225.9.77.1"));
	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.9", "225.10.0.1");
	assert_null(kmfc("192.0.2.9", "225.10.0.1"));
	assert_int_equal(e->m.st.upcalls_unmatched, 1);
	assert_int_equal(e->m.st.upcalls, 3);

	/* A reload that keeps the rule keeps the learned entry untouched. */
	int adds = fk.mfc_add;

	mroute_sync(&e->m);
	assert_int_equal(fk.mfc_add, adds);
	/* A reload that drops the rule drops what it learned. */
	ruleset_clear_origin(&e->m.rules, RULE_CONF);
	rule(e, "wlan0 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	assert_null(kmfc("192.0.2.9", "225.9.77.1"));
	assert_non_null(kmfc("192.0.2.2", "225.1.2.3"));
}

static void test_wrongvif_moves_learned(void **state)
{
	struct env *e = *state;

	rule(e, "wlan0 225.1.2.3 usb0", RULE_CONF);
	rule(e, "eth0 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.2", "225.1.2.3");
	assert_iif(e, "192.0.2.2", "225.1.2.3", "wlan0");
	upcall(e, KU_WRONGVIF, "eth0", "192.0.2.2", "225.1.2.3");
	assert_iif(e, "192.0.2.2", "225.1.2.3", "eth0");
	assert_int_equal(e->m.st.moved, 1);
}

static void test_static_not_moved_by_wrongvif(void **state)
{
	struct env *e = *state;

	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	rule(e, "eth0 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	upcall(e, KU_WRONGVIF, "eth0", "192.0.2.2", "225.1.2.3");
	assert_iif(e, "192.0.2.2", "225.1.2.3", "wlan0");
	assert_int_equal(e->m.st.wrongvif, 1);
}

static void test_expire(void **state)
{
	struct env *e = *state;

	rule(e, "wlan0 225.1.2.3 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.4 usb0", RULE_CONF);
	mroute_sync(&e->m);
	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.2", "225.1.2.3");
	fk.pkts = 10;
	assert_int_equal(mroute_expire(&e->m), 0); /* traffic since */
	assert_int_equal(mroute_expire(&e->m), 1); /* idle: gone */
	assert_null(kmfc("192.0.2.2", "225.1.2.3"));
	assert_non_null(kmfc("192.0.2.2", "225.1.2.4")); /* static stays */
	assert_int_equal(e->m.st.expired, 1);
}

static void test_threshold(void **state)
{
	struct env *e = *state;

	e->ph[0].enable = true;
	e->ph[0].ttl_threshold = 10;
	strcpy(e->ph[0].ifname, "usb0");
	e->ph[1].enable = false;
	strcpy(e->ph[1].ifname, "usb1");
	e->conf.phyints = e->ph;
	e->conf.n_phyints = 2;
	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0 usb1", RULE_CONF);
	mroute_sync(&e->m);
	assert_int_equal(
		kmfc("192.0.2.2", "225.1.2.3")->ttls[vif_of(e, KF_V4, "usb0")],
		10);
	assert_int_equal(vif_of(e, KF_V4, "usb1"), -1); /* disabled */
	e->conf.phyints = NULL;
	e->conf.n_phyints = 0;
}

static void test_hotplug(void **state)
{
	struct env *e = *state;
	int usb0;

	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	rule(e, "usb0 192.0.2.2 225.1.2.4 wlan0", RULE_CONF);
	iface_remove(&e->it, 3);
	mroute_sync(&e->m);
	/* usb0 missing: .3 forwards nowhere yet, .4 has no inbound. */
	assert_non_null(kmfc("192.0.2.2", "225.1.2.3"));
	assert_null(kmfc("192.0.2.2", "225.1.2.4"));
	assert_int_equal(mroute_vif_count(&e->m, KF_V4), 1);

	iface_upsert(&e->it, 13, "usb0", IFF_UP | IFF_MULTICAST);
	mroute_sync(&e->m);
	usb0 = vif_of(e, KF_V4, "usb0");
	assert_true(usb0 >= 0);
	assert_int_equal(fk.vif_ifindex[KF_V4][usb0], 13);
	assert_int_equal(kmfc("192.0.2.2", "225.1.2.3")->ttls[usb0], 1);
	assert_non_null(kmfc("192.0.2.2", "225.1.2.4"));

	/* Deleted (the kernel drops the VIF) and re-created, new ifindex. */
	iface_remove(&e->it, 13);
	fk.vif[KF_V4][usb0] = false;
	mroute_sync(&e->m);
	assert_null(kmfc("192.0.2.2", "225.1.2.4"));
	assert_int_equal(kmfc("192.0.2.2", "225.1.2.3")->ttls[usb0], 0);
	iface_upsert(&e->it, 23, "usb0", IFF_UP | IFF_MULTICAST);
	mroute_sync(&e->m);
	usb0 = vif_of(e, KF_V4, "usb0");
	assert_int_equal(fk.vif_ifindex[KF_V4][usb0], 23);
	assert_int_equal(kmfc("192.0.2.2", "225.1.2.3")->ttls[usb0], 1);
	assert_non_null(kmfc("192.0.2.2", "225.1.2.4"));
}

static void test_vif_exhaustion(void **state)
{
	struct env *e = *state;
	char line[64];

	for (int i = 0; i < 40; i++) {
		char name[IFNAMSIZ];

		snprintf(name, sizeof(name), "lan%d", i);
		iface_upsert(&e->it, 100 + i, name, IFF_UP | IFF_MULTICAST);
		snprintf(line, sizeof(line), "wlan0 192.0.2.2 225.1.3.%d %s", i,
			 name);
		rule(e, line, RULE_CONF);
	}
	mroute_sync(&e->m);
	assert_int_equal(mroute_vif_count(&e->m, KF_V4), KERN_MAXVIFS);
	assert_true(e->m.st.vif_full > 0);
	/* Every route is installed, the ones past 32 VIFs without oif. */
	assert_non_null(kmfc("192.0.2.2", "225.1.3.39"));
}

static void test_ipv6(void **state)
{
	struct env *e = *state;
	const struct kern_mfc *k;

	rule(e, "wlan0 2001:db8:1::2 ff0e::1:3 usb0", RULE_CONF);
	rule(e, "wlan0 ff0e::2:0/112 usb1", RULE_CONF);
	mroute_sync(&e->m);
	assert_int_equal(mroute_vif_count(&e->m, KF_V6), 3);
	assert_int_equal(mroute_vif_count(&e->m, KF_V4), 0);
	k = kmfc("2001:db8:1::2", "ff0e::1:3");
	assert_non_null(k);
	upcall(e, KU_NOCACHE, "wlan0", "2001:db8:1::9", "ff0e::2:77");
	assert_non_null(kmfc("2001:db8:1::9", "ff0e::2:77"));
}

static void test_family_down(void **state)
{
	struct env *e = *state;

	e->m.fam_up[KF_V6] = false;
	rule(e, "wlan0 2001:db8:1::2 ff0e::1:3 usb0", RULE_CONF);
	rule(e, "wlan0 192.0.2.2 225.1.2.3 usb0", RULE_CONF);
	mroute_sync(&e->m);
	assert_null(kmfc("2001:db8:1::2", "ff0e::1:3"));
	assert_non_null(kmfc("192.0.2.2", "225.1.2.3"));
	assert_int_equal(e->m.st.skipped_family, 1);
}

/* mcroutectl add/del of an (S,G): one kernel call, nothing else touched. */
static void test_sync_key(void **state)
{
	struct env *e = *state;
	struct inet_addr s, g;
	int adds, dels;
	char line[96];
	struct rule key;
	char *w[3] = { "wlan0", "192.0.2.2", "225.1.9.9" }, err[64];

	for (int i = 0; i < 50; i++) {
		snprintf(line, sizeof(line), "wlan0 192.0.2.2 225.1.2.%d usb0",
			 i);
		rule(e, line, RULE_CONF);
	}
	mroute_sync(&e->m);
	adds = fk.mfc_add;
	dels = fk.mfc_del;
	addr_parse("192.0.2.2", &s);
	addr_parse("225.1.9.9", &g);
	rule(e, "wlan0 192.0.2.2 225.1.9.9 usb0", RULE_RUNTIME);
	mroute_sync_key(&e->m, KF_V4, &s, &g);
	assert_int_equal(fk.mfc_add - adds, 1);
	assert_non_null(kmfc("192.0.2.2", "225.1.9.9"));
	/* A second route for the same (S,G): the first one keeps it. */
	rule(e, "wlan0 192.0.2.2 225.1.9.9 usb1", RULE_RUNTIME);
	mroute_sync_key(&e->m, KF_V4, &s, &g);
	assert_int_equal(fk.mfc_add - adds, 1);
	assert_int_equal(
		kmfc("192.0.2.2", "225.1.9.9")->ttls[vif_of(e, KF_V4, "usb0")],
		1);
	/* Both gone: the entry goes, with one call. */
	assert_int_equal(rule_from_words(&key, w, 3, false, err, sizeof(err)),
			 0);
	assert_int_equal(ruleset_del(&e->m.rules, &key), 2);
	rule_free(&key);
	mroute_sync_key(&e->m, KF_V4, &s, &g);
	assert_int_equal(fk.mfc_del - dels, 1);
	assert_null(kmfc("192.0.2.2", "225.1.9.9"));
	assert_int_equal(fk.mfc_add - adds, 1);
	/* A whole sync agrees: nothing left to do. */
	mroute_sync(&e->m);
	assert_int_equal(fk.mfc_add - adds, 1);
	assert_int_equal(fk.mfc_del - dels, 1);
}

static void del_rule(struct env *e, const char *line)
{
	struct rule key;

	parse_rule(&key, line, false);
	assert_int_equal(ruleset_del(&e->m.rules, &key), 1);
	mroute_sync_rule(&e->m, &key, false);
	rule_free(&key);
}

/* A runtime (*,G)/prefix add or del touches the learned entries it covers
 * and nothing else; a whole sync afterwards agrees. */
static void test_sync_rule(void **state)
{
	struct env *e = *state;
	int adds, dels, usb0, usb1;
	char line[96];
	struct rule r;

	for (int i = 0; i < 50; i++) {
		snprintf(line, sizeof(line), "wlan0 192.0.2.2 225.1.2.%d usb0",
			 i);
		rule(e, line, RULE_CONF);
	}
	rule(e, "wlan0 225.9.0.0/16 usb1", RULE_CONF);
	mroute_sync(&e->m);
	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.9", "225.9.1.1");
	upcall(e, KU_NOCACHE, "wlan0", "192.0.2.9", "225.9.2.1");
	usb1 = vif_of(e, KF_V4, "usb1");
	assert_int_equal(kmfc("192.0.2.9", "225.9.1.1")->ttls[usb1], 1);
	assert_int_equal(e->m.n_learned, 2);
	assert_int_equal(e->m.n_ents, 52);
	adds = fk.mfc_add;
	dels = fk.mfc_del;

	/* a more specific prefix to usb0: 225.9.1.1 follows it, alone */
	rule(e, "wlan0 225.9.1.0/24 usb0", RULE_RUNTIME);
	parse_rule(&r, "wlan0 225.9.1.0/24 usb0", true);
	mroute_sync_rule(&e->m, &r, true);
	rule_free(&r);
	usb0 = vif_of(e, KF_V4, "usb0");
	assert_int_equal(fk.mfc_add - adds, 1);
	assert_int_equal(kmfc("192.0.2.9", "225.9.1.1")->ttls[usb0], 1);
	assert_int_equal(kmfc("192.0.2.9", "225.9.1.1")->ttls[usb1], 0);
	assert_int_equal(kmfc("192.0.2.9", "225.9.2.1")->ttls[usb1], 1);
	assert_true(rule_covers(&e->m.rules.v[e->m.rules.n - 1],
				&kmfc("192.0.2.9", "225.9.1.1")->src,
				&kmfc("192.0.2.9", "225.9.1.1")->grp, "wlan0"));

	/* gone again: back to the /16's usb1 */
	del_rule(e, "wlan0 225.9.1.0/24");
	assert_int_equal(fk.mfc_add - adds, 2);
	assert_int_equal(kmfc("192.0.2.9", "225.9.1.1")->ttls[usb1], 1);
	assert_int_equal(kmfc("192.0.2.9", "225.9.1.1")->ttls[usb0], 0);

	/* the /16 gone: what it learned goes, the (S,G) routes stay */
	del_rule(e, "wlan0 225.9.0.0/16");
	assert_int_equal(fk.mfc_del - dels, 2);
	assert_null(kmfc("192.0.2.9", "225.9.1.1"));
	assert_null(kmfc("192.0.2.9", "225.9.2.1"));
	assert_non_null(kmfc("192.0.2.2", "225.1.2.49"));
	assert_int_equal(fk.mfc_add - adds, 2);
	assert_int_equal(e->m.n_learned, 0);
	assert_null(e->m.learned);
	assert_int_equal(e->m.n_ents, 50);

	/* a whole sync agrees: nothing left to do but release usb1's VIF */
	mroute_sync(&e->m);
	assert_int_equal(fk.mfc_add - adds, 2);
	assert_int_equal(fk.mfc_del - dels, 2);
	assert_int_equal(vif_of(e, KF_V4, "usb1"), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_static_install_lazy_vifs),
		T(test_reload_diff),
		T(test_runtime_survives_conf_clear),
		T(test_star_g_upcall),
		T(test_wrongvif_moves_learned),
		T(test_static_not_moved_by_wrongvif),
		T(test_expire),
		T(test_threshold),
		T(test_hotplug),
		T(test_vif_exhaustion),
		T(test_ipv6),
		T(test_family_down),
		T(test_sync_key),
		T(test_sync_rule),
	};

	return cmocka_run_group_tests_name("mroute", tests, NULL, NULL);
}
