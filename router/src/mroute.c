// SPDX-License-Identifier: MIT
/*
 * Route engine: rules + interfaces + upcalls -> kernel VIFs and MFC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mroute.h"
#include "timer.h"

#define ENT_SEED 0x6b43a9b5u

void mroute_init(struct mroute *m, const struct kern_ops *ops, void *kctx,
		 const struct iface_table *ifaces)
{
	memset(m, 0, sizeof(*m));
	m->kern.ops = ops;
	m->kern.ctx = kctx;
	m->ifaces = ifaces;
	m->now = timer_mono_ns;
	ruleset_init(&m->rules);
}

static void free_entries(struct mroute *m)
{
	for (size_t b = 0; b < m->nbuckets; b++) {
		struct mfc_ent *e = m->buckets[b], *n;

		for (; e; e = n) {
			n = e->hnext;
			free(e);
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = m->n_ents = 0;
	m->learned = NULL;
	m->n_learned = 0;
}

void mroute_free(struct mroute *m)
{
	free_entries(m);
	ruleset_free(&m->rules);
}

int mroute_open(struct mroute *m, enum kern_fam fam, unsigned int table,
		int *fd)
{
	int rc = m->kern.ops->open(m->kern.ctx, fam, table, fd);

	m->fam_up[fam] = rc == 0;
	return rc;
}

void mroute_close(struct mroute *m)
{
	for (int f = 0; f < KF_N; f++) {
		if (m->fam_up[f])
			m->kern.ops->close(m->kern.ctx, (enum kern_fam)f);
		m->fam_up[f] = false;
		memset(m->vifs[f], 0, sizeof(m->vifs[f]));
	}
	free_entries(m);
}

static size_t ent_bucket(const struct mroute *m, const struct inet_addr *src,
			 const struct inet_addr *grp)
{
	return (addr_hash(src, ENT_SEED) * 31u + addr_hash(grp, ENT_SEED)) %
	       m->nbuckets;
}

struct mfc_ent *mroute_find(const struct mroute *m, enum kern_fam fam,
			    const struct inet_addr *src,
			    const struct inet_addr *grp)
{
	struct mfc_ent *e;

	if (!m->nbuckets)
		return NULL;
	for (e = m->buckets[ent_bucket(m, src, grp)]; e; e = e->hnext)
		if (e->fam == fam && addr_equal(&e->src, src) &&
		    addr_equal(&e->grp, grp))
			return e;
	return NULL;
}

static int grow(struct mroute *m)
{
	size_t nb = m->nbuckets ? m->nbuckets * 4 : 256;
	struct mfc_ent **b = calloc(nb, sizeof(*b));
	size_t old = m->nbuckets;
	struct mfc_ent **ob = m->buckets;

	if (!b)
		return -1;
	m->buckets = b;
	m->nbuckets = nb;
	for (size_t i = 0; i < old; i++) {
		struct mfc_ent *e = ob[i], *n;

		for (; e; e = n) {
			size_t k = ent_bucket(m, &e->src, &e->grp);

			n = e->hnext;
			e->hnext = b[k];
			b[k] = e;
		}
	}
	free(ob);
	return 0;
}

static struct mfc_ent *ent_get(struct mroute *m, enum kern_fam fam,
			       const struct inet_addr *src,
			       const struct inet_addr *grp)
{
	struct mfc_ent *e = mroute_find(m, fam, src, grp);
	size_t b;

	if (e)
		return e;
	if (m->n_ents >= m->nbuckets && grow(m))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->fam = fam;
	e->src = *src;
	e->grp = *grp;
	b = ent_bucket(m, src, grp);
	e->hnext = m->buckets[b];
	m->buckets[b] = e;
	m->n_ents++;
	return e;
}

/* Learned or not, and on the learned list or not, together. */
static void set_learned(struct mroute *m, struct mfc_ent *e, bool on)
{
	if (e->learned == on)
		return;
	if (on) {
		e->lprev = NULL;
		e->lnext = m->learned;
		if (m->learned)
			m->learned->lprev = e;
		m->learned = e;
		m->n_learned++;
	} else {
		if (e->lprev)
			e->lprev->lnext = e->lnext;
		else
			m->learned = e->lnext;
		if (e->lnext)
			e->lnext->lprev = e->lprev;
		e->lnext = e->lprev = NULL;
		m->n_learned--;
	}
	e->learned = on;
}

