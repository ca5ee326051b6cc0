// SPDX-License-Identifier: MIT
/*
 * Membership-driven routing: IGMP/MLD interfaces, the proxy, the hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gm_io.h"
#include "log.h"
#include "member.h"
#include "vec.h"

static enum kern_fam fam_of(enum gm_proto p)
{
	return p == GM_MLD ? KF_V6 : KF_V4;
}

static enum gm_proto proto_of(enum kern_fam f)
{
	return f == KF_V6 ? GM_MLD : GM_IGMP;
}

enum member_mode member_mode_of(const struct conf *c)
{
	bool versions = false;

	for (size_t i = 0; i < c->n_phyints; i++) {
		const struct conf_phyint *p = &c->phyints[i];

		if (p->enable && p->role != ROLE_NONE)
			return MM_PROXY;
		if (p->igmp_version || p->mld_version)
			versions = true;
	}
	return versions ? MM_ROUTER : MM_OFF;
}

struct member_if *member_find(const struct member *mb, enum gm_proto p,
			      const char *ifname)
{
	for (size_t i = 0; i < mb->n_ifs; i++)
		if (mb->ifs[i]->gm.proto == p &&
		    !strcmp(mb->ifs[i]->gm.name, ifname))
			return mb->ifs[i];
	return NULL;
}

static struct member_if *find_index(const struct member *mb, enum gm_proto p,
				    int ifindex)
{
	for (size_t i = 0; i < mb->n_ifs; i++)
		if (mb->ifs[i]->gm.proto == p &&
		    mb->ifs[i]->gm.ifindex == ifindex)
			return mb->ifs[i];
	return NULL;
}

/* ---- the engine's hook ------------------------------------------------ */

static bool src_allowed(const struct member *mb, const struct iface *up,
			const struct inet_addr *src)
{
	if (up && iface_on_link(up, src))
		return true;
	for (size_t i = 0; i < mb->n_altnet; i++)
		if (prefix_contains(&mb->altnet[i], src))
			return true;
	return false;
}

static bool covers(void *ctx, enum kern_fam fam, const struct inet_addr *src,
		   const struct inet_addr *grp, const char *iif,
		   char (*oifs)[IFNAMSIZ], size_t *n)
{
	struct member *mb = ctx;
	enum gm_proto p = proto_of(fam);

	*n = 0;
	if (mb->mode == MM_OFF)
		return false;
	if (mb->mode == MM_PROXY) {
		if (!mb->px_on[p] || strcmp(mb->px[p].up, iif))
			return false;
		if (!src_allowed(mb, iface_by_name(mb->ifaces, iif), src))
			return true; /* dropped in the kernel, no more upcalls */
	} else if (!member_find(mb, p, iif)) {
		return false;
	}
	for (size_t i = 0; i < mb->n_ifs && *n < MROUTE_MAX_OIFS; i++) {
		const struct member_if *mi = mb->ifs[i];

		if (mi->gm.proto != p || mi->role == ROLE_UPSTREAM ||
		    !strcmp(mi->gm.name, iif))
			continue;
		if (gm_if_admits(&mi->gm, src, grp))
			strcpy(oifs[(*n)++], mi->gm.name);
	}
	return true;
}

/* ---- callbacks from gm and proxy --------------------------------------- */

static int gm_send(void *ctx, struct gm_if *gif, const struct inet_addr *dst,
		   const uint8_t *msg, size_t len)
{
	struct member *mb = ctx;
	int rc;

	if (mb->send_fd[gif->proto] < 0)
		return -EBADF;
	rc = gm_io_send(mb->send_fd[gif->proto], gif->proto, gif->ifindex,
			&gif->addr, dst, msg, len);
	if (rc) {
		mb->send_errors++;
		log_debug("%s: send: %s", gif->name, strerror(-rc));
	}
	return rc;
}

/* The union of the downstream interfaces' memberships of grp, as the
 * proxy's upstream state (RFC 4605 4.1). */
static void merge_downstream(struct member *mb, enum gm_proto p,
			     const struct inet_addr *grp)
{
	const struct gm_group *gs[64];
	struct inet_addr *srcs = NULL;
	size_t n = 0, ns = 0;
	bool ex = false;

	if (!mb->px_on[p])
		return;
	for (size_t i = 0; i < mb->n_ifs && n < 64; i++) {
		struct member_if *mi = mb->ifs[i];

		if (mi->gm.proto == p && mi->role == ROLE_DOWNSTREAM)
			gs[n++] = gm_group_find(&mi->gm, grp);
	}
	if (proxy_merge(gs, n, &ex, &srcs, &ns))
		return;
	proxy_set(&mb->px[p], grp, ex, srcs, ns);
	free(srcs);
}

