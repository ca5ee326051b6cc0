// SPDX-License-Identifier: MIT
/* mclab check --image: a user's SD card image as the router (imgcheck.h) */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "deadline.h"
#include "imgcheck.h"
#include "imgmodel.h"
#include "kconfig.h"
#include "proc.h"
#include "qemu.h"
#include "topo.h"
#include "traffic.h"

#define PORT 5001
#define SPORT 5000
#define PER_TTL 3
#define FLOW_N 10
#define T_ARRIVE 3000 /* ms for traffic to arrive (scaled) */
#define T_QUIET 300 /* ms more for extras */
#define T_ROUTE 10000 /* ms for the router to show VIFs and routes */

static const int sweep_ttls[] = { 1, 2, 3, 10, 64, 255 };
#define NSWEEP (sizeof(sweep_ttls) / sizeof(sweep_ttls[0]))

struct ctx {
	const struct img_check_opts *o;
	struct img_report *rep;
	struct lab *lab;
	struct qemu_vm *vm;
	struct node *rtr;
	struct img_router router;
	bool router_up;
	struct conf conf;
	bool have_conf;
	struct img_ttl_rule ttl[16];
	int nttl, ttl_unmodelled;
	struct img_nat_rule nat[8];
	int nnat;
	char ifs[256]; /* the router's interfaces in the lab, "wlan0 usb0" */
	/* the TTL sweep's outcome: arrived count and TTL per sent TTL */
	bool swept;
	char sweep_in[IFNAMSIZ], sweep_out[IFNAMSIZ];
	uint32_t sweep_group;
	unsigned int sweep_count[NSWEEP];
	int sweep_ttl[NSWEEP]; /* -1: mixed or none */
	int sweep_threshold;
};

static void say(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->o->verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "mclab check: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double since(uint64_t t0)
{
	return (double)(mono_ns() - t0) / 1e9;
}

/* Run in the guest; output in *out (always set, free it). */
static int guest(struct ctx *c, unsigned int tmo, char **out, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));
static int guest(struct ctx *c, unsigned int tmo, char **out, const char *fmt,
		 ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = qemu_vexec(c->vm, tmo, out, fmt, ap);
	va_end(ap);
	if (!*out)
		*out = strdup("");
	return rc;
}

/* The md5 of a file (md5sum), "" when it cannot be read. */
static void md5_file(const char *path, char *out, size_t len)
{
	int p[2];
	pid_t pid;
	char buf[128] = "";
	ssize_t n = 0;

	out[0] = '\0';
	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execlp("md5sum", "md5sum", "--", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid > 0)
		n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (n >= 32) {
		buf[32] = '\0';
		snprintf(out, len, "%s", buf);
	}
}

/* The lab node (and its interface and IPv4 address) on the far side of
 * the router's IF; NULL when the router has no such interface. */
static struct node *peer(struct ctx *c, int fam, const char *ifname, char *pif,
			 char *addr)
{
	const struct topo *t = c->lab->topo;

	for (int i = 0; i < t->nlinks; i++) {
		const struct topo_if *me = &t->links[i].a,
				     *far = &t->links[i].b;

		if (far->node == c->rtr->index)
			me = &t->links[i].b, far = &t->links[i].a;
		if (me->node != c->rtr->index || strcmp(me->ifname, ifname))
			continue;
		if (pif)
			snprintf(pif, IFNAMSIZ, "%s", far->ifname);
		if (addr) {
			const struct topo_addr *a =
				topo_if_addr(t, far->node, far->ifname, fam);

			addr[0] = '\0';
			if (a)
				inet_ntop(fam, a->a.raw, addr,
					  INET6_ADDRSTRLEN);
		}
		return &c->lab->nodes[far->node];
	}
	return NULL;
}

static void router_addr(struct ctx *c, const char *ifname, char *addr)
{
	const struct topo_addr *a =
		topo_if_addr(c->lab->topo, c->rtr->index, ifname, AF_INET);

	addr[0] = '\0';
	if (a)
		inet_ntop(AF_INET, a->a.raw, addr, INET_ADDRSTRLEN);
}

