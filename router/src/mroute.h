/* SPDX-License-Identifier: MIT */
/*
 * The route engine: turns the configured routes, the interface table and
 * the kernel's upcalls into kernel VIFs/MIFs and MFC entries.
 *
 * Every change (start, reload, an interface coming or going) runs
 * mroute_sync(), a mark-and-sweep over the wanted state: an MFC
 * entry whose wanted (iif, oifs) did not change is never touched, so its
 * flow loses no packet; a changed one is replaced in place (MRT_ADD_MFC on
 * an existing (S,G) updates it atomically); one no longer wanted is
 * deleted.  VIFs are allocated lazily, for interfaces in use only.
 * A runtime add or del (mcroutectl) touches only what its rule can reach:
 * mroute_sync_key() for an (S,G), mroute_sync_rule() for a (*,G) or
 * prefix rule.
 */
#ifndef MCR_MROUTE_H
#define MCR_MROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "iface.h"
#include "kern.h"
#include "routes.h"

struct vif_slot {
	bool used;
	bool needed; /* scratch, during sync */
	int ifindex;
	char name[IFNAMSIZ];
	unsigned int threshold;
};

struct mfc_ent {
	struct mfc_ent *hnext;
	enum kern_fam fam;
	struct inet_addr src, grp;
	char iif[IFNAMSIZ];
	bool learned; /* from an upcall through a (*,G)/prefix route */
	struct mfc_ent *lnext, *lprev; /* the learned list, when learned */
	bool member; /* learned through membership (IGMP/MLD) */
	bool mark; /* scratch, during sync */
	bool in_kernel;
	struct kern_mfc k; /* what the kernel has */
	struct kern_mfc want; /* scratch, during sync */
	uint64_t last_pkts; /* for expiry of learned entries */
	uint64_t installed_ns;
};

struct mroute_stats {
	uint64_t member_routes, upcalls, upcalls_unmatched, upcalls_unknown_vif,
		wrongvif, moved, installs, updates, removals, expired,
		kernel_errors, vif_full, skipped_family;
};

typedef void (*mroute_install_cb)(void *ctx, const struct mfc_ent *e);

/*
 * Membership-driven routes (IGMP/MLD, see member.h).  When no configured
 * route matches (S,G) arriving on iif, the engine asks covers(): false
 * when membership routing does not apply to iif (nothing is installed);
 * true with the outbound interfaces (none is fine: the kernel then drops
 * the flow without asking again, so unwanted groups stay cheap).
 */
#define MROUTE_MAX_OIFS KERN_MAXVIFS
struct mroute_member {
	bool (*covers)(void *ctx, enum kern_fam fam,
		       const struct inet_addr *src, const struct inet_addr *grp,
		       const char *iif, char (*oifs)[IFNAMSIZ], size_t *n);
	void *ctx;
};

struct mroute {
	struct kern kern;
	bool fam_up[KF_N];
	struct vif_slot vifs[KF_N][KERN_MAXVIFS];
	struct ruleset rules;
	const struct conf *conf; /* phyints; owned by the caller */
	const struct iface_table *ifaces;
	struct mfc_ent **buckets;
	size_t nbuckets, n_ents;
	/* The learned entries, on their own list: expiry, flush and a
	 * runtime (*,G) change walk them, not every static (S,G). */
	struct mfc_ent *learned;
	size_t n_learned;
	const struct mroute_member *member; /* NULL: static routes only */
	mroute_install_cb on_install; /* new (S,G) or new oifs: NAT fix-up */
	void *cb_ctx;
	uint64_t (*now)(void);
	struct mroute_stats st;
};

void mroute_init(struct mroute *m, const struct kern_ops *ops, void *kctx,
		 const struct iface_table *ifaces);
void mroute_free(struct mroute *m);

/* MRT_INIT for a family.  0 or -errno (EADDRINUSE, ENOPROTOOPT...). */
int mroute_open(struct mroute *m, enum kern_fam fam, unsigned int table,
		int *fd);
void mroute_close(struct mroute *m);

/* Bring the kernel in line with rules, conf phyints and interfaces. */
void mroute_sync(struct mroute *m);
void mroute_upcall(struct mroute *m, const struct kern_upcall *up);
/*
 * One (S,G) after a runtime change of an exact route (mcroutectl add/del):
 * O(1) instead of a whole sync.  A VIF that no route needs any more is
 * released by the next whole sync, not here.
 */
void mroute_sync_key(struct mroute *m, enum kern_fam fam,
		     const struct inet_addr *src, const struct inet_addr *grp);
/*
 * After a runtime add (added) or del of a (*,G) or prefix rule r
 * (mcroutectl): the VIFs an added rule uses, and the learned entries r
 * covers brought in line (installed, updated or dropped); no other entry
 * is looked at, and no rule.  O(entries) instead of a whole sync's
 * O(rules + entries) with a lookup per rule.  Like mroute_sync_key(), a
 * VIF no route needs any more is released by the next whole sync.
 */
void mroute_sync_rule(struct mroute *m, const struct rule *r, bool added);
/*
 * Membership of grp changed: bring its learned entries in line at once
 * (oifs gained or lost) without a full sync.
 */
void mroute_resync_group(struct mroute *m, enum kern_fam fam,
			 const struct inet_addr *grp);
/* Drop learned entries idle since the last call.  Returns how many. */
size_t mroute_expire(struct mroute *m);
/* Drop every learned entry.  Returns how many. */
size_t mroute_flush(struct mroute *m);

struct mfc_ent *mroute_find(const struct mroute *m, enum kern_fam fam,
			    const struct inet_addr *src,
			    const struct inet_addr *grp);
/* Iterate: pass NULL first. */
struct mfc_ent *mroute_next(const struct mroute *m, struct mfc_ent *e);
/* The learned entries: m->learned, then e->lnext. */
const char *mroute_vif_name(const struct mroute *m, enum kern_fam fam, int vif);
size_t mroute_vif_count(const struct mroute *m, enum kern_fam fam);

#endif