static void gm_changed(void *ctx, struct gm_if *gif,
		       const struct inet_addr *grp)
{
	struct member *mb = ctx;

	/* Forwarding first: the upstream report and the log can wait. */
	mroute_resync_group(mb->mr, fam_of(gif->proto), grp);
	if (mb->mode == MM_PROXY)
		merge_downstream(mb, gif->proto, grp);
	if (log_get_level() >= LOG_DEBUG) {
		char g[ADDR_STRLEN];
		const struct gm_group *gg = gm_group_find(gif, grp);

		log_debug("%s: %s %s", gif->name, addr_ntop(grp, g, sizeof(g)),
			  !gg	      ? "gone" :
			  gg->exclude ? "EXCLUDE" :
					"INCLUDE");
	}
}

static const struct gm_ops member_gm_ops = {
	.send = gm_send,
	.changed = gm_changed,
};

static int px_send(void *ctx, struct proxy *px, const struct inet_addr *dst,
		   const uint8_t *msg, size_t len)
{
	struct member *mb = ctx;
	const struct iface *up = iface_by_name(mb->ifaces, px->up);
	const struct inet_addr *src = NULL;
	int rc;

	if (!up || mb->send_fd[px->proto] < 0)
		return -ENODEV;
	if (px->proto == GM_MLD) {
		for (size_t k = 0; k < up->n_addrs; k++)
			if (up->addrs[k].family == AF_INET6 &&
			    IN6_IS_ADDR_LINKLOCAL(&up->addrs[k].v6))
				src = &up->addrs[k];
	} else {
		src = iface_addr(up, AF_INET);
	}
	rc = gm_io_send(mb->send_fd[px->proto], px->proto, up->ifindex, src,
			dst, msg, len);
	if (rc)
		mb->send_errors++;
	return rc;
}

static const struct proxy_ops member_px_ops = { .send = px_send };

/* ---- life cycle -------------------------------------------------------- */

void member_init(struct member *mb, struct mroute *mr,
		 const struct iface_table *ifaces, struct timers *ts)
{
	memset(mb, 0, sizeof(*mb));
	mb->mr = mr;
	mb->ifaces = ifaces;
	mb->ts = ts;
	mb->send_fd[GM_IGMP] = mb->send_fd[GM_MLD] = -1;
	mb->hook.covers = covers;
	mb->hook.ctx = mb;
}

static void mif_free(struct member *mb, struct member_if *mi, bool tell)
{
	struct inet_addr *gone = NULL;
	size_t n = 0;

	if (tell && mi->gm.n_groups) {
		gone = calloc(mi->gm.n_groups, sizeof(*gone));
		for (struct gm_group *g = mi->gm.groups; g && gone; g = g->next)
			gone[n++] = g->addr;
	}
	gm_if_stop(&mi->gm);
	if (mi->join_fd >= 0)
		close(mi->join_fd);
	mi->role = ROLE_UPSTREAM; /* out of the hook's sight */
	for (size_t i = 0; i < n; i++)
		gm_changed(mb, &mi->gm, &gone[i]);
	free(gone);
	free(mi);
}

void member_free(struct member *mb)
{
	for (int p = 0; p < GM_NPROTO; p++)
		if (mb->px_on[p])
			proxy_stop(&mb->px[p], true);
	for (size_t i = 0; i < mb->n_ifs; i++)
		mif_free(mb, mb->ifs[i], false);
	free(mb->ifs);
	free(mb->altnet);
	for (int p = 0; p < GM_NPROTO; p++)
		if (mb->send_fd[p] >= 0)
			close(mb->send_fd[p]);
	memset(mb, 0, sizeof(*mb));
	mb->send_fd[GM_IGMP] = mb->send_fd[GM_MLD] = -1;
}

static void cfg_of(const struct conf *c, const struct conf_phyint *ph,
		   enum gm_proto p, struct gm_cfg *g)
{
	struct conf_gm t;

	/* the interface's own values, where its phyint line sets them */
	conf_phyint_gm(c, ph, &t);
	gm_cfg_defaults(g);
	g->robustness = t.robustness;
	g->query_interval_ms = t.query_interval_ms;
	g->query_resp_ms = t.query_resp_ms;
	g->lmq_interval_ms = t.lmq_interval_ms;
	g->lmq_count = t.lmq_count;
	g->max_groups = t.max_groups;
	/* a short query interval and no response interval for it: half */
	if (g->query_resp_ms >= g->query_interval_ms)
		g->query_resp_ms = g->query_interval_ms / 2;
	g->version = p == GM_MLD ? ph->mld_version : ph->igmp_version;
	g->fast_leave = ph->fast_leave;
	g->querier = ph->role != ROLE_UPSTREAM;
}

