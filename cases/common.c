// SPDX-License-Identifier: MIT
/*
 * The integration suites' shared fixture and helpers.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>

#include "common.h"
#include "preflight.h"
#include "target.h"

/* True, with the reason in why, when this kernel cannot run the lab. */
static bool host_kernel_lacks(char *why, size_t len)
{
	struct pf_report r;
	char miss[512];

	if (!preflight_running(geteuid() != 0, &r))
		return false;
	snprintf(
		why, len,
		"this kernel lacks %s (%s): run the suites through ci/run-tests "
		"(make check-cases), which takes them into the lab's VM",
		preflight_missing_str(&r, miss, sizeof(miss)), r.from);
	return true;
}

void fx_up(struct fx *f, const char *topo, unsigned int features,
	   const char *conf)
{
	char err[1024], bin[512];
	const char *why;
	int kind, target;
	struct node *rtr;

	memset(f, 0, sizeof(*f));
	kind = router_kind_from_env();
	if (kind < 0) {
		snprintf(f->skip, sizeof(f->skip),
			 "ROUTER=%s is not mcrouted, smcroute or igmpproxy",
			 getenv("ROUTER"));
		return;
	}
	f->kind = (enum router_kind)kind;
	if (geteuid() != 0) {
		snprintf(f->skip, sizeof(f->skip),
			 "needs root (or the user-namespace re-entry)");
		return;
	}
	why = router_available(f->kind, bin, sizeof(bin));
	if (why) {
		snprintf(f->skip, sizeof(f->skip), "%s", why);
		return;
	}
	why = router_skip_reason(f->kind, features);
	if (why) {
		snprintf(f->skip, sizeof(f->skip), "%s", why);
		return;
	}
	/* TARGET=qemu-virt|qemu-raspi3b: the emulated Pi is the router */
	target = target_kind_from_env();
	why = target < 0 ? "TARGET is not netns, qemu-virt or qemu-raspi3b" :
			   target_available((enum target_kind)target);
	if (why) {
		snprintf(f->skip, sizeof(f->skip), "%s", why);
		return;
	}
	/* A router node in a namespace of this host needs this kernel to
	 * route multicast.  ci/run-tests takes such a host's runs into the
	 * lab's VM, so this is reached with MCLAB_VM=never (or a suite run
	 * by hand): a failure, with the reason. */
	if (target == TARGET_NETNS &&
	    host_kernel_lacks(f->fail, sizeof(f->fail))) {
		/* the suites' set-ups stop at a skip reason */
		snprintf(f->skip, sizeof(f->skip), "%s", f->fail);
		return;
	}
	lab_sweep(false);
	f->lab = lab_up_file(topo, err, sizeof(err));
	if (!f->lab) {
		snprintf(f->skip, sizeof(f->skip), "cannot build %s: %s", topo,
			 err);
		return;
	}
	if (target_lab_up(f->lab, (enum target_kind)target, err, sizeof(err)) <
	    0) {
		snprintf(f->skip, sizeof(f->skip), "%s did not boot: %.1000s",
			 target_kind_name((enum target_kind)target), err);
		lab_down(f->lab);
		f->lab = NULL;
		return;
	}
	INFO("%s up in %.1f ms, router %s\n", topo, f->lab->up_ns / 1e6,
	     router_kind_name(f->kind));
	rtr = lab_router(f->lab);
	if (!conf)
		return;
	if (router_start(&f->r, f->kind, rtr, conf, NULL, T_READY, err,
			 sizeof(err))) {
		/*
		 * The router failing to start is a failure, not a skip, and
		 * not a pass either: every case of the group fails with the
		 * reason and the log's tail (a negative case such as "TTL 1
		 * is not routed" would pass without any router at all).
		 */
		print_message("# router_start: %s\n", err);
		f->router_up = false;
		snprintf(f->fail, sizeof(f->fail), "%s did not start: %.1100s",
			 router_kind_name(f->kind), err);
		snprintf(f->skip, sizeof(f->skip), "%s", f->fail);
		return;
	}
	f->router_up = true;
}

bool fx_needs(struct fx *f, unsigned int caps, const char *why)
{
	int t = target_kind_from_env();
	char buf[300];
	const char *cannot;

	memset(f, 0, sizeof(*f));
	if (t < 0)
		return false; /* fx_up says why */
	cannot = node_ops_cannot(target_ops((enum target_kind)t), caps, buf,
				 sizeof(buf));
	if (!cannot)
		return false;
	snprintf(f->skip, sizeof(f->skip), "TARGET=%s: %s: %s",
		 target_kind_name((enum target_kind)t), why, cannot);
	return true;
}