/* ---- kernel options ------------------------------------------------------ */

static void check_kernel(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	char *out, from[600] = "", err[512] = "", *text = NULL;
	struct kconfig *kc;
	int rc = guest(c, 10000, &out, "zcat /proc/config.gz 2>/dev/null");

	if (rc == 0 && strstr(out, "CONFIG_")) {
		text = out;
		snprintf(from, sizeof(from), "the guest's /proc/config.gz");
	} else {
		free(out);
		text = kconfig_load(c->o->image, true, from, sizeof(from), err,
				    sizeof(err));
	}
	if (!text) {
		/* no config anywhere: what the running kernel shows */
		rc = guest(c, 5000, &out, "[ -e /proc/net/ip_mr_vif ]");
		free(out);
		img_add(c->rep, "kernel options", rc == 0 ? IMG_PASS : IMG_FAIL,
			since(t0),
			rc == 0 ? "IP_MROUTE (known by behaviour: /proc/net/"
				  "ip_mr_vif exists; no config in the kernel "
				  "or on the image)" :
				  "IP_MROUTE missing (known by behaviour: no "
				  "/proc/net/ip_mr_vif; no config in the "
				  "kernel or on the image)");
		return;
	}
	kc = kconfig_parse(text);
	free(text);
	if (!kc) {
		img_add(c->rep, "kernel options", IMG_FAIL, since(t0),
			"out of memory");
		return;
	}
	{
		size_t n;
		const struct kc_item *items = kconfig_items(&n);
		struct kc_result *res = calloc(n, sizeof(*res));
		char miss[512] = "", want[512] = "";
		size_t ml = 0, wl = 0;
		int bad = 0;

		(void)items;
		kconfig_check(kc, c->router.daemon == IMG_SMCROUTED, res);
		for (size_t i = 0; res && i < n; i++) {
			if (res[i].value != KC_MISSING)
				continue;
			if (res[i].item->need == KC_REQUIRED) {
				bad++;
				if (ml < sizeof(miss))
					ml += (size_t)snprintf(
						miss + ml, sizeof(miss) - ml,
						"%s%s (%s)", ml ? ", " : "",
						res[i].sym, res[i].item->what);
			} else if (wl < sizeof(want)) {
				wl += (size_t)snprintf(want + wl,
						       sizeof(want) - wl,
						       "%s%s", wl ? ", " : "",
						       res[i].sym);
			}
		}
		if (bad)
			img_add(c->rep, "kernel options", IMG_FAIL, since(t0),
				"missing %s (read from %s)%s%s", miss, from,
				want[0] ? "\nalso missing: " : "", want);
		else
			img_add(c->rep, "kernel options", IMG_PASS, since(t0),
				"every required option (read from %s)%s%s",
				from, want[0] ? "; missing, wanted: " : "",
				want);
		free(res);
	}
	kconfig_free(kc);
}

/* ---- the router ------------------------------------------------------------ */

