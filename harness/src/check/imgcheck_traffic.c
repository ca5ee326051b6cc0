// SPDX-License-Identifier: MIT
/*
 * mclab check --image, the checks made with traffic across the image:
 * the TTL sweep, every configured route with its MFC entry, the mangle
 * rules' effect and source NAT.
 */
#include "imgcheck_int.h"
#include "route.h"

static const int sweep_ttls[] = { 1, 2, 3, 10, 64, 255 };
_Static_assert(sizeof(sweep_ttls) / sizeof(sweep_ttls[0]) == NSWEEP,
	       "NSWEEP is the sweep's length");

/* ---- traffic ---------------------------------------------------------------- */

static bool mfc_shows(struct ctx *c, int fam, const char *src, const char *grp,
		      struct mr_mfc *got)
{
	struct mr_mfc *m = NULL;
	const struct mr_mfc *e;
	bool ok;
	/* the harness's reader, through the image's node backend */
	int n = proc_read_mr_mfc(c->rtr, fam, &m);

	e = n > 0 ? mr_mfc_find_str(m, n, src, grp) : NULL;
	ok = e && !e->unresolved;
	if (ok && got)
		*got = *e;
	free(m);
	return ok;
}

/* What the router says of itself, for a failure's detail (free it). */
static void router_evidence(struct ctx *c, char **out)
{
	const char *d = img_daemon_name(c->router.daemon);

	imgc_guest(c, 8000, out,
		   "p=$(pidof %s); echo \"%s pid ${p:-none}: $(grep State "
		   "/proc/${p:-0}/status 2>/dev/null)\"; %s 2>&1 | tail -20",
		   d, d,
		   c->router.daemon == IMG_SMCROUTED ?
			   "timeout 3 smcroutectl show" :
		   c->router.daemon == IMG_MCROUTED ?
			   "timeout 3 mcroutectl show" :
			   "true");
}

/* The group to send to for a configured prefix: itself, or its first
 * address past the network's when it is a prefix. */
static uint32_t pick_group(const struct inet_prefix *p)
{
	uint32_t g = ntohl(p->addr.v4.s_addr);

	if (p->len < 32 && !(g & ((1u << (32 - p->len)) - 1)))
		g++;
	return g;
}

static int udp(struct node *n, const char *ifname, const char *src,
	       const char *dst, int ttl, unsigned long count, uint32_t stream)
{
	struct udp_tx_stats st;
	struct udp_tx_opts u = {
		.netns = n->ns,
		.ifname = ifname,
		.src = src,
		.group = dst,
		.sport = SPORT,
		.dport = PORT,
		.ttl = ttl,
		.count = count,
		.pps = 200,
		.stream = stream,
	};

	return udp_send(&u, &st) == 0 ? (int)st.sent : -1;
}

/* One configured route: each outbound interface gets the group, and
 * ip_mr_cache shows the entry from the inbound VIF to theirs. */