static void ent_free(struct mroute *m, struct mfc_ent *e)
{
	struct mfc_ent **pp = &m->buckets[ent_bucket(m, &e->src, &e->grp)];

	set_learned(m, e, false);
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			m->n_ents--;
			free(e);
			return;
		}
	}
}

struct mfc_ent *mroute_next(const struct mroute *m, struct mfc_ent *e)
{
	size_t b = 0;

	if (e) {
		if (e->hnext)
			return e->hnext;
		b = ent_bucket(m, &e->src, &e->grp) + 1;
	}
	for (; b < m->nbuckets; b++)
		if (m->buckets[b])
			return m->buckets[b];
	return NULL;
}

const char *mroute_vif_name(const struct mroute *m, enum kern_fam fam, int vif)
{
	if (vif < 0 || vif >= KERN_MAXVIFS || !m->vifs[fam][vif].used)
		return NULL;
	return m->vifs[fam][vif].name;
}

size_t mroute_vif_count(const struct mroute *m, enum kern_fam fam)
{
	size_t n = 0;

	for (int v = 0; v < KERN_MAXVIFS; v++)
		n += m->vifs[fam][v].used;
	return n;
}

static const struct conf_phyint *phyint(const struct mroute *m,
					const char *ifname)
{
	return m->conf ? conf_phyint_find(m->conf, ifname) : NULL;
}

static unsigned int threshold_of(const struct mroute *m, const char *ifname)
{
	const struct conf_phyint *p = phyint(m, ifname);

	return p && p->ttl_threshold ? p->ttl_threshold : 1;
}

static bool usable(const struct mroute *m, const struct iface *i)
{
	const struct conf_phyint *p = phyint(m, i->name);

	if (p && !p->enable)
		return false;
	return (i->flags & IFF_MULTICAST) != 0;
}

/* The VIF for an interface, allocated on first use.  -1 when none. */
static int vif_need(struct mroute *m, enum kern_fam fam, const struct iface *i)
{
	struct vif_slot *s = m->vifs[fam];
	int free_slot = -1, rc;

	for (int v = 0; v < KERN_MAXVIFS; v++) {
		if (s[v].used && s[v].ifindex == i->ifindex &&
		    !strcmp(s[v].name, i->name)) {
			s[v].needed = true;
			s[v].threshold = threshold_of(m, i->name);
			return v;
		}
		if (!s[v].used && free_slot < 0)
			free_slot = v;
	}
	if (free_slot < 0) {
		if (!m->st.vif_full++)
			log_err("all %d %s are in use, cannot add %s",
				KERN_MAXVIFS, fam == KF_V4 ? "VIFs" : "MIFs",
				i->name);
		return -1;
	}
	rc = m->kern.ops->vif_add(m->kern.ctx, fam, free_slot, i->ifindex,
				  threshold_of(m, i->name));
	if (rc) {
		m->st.kernel_errors++;
		log_err("cannot add %s %s: %s", fam == KF_V4 ? "VIF" : "MIF",
			i->name, strerror(-rc));
		return -1;
	}
	s[free_slot].used = true;
	s[free_slot].needed = true;
	s[free_slot].ifindex = i->ifindex;
	s[free_slot].threshold = threshold_of(m, i->name);
	strcpy(s[free_slot].name, i->name);
	log_info("%s %d is %s", fam == KF_V4 ? "VIF" : "MIF", free_slot,
		 i->name);
	return free_slot;
}

/* The kernel entry for a packet arriving on iif, going to oifs. */
static int desired_oifs(struct mroute *m, enum kern_fam fam,
			char (*oifs)[IFNAMSIZ], size_t n_oifs, const char *iif,
			struct kern_mfc *k, const struct inet_addr *src,
			const struct inet_addr *grp)
{
	const struct iface *in = iface_by_name(m->ifaces, iif);

	memset(k, 0, sizeof(*k));
	k->src = *src;
	k->grp = *grp;
	if (!in || !usable(m, in))
		return -1;
	k->iif = vif_need(m, fam, in);
	if (k->iif < 0)
		return -1;
	for (size_t o = 0; o < n_oifs; o++) {
		const struct iface *out = iface_by_name(m->ifaces, oifs[o]);
		int v;

		if (!out || out->ifindex == in->ifindex || !usable(m, out))
			continue;
		v = vif_need(m, fam, out);
		if (v < 0)
			continue;
		k->ttls[v] = (uint8_t)threshold_of(m, out->name);
	}
	return 0;
}