/* The address a gm interface speaks from. */
static const struct inet_addr *speak_addr(const struct iface *i,
					  enum gm_proto p)
{
	if (p == GM_IGMP)
		return iface_addr(i, AF_INET);
	for (size_t k = 0; k < i->n_addrs; k++)
		if (i->addrs[k].family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&i->addrs[k].v6))
			return &i->addrs[k];
	return NULL;
}

static void join_routers(struct member_if *mi, bool join)
{
	static const char *const v4[] = { "224.0.0.2", "224.0.0.22" };
	static const char *const v6[] = { "ff02::2", "ff02::16" };

	for (int k = 0; k < 2 && mi->join_fd >= 0; k++) {
		struct inet_addr a;

		addr_parse(mi->gm.proto == GM_MLD ? v6[k] : v4[k], &a);
		gm_io_join(mi->join_fd, mi->gm.proto, mi->gm.ifindex, &a, join);
	}
}

static int mif_add(struct member *mb, const struct iface *i,
		   const struct gm_cfg *cfg, enum gm_proto p,
		   enum phyint_role role, const struct inet_addr *addr)
{
	struct member_if *mi;

	if (vec_grow(&mb->ifs, mb->n_ifs, &mb->cap_ifs, sizeof(*mb->ifs), 8))
		return -1;
	mi = calloc(1, sizeof(*mi));
	if (!mi)
		return -1;
	mi->mb = mb;
	mi->role = role;
	mi->keep = true;
	gm_if_init(&mi->gm, p, i->name, i->ifindex, addr, cfg, mb->ts,
		   &member_gm_ops, mb);
	mi->join_fd = role == ROLE_UPSTREAM ? -1 : gm_io_join_socket(p);
	if (mi->join_fd >= 0)
		join_routers(mi, true);
	mb->ifs[mb->n_ifs++] = mi;
	log_info("%s: %s %s", i->name, p == GM_MLD ? "MLD" : "IGMP",
		 role == ROLE_UPSTREAM ? "upstream (host side)" : "querier");
	if (role != ROLE_UPSTREAM)
		gm_if_start(&mi->gm);
	return 0;
}

static bool cfg_same(const struct gm_cfg *a, const struct gm_cfg *b)
{
	return !memcmp(a, b, sizeof(*a));
}