void imgc_route(struct ctx *c, const struct conf_mroute *m)
{
	uint64_t t0 = mono_ns();
	int fam = m->group.addr.family;
	const char *mfc_file = fam == AF_INET6 ? "/proc/net/ip6_mr_cache" :
						 "/proc/net/ip_mr_cache";
	char name[96], grp[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN],
		sif[IFNAMSIZ], gs[64];
	struct node *snd = imgc_peer(c, fam, m->ifname, sif, src);
	struct mr_mfc e;
	struct mr_vif *v = NULL;
	int nv;
	char detail[900] = "";
	size_t dl = 0;
	bool ok = true;

	if (fam == AF_INET) {
		struct in_addr ga = { htonl(pick_group(&m->group)) };

		inet_ntop(AF_INET, &ga, grp, sizeof(grp));
	} else {
		/* an IPv6 prefix: its own address (never the network's: a
		 * group's low bits are its id, ff0e::/16 included) */
		inet_ntop(AF_INET6, &m->group.addr.v6, grp, sizeof(grp));
	}
	prefix_ntop(&m->group, gs, sizeof(gs));
	{
		const char *base = strrchr(m->loc.file, '/');

		snprintf(name, sizeof(name), "route %s (%s:%u)", gs,
			 base ? base + 1 : m->loc.file, m->loc.line);
	}
	if (snd && !src[0]) {
		img_add(c->rep, name, IMG_SKIP, 0,
			"the lab has no %s address on %s's far side",
			fam == AF_INET6 ? "IPv6" : "IPv4", m->ifname);
		return;
	}
	if (!snd) {
		img_add(c->rep, name, IMG_FAIL, 0,
			"inbound %s is not an interface of the router here "
			"(it has %s)",
			m->ifname, c->ifs);
		return;
	}
	if (m->source.addr.family == fam && !route_source_is_any(&m->source)) {
		char want[64];

		prefix_ntop(&m->source, want, sizeof(want));
		if (m->source.len == addr_bits(fam) && strcmp(want, src)) {
			img_add(c->rep, name, IMG_SKIP, 0,
				"source %s is not the sender's address here "
				"(%s)",
				want, src);
			return;
		}
	}
	if (!imgc_has_vif(c, fam, m->ifname)) {
		img_add(c->rep, name, IMG_FAIL, imgc_since(t0),
			"not sent: inbound %s has no %s", m->ifname,
			fam == AF_INET6 ? "MIF in ip6_mr_vif" :
					  "VIF (see VIFs)");
		return;
	}
	/* the route first (a (*,G) route resolves on the first packet) */
	{
		uint64_t dlc = deadline_in(T_ROUTE);

		do
			udp(snd, sif, src, grp, 64, 1, 999);
		while (!mfc_shows(c, fam, src, grp, &e) &&
		       !deadline_passed(dlc) && !poll(NULL, 0, 300));
	}
	if (!mfc_shows(c, fam, src, grp, &e)) {
		char *text = NULL, *ev;

		qemu_read_file(c->vm, mfc_file, &text, NULL);
		router_evidence(c, &ev);
		img_add(c->rep, name, IMG_FAIL, imgc_since(t0),
			"%s has no (%s, %s) after %u s of traffic from %s\n%s%s",
			mfc_file + 10, src, grp, T_ROUTE / 1000, m->ifname,
			text ? text : "", ev);
		free(text);
		free(ev);
		return;
	}
	nv = imgc_read_vifs(c, fam, &v);
	{
		const struct mr_vif *iv =
			nv > 0 ? mr_vif_by_name(v, nv, m->ifname) : NULL;

		if (!iv || e.iif != iv->vif) {
			ok = false;
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
					       "iif is VIF %d, not %s's; ",
					       e.iif, m->ifname);
		}
	}
	for (size_t k = 0; k < m->n_oifs && dl < sizeof(detail); k++) {
		char rif[IFNAMSIZ], raddr[INET6_ADDRSTRLEN];
		struct node *rcv = imgc_peer(c, fam, m->oifs[k], rif, raddr);
		const struct mr_vif *ov =
			nv > 0 ? mr_vif_by_name(v, nv, m->oifs[k]) : NULL;
		struct cap *cp;
		struct pkt_match pm = { .dst = grp,
					.has_stream = true,
					.stream = 1 };
		size_t got;

		if (!rcv) {
			ok = false;
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
					       "to %s: not an interface of the "
					       "router here (it has %s); ",
					       m->oifs[k], c->ifs);
			continue;
		}
		if (!ov || mr_mfc_oif_ttl(&e, ov->vif) < 0) {
			ok = false;
			dl += (size_t)snprintf(
				detail + dl, sizeof(detail) - dl,
				"%s is not an oif of the entry; ", m->oifs[k]);
		}
		cp = cap_start(rcv->ns, rif,
			       fam == AF_INET6 ? "ip6 and udp" : "udp");
		if (!cp) {
			ok = false;
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
					       "capture on %s: %s; ", rcv->name,
					       cap_error());
			continue;
		}
		udp(snd, sif, src, grp, 64, FLOW_N, 1);
		cap_wait(cp, &pm, FLOW_N, T_ARRIVE * timeout_mult());
		cap_wait(cp, &pm, FLOW_N + 1, T_QUIET);
		got = cap_count(cp, &pm);
		if (got != FLOW_N) {
			char what[96];

			ok = false;
			snprintf(what, sizeof(what), "image-route-%s-%s", grp,
				 m->oifs[k]);
			cap_report(cp, what);
		}
		dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
				       "%s: %zu/%d arrived; ", m->oifs[k], got,
				       FLOW_N);
		cap_free(cp);
	}
	free(v);
	img_add(c->rep, name, ok ? IMG_PASS : IMG_FAIL, imgc_since(t0),
		"(%s, %s) %s -> %s (%s: iif %d, %d oifs)", src, grp, m->ifname,
		detail, mfc_file + 10, e.iif, e.noifs);
}