/* The kernel entry a rule wants for a packet arriving on iif. */
static int desired(struct mroute *m, enum kern_fam fam, const struct rule *r,
		   const char *iif, struct kern_mfc *k,
		   const struct inet_addr *src, const struct inet_addr *grp)
{
	return desired_oifs(m, fam, r->oifs, r->n_oifs, iif, k, src, grp);
}

/* The entry membership wants; -1 when membership does not cover it. */
static int member_desired(struct mroute *m, enum kern_fam fam, const char *iif,
			  struct kern_mfc *k, const struct inet_addr *src,
			  const struct inet_addr *grp)
{
	char oifs[MROUTE_MAX_OIFS][IFNAMSIZ];
	size_t n = 0;

	if (!m->member ||
	    !m->member->covers(m->member->ctx, fam, src, grp, iif, oifs, &n))
		return -1;
	return desired_oifs(m, fam, oifs, n, iif, k, src, grp);
}

static bool oifs_added(const struct kern_mfc *old, const struct kern_mfc *new)
{
	for (int v = 0; v < KERN_MAXVIFS; v++)
		if (new->ttls[v] && !old->ttls[v])
			return true;
	return false;
}

static void install(struct mroute *m, struct mfc_ent *e,
		    const struct kern_mfc *want)
{
	bool fresh = !e->in_kernel || e->k.iif != want->iif;
	bool grew = fresh || oifs_added(&e->k, want);
	int rc;

	if (e->in_kernel && !memcmp(&e->k, want, sizeof(*want)))
		return; /* unchanged: never touch the kernel */
	rc = m->kern.ops->mfc_add(m->kern.ctx, e->fam, want);
	if (rc) {
		char s[ADDR_STRLEN], g[ADDR_STRLEN];

		m->st.kernel_errors++;
		log_err("cannot add route (%s,%s): %s",
			addr_ntop(&e->src, s, sizeof(s)),
			addr_ntop(&e->grp, g, sizeof(g)), strerror(-rc));
		return;
	}
	if (e->in_kernel)
		m->st.updates++;
	else
		m->st.installs++;
	if (!e->in_kernel)
		e->installed_ns = m->now();
	e->in_kernel = true;
	e->k = *want;
	if (grew && m->on_install)
		m->on_install(m->cb_ctx, e);
}

static void uninstall(struct mroute *m, struct mfc_ent *e)
{
	if (e->in_kernel) {
		int rc = m->kern.ops->mfc_del(m->kern.ctx, e->fam, &e->k);

		if (rc && rc != -ENOENT)
			m->st.kernel_errors++;
		m->st.removals++;
	}
	ent_free(m, e);
}

/* Drop slots whose interface is gone or renamed (the kernel dropped them). */
static void vif_forget_stale(struct mroute *m, enum kern_fam fam)
{
	for (int v = 0; v < KERN_MAXVIFS; v++) {
		struct vif_slot *s = &m->vifs[fam][v];
		const struct iface *i;

		s->needed = false;
		if (!s->used)
			continue;
		i = iface_by_index(m->ifaces, s->ifindex);
		if (i && !strcmp(i->name, s->name))
			continue;
		if (i) /* renamed: the VIF still exists in the kernel */
			m->kern.ops->vif_del(m->kern.ctx, fam, v, s->ifindex);
		log_info("%s %d (%s) is gone", fam == KF_V4 ? "VIF" : "MIF", v,
			 s->name);
		memset(s, 0, sizeof(*s));
		/* Entries still pointing at v are rewritten by the sync. */
		for (struct mfc_ent *e = mroute_next(m, NULL); e;
		     e = mroute_next(m, e)) {
			if (e->fam != fam || !e->in_kernel)
				continue;
			/* Mark what used v so that the sync rewrites it. */
			if (e->k.iif == v)
				e->k.iif = -1;
			if (e->k.ttls[v])
				e->k.ttls[v] = 0xff;
		}
	}
}