static void find_router(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	char *out;
	int rc;

	guest(c, 10000, &out,
	      "for f in /etc/init.d/S??*; do [ -f \"$f\" ] || continue; "
	      "echo \"==> $f\"; cat \"$f\"; done");
	if (img_find_router(out, &c->router) < 0) {
		img_add(c->rep, "router", IMG_FAIL, since(t0),
			"no multicast router is started by /etc/init.d "
			"(looked for smcrouted, mcrouted, mrouted, igmpproxy)");
		free(out);
		return;
	}
	free(out);
	img_fact(c->rep, "router under test: %s, started by %s with %s",
		 img_daemon_name(c->router.daemon), c->router.script,
		 c->router.conf);
	say(c, "router: %s (%s, %s)", img_daemon_name(c->router.daemon),
	    c->router.script, c->router.conf);
	/*
	 * Restart it, now that the NICs have the image's names: it started
	 * at boot when they were still usb0/usb1.  Stop, wait for it to be
	 * gone (its routing socket with it), start.
	 */
	rc = guest(c, 20000, &out,
		   "%s stop 2>&1; n=0; while pidof %s >/dev/null && "
		   "[ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done; %s start "
		   "2>&1",
		   c->router.script, img_daemon_name(c->router.daemon),
		   c->router.script);
	{
		char *pid = NULL, *st = NULL;
		int alive = 1;

		/* up, and still up a moment later (not dying at start) */
		for (int i = 0; i < 2 && alive; i++) {
			free(pid);
			alive = guest(c, 5000, &pid, "sleep 0.5; pidof %s",
				      img_daemon_name(c->router.daemon)) == 0;
		}
		if (alive) {
			if (c->router.daemon == IMG_SMCROUTED)
				guest(c, 5000, &st, "smcroutectl show 2>&1");
			else if (c->router.daemon == IMG_MCROUTED)
				guest(c, 5000, &st, "mcroutectl show 2>&1");
			c->router_up = true;
			img_add(c->rep, "router", IMG_PASS, since(t0),
				"%s running (pid %.*s), restarted by %s\n%s",
				img_daemon_name(c->router.daemon),
				(int)strcspn(pid, " \n"), pid, c->router.script,
				st ? st : "");
		} else {
			img_add(c->rep, "router", IMG_FAIL, since(t0),
				"%s is not running after %s start (exit %d)\n%s",
				img_daemon_name(c->router.daemon),
				c->router.script, rc, out);
		}
		free(pid);
		free(st);
	}
	free(out);
}

static void read_conf(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	char *text = NULL;
	struct conf_error e;

	conf_init(&c->conf);
	if (c->router.daemon != IMG_SMCROUTED &&
	    c->router.daemon != IMG_MCROUTED) {
		if (c->router.daemon)
			img_add(c->rep, "config", IMG_SKIP, 0,
				"%s's config is not modelled: its routes follow "
				"IGMP, not the config",
				img_daemon_name(c->router.daemon));
		return;
	}
	if (qemu_read_file(c->vm, c->router.conf, &text, NULL) < 0) {
		img_add(c->rep, "config", IMG_FAIL, since(t0),
			"%s: cannot be read in the image: %s", c->router.conf,
			strerror(errno));
		return;
	}
	if (conf_parse(&c->conf, c->router.conf, text, strlen(text), NULL, &e) <
	    0) {
		img_add(c->rep, "config", IMG_FAIL, since(t0), "%s", e.msg);
		free(text);
		return;
	}
	c->have_conf = true;
	img_add(c->rep, "config", IMG_PASS, since(t0),
		"%s: %zu mroute, %zu mgroup, %zu phyint lines\n%s",
		c->router.conf, c->conf.n_mroutes, c->conf.n_mgroups,
		c->conf.n_phyints, text);
	free(text);
}

/* ---- mc_forwarding and VIFs ---------------------------------------------- */

/* Every interface the config routes, space-separated into out. */
static void conf_ifs(struct ctx *c, char *out, size_t len)
{
	size_t l = 0;

	out[0] = '\0';
#define ADD(n)                                                               \
	do {                                                                 \
		char w[IFNAMSIZ + 2];                                        \
		snprintf(w, sizeof(w), " %s ", (n));                         \
		if (!strstr(out, w + 1) && (n)[strlen(n) - 1] != '+' &&      \
		    l < len)                                                 \
			l += (size_t)snprintf(out + l, len - l, "%s ", (n)); \
	} while (0)
	for (size_t i = 0; i < c->conf.n_mroutes; i++) {
		const struct conf_mroute *m = &c->conf.mroutes[i];

		if (m->group.addr.family != AF_INET)
			continue;
		ADD(m->ifname);
		for (size_t k = 0; k < m->n_oifs; k++)
			ADD(m->oifs[k]);
	}
	for (size_t i = 0; i < c->conf.n_mgroups; i++)
		if (c->conf.mgroups[i].group.addr.family == AF_INET)
			ADD(c->conf.mgroups[i].ifname);
#undef ADD
}