/* The TTL sweep across the first route between two interfaces here. */
void imgc_sweep(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	const struct conf_mroute *m = NULL;
	char grp[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN], sif[IFNAMSIZ],
		rif[IFNAMSIZ], detail[1000] = "";
	struct node *snd = NULL, *rcv = NULL;
	struct in_addr ga;
	struct mr_mfc e;
	struct mr_vif *v = NULL;
	struct cap *cp;
	size_t dl = 0, total = 0;
	bool ok = true;
	int nv;

	for (size_t i = 0; c->have_conf && i < c->conf.n_mroutes && !m; i++) {
		const struct conf_mroute *r = &c->conf.mroutes[i];

		if (r->group.addr.family != AF_INET ||
		    (r->source.addr.family == AF_INET &&
		     !route_source_is_any(&r->source)))
			continue;
		snd = imgc_peer(c, AF_INET, r->ifname, sif, src);
		for (size_t k = 0; snd && k < r->n_oifs && !rcv; k++) {
			rcv = imgc_peer(c, AF_INET, r->oifs[k], rif, NULL);
			if (rcv)
				snprintf(c->sweep_out, IFNAMSIZ, "%s",
					 r->oifs[k]);
		}
		if (snd && rcv)
			m = r;
	}
	if (!m) {
		img_add(c->rep, "TTL sweep", c->have_conf ? IMG_FAIL : IMG_SKIP,
			0,
			"no (*,G) route in %s between two interfaces of the "
			"router here (%s)",
			c->have_conf ? c->router.conf : "the config", c->ifs);
		return;
	}
	snprintf(c->sweep_in, IFNAMSIZ, "%s", m->ifname);
	if (!imgc_has_vif(c, AF_INET, m->ifname)) {
		img_add(c->rep, "TTL sweep", IMG_FAIL, imgc_since(t0),
			"not sent: inbound %s has no VIF (see VIFs)",
			m->ifname);
		return;
	}
	c->sweep_group = pick_group(&m->group);
	ga.s_addr = htonl(c->sweep_group);
	inet_ntop(AF_INET, &ga, grp, sizeof(grp));
	{
		uint64_t dlc = deadline_in(T_ROUTE);

		do
			udp(snd, sif, src, grp, 64, 1, 999);
		while (!mfc_shows(c, AF_INET, src, grp, &e) &&
		       !deadline_passed(dlc) && !poll(NULL, 0, 300));
	}
	c->sweep_threshold = 1;
	nv = imgc_read_vifs(c, AF_INET, &v);
	if (mfc_shows(c, AF_INET, src, grp, &e) && nv > 0) {
		const struct mr_vif *ov = mr_vif_by_name(v, nv, c->sweep_out);
		int th = ov ? mr_mfc_oif_ttl(&e, ov->vif) : -1;

		if (th > 0)
			c->sweep_threshold = th;
	}
	free(v);
	cp = cap_start(rcv->ns, rif, "udp");
	if (!cp) {
		img_add(c->rep, "TTL sweep", IMG_FAIL, imgc_since(t0),
			"capture on %s: %s", rcv->name, cap_error());
		return;
	}
	for (size_t i = 0; i < NSWEEP; i++) {
		int want = img_ttl_expect(c->ttl, c->nttl, c->sweep_in,
					  c->sweep_out, c->sweep_group,
					  sweep_ttls[i], c->sweep_threshold);

		udp(snd, sif, src, grp, sweep_ttls[i], PER_TTL,
		    (uint32_t)sweep_ttls[i]);
		total += want ? PER_TTL : 0;
	}
	{
		struct pkt_match all = { .dst = grp, .mclab = true };

		/* stream 999 (the probes) can be there too: count them out */
		cap_wait(cp, &all, total, T_ARRIVE * timeout_mult());
		cap_wait(cp, &all, total + 100, T_QUIET);
	}
	for (size_t i = 0; i < NSWEEP; i++) {
		int want = img_ttl_expect(c->ttl, c->nttl, c->sweep_in,
					  c->sweep_out, c->sweep_group,
					  sweep_ttls[i], c->sweep_threshold);
		struct pkt_match any = { .dst = grp,
					 .has_stream = true,
					 .stream = (uint32_t)sweep_ttls[i] };
		uint8_t ttls[4];
		unsigned int nt = cap_ttls(cp, &any, ttls, 4);
		size_t got = cap_count(cp, &any);

		c->sweep_count[i] = (unsigned int)got;
		c->sweep_ttl[i] = nt == 1 ? ttls[0] : -1;
		if (want ? (got != PER_TTL || nt != 1 || ttls[0] != want) :
			   got != 0)
			ok = false;
		if (want)
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
					       "%s%d->%d %zu/%d",
					       dl ? ", " : "", sweep_ttls[i],
					       got ? c->sweep_ttl[i] : 0, got,
					       PER_TTL);
		else
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl,
					       "%s%d not routed%s",
					       dl ? ", " : "", sweep_ttls[i],
					       got ? " (but crossed!)" : "");
	}
	c->swept = true;
	if (!ok)
		cap_report(cp, "image-ttl-sweep");
	cap_free(cp);
	img_add(c->rep, "TTL sweep", ok ? IMG_PASS : IMG_FAIL, imgc_since(t0),
		"%s %s -> %s, threshold %d: %s%s", grp, c->sweep_in,
		c->sweep_out, c->sweep_threshold, detail,
		ok ? "" : " (expected: the mangle rules and the threshold)");
}