static void sync_rule(struct mroute *m, const struct rule *r)
{
	enum kern_fam fam = kern_fam_of(r->grp.addr.family);
	struct mfc_ent *e;

	if (!m->fam_up[fam]) {
		m->st.skipped_family++;
		return;
	}
	if (!rule_is_exact(r)) {
		/* Upcalls only come from VIFs: the inbound side needs one. */
		for (size_t i = 0; i < m->ifaces->n; i++) {
			const struct iface *in = &m->ifaces->v[i];

			if (ifname_match(r->iif, in->name) && usable(m, in))
				vif_need(m, fam, in);
		}
		/*
		 * The outbound side too: the route uses them, mc_forwarding
		 * and ip_mr_vif show it, and the upcall path saves a call.
		 */
		for (size_t o = 0; o < r->n_oifs; o++) {
			const struct iface *out =
				iface_by_name(m->ifaces, r->oifs[o]);

			if (out && usable(m, out))
				vif_need(m, fam, out);
		}
		return;
	}
	e = ent_get(m, fam, &r->src.addr, &r->grp.addr);
	if (!e || e->mark)
		return; /* an earlier rule owns this (S,G) */
	if (desired(m, fam, r, r->iif, &e->want, &r->src.addr, &r->grp.addr))
		return;
	e->mark = true;
	set_learned(m, e, false);
	strcpy(e->iif, r->iif);
}

void mroute_sync(struct mroute *m)
{
	struct mfc_ent *e, *n;

	for (int f = 0; f < KF_N; f++)
		if (m->fam_up[f])
			vif_forget_stale(m, (enum kern_fam)f);
	for (e = mroute_next(m, NULL); e; e = mroute_next(m, e))
		e->mark = false;

	for (size_t i = 0; i < m->rules.n; i++)
		sync_rule(m, &m->rules.v[i]);

	/* Learned entries live on while a rule still matches them. */
	for (e = m->learned; e; e = e->lnext) {
		const struct rule *r;

		if (e->mark)
			continue;
		r = ruleset_match(&m->rules, &e->src, &e->grp, e->iif);
		if (r &&
		    !desired(m, e->fam, r, e->iif, &e->want, &e->src, &e->grp))
			e->mark = true;
		else if (!r && !member_desired(m, e->fam, e->iif, &e->want,
					       &e->src, &e->grp))
			e->mark = e->member = true;
	}

	/* phyint IF enable: a VIF even without routes (smcroute does so). */
	if (m->conf) {
		for (size_t p = 0; p < m->conf->n_phyints; p++) {
			const struct conf_phyint *ph = &m->conf->phyints[p];

			if (!ph->enable)
				continue;
			for (size_t i = 0; i < m->ifaces->n; i++) {
				const struct iface *in = &m->ifaces->v[i];

				if (!ifname_match(ph->ifname, in->name) ||
				    !usable(m, in))
					continue;
				for (int f = 0; f < KF_N; f++)
					if (m->fam_up[f])
						vif_need(m, (enum kern_fam)f,
							 in);
			}
		}
	}

	for (e = mroute_next(m, NULL); e; e = n) {
		n = mroute_next(m, e);
		if (e->mark)
			install(m, e, &e->want);
		else
			uninstall(m, e);
	}

	for (int f = 0; f < KF_N; f++) {
		for (int v = 0; v < KERN_MAXVIFS; v++) {
			struct vif_slot *s = &m->vifs[f][v];

			if (!s->used || s->needed)
				continue;
			m->kern.ops->vif_del(m->kern.ctx, (enum kern_fam)f, v,
					     s->ifindex);
			log_info("%s %d (%s) released",
				 f == KF_V4 ? "VIF" : "MIF", v, s->name);
			memset(s, 0, sizeof(*s));
		}
	}
}

static void learn(struct mroute *m, const struct kern_upcall *up,
		  const char *iif)
{
	const struct rule *r;
	struct mfc_ent *e;
	struct kern_mfc want;

	r = ruleset_match(&m->rules, &up->src, &up->grp, iif);
	if (r) {
		if (desired(m, up->fam, r, iif, &want, &up->src, &up->grp))
			return;
	} else if (member_desired(m, up->fam, iif, &want, &up->src, &up->grp)) {
		m->st.upcalls_unmatched++;
		return;
	}
	e = ent_get(m, up->fam, &up->src, &up->grp);
	if (!e)
		return;
	if (e->in_kernel && !e->learned)
		return; /* a static (S,G) owns it */
	if (e->in_kernel && strcmp(e->iif, iif))
		m->st.moved++;
	set_learned(m, e, true);
	if (!r && !e->member)
		m->st.member_routes++;
	e->member = !r;
	strcpy(e->iif, iif);
	install(m, e, &want);
	if (log_get_level() >= LOG_DEBUG) {
		char s[ADDR_STRLEN], g[ADDR_STRLEN];

		log_debug("learned (%s,%s) on %s",
			  addr_ntop(&up->src, s, sizeof(s)),
			  addr_ntop(&up->grp, g, sizeof(g)), iif);
	}
	if (!e->in_kernel)
		ent_free(m, e);
}