/*
 * Stop the router and check how it ended: mcrouted exits 0 on SIGTERM, and
 * its log holds no sanitizer report (with SANITIZE=1 the daemon is built
 * with ASan/UBSan, whose reports would otherwise go unread).
 */
static void router_stop_checked(struct fx *f)
{
	int code = router_stop(&f->r, 3000);
	char *log = NULL;

	/* the log as the router's node reads it (a guest's own file) */
	if (router_log(&f->r, &log) < 0)
		log = NULL;
	f->router_up = false;
	if (f->kind != ROUTER_MCROUTED) {
		free(log);
		return;
	}
	if (log &&
	    (strstr(log, "Sanitizer") || strstr(log, "runtime error:"))) {
		print_message("# sanitizer report in %s\n", f->r.log);
		free(log);
		fail_msg("mcrouted: sanitizer report, see %s", f->r.log);
	}
	free(log);
	if (code != 0)
		fail_msg("mcrouted exited with %d on SIGTERM, see %s", code,
			 f->r.log);
}

void fx_down(struct fx *f)
{
	if (f->router_up)
		router_stop_checked(f);
	target_lab_down(f->lab);
	lab_down(f->lab);
	f->lab = NULL;
}

int fx_teardown(void **state)
{
	fx_down(*state);
	return 0;
}

struct node *fx_node(struct fx *f, const char *name)
{
	struct node *n = lab_node(f->lab, name);

	if (!n)
		fail_msg("no node %s in the topology", name);
	return n;
}

const char *fx_ns(struct fx *f, const char *name)
{
	return fx_node(f, name)->ns;
}

void fx_restart(struct fx *f, const char *conf, const char *const *extra)
{
	char err[1024];

	if (f->router_up)
		router_stop_checked(f);
	if (router_start(&f->r, f->kind, lab_router(f->lab), conf, extra,
			 T_READY, err, sizeof(err)))
		fail_msg("router_start: %s", err);
	f->router_up = true;
}

struct mfc_want {
	struct fx *f;
	const char *src, *grp;
};

static bool has_mfc(void *arg)
{
	struct mfc_want *w = arg;
	int family = strchr(w->grp, ':') ? AF_INET6 : AF_INET;
	struct mr_mfc *m = NULL;
	int n = proc_read_mr_mfc(w->f->r.node, family, &m);
	bool found = n > 0 && mr_mfc_find_str(m, n, w->src, w->grp) != NULL;

	free(m);
	return found;
}

bool wait_mfc(struct fx *f, const char *src, const char *grp,
	      unsigned int timeout_ms)
{
	struct mfc_want w = { f, src, grp };

	return wait_until(has_mfc, &w, timeout_ms, 5);
}

struct vif_want {
	struct fx *f;
	int family;
	const char *ifname;
};

static bool has_vif(void *arg)
{
	struct vif_want *w = arg;
	struct mr_vif *v = NULL;
	int n = proc_read_mr_vif(w->f->r.node, w->family, &v);
	bool found = n > 0 && mr_vif_by_name(v, n, w->ifname) != NULL;

	free(v);
	return found;
}

bool wait_vif(struct fx *f, int family, const char *ifname,
	      unsigned int timeout_ms)
{
	struct vif_want w = { f, family, ifname };

	return wait_until(has_vif, &w, timeout_ms, 5);
}

unsigned long send_udp(struct fx *f, const char *node, const char *ifname,
		       const char *src, const char *group, int ttl,
		       unsigned long count, uint32_t stream)
{
	return send_udp_pps(f, node, ifname, src, group, ttl, count, stream,
			    1000);
}

unsigned long send_udp_pps(struct fx *f, const char *node, const char *ifname,
			   const char *src, const char *group, int ttl,
			   unsigned long count, uint32_t stream,
			   unsigned int pps)
{
	struct udp_tx_stats st;
	struct udp_tx_opts o = {
		.netns = fx_ns(f, node),
		.ifname = ifname,
		.src = src,
		.group = group,
		.sport = CASE_SPORT,
		.dport = CASE_PORT,
		.ttl = ttl,
		.count = count,
		.pps = pps,
		.stream = stream,
	};
	int rc = udp_send(&o, &st);

	if (rc)
		fail_msg("udp_send %s -> %s: %s", src, group, strerror(-rc));
	return st.sent;
}

bool expect_exact(struct cap *c, const struct pkt_match *m, size_t n,
		  const char *what)
{
	if (n)
		cap_wait(c, m, n, T_FLOW);
	/* Give extras (duplicates, leaks) their chance to show up. */
	cap_wait(c, m, n + 1, T_SILENCE);
	return cap_expect(c, m, n, what);
}