/* Each TTL rule: the sweep shows its effect where it changes anything. */
void imgc_mangle(struct ctx *c)
{
	if (!c->nttl) {
		img_add(c->rep, "mangle rules", IMG_SKIP, 0,
			"the image sets no TTL rule%s",
			c->ttl_unmodelled ? " the model reads" : "");
		return;
	}
	for (int r = 0; r < c->nttl; r++) {
		char name[96];
		int differs = -1;
		bool ok = true;

		snprintf(name, sizeof(name), "mangle %s%s%s TTL %s%d",
			 c->ttl[r].chain, c->ttl[r].in[0] ? " -i " : "",
			 c->ttl[r].in,
			 c->ttl[r].op == IMG_TTL_SET ? "" :
			 c->ttl[r].op == IMG_TTL_INC ? "+" :
						       "-",
			 c->ttl[r].val);
		if (!c->swept) {
			img_add(c->rep, name, IMG_SKIP, 0,
				"no TTL sweep ran to show it");
			continue;
		}
		for (size_t i = 0; i < NSWEEP; i++) {
			struct img_ttl_rule others[16];
			int no = 0, with, without;

			for (int k = 0; k < c->nttl; k++)
				if (k != r)
					others[no++] = c->ttl[k];
			with = img_ttl_expect(c->ttl, c->nttl, c->sweep_in,
					      c->sweep_out, c->sweep_group,
					      sweep_ttls[i],
					      c->sweep_threshold);
			without = img_ttl_expect(others, no, c->sweep_in,
						 c->sweep_out, c->sweep_group,
						 sweep_ttls[i],
						 c->sweep_threshold);
			if (with != without && differs < 0)
				differs = (int)i;
			if (with ? (c->sweep_count[i] != PER_TTL ||
				    c->sweep_ttl[i] != with) :
				   c->sweep_count[i] != 0)
				ok = false;
		}
		if (differs < 0) {
			img_add(c->rep, name, IMG_SKIP, 0,
				"changes nothing on %s -> %s (%s)", c->sweep_in,
				c->sweep_out, c->ttl[r].text);
			continue;
		}
		img_add(c->rep, name, ok ? IMG_PASS : IMG_FAIL, 0,
			"sent TTL %d, arrived %s%d (without the rule: %s) (%s)",
			sweep_ttls[differs],
			c->sweep_count[differs] ? "with TTL " : "",
			c->sweep_count[differs] ? c->sweep_ttl[differs] : 0,
			img_ttl_expect(NULL, 0, c->sweep_in, c->sweep_out,
				       c->sweep_group, sweep_ttls[differs],
				       c->sweep_threshold) ?
				"routed" :
				"not routed",
			c->ttl[r].text);
	}
}