void member_sync(struct member *mb, const struct conf *c, bool v6_off)
{
	enum member_mode mode = member_mode_of(c);
	const struct conf_phyint *upph = NULL;
	const char *up = NULL;

	mb->proto_off[GM_MLD] = v6_off;
	if (mode != MM_OFF) {
		for (int p = 0; p < GM_NPROTO; p++) {
			if (mb->send_fd[p] >= 0 || mb->proto_off[p])
				continue;
			mb->send_fd[p] = gm_io_open((enum gm_proto)p);
			if (mb->send_fd[p] < 0)
				log_warn("cannot open the %s send socket: %s",
					 p ? "MLD" : "IGMP",
					 strerror(-mb->send_fd[p]));
		}
	}
	if (mode != mb->mode)
		log_notice("IGMP/MLD: %s", mode == MM_PROXY ?
						   "proxy mode (RFC 4605)" :
					   mode == MM_ROUTER ? "router mode" :
							       "off");
	mb->mode = mode;
	mb->mr->member = mode == MM_OFF ? NULL : &mb->hook;

	for (size_t k = 0; k < mb->n_ifs; k++)
		mb->ifs[k]->keep = false;
	for (size_t k = 0; mode != MM_OFF && k < mb->ifaces->n; k++) {
		const struct iface *i = &mb->ifaces->v[k];
		const struct conf_phyint *ph = conf_phyint_find(c, i->name);

		if (!ph || !ph->enable || !(i->flags & IFF_MULTICAST) ||
		    !(i->flags & IFF_UP))
			continue;
		if (mode == MM_PROXY && ph->role == ROLE_NONE)
			continue;
		if (ph->role == ROLE_UPSTREAM) {
			if (up && strcmp(up, i->name)) {
				log_warn("%s: a second upstream interface is "
					 "ignored (RFC 4605 has one)",
					 i->name);
				continue;
			}
			up = i->name;
			upph = ph;
		}
		for (int p = 0; p < GM_NPROTO; p++) {
			const struct inet_addr *a =
				speak_addr(i, (enum gm_proto)p);
			struct member_if *mi =
				member_find(mb, (enum gm_proto)p, i->name);
			struct gm_cfg cfg;

			if (mb->proto_off[p] || !a)
				continue;
			cfg_of(c, ph, (enum gm_proto)p, &cfg);
			if (mi && (mi->gm.ifindex != i->ifindex ||
				   mi->role != ph->role))
				mi = NULL; /* re-created below */
			if (!mi) {
				mif_add(mb, i, &cfg, (enum gm_proto)p, ph->role,
					a);
				continue;
			}
			mi->keep = true;
			if (!cfg_same(&cfg, &mi->gm.base))
				gm_if_set_cfg(&mi->gm, &cfg);
			if (!addr_equal(a, &mi->gm.addr))
				gm_if_set_addr(&mi->gm, a);
		}
	}
	for (size_t k = 0; k < mb->n_ifs;) {
		struct member_if *mi = mb->ifs[k];

		if (mi->keep) {
			k++;
			continue;
		}
		log_info("%s: %s stopped", mi->gm.name,
			 mi->gm.proto == GM_MLD ? "MLD" : "IGMP");
		mb->ifs[k] = mb->ifs[--mb->n_ifs];
		mif_free(mb, mi, true);
	}

	/* The proxy's upstream side. */
	free(mb->altnet);
	mb->altnet = NULL;
	mb->n_altnet = 0;
	if (upph && upph->n_altnet) {
		mb->altnet = malloc(upph->n_altnet * sizeof(*mb->altnet));
		if (mb->altnet) {
			memcpy(mb->altnet, upph->altnet,
			       upph->n_altnet * sizeof(*mb->altnet));
			mb->n_altnet = upph->n_altnet;
		}
	}
	for (int p = 0; p < GM_NPROTO; p++) {
		bool want = mode == MM_PROXY && up && !mb->proto_off[p];
		struct gm_cfg cfg;

		if (mb->px_on[p] && (!want || strcmp(mb->px[p].up, up))) {
			proxy_stop(&mb->px[p], true);
			mb->px_on[p] = false;
		}
		if (!want)
			continue;
		cfg_of(c, upph, (enum gm_proto)p, &cfg);
		if (!mb->px_on[p]) {
			proxy_init(&mb->px[p], (enum gm_proto)p, up, &cfg,
				   mb->ts, &member_px_ops, mb);
			mb->px_on[p] = true;
			/* Report what the downstreams already have. */
			for (size_t k = 0; k < mb->n_ifs; k++) {
				struct member_if *mi = mb->ifs[k];

				if ((int)mi->gm.proto != p)
					continue;
				for (struct gm_group *g = mi->gm.groups; g;
				     g = g->next)
					merge_downstream(mb, (enum gm_proto)p,
							 &g->addr);
			}
		} else {
			mb->px[p].cfg = cfg;
		}
	}
}

void member_input(struct member *mb, enum gm_proto p, const uint8_t *buf,
		  size_t len, const void *rxp)
{
	const struct gm_rx *rx = rxp;
	struct member_if *mi;
	struct gm_msg m;
	enum gm_drop d;

	if (mb->mode == MM_OFF)
		return;
	mi = find_index(mb, p, rx->ifindex);
	if (!mi) {
		mb->rx_other_if++;
		return;
	}
	if (p == GM_IGMP) {
		d = gm_parse_ipv4(buf, len, &m);
	} else {
		struct gm_meta6 meta = { rx->src, rx->dst, rx->hoplimit,
					 rx->router_alert };

		d = gm_parse_mld(buf, len, &meta, &m);
	}
	if (d != GM_OK) {
		mb->bad[p][d]++;
		if (log_get_level() >= LOG_DEBUG) {
			char s[ADDR_STRLEN];

			log_debug("%s: dropped a %s packet from %s: %s",
				  mi->gm.name, p == GM_MLD ? "MLD" : "IGMP",
				  addr_ntop(&m.src, s, sizeof(s)),
				  gm_drop_name(d));
		}
		return;
	}
	/* Ours, looped back (a second address on the link) */
	if (addr_equal(&m.src, &mi->gm.addr))
		return;
	if (mi->role == ROLE_UPSTREAM) {
		if (m.type == GM_QUERY && mb->px_on[p])
			proxy_query(&mb->px[p], &m);
		return;
	}
	gm_if_input(&mi->gm, &m);
}
