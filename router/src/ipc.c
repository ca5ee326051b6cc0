// SPDX-License-Identifier: MIT
/*
 * The control socket: mcroutectl's requests, answered as tables or JSON.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon.h"
#include "log.h"
#include "msg.h"
#include "strbuf.h"

#define CLIENT_TIMEOUT_MS 1000

int ipc_open(struct daemon *d)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	if (strlen(d->sock_path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, d->sock_path);
	/* We hold the mroute socket, so a socket file there is stale; never
	 * remove anything else (-u /etc/passwd must not delete it). */
	if (lstat(d->sock_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			close(fd);
			errno = EEXIST;
			return -1;
		}
		unlink(d->sock_path);
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(d->sock_path, 0660) < 0 || listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	d->ctl_fd = fd;
	return 0;
}

void ipc_close(struct daemon *d)
{
	struct stat st;

	if (d->ctl_fd < 0)
		return;
	close(d->ctl_fd);
	if (lstat(d->sock_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(d->sock_path);
	d->ctl_fd = -1;
}

static const char *fam_name(enum kern_fam f)
{
	return f == KF_V4 ? "ipv4" : "ipv6";
}

static void oif_list(const struct mroute *m, const struct mfc_ent *e,
		     struct strbuf *b, bool json)
{
	bool first = true;

	for (int v = 0; v < KERN_MAXVIFS; v++) {
		const char *name;

		if (!e->k.ttls[v])
			continue;
		name = mroute_vif_name(m, e->fam, v);
		if (!name)
			continue;
		if (json) {
			if (!first)
				sb_putc(b, ',');
			sb_json_str(b, name);
		} else {
			sb_printf(b, "%s%s", first ? "" : " ", name);
		}
		first = false;
	}
}

static void show_routes(struct daemon *d, struct strbuf *b, bool json)
{
	struct mroute *m = &d->mr;
	bool first = true;

	if (json)
		sb_printf(b, "{\"routes\":[");
	else
		sb_printf(b, "%-20s %-20s %-10s %8s %10s %-7s %s\n", "SOURCE",
			  "GROUP", "INBOUND", "PACKETS", "BYTES", "TYPE",
			  "OUTBOUND");
	for (struct mfc_ent *e = mroute_next(m, NULL); e;
	     e = mroute_next(m, e)) {
		char s[ADDR_STRLEN], g[ADDR_STRLEN];
		struct kern_sg_stats st = { 0, 0, 0 };

		if (!e->in_kernel)
			continue;
		m->kern.ops->mfc_stats(m->kern.ctx, e->fam, &e->src, &e->grp,
				       &st);
		addr_ntop(&e->src, s, sizeof(s));
		addr_ntop(&e->grp, g, sizeof(g));
		if (json) {
			sb_printf(b, "%s{\"family\":\"%s\",\"source\":",
				  first ? "" : ",", fam_name(e->fam));
			sb_json_str(b, s);
			sb_printf(b, ",\"group\":");
			sb_json_str(b, g);
			sb_printf(b, ",\"inbound\":");
			sb_json_str(b, e->iif);
			sb_printf(b, ",\"outbound\":[");
			oif_list(m, e, b, true);
			sb_printf(b,
				  "],\"packets\":%llu,\"bytes\":%llu,"
				  "\"wrong_if\":%llu,\"learned\":%s}",
				  (unsigned long long)st.pkts,
				  (unsigned long long)st.bytes,
				  (unsigned long long)st.wrong_if,
				  e->learned ? "true" : "false");
		} else {
			sb_printf(b, "%-20s %-20s %-10s %8llu %10llu %-7s ", s,
				  g, e->iif, (unsigned long long)st.pkts,
				  (unsigned long long)st.bytes,
				  e->learned ? "learned" : "static");
			oif_list(m, e, b, false);
			sb_putc(b, '\n');
		}
		first = false;
	}
	if (json)
		sb_printf(b, "],\"templates\":[");
	first = true;
	for (size_t i = 0; i < m->rules.n; i++) {
		const struct rule *r = &m->rules.v[i];
		char s[PREFIX_STRLEN], g[PREFIX_STRLEN];

		if (rule_is_exact(r))
			continue;
		if (r->src.addr.family == AF_UNSPEC || !r->src.len)
			snprintf(s, sizeof(s), "*");
		else
			prefix_ntop(&r->src, s, sizeof(s));
		prefix_ntop(&r->grp, g, sizeof(g));
		if (json) {
			sb_printf(b, "%s{\"source\":", first ? "" : ",");
			sb_json_str(b, s);
			sb_printf(b, ",\"group\":");
			sb_json_str(b, g);
			sb_printf(b, ",\"inbound\":");
			sb_json_str(b, r->iif);
			sb_printf(b, ",\"outbound\":[");
			for (size_t o = 0; o < r->n_oifs; o++) {
				if (o)
					sb_putc(b, ',');
				sb_json_str(b, r->oifs[o]);
			}
			sb_printf(b, "]}");
		} else {
			if (first)
				sb_printf(b, "\n%-20s %-20s %-10s %s\n",
					  "(*,G) SOURCE", "GROUP", "INBOUND",
					  "OUTBOUND");
			sb_printf(b, "%-20s %-20s %-10s", s, g, r->iif);
			for (size_t o = 0; o < r->n_oifs; o++)
				sb_printf(b, " %s", r->oifs[o]);
			sb_putc(b, '\n');
		}
		first = false;
	}
	if (json)
		sb_printf(b, "]}\n");
}

static void show_interfaces(struct daemon *d, struct strbuf *b, bool json)
{
	bool first = true;

	if (json)
		sb_printf(b, "{\"interfaces\":[");
	else
		sb_printf(b, "%-6s %-4s %-16s %-8s %s\n", "FAMILY", "VIF",
			  "INTERFACE", "IFINDEX", "THRESHOLD");
	for (int f = 0; f < KF_N; f++) {
		for (int v = 0; v < KERN_MAXVIFS; v++) {
			const struct vif_slot *s = &d->mr.vifs[f][v];

			if (!s->used)
				continue;
			if (json) {
				sb_printf(b,
					  "%s{\"family\":\"%s\",\"vif\":%d,"
					  "\"name\":",
					  first ? "" : ",",
					  fam_name((enum kern_fam)f), v);
				sb_json_str(b, s->name);
				sb_printf(b,
					  ",\"ifindex\":%d,\"threshold\":%u}",
					  s->ifindex, s->threshold);
			} else {
				sb_printf(b, "%-6s %-4d %-16s %-8d %u\n",
					  fam_name((enum kern_fam)f), v,
					  s->name, s->ifindex, s->threshold);
			}
			first = false;
		}
	}
	if (json)
		sb_printf(b, "]}\n");
}

static const char *proto_name(enum gm_proto p)
{
	return p == GM_MLD ? "MLD" : "IGMP";
}

static const char *role_name(const struct member_if *mi)
{
	if (mi->role == ROLE_UPSTREAM)
		return "upstream";
	return mi->gm.querier ? "querier" : "non-querier";
}

/* "12.3s", "-" when not armed */
static void left_str(const struct gm_if *gif, const struct timer *t, char *b,
		     size_t len)
{
	uint64_t ms = gm_timer_left_ms(gif, t);

	if (!timer_armed(t))
		snprintf(b, len, "-");
	else
		snprintf(b, len, "%llu.%llus", (unsigned long long)ms / 1000,
			 (unsigned long long)ms % 1000 / 100);
}

static long long left_ms(const struct gm_if *gif, const struct timer *t)
{
	return timer_armed(t) ? (long long)gm_timer_left_ms(gif, t) : -1;
}

static void gm_json(struct daemon *d, struct strbuf *b)
{
	bool fi = true;

	sb_printf(b, ",\"mode\":\"%s\",\"interfaces\":[",
		  d->mb.mode == MM_PROXY  ? "proxy" :
		  d->mb.mode == MM_ROUTER ? "router" :
					    "off");
	for (size_t i = 0; i < d->mb.n_ifs; i++) {
		const struct member_if *mi = d->mb.ifs[i];
		const struct gm_if *gif = &mi->gm;
		char a[ADDR_STRLEN];
		bool fg = true;

		sb_printf(b, "%s{\"interface\":", fi ? "" : ",");
		sb_json_str(b, gif->name);
		sb_printf(b, ",\"proto\":\"%s\",\"version\":%u,\"role\":\"%s\"",
			  proto_name(gif->proto), gm_if_version(gif),
			  role_name(mi));
		sb_printf(b, ",\"querier\":%s,\"querier_address\":",
			  gif->querier ? "true" : "false");
		sb_json_str(b, gif->querier_addr.family ?
				       addr_ntop(&gif->querier_addr, a,
						 sizeof(a)) :
				       "");
		sb_printf(b,
			  ",\"next_query_ms\":%lld,\"other_querier_ms\":%lld,"
			  "\"rx_queries\":%llu,\"rx_reports\":%llu,"
			  "\"rx_leaves\":%llu,\"tx_queries\":%llu,"
			  "\"cap_drops\":%llu,\"groups\":[",
			  left_ms(gif, &gif->query_t),
			  left_ms(gif, &gif->oqp_t),
			  (unsigned long long)gif->st.rx_queries,
			  (unsigned long long)gif->st.rx_reports,
			  (unsigned long long)gif->st.rx_leaves,
			  (unsigned long long)gif->st.tx_queries,
			  (unsigned long long)gif->st.cap_drops);
		for (const struct gm_group *g = gif->groups; g; g = g->next) {
			bool fs = true;

			sb_printf(b, "%s{\"group\":", fg ? "" : ",");
			sb_json_str(b, addr_ntop(&g->addr, a, sizeof(a)));
			sb_printf(b,
				  ",\"mode\":\"%s\",\"version\":%u,"
				  "\"timer_ms\":%lld,\"reporter\":",
				  g->exclude ? "exclude" : "include",
				  gm_group_version(g), left_ms(gif, &g->timer));
			sb_json_str(b, g->reporter.family ?
					       addr_ntop(&g->reporter, a,
							 sizeof(a)) :
					       "");
			sb_printf(b, ",\"sources\":[");
			for (const struct gm_src *s = g->srcs; s; s = s->next) {
				sb_printf(b, "%s{\"source\":", fs ? "" : ",");
				sb_json_str(b,
					    addr_ntop(&s->addr, a, sizeof(a)));
				sb_printf(b,
					  ",\"forward\":%s,\"timer_ms\":%lld}",
					  timer_armed(&s->t) ? "true" : "false",
					  left_ms(gif, &s->t));
				fs = false;
			}
			sb_printf(b, "]}");
			fg = false;
		}
		sb_printf(b, "]}");
		fi = false;
	}
	sb_printf(b, "],\"upstream\":[");
	fi = true;
	for (int p = 0; p < GM_NPROTO; p++) {
		const struct proxy *px = &d->mb.px[p];
		bool fg = true;

		if (!d->mb.px_on[p])
			continue;
		sb_printf(b, "%s{\"interface\":", fi ? "" : ",");
		sb_json_str(b, px->up);
		sb_printf(b, ",\"proto\":\"%s\",\"version\":%u,\"groups\":[",
			  proto_name((enum gm_proto)p), proxy_version(px));
		for (const struct proxy_group *pg = px->groups; pg;
		     pg = pg->next) {
			char a[ADDR_STRLEN];

			if (pg->gone)
				continue;
			sb_printf(b, "%s{\"group\":", fg ? "" : ",");
			sb_json_str(b, addr_ntop(&pg->grp, a, sizeof(a)));
			sb_printf(b, ",\"mode\":\"%s\",\"sources\":[",
				  pg->exclude ? "exclude" : "include");
			for (size_t k = 0; k < pg->n_srcs; k++) {
				if (k)
					sb_putc(b, ',');
				sb_json_str(b, addr_ntop(&pg->srcs[k], a,
							 sizeof(a)));
			}
			sb_printf(b, "]}");
			fg = false;
		}
		sb_printf(b, "]}");
		fi = false;
	}
	sb_printf(b, "]");
}

static void gm_table(struct daemon *d, struct strbuf *b)
{
	if (d->mb.mode == MM_OFF)
		return;
	sb_printf(b, "\nIGMP/MLD %s mode\n",
		  d->mb.mode == MM_PROXY ? "proxy" : "router");
	sb_printf(b, "%-12s %-6s %-11s %-26s %-9s %s\n", "INTERFACE", "PROTO",
		  "ROLE", "QUERIER", "TIMER", "GROUPS");
	sb_printf(b, "  %-26s %-7s %-3s %-9s %s\n", "GROUP / SOURCE", "MODE",
		  "VER", "TIMER", "LAST REPORTER");
	for (size_t i = 0; i < d->mb.n_ifs; i++) {
		const struct member_if *mi = d->mb.ifs[i];
		const struct gm_if *gif = &mi->gm;
		char a[ADDR_STRLEN], t[32], v[16];

		snprintf(v, sizeof(v), "%sv%u", proto_name(gif->proto),
			 gm_if_version(gif));
		left_str(gif, gif->querier ? &gif->query_t : &gif->oqp_t, t,
			 sizeof(t));
		sb_printf(b, "%-12s %-6s %-11s %-26s %-9s %zu\n", gif->name, v,
			  role_name(mi),
			  mi->role == ROLE_UPSTREAM ?
				  "-" :
			  gif->querier_addr.family ?
				  addr_ntop(&gif->querier_addr, a, sizeof(a)) :
				  "-",
			  mi->role == ROLE_UPSTREAM ? "-" : t, gif->n_groups);
		for (const struct gm_group *g = gif->groups; g; g = g->next) {
			left_str(gif, &g->timer, t, sizeof(t));
			sb_printf(b, "  %-26s %-7s v%u  %-9s ",
				  addr_ntop(&g->addr, a, sizeof(a)),
				  g->exclude ? "EXCLUDE" : "INCLUDE",
				  gm_group_version(g), t);
			sb_printf(b, "%s\n",
				  g->reporter.family ? addr_ntop(&g->reporter,
								 a, sizeof(a)) :
						       "-");
			for (const struct gm_src *s = g->srcs; s; s = s->next) {
				left_str(gif, &s->t, t, sizeof(t));
				sb_printf(b, "    %-26s %-9s %s\n",
					  addr_ntop(&s->addr, a, sizeof(a)),
					  timer_armed(&s->t) ? "forward" :
							       "block",
					  t);
			}
		}
	}
	for (int p = 0; p < GM_NPROTO; p++) {
		const struct proxy *px = &d->mb.px[p];

		if (!d->mb.px_on[p])
			continue;
		sb_printf(b, "\nupstream %s %sv%u reports:\n", px->up,
			  proto_name((enum gm_proto)p), proxy_version(px));
		for (const struct proxy_group *pg = px->groups; pg;
		     pg = pg->next) {
			char a[ADDR_STRLEN];

			if (pg->gone)
				continue;
			sb_printf(b, "  %-26s %s",
				  addr_ntop(&pg->grp, a, sizeof(a)),
				  pg->exclude ? "EXCLUDE" : "INCLUDE");
			for (size_t k = 0; k < pg->n_srcs; k++)
				sb_printf(b, " %s",
					  addr_ntop(&pg->srcs[k], a,
						    sizeof(a)));
			sb_putc(b, '\n');
		}
	}
}

static void show_groups(struct daemon *d, struct strbuf *b, bool json)
{
	bool first = true;

	if (json)
		sb_printf(b, "{\"groups\":[");
	else
		sb_printf(b, "%-16s %-20s %-20s %-7s %s\n", "INTERFACE",
			  "SOURCE", "GROUP", "ORIGIN", "STATE");
	for (size_t i = 0; i < d->groups.n; i++) {
		const struct join *j = &d->groups.v[i];
		char s[ADDR_STRLEN], g[ADDR_STRLEN];

		addr_ntop(&j->src, s, sizeof(s));
		addr_ntop(&j->grp, g, sizeof(g));
		if (json) {
			sb_printf(b, "%s{\"interface\":", first ? "" : ",");
			sb_json_str(b, j->ifname);
			sb_printf(b, ",\"source\":");
			sb_json_str(b, s);
			sb_printf(b, ",\"group\":");
			sb_json_str(b, g);
			sb_printf(b, ",\"origin\":\"%s\",\"joined\":%s}",
				  j->runtime ? "runtime" : "config",
				  j->sock >= 0 ? "true" : "false");
		} else {
			sb_printf(b, "%-16s %-20s %-20s %-7s %s\n", j->ifname,
				  s, g, j->runtime ? "runtime" : "config",
				  j->sock >= 0 ? "joined" : "waiting");
		}
		first = false;
	}
	if (json) {
		sb_putc(b, ']');
		gm_json(d, b);
		sb_printf(b, "}\n");
	} else {
		gm_table(d, b);
	}
}

static void show_stats(struct daemon *d, struct strbuf *b, bool json)
{
	const struct mroute_stats *s = &d->mr.st;
	struct {
		const char *name;
		unsigned long long v;
	} rows[] = {
		{ "routes", d->mr.n_ents },
		{ "rules", d->mr.rules.n },
		{ "vifs", mroute_vif_count(&d->mr, KF_V4) },
		{ "mifs", mroute_vif_count(&d->mr, KF_V6) },
		{ "joins", d->groups.n },
		{ "upcalls", s->upcalls },
		{ "upcalls_unmatched", s->upcalls_unmatched },
		{ "upcalls_unknown_vif", s->upcalls_unknown_vif },
		{ "wrongvif", s->wrongvif },
		{ "moved", s->moved },
		{ "installs", s->installs },
		{ "updates", s->updates },
		{ "removals", s->removals },
		{ "expired", s->expired },
		{ "kernel_errors", s->kernel_errors },
		{ "skipped_family", s->skipped_family },
		{ "join_errors", d->groups.errors },
		{ "conntrack_deleted", d->ct.deleted },
		{ "conntrack_errors", d->ct.errors },
		{ "reloads", d->reloads },
		{ "reload_errors", d->reload_errors },
		{ "bad_requests", d->bad_requests },
		{ "refused_requests", d->refused_requests },
		{ "ipv6", !d->ipv6_off },
		{ "member_routes", s->member_routes },
		{ "gm_rx_other_if", d->mb.rx_other_if },
		{ "gm_send_errors", d->mb.send_errors },
	};
	uint64_t gsum[GM_NPROTO][6];

	if (json)
		sb_putc(b, '{');
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (json)
			sb_printf(b, "%s\"%s\":%llu", i ? "," : "",
				  rows[i].name, rows[i].v);
		else
			sb_printf(b, "%-22s %llu\n", rows[i].name, rows[i].v);
	}
	/* IGMP/MLD: bad packets by reason, and the interfaces' sums. */
	memset(gsum, 0, sizeof(gsum));
	for (size_t i = 0; i < d->mb.n_ifs; i++) {
		const struct gm_if *g = &d->mb.ifs[i]->gm;

		gsum[g->proto][0] += g->st.rx_queries;
		gsum[g->proto][1] += g->st.rx_reports;
		gsum[g->proto][2] += g->st.rx_leaves;
		gsum[g->proto][3] += g->st.tx_queries;
		gsum[g->proto][4] += g->n_groups;
		gsum[g->proto][5] += g->st.cap_drops;
	}
	for (int p = 0; p < GM_NPROTO; p++) {
		static const char *const sn[6] = { "rx_queries", "rx_reports",
						   "rx_leaves",	 "tx_queries",
						   "groups",	 "cap_drops" };
		const char *pn = p ? "mld" : "igmp";
		char name[64];

		for (int k = 0; k < 6; k++) {
			snprintf(name, sizeof(name), "%s_%s", pn, sn[k]);
			if (json)
				sb_printf(b, ",\"%s\":%llu", name,
					  (unsigned long long)gsum[p][k]);
			else
				sb_printf(b, "%-22s %llu\n", name,
					  (unsigned long long)gsum[p][k]);
		}
		for (int r = 1; r < GM_DROP_N; r++) {
			snprintf(name, sizeof(name), "%s_bad_%s", pn,
				 gm_drop_name((enum gm_drop)r));
			if (json)
				sb_printf(b, ",\"%s\":%llu", name,
					  (unsigned long long)d->mb.bad[p][r]);
			else
				sb_printf(b, "%-22s %llu\n", name,
					  (unsigned long long)d->mb.bad[p][r]);
		}
		if (d->mb.px_on[p]) {
			const struct proxy_stats *ps = &d->mb.px[p].st;

			for (int k = 0; k < 2; k++) {
				snprintf(name, sizeof(name), "%s_proxy_%s", pn,
					 k ? "leaves" : "reports");
				if (json)
					sb_printf(
						b, ",\"%s\":%llu", name,
						(unsigned long long)(k ? ps->tx_leaves :
									 ps->tx_reports));
				else
					sb_printf(
						b, "%-22s %llu\n", name,
						(unsigned long long)(k ? ps->tx_leaves :
									 ps->tx_reports));
			}
		}
	}
	if (json)
		sb_printf(b, "}\n");
}

static int cmd_route(struct daemon *d, struct msg_req *r, bool add,
		     struct strbuf *b, char *err, size_t errlen)
{
	struct rule rule;
	bool exact;
	size_t n;

	if (rule_from_words(&rule, r->argv + 1, r->argc - 1, add, err, errlen))
		return -1;
	exact = rule_is_exact(&rule);
	if (!add) {
		n = ruleset_del(&d->mr.rules, &rule);
		if (!n) {
			rule_free(&rule);
			snprintf(err, errlen, "no such route");
			return -1;
		}
	} else {
		rule.origin = RULE_RUNTIME;
		ruleset_del(&d->mr.rules, &rule); /* add replaces */
		if (ruleset_add(&d->mr.rules, &rule)) {
			rule_free(&rule);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	/* An (S,G) touches one kernel entry; a (*,G) or prefix route the
	 * learned entries it covers. */
	if (exact)
		mroute_sync_key(&d->mr, kern_fam_of(rule.grp.addr.family),
				&rule.src.addr, &rule.grp.addr);
	else
		mroute_sync_rule(&d->mr, &rule, add);
	rule_free(&rule);
	(void)b;
	return 0;
}

static int cmd_join(struct daemon *d, struct msg_req *r, bool join, char *err,
		    size_t errlen)
{
	struct rule rule;
	struct inet_addr src;
	int rc;

	if (rule_from_words(&rule, r->argv + 1, r->argc - 1, false, err,
			    errlen))
		return -1;
	/* Any source is AF_UNSPEC; 0.0.0.0/0 is a prefix (route.h). */
	if (rule.grp.len != addr_bits(rule.grp.addr.family) ||
	    (rule.src.addr.family != AF_UNSPEC &&
	     rule.src.len != addr_bits(rule.src.addr.family))) {
		snprintf(err, errlen, "join takes single addresses");
		return -1;
	}
	memset(&src, 0, sizeof(src));
	if (rule.src.addr.family != AF_UNSPEC)
		src = rule.src.addr;
	if (strchr(rule.iif, '+')) {
		snprintf(err, errlen, "join needs an interface name");
		return -1;
	}
	if (join)
		rc = mgroups_join(&d->groups, rule.iif, &src, &rule.grp.addr,
				  err, errlen);
	else
		rc = mgroups_leave(&d->groups, rule.iif, &src, &rule.grp.addr,
				   err, errlen);
	return rc;
}

static int dispatch(struct daemon *d, struct msg_req *r, struct strbuf *b,
		    char *err, size_t errlen)
{
	const char *cmd = r->argv[0];

	if (!strcmp(cmd, "show")) {
		const char *what = r->argc > 1 ? r->argv[1] : "routes";

		if (r->argc > 2) {
			snprintf(err, errlen, "show takes one argument");
			return -1;
		}
		if (!strcmp(what, "routes"))
			show_routes(d, b, r->json);
		else if (!strcmp(what, "interfaces"))
			show_interfaces(d, b, r->json);
		else if (!strcmp(what, "groups"))
			show_groups(d, b, r->json);
		else if (!strcmp(what, "stats"))
			show_stats(d, b, r->json);
		else {
			snprintf(
				err, errlen,
				"show what? routes, interfaces, groups or stats");
			return -1;
		}
		return 0;
	}
	if (!strcmp(cmd, "add") || !strcmp(cmd, "del"))
		return cmd_route(d, r, cmd[0] == 'a', b, err, errlen);
	if (!strcmp(cmd, "join") || !strcmp(cmd, "leave"))
		return cmd_join(d, r, cmd[0] == 'j', err, errlen);
	if (r->argc != 1) {
		snprintf(err, errlen, "%s takes no arguments", cmd);
		return -1;
	}
	if (!strcmp(cmd, "reload"))
		return daemon_reload(d, err, errlen);
	if (!strcmp(cmd, "flush")) {
		size_t n = mroute_flush(&d->mr);

		sb_printf(b, "%zu learned routes flushed\n", n);
		return 0;
	}
	if (!strcmp(cmd, "kill")) {
		d->running = false;
		return 0;
	}
	if (!strcmp(cmd, "version")) {
		sb_printf(b, "mcrouted %s\n", VERSION);
		return 0;
	}
	snprintf(err, errlen,
		 "unknown command '%.32s'; try show, add, del, join, leave, "
		 "reload, flush, kill or version",
		 cmd);
	return -1;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN ||
			    poll(&pfd, 1, CLIENT_TIMEOUT_MS) <= 0)
				return;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
}

void ipc_accept(struct daemon *d)
{
	char buf[MSG_MAX + 2], err[512];
	struct msg_req *req;
	struct strbuf b;
	size_t len = 0;
	int fd, rc = MSG_INCOMPLETE;

	fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	req = malloc(sizeof(*req));
	if (!req) {
		close(fd);
		return;
	}
	/* One short request: a client that stalls is dropped after 1 s. */
	while (rc == MSG_INCOMPLETE && len < sizeof(buf)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, CLIENT_TIMEOUT_MS) <= 0)
			break;
		n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		rc = msg_decode(buf, len, req, err, sizeof(err));
	}
	sb_init(&b);
	if (rc == MSG_INCOMPLETE) {
		snprintf(err, sizeof(err), "incomplete request");
		rc = MSG_BAD;
	}
	if (rc == MSG_OK) {
		log_debug("ctl: %s%s", req->json ? "-j " : "", req->argv[0]);
		if (dispatch(d, req, &b, err, sizeof(err))) {
			d->refused_requests++;
			rc = MSG_BAD;
		}
	} else {
		d->bad_requests++;
	}
	if (rc == MSG_OK && !b.oom) {
		write_all(fd, "OK\n", 3);
		if (b.len)
			write_all(fd, b.s, b.len);
	} else {
		char line[600];
		int n;

		if (b.oom)
			snprintf(err, sizeof(err), "out of memory");
		/* The message goes on one line. */
		for (char *p = err; *p; p++)
			if (*p == '\n')
				*p = ' ';
		n = snprintf(line, sizeof(line), "ERR %s\n", err);
		write_all(fd, line,
			  (size_t)n < sizeof(line) ? (size_t)n :
						     sizeof(line) - 1);
	}
	sb_free(&b);
	free(req);
	close(fd);
}