/* Source NAT: a unicast flow across leaves with the router's address. */
void imgc_nat(struct ctx *c)
{
	if (!c->nnat) {
		img_add(c->rep, "NAT", IMG_SKIP, 0,
			"the image sets up no source NAT");
		return;
	}
	for (int r = 0; r < c->nnat; r++) {
		uint64_t t0 = mono_ns();
		char name[96], rif[IFNAMSIZ], raddr[INET_ADDRSTRLEN],
			sif[IFNAMSIZ], saddr[INET_ADDRSTRLEN],
			me[INET_ADDRSTRLEN], in[IFNAMSIZ] = "";
		struct node *rcv = imgc_peer(c, AF_INET, c->nat[r].out, rif,
					     raddr),
			    *snd;
		struct cap *cp;
		struct pkt_match pm = { .has_stream = true, .stream = 7 };
		size_t got, nat;

		snprintf(name, sizeof(name), "NAT %s -o %s", c->nat[r].target,
			 c->nat[r].out[0] ? c->nat[r].out : "any");
		if (!rcv) {
			img_add(c->rep, name, IMG_SKIP, 0,
				"%s is not an interface of the router here "
				"(%s)",
				c->nat[r].out, c->ifs);
			continue;
		}
		/* the sender: the node on any other interface */
		{
			char buf[256], *save = NULL;

			snprintf(buf, sizeof(buf), "%s", c->ifs);
			for (char *w = strtok_r(buf, " ", &save); w && !in[0];
			     w = strtok_r(NULL, " ", &save))
				if (strcmp(w, c->nat[r].out))
					snprintf(in, sizeof(in), "%s", w);
		}
		snd = in[0] ? imgc_peer(c, AF_INET, in, sif, saddr) : NULL;
		imgc_router_addr(c, c->nat[r].out, me);
		if (!snd || !raddr[0]) {
			img_add(c->rep, name, IMG_SKIP, 0,
				"no sender on another interface");
			continue;
		}
		cp = cap_start(rcv->ns, rif, "udp");
		if (!cp) {
			img_add(c->rep, name, IMG_FAIL, 0, "capture: %s",
				cap_error());
			continue;
		}
		udp(snd, sif, saddr, raddr, 64, FLOW_N, 7);
		cap_wait(cp, &pm, FLOW_N, T_ARRIVE * timeout_mult());
		got = cap_count(cp, &pm);
		pm.src = me;
		nat = cap_count(cp, &pm);
		if (nat != FLOW_N)
			cap_report(cp, "image-nat");
		cap_free(cp);
		img_add(c->rep, name, nat == FLOW_N ? IMG_PASS : IMG_FAIL,
			imgc_since(t0),
			"%s -> %s: %zu/%d arrived, %zu from %s (%s)", saddr,
			raddr, got, FLOW_N, nat, me, c->nat[r].text);
	}
}