bool fx_start(struct fx *f, const char *conf)
{
	char err[1024];

	if (f->router_up)
		router_stop(&f->r, 3000);
	f->router_up = false;
	if (router_start(&f->r, f->kind, lab_router(f->lab), conf, NULL,
			 T_READY, err, sizeof(err))) {
		print_message("# router_start: %s\n", err);
		/* what the group's later cases meet too: a failure */
		snprintf(f->fail, sizeof(f->fail), "%s did not start: %.1100s",
			 router_kind_name(f->kind), err);
		snprintf(f->skip, sizeof(f->skip), "%s", f->fail);
		return false;
	}
	f->router_up = true;
	return true;
}

int fx_write_conf(struct fx *f, const char *conf)
{
	return router_write_conf(&f->r, conf);
}

/* A resolved entry for (src, grp): unresolved ones (packets queued for an
 * upcall nobody answered) are listed in ip_mr_cache too. */
static const struct mr_mfc *resolved(const struct mr_mfc *m, int n,
				     const char *src, const char *grp)
{
	int family = strchr(grp, ':') ? AF_INET6 : AF_INET;
	union pkt_ip s, g;
	int fs, fg;

	if (pkt_pton(src, &fs, &s) < 0 || pkt_pton(grp, &fg, &g) < 0)
		return NULL;
	for (int i = 0; i < n; i++) {
		const struct mr_mfc *e = &m[i];

		if (e->family != family || e->unresolved ||
		    memcmp(&e->origin, &s, family == AF_INET ? 4 : 16) ||
		    memcmp(&e->group, &g, family == AF_INET ? 4 : 16))
			continue;
		return e;
	}
	return NULL;
}

struct route_want {
	struct fx *f;
	const char *src, *grp;
	bool present;
};

static bool route_state(void *arg)
{
	struct route_want *w = arg;
	int family = strchr(w->grp, ':') ? AF_INET6 : AF_INET;
	struct mr_mfc *m = NULL;
	int n = proc_read_mr_mfc(w->f->r.node, family, &m);
	bool found = n > 0 && resolved(m, n, w->src, w->grp) != NULL;

	free(m);
	return n >= 0 && found == w->present;
}

bool wait_route(struct fx *f, const char *src, const char *grp, bool present,
		unsigned int timeout_ms)
{
	struct route_want w = { f, src, grp, present };

	return wait_until(route_state, &w, timeout_ms, 2);
}

long long mfc_pkts(struct fx *f, const char *src, const char *grp)
{
	int family = strchr(grp, ':') ? AF_INET6 : AF_INET;
	struct mr_mfc *m = NULL;
	int n = proc_read_mr_mfc(f->r.node, family, &m);
	const struct mr_mfc *e = n > 0 ? resolved(m, n, src, grp) : NULL;
	long long pkts = e ? (long long)e->pkts : -1;

	free(m);
	return pkts;
}

struct igmp_want {
	struct node *n;
	const char *dev, *group;
	bool present;
};

static bool igmp_state(void *arg)
{
	struct igmp_want *w = arg;
	int family = strchr(w->group, ':') ? AF_INET6 : AF_INET;
	struct igmp_group *g = NULL;
	int n = proc_read_igmp(w->n, family, &g);
	bool found = n > 0 && igmp_find(g, n, w->dev, w->group) != NULL;

	free(g);
	return n >= 0 && found == w->present;
}

bool wait_igmp(struct node *n, const char *dev, const char *group, bool present,
	       unsigned int timeout_ms)
{
	struct igmp_want w = { n, dev, group, present };

	return wait_until(igmp_state, &w, timeout_ms, 5);
}

void node_must(struct node *n, const char *fmt, ...)
{
	struct node_result res;
	char *cmd = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (rc < 0)
		fail_msg("out of memory");
	rc = node_sh(n, 5000, &res, "%s", cmd);
	if (rc < 0)
		fail_msg("%s: cannot run: %s", cmd, strerror(errno));
	if (res.exit_code != 0) {
		print_message("# %s: exit %d\n# %s%s", cmd, res.exit_code,
			      res.out, res.err);
		node_result_free(&res);
		free(cmd);
		fail_msg("command failed in %s", n->name);
	}
	node_result_free(&res);
	free(cmd);
}

struct stream_count {
	struct rx *rx;
	uint32_t stream;
	unsigned long n;
};

static bool have_count(void *arg)
{
	struct stream_count *c = arg;
	struct rx_stats st;

	rx_get_stats(c->rx, c->stream, 0, &st);
	return st.matched >= c->n;
}

bool wait_stream(struct rx *rx, uint32_t stream, unsigned long n,
		 unsigned int timeout_ms)
{
	struct stream_count c = { rx, stream, n };

	return wait_until(have_count, &c, timeout_ms, 2);
}