void mroute_upcall(struct mroute *m, const struct kern_upcall *up)
{
	const char *iif;
	struct mfc_ent *e;

	m->st.upcalls++;
	if (!m->fam_up[up->fam])
		return;
	iif = mroute_vif_name(m, up->fam, up->vif);
	if (!iif) {
		m->st.upcalls_unknown_vif++;
		return;
	}
	switch (up->type) {
	case KU_NOCACHE:
		e = mroute_find(m, up->fam, &up->src, &up->grp);
		if (e && e->in_kernel && e->k.iif == up->vif)
			return; /* raced with our own install */
		learn(m, up, iif);
		break;
	case KU_WRONGVIF:
		m->st.wrongvif++;
		e = mroute_find(m, up->fam, &up->src, &up->grp);
		/* A learned source that moved to another port follows it. */
		if (e && e->learned)
			learn(m, up, iif);
		break;
	default:
		break;
	}
}

size_t mroute_expire(struct mroute *m)
{
	struct mfc_ent *e, *n;
	size_t gone = 0;

	for (e = m->learned; e; e = n) {
		struct kern_sg_stats st;

		n = e->lnext;
		if (!e->in_kernel)
			continue;
		if (m->kern.ops->mfc_stats(m->kern.ctx, e->fam, &e->src,
					   &e->grp, &st))
			continue;
		if (st.pkts != e->last_pkts) {
			e->last_pkts = st.pkts;
			continue;
		}
		uninstall(m, e);
		m->st.expired++;
		gone++;
	}
	return gone;
}

void mroute_sync_key(struct mroute *m, enum kern_fam fam,
		     const struct inet_addr *src, const struct inet_addr *grp)
{
	const struct rule *owner = ruleset_exact(&m->rules, src, grp);
	struct mfc_ent *e = mroute_find(m, fam, src, grp);
	struct kern_mfc want;

	if (!m->fam_up[fam])
		return;
	if (!owner || desired(m, fam, owner, owner->iif, &want, src, grp)) {
		/* No (S,G) route left: a static entry goes; a learned one
		 * stays until its rule or membership goes. */
		if (e && !e->learned && !e->member)
			uninstall(m, e);
		return;
	}
	e = e ? e : ent_get(m, fam, src, grp);
	if (!e)
		return;
	set_learned(m, e, false);
	e->member = false;
	strcpy(e->iif, owner->iif);
	install(m, e, &want);
	if (!e->in_kernel)
		ent_free(m, e);
}

size_t mroute_flush(struct mroute *m)
{
	struct mfc_ent *e, *n;
	size_t gone = 0;

	for (e = m->learned; e; e = n) {
		n = e->lnext;
		uninstall(m, e);
		gone++;
	}
	return gone;
}

/* A learned entry brought in line with the rules and membership. */
static void resync_learned(struct mroute *m, struct mfc_ent *e)
{
	const struct rule *r;
	struct kern_mfc want;

	r = ruleset_match(&m->rules, &e->src, &e->grp, e->iif);
	if (r ? desired(m, e->fam, r, e->iif, &want, &e->src, &e->grp) :
		member_desired(m, e->fam, e->iif, &want, &e->src, &e->grp)) {
		uninstall(m, e);
		return;
	}
	e->member = !r;
	install(m, e, &want);
}

void mroute_resync_group(struct mroute *m, enum kern_fam fam,
			 const struct inet_addr *grp)
{
	struct mfc_ent *e, *n;

	if (!m->fam_up[fam])
		return;
	for (e = m->learned; e; e = n) {
		n = e->lnext;
		if (e->fam == fam && addr_equal(&e->grp, grp))
			resync_learned(m, e);
	}
}

void mroute_sync_rule(struct mroute *m, const struct rule *r, bool added)
{
	enum kern_fam fam = kern_fam_of(r->grp.addr.family);
	struct mfc_ent *e, *n;

	if (!m->fam_up[fam]) {
		m->st.skipped_family++;
		return;
	}
	if (added)
		sync_rule(m, r); /* its VIFs */
	for (e = m->learned; e; e = n) {
		n = e->lnext;
		if (e->fam == fam && rule_covers(r, &e->src, &e->grp, e->iif))
			resync_learned(m, e);
	}
}
