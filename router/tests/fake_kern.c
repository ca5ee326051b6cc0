// SPDX-License-Identifier: MIT
/*
 * The route engine's tests' fake kernel (fake_kern.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fake_kern.h"

struct fake_kern fk;

static int f_open(void *ctx, enum kern_fam fam, unsigned int table, int *fd)
{
	(void)ctx, (void)fam, (void)table;
	*fd = -1;
	return 0;
}

static void f_close(void *ctx, enum kern_fam fam)
{
	(void)ctx, (void)fam;
}

static int f_vif_add(void *ctx, enum kern_fam fam, int vif, int ifindex,
		     unsigned int thr)
{
	(void)ctx, (void)thr;
	assert_false(fk.vif[fam][vif]);
	fk.vif[fam][vif] = true;
	fk.vif_ifindex[fam][vif] = ifindex;
	fk.vif_add++;
	return 0;
}

static int f_vif_del(void *ctx, enum kern_fam fam, int vif, int ifindex)
{
	(void)ctx, (void)ifindex;
	fk.vif[fam][vif] = false;
	fk.vif_del++;
	return 0;
}

static int slot(const struct kern_mfc *m, bool alloc)
{
	for (int i = 0; i < FAKE_KERN_MAXE; i++)
		if (fk.used[i] && addr_equal(&fk.mfc[i].src, &m->src) &&
		    addr_equal(&fk.mfc[i].grp, &m->grp))
			return i;
	if (!alloc)
		return -1;
	for (int i = 0; i < FAKE_KERN_MAXE; i++)
		if (!fk.used[i])
			return i;
	fail();
	return -1;
}

static int f_mfc_add(void *ctx, enum kern_fam fam, const struct kern_mfc *m)
{
	int i = slot(m, true);

	(void)ctx;
	/* The kernel refuses an entry whose iif is not a VIF. */
	assert_true(m->iif >= 0 && fk.vif[fam][m->iif]);
	fk.used[i] = true;
	fk.mfc[i] = *m;
	fk.mfc_add++;
	return 0;
}

static int f_mfc_del(void *ctx, enum kern_fam fam, const struct kern_mfc *m)
{
	int i = slot(m, false);

	(void)ctx, (void)fam;
	if (i < 0)
		return -2;
	fk.used[i] = false;
	fk.mfc_del++;
	return 0;
}

static int f_stats(void *ctx, enum kern_fam fam, const struct inet_addr *s,
		   const struct inet_addr *g, struct kern_sg_stats *st)
{
	(void)ctx, (void)fam, (void)s, (void)g;
	memset(st, 0, sizeof(*st));
	st->pkts = fk.pkts;
	return 0;
}

/* In struct kern_ops's order: open, close, vif_add, vif_del, mfc_add, ... */
const struct kern_ops fake_kern_ops = { f_open,	   f_close,   f_vif_add,
					f_vif_del, f_mfc_add, f_mfc_del,
					f_stats };

const struct kern_mfc *fake_kern_find(const struct inet_addr *src,
				      const struct inet_addr *grp)
{
	struct kern_mfc k = { .src = *src, .grp = *grp };
	int i = slot(&k, false);

	return i < 0 ? NULL : &fk.mfc[i];
}

const struct kern_mfc *kmfc(const char *src, const char *grp)
{
	struct inet_addr s, g;

	assert_int_equal(addr_parse(src, &s), 0);
	assert_int_equal(addr_parse(grp, &g), 0);
	return fake_kern_find(&s, &g);
}
