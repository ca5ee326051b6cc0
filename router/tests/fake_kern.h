/* SPDX-License-Identifier: MIT */
/*
 * A fake kernel for the route engine's tests (test_mroute.c,
 * test_gm_route.c): struct kern_ops that keep the VIFs and the MFC in fk,
 * count the calls, and refuse what the kernel would (an entry whose
 * inbound interface is not a VIF, a VIF added twice).
 */
#ifndef MCR_TEST_FAKE_KERN_H
#define MCR_TEST_FAKE_KERN_H

#include <stdbool.h>
#include <stdint.h>

#include "kern.h"

#define FAKE_KERN_MAXE 64

struct fake_kern {
	int vif_add, vif_del, mfc_add, mfc_del;
	bool vif[KF_N][KERN_MAXVIFS];
	int vif_ifindex[KF_N][KERN_MAXVIFS];
	struct kern_mfc mfc[FAKE_KERN_MAXE];
	bool used[FAKE_KERN_MAXE];
	uint64_t pkts; /* what mfc_stats reports */
};

extern struct fake_kern fk; /* memset() it to start again */
extern const struct kern_ops fake_kern_ops;

/* The kernel's entry for (src, grp), or NULL. */
const struct kern_mfc *fake_kern_find(const struct inet_addr *src,
				      const struct inet_addr *grp);
/* The same for addresses as text, which must parse. */
const struct kern_mfc *kmfc(const char *src, const char *grp);

#endif