/* Is ifname one of the router's interfaces in the lab? */
static bool has_if(const struct ctx *c, const char *ifname)
{
	size_t n = strlen(ifname);

	for (const char *p = c->ifs; (p = strstr(p, ifname)); p += n)
		if ((p == c->ifs || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/* Has ifname a VIF?  (false when ip_mr_vif cannot be read either) */
static bool has_vif(struct ctx *c, int fam, const char *ifname);

static int read_vifs(struct ctx *c, int fam, struct mr_vif **v)
{
	char *text = NULL;
	int n;

	*v = NULL;
	if (qemu_read_file(c->vm,
			   fam == AF_INET6 ? "/proc/net/ip6_mr_vif" :
					     "/proc/net/ip_mr_vif",
			   &text, NULL) < 0)
		return -1;
	n = proc_parse_mr_vif(text, fam, v);
	free(text);
	return n;
}

static bool has_vif(struct ctx *c, int fam, const char *ifname)
{
	struct mr_vif *v;
	int n = read_vifs(c, fam, &v);
	bool ok = n > 0 && mr_vif_by_name(v, n, ifname);

	free(v);
	return ok;
}

static bool all_vifs(struct ctx *c, const char *ifs, char *missing, size_t len)
{
	struct mr_vif *v;
	int n = read_vifs(c, AF_INET, &v);
	char buf[256], *save = NULL;
	size_t l = 0;

	missing[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", ifs);
	for (char *w = strtok_r(buf, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		if (n < 0 || !mr_vif_by_name(v, n, w))
			l += (size_t)snprintf(missing + l, len - l, "%s%s",
					      l ? " " : "", w);
	free(v);
	return missing[0] == '\0';
}

static void check_forwarding(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	char ifs[256], missing[256], *out;
	int rc;

	conf_ifs(c, ifs, sizeof(ifs));
	/* the VIFs first: the daemon adds them after its start */
	if (c->router_up && ifs[0]) {
		uint64_t dl = deadline_in(T_ROUTE);

		while (!all_vifs(c, ifs, missing, sizeof(missing)) &&
		       !deadline_passed(dl))
			poll(NULL, 0, 200);
	}
	rc = guest(c, 5000, &out,
		   "cat /proc/sys/net/ipv4/conf/all/mc_forwarding");
	if (rc != 0) {
		img_add(c->rep, "mc_forwarding", IMG_FAIL, since(t0),
			"no /proc/sys/net/ipv4/conf/all/mc_forwarding: the "
			"kernel has no IPv4 multicast routing");
	} else if (atoi(out) != 1) {
		img_add(c->rep, "mc_forwarding", IMG_FAIL, since(t0),
			"all/mc_forwarding is %d: no daemon holds the "
			"kernel's multicast routing socket",
			atoi(out));
	} else {
		char *per;

		char here[256] = "", buf[256], *save = NULL;
		size_t hl = 0;

		/* the routed interfaces the router has (VIFs names the rest) */
		snprintf(buf, sizeof(buf), "%s", ifs);
		for (char *w = strtok_r(buf, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			if (has_if(c, w))
				hl += (size_t)snprintf(
					here + hl, sizeof(here) - hl, "%s ", w);
		guest(c, 5000, &per,
		      "for i in %s; do printf '%%s=%%s ' $i "
		      "$(cat /proc/sys/net/ipv4/conf/$i/mc_forwarding "
		      "2>/dev/null || echo none); done",
		      here[0] ? here : "lo");
		img_add(c->rep, "mc_forwarding",
			strstr(per, "=0") || strstr(per, "=none") ? IMG_FAIL :
								    IMG_PASS,
			since(t0), "all=1 %s", per);
		free(per);
	}
	free(out);

	t0 = mono_ns();
	if (!c->have_conf) {
		img_add(c->rep, "VIFs", IMG_SKIP, 0,
			"no config to derive them");
		return;
	}
	if (all_vifs(c, ifs, missing, sizeof(missing))) {
		char *text = NULL;

		qemu_read_file(c->vm, "/proc/net/ip_mr_vif", &text, NULL);
		img_add(c->rep, "VIFs", IMG_PASS, since(t0),
			"ip_mr_vif has %s\n%s", ifs, text ? text : "");
		free(text);
	} else {
		char *text = NULL;

		qemu_read_file(c->vm, "/proc/net/ip_mr_vif", &text, NULL);
		img_add(c->rep, "VIFs", IMG_FAIL, since(t0),
			"no VIF for %s, which %s routes (the router here has "
			"%s)\n%s",
			missing, c->router.conf, c->ifs, text ? text : "");
		free(text);
	}
}

/* ---- traffic ---------------------------------------------------------------- */

static bool mfc_shows(struct ctx *c, int fam, const char *src, const char *grp,
		      struct mr_mfc *got)
{
	char *text = NULL;
	struct mr_mfc *m = NULL;
	const struct mr_mfc *e;
	bool ok;
	int n;

	if (qemu_read_file(c->vm,
			   fam == AF_INET6 ? "/proc/net/ip6_mr_cache" :
					     "/proc/net/ip_mr_cache",
			   &text, NULL) < 0)
		return false;
	n = proc_parse_mr_mfc(text, fam, &m);
	free(text);
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

	guest(c, 8000, out,
	      "p=$(pidof %s); echo \"%s pid ${p:-none}: $(grep State "
	      "/proc/${p:-0}/status 2>/dev/null)\"; %s 2>&1 | tail -20",
	      d, d,
	      c->router.daemon == IMG_SMCROUTED ? "timeout 3 smcroutectl show" :
	      c->router.daemon == IMG_MCROUTED	? "timeout 3 mcroutectl show" :
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
static void check_route(struct ctx *c, const struct conf_mroute *m)
{
	uint64_t t0 = mono_ns();
	int fam = m->group.addr.family;
	const char *mfc_file = fam == AF_INET6 ? "/proc/net/ip6_mr_cache" :
						 "/proc/net/ip_mr_cache";
	char name[96], grp[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN],
		sif[IFNAMSIZ], gs[64];
	struct node *snd = peer(c, fam, m->ifname, sif, src);
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
	if (m->source.addr.family == fam && !addr_is_any(&m->source.addr)) {
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
	if (!has_vif(c, fam, m->ifname)) {
		img_add(c->rep, name, IMG_FAIL, since(t0),
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
		img_add(c->rep, name, IMG_FAIL, since(t0),
			"%s has no (%s, %s) after %u s of traffic from %s\n%s%s",
			mfc_file + 10, src, grp, T_ROUTE / 1000, m->ifname,
			text ? text : "", ev);
		free(text);
		free(ev);
		return;
	}
	nv = read_vifs(c, fam, &v);
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
		struct node *rcv = peer(c, fam, m->oifs[k], rif, raddr);
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
	img_add(c->rep, name, ok ? IMG_PASS : IMG_FAIL, since(t0),
		"(%s, %s) %s -> %s (%s: iif %d, %d oifs)", src, grp, m->ifname,
		detail, mfc_file + 10, e.iif, e.noifs);
}

/* The TTL sweep across the first route between two interfaces here. */
static void check_sweep(struct ctx *c)
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
		     !addr_is_any(&r->source.addr)))
			continue;
		snd = peer(c, AF_INET, r->ifname, sif, src);
		for (size_t k = 0; snd && k < r->n_oifs && !rcv; k++) {
			rcv = peer(c, AF_INET, r->oifs[k], rif, NULL);
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
	if (!has_vif(c, AF_INET, m->ifname)) {
		img_add(c->rep, "TTL sweep", IMG_FAIL, since(t0),
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
	nv = read_vifs(c, AF_INET, &v);
	if (mfc_shows(c, AF_INET, src, grp, &e) && nv > 0) {
		const struct mr_vif *ov = mr_vif_by_name(v, nv, c->sweep_out);
		int th = ov ? mr_mfc_oif_ttl(&e, ov->vif) : -1;

		if (th > 0)
			c->sweep_threshold = th;
	}
	free(v);
	cp = cap_start(rcv->ns, rif, "udp");
	if (!cp) {
		img_add(c->rep, "TTL sweep", IMG_FAIL, since(t0),
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
	img_add(c->rep, "TTL sweep", ok ? IMG_PASS : IMG_FAIL, since(t0),
		"%s %s -> %s, threshold %d: %s%s", grp, c->sweep_in,
		c->sweep_out, c->sweep_threshold, detail,
		ok ? "" : " (expected: the mangle rules and the threshold)");
}

/* Each TTL rule: the sweep shows its effect where it changes anything. */
static void check_mangle(struct ctx *c)
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
static void check_nat(struct ctx *c)
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
		struct node *rcv = peer(c, AF_INET, c->nat[r].out, rif, raddr),
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
		snd = in[0] ? peer(c, AF_INET, in, sif, saddr) : NULL;
		router_addr(c, c->nat[r].out, me);
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
			since(t0), "%s -> %s: %zu/%d arrived, %zu from %s (%s)",
			saddr, raddr, got, FLOW_N, nat, me, c->nat[r].text);
	}
}

/*
 * What the guest looked like after the checks, for whoever reads a
 * failure: dmesg, its netfilter tables, the multicast routing proc files
 * and the router's own status, in DIR/guest-state.txt.
 */
static void save_state(struct ctx *c, const char *dir)
{
	char path[700], *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/guest-state.txt", dir);
	f = fopen(path, "we");
	if (!f)
		return;
	guest(c, 15000, &out,
	      "for c in 'uname -a' 'cat /proc/cmdline' 'ip -d link' 'ip addr' "
	      "'cat /proc/net/ip_mr_vif' 'cat /proc/net/ip_mr_cache' "
	      "'iptables -S' 'iptables -t mangle -S' 'iptables -t nat -S' "
	      "'%s' 'ps' 'dmesg'; do echo \"== $c\"; $c 2>&1; done",
	      c->router.daemon == IMG_SMCROUTED ? "smcroutectl show" :
	      c->router.daemon == IMG_MCROUTED	? "mcroutectl show" :
						  "true");
	fputs(out, f);
	fclose(f);
	free(out);
	img_fact(c->rep, "the guest's state after the checks: %s", path);
}

/* ---- the run ------------------------------------------------------------------- */

static void rules(struct ctx *c)
{
	char *out;

	if (guest(c, 10000, &out, "iptables -t mangle -S 2>&1") == 0)
		c->nttl = img_parse_mangle(out, c->ttl, 16, &c->ttl_unmodelled);
	free(out);
	if (guest(c, 10000, &out, "iptables -t nat -S 2>/dev/null") == 0)
		c->nnat = img_parse_nat(out, c->nat, 8);
	free(out);
	img_fact(c->rep, "netfilter: %d TTL rule(s)%s, %d source NAT rule(s)",
		 c->nttl, c->ttl_unmodelled ? " (more not modelled)" : "",
		 c->nnat);
}

int img_check(const struct img_check_opts *o, struct img_report *rep, char *dir,
	      size_t dirlen)
{
	struct ctx c = { .o = o, .rep = rep };
	char err[8192], md5a[40], md5b[40];
	struct qemu_opts q = {
		.profile = QEMU_RASPI3B,
		.image = o->image,
		.board = o->board,
		.dtb = o->dtb,
		.login_prompt = "login:",
		.timeout_ms = o->boot_timeout_ms ? o->boot_timeout_ms : 120000,
	};
	uint64_t t0 = mono_ns(), tb;
	int rc;

	memset(rep, 0, sizeof(*rep));
	snprintf(rep->image, sizeof(rep->image), "%s", o->image);
	md5_file(o->image, md5a, sizeof(md5a));
	if (!md5a[0]) {
		snprintf(dir, dirlen, "%s", mclab_results_dir());
		img_add(rep, "image", IMG_FAIL, 0, "%s cannot be read",
			o->image);
		return 2;
	}
	say(&c, "lab %s", o->topo ? o->topo : "pi-router");
	c.lab = lab_up_file(o->topo ? o->topo : "pi-router", err, sizeof(err));
	if (!c.lab) {
		snprintf(dir, dirlen, "%s", mclab_results_dir());
		img_add(rep, "lab", IMG_FAIL, 0, "%s", err);
		return 2;
	}
	snprintf(dir, dirlen, "%s", c.lab->results);
	q.lab = c.lab;
	q.node = o->node;
	c.rtr = o->node ? lab_node(c.lab, o->node) : lab_router(c.lab);
	if (!c.rtr) {
		img_add(rep, "lab", IMG_FAIL, 0, "no router node in the lab");
		lab_down(c.lab);
		return 2;
	}
	{
		const struct topo_if *ifs[8];
		int n = topo_node_ifs(c.lab->topo, c.rtr->index, ifs, 8);
		size_t l = 0;

		for (int i = 0; i < n && i < 8; i++)
			l += (size_t)snprintf(c.ifs + l, sizeof(c.ifs) - l,
					      "%s%s", i ? " " : "",
					      ifs[i]->ifname);
	}

	/* boot, log in, wire */
	say(&c, "booting %s", o->image);
	tb = mono_ns();
	c.vm = qemu_boot(&q, err, sizeof(err));
	if (!c.vm) {
		img_add(rep, "boot", IMG_FAIL, since(tb), "%s", err);
		goto out;
	}
	img_fact(rep, "board: %s (qemu %s -M %s)", c.vm->board_why,
		 c.vm->qemu_bin, c.vm->machine);
	if (c.vm->agent >= 0)
		img_fact(rep, "the image carries mcast-lab's agent: it is "
			      "driven through it, not its console");
	else if (qemu_login(c.vm, o->user ? o->user : "root",
			    o->password ? o->password : "", 30000, err,
			    sizeof(err)) < 0) {
		img_add(rep, "boot", IMG_FAIL, since(tb),
			"login prompt after %.1f s, but no shell: %s",
			(double)c.vm->boot_ns / 1e9, err);
		goto out;
	}
	{
		char *un;

		guest(&c, 5000, &un, "uname -rm");
		un[strcspn(un, "\n")] = '\0';
		img_add(rep, "boot", IMG_PASS, since(tb),
			"login prompt after %.1f s, shell after %.1f s; "
			"kernel %s",
			(double)c.vm->boot_ns / 1e9, since(tb), un);
		free(un);
	}
	if (qemu_rename_nics(c.vm, 10000, err, sizeof(err)) < 0 ||
	    qemu_configure(c.vm, err, sizeof(err)) < 0) {
		img_add(rep, "network", IMG_FAIL, 0, "%s", err);
		goto out;
	}
	img_fact(rep,
		 "NICs: %s, renamed by MAC from the kernel's names "
		 "(the Wi-Fi chip and the USB gadget are modelled as "
		 "USB NICs)",
		 c.ifs);

	find_router(&c);
	check_kernel(&c);
	if (c.router.daemon)
		read_conf(&c);
	rules(&c);
	check_forwarding(&c);
	check_sweep(&c);
	for (size_t i = 0; c.have_conf && i < c.conf.n_mroutes; i++)
		check_route(&c, &c.conf.mroutes[i]);
	check_mangle(&c);
	check_nat(&c);
	save_state(&c, dir);
out:
	if (c.vm)
		qemu_halt(c.vm);
	conf_free(&c.conf);
	lab_down(c.lab);
	md5_file(o->image, md5b, sizeof(md5b));
	img_add(rep, "image unchanged",
		strcmp(md5a, md5b) ? IMG_FAIL : IMG_PASS, 0,
		"md5 %s before, %s after", md5a, md5b[0] ? md5b : "none");
	rep->total_secs = since(t0);
	rc = img_failures(rep) ? 1 : 0;
	if (img_write(rep, dir) < 0)
		fprintf(stderr,
			"mclab check: cannot write the report in %s: %s\n", dir,
			strerror(errno));
	return rc;
}
