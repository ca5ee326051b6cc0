// SPDX-License-Identifier: MIT
/*
 * IGMP/MLD-driven forwarding (the IGMP issue), in real namespaces.
 *
 * Proxy mode on the Pi with LANs (pi-router-lan: wlan0 upstream, usb0
 * downstream): a join starts forwarding and the proxy's report shows on
 * wlan0; a leave stops it within the last-member-query time; IGMPv2 and
 * MLDv1 hosts; IGMPv3/MLDv2 INCLUDE and EXCLUDE source filters; a silent
 * receiver expiring after the group membership interval; malformed
 * packets counted while forwarding goes on.  Fast-leave on pi-router.
 * Router mode (mrouted-like) on pi-router.  Querier election between two
 * routers on one LAN (igmp-lan).
 *
 * Timers are short (query interval 2 s, response 1 s, last member query
 * interval 0.2 s x 2) so that the suite is quick.  ROUTER=igmpproxy runs
 * the IGMPv2 proxy cases (its config translated by the harness, with
 * quickleave) and reports its join and leave times next to ours; what it
 * cannot do (IPv6, source filters, timers, a control socket) is skipped
 * with the reason.
 *
 * One binary, four groups, a file each: igmp_proxy.c, igmp_fast_leave.c,
 * igmp_router_mode.c and igmp_election.c; here main() and what they
 * share (igmp.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <netinet/in.h>

#include "igmp.h"

/* igmpproxy: the harness makes "from" upstream and "to" downstream */
static const char conf_igmpproxy[] =
	"mroute from wlan0 group 239.0.0.0/8 to usb0\n";

/* What the suite needs: IGMP-driven forwarding (smcroute skips). */
static unsigned int need(int kind)
{
	(void)kind;
	return RF_IGMP_PROXY;
}

uint64_t rt_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool is_mcrouted(const struct fx *f)
{
	return f->kind == ROUTER_MCROUTED;
}

/* ---- fixtures ---------------------------------------------------------- */

/*
 * The set-up of a proxy group (f its fixture): topo, with conf for us and
 * for smcroute, igmpproxy's own config when it runs.
 */
int setup_proxied(void **state, struct fx *f, const char *topo,
		  const char *conf)
{
	int kind = router_kind_from_env();

	fx_up(f, topo, need(kind),
	      kind == ROUTER_IGMPPROXY ? conf_igmpproxy : conf);
	*state = f;
	return 0;
}

int setup_mcrouted_only(void **state, const char *topo, const char *conf,
			const char *why)
{
	static struct fx f[2];
	static int k;
	struct fx *x = &f[k++ % 2];
	int kind = router_kind_from_env();

	if (kind != ROUTER_MCROUTED) {
		memset(x, 0, sizeof(*x));
		snprintf(x->skip, sizeof(x->skip), "%s %s",
			 kind < 0 ? "?" :
				    router_kind_name((enum router_kind)kind),
			 why);
		*state = x;
		return 0;
	}
	fx_up(x, topo, need(kind), conf);
	*state = x;
	return 0;
}

/* ---- traffic helpers ---------------------------------------------------- */

static bool sent_some(void *arg)
{
	return udp_tx_sent(arg) >= 20;
}

struct udp_tx *flow(struct fx *f, const char *node, const char *src,
		    const char *grp, uint32_t stream)
{
	struct udp_tx_opts o = {
		.netns = fx_ns(f, node),
		.ifname = "eth0",
		.src = src,
		.group = grp,
		.sport = CASE_SPORT,
		.dport = CASE_PORT,
		.ttl = 8,
		.pps = 1000,
		.stream = stream,
	};
	struct udp_tx *tx = udp_tx_start(&o);

	if (!tx)
		fail_msg("udp_tx_start %s -> %s: %s", src, grp,
			 strerror(errno));
	/* the flow reaches the router (and, for us, its upcall) */
	if (!wait_until(sent_some, tx, T_FLOW, 2))
		fail_msg("sender stalled");
	return tx;
}

struct rx *join(struct fx *f, const char *node, const char *grp,
		const char *src)
{
	struct rx_opts o = { .netns = fx_ns(f, node),
			     .ifname = "eth0",
			     .group = grp,
			     .source = src,
			     .port = CASE_PORT };
	struct rx *rx = rx_start(&o);

	if (!rx)
		fail_msg("rx_start %s: %s", grp, strerror(errno));
	return rx;
}

/* ms from t0 (CLOCK_MONOTONIC) to the first datagram, -1 when none. */
double first_ms(struct rx *rx, uint64_t t0, unsigned int timeout)
{
	struct rx_dgram *d;
	size_t n = 0;
	double ms;

	if (!rx_wait_count(rx, 1, timeout))
		return -1;
	d = rx_dgrams(rx, &n);
	ms = n ? (double)(int64_t)(d[0].t_ns - t0) / 1e6 : -1;
	free(d);
	return ms;
}

struct quiet {
	struct cap *c;
	const struct pkt_match *m;
	size_t last;
	uint64_t since;
	unsigned int quiet_ms;
};

static bool is_quiet(void *arg)
{
	struct quiet *q = arg;
	size_t n = cap_count(q->c, q->m);
	uint64_t now = mono_ns();

	if (n != q->last || !q->since) {
		q->last = n;
		q->since = now;
		return false;
	}
	return now - q->since >= (uint64_t)q->quiet_ms * 1000000ull;
}

/*
 * After the event at t_rt (CLOCK_REALTIME), wait until the capture of grp
 * has been quiet for quiet_ms (up to timeout_ms) and return the ms from
 * t_rt to the last packet of grp (0 if none after t_rt), -1 if it never
 * went quiet.
 */
double stop_ms(struct cap *c, const char *grp, uint64_t t_rt,
	       unsigned int timeout_ms)
{
	struct pkt_match m = { .dst = grp, .proto = IPPROTO_UDP };
	struct quiet q = { c, &m, 0, 0, 400 };
	const struct pkt_rec *r;
	uint64_t last = t_rt;
	size_t n;

	if (!wait_until(is_quiet, &q, timeout_ms, 5))
		return -1;
	cap_stop(c);
	r = cap_records(c, &n);
	for (size_t i = 0; i < n; i++)
		if (pkt_matches(&r[i], &m) && r[i].ts_ns > last)
			last = r[i].ts_ns;
	return (double)(last - t_rt) / 1e6;
}

/*
 * On the receiver's wire (a stopped capture of everything): ms from the
 * receiver's first report naming grp to the first datagram of grp after
 * it, the router's own share of the join latency.  -1 when not seen.
 */
static double report_to_first(struct cap *c, const char *grp, double *age,
			      size_t *stale)
{
	struct pkt_match rep = { .gm_group = grp };
	struct pkt_match dat = { .dst = grp, .proto = IPPROTO_UDP };
	const struct pkt_rec *r;
	uint64_t t_rep = 0;
	double first = -1;
	size_t n;

	*age = -1;
	*stale = 0;
	rep.gm_kind = strchr(grp, ':') ? PKT_GM_MLD : PKT_GM_IGMP;
	r = cap_records(c, &n);
	for (size_t i = 0; i < n; i++) {
		if (!t_rep && pkt_matches(&r[i], &rep)) {
			t_rep = r[i].ts_ns;
			continue;
		}
		if (!t_rep || !pkt_matches(&r[i], &dat))
			continue;
		/* sent before the join was known: queued in the router */
		if (r[i].mc_ts_ns && r[i].mc_ts_ns < t_rep)
			(*stale)++;
		if (first < 0) {
			first = (double)(r[i].ts_ns - t_rep) / 1e6;
			if (r[i].mc_ts_ns)
				*age = (double)(int64_t)(r[i].ts_ns -
							 r[i].mc_ts_ns) /
				       1e6;
		}
	}
	return first;
}

/* The same for the leave at t_rt: its message -> the last datagram. */
static double leave_to_last(struct cap *c, const char *grp, uint64_t t_rt)
{
	struct pkt_match rep = { .gm_group = grp };
	struct pkt_match dat = { .dst = grp, .proto = IPPROTO_UDP };
	const struct pkt_rec *r;
	uint64_t t_leave = 0, last = 0;
	size_t n;

	rep.gm_kind = strchr(grp, ':') ? PKT_GM_MLD : PKT_GM_IGMP;
	r = cap_records(c, &n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].ts_ns < t_rt)
			continue;
		if (!t_leave && pkt_matches(&r[i], &rep))
			t_leave = r[i].ts_ns;
		if (pkt_matches(&r[i], &dat))
			last = r[i].ts_ns;
	}
	if (!t_leave)
		return -1;
	return last > t_leave ? (double)(last - t_leave) / 1e6 : 0;
}

/* Datagrams from src to grp seen in c. */
size_t seen(struct cap *c, const char *src, const char *grp)
{
	return cap_count(c, &(struct pkt_match){ .src = src,
						 .dst = grp,
						 .proto = IPPROTO_UDP });
}

char *ctl_json(struct fx *f, struct router *r, const char *what)
{
	static char out[65536];

	(void)f;
	if (router_ctl(r, out, sizeof(out), "-j show %s", what) != 0)
		return NULL;
	return out;
}

/* A number from mcroutectl -j show stats, -1 when absent. */
long long stat_of(struct fx *f, const char *name)
{
	char key[96];
	const char *j = ctl_json(f, &f->r, "stats"), *p;

	if (!j)
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(j, key);
	return p ? atoll(p + strlen(key)) : -1;
}

/*
 * The join/leave cycle every proxy case shares: a flow from snd, a join
 * on rcv; forwarding must start (join->first packet measured), and stop
 * after the leave within stop_bound ms (leave->last packet measured).
 */
void cycle(struct fx *f, const char *snd, const char *src, const char *rcv,
	   const char *grp, const char *ssm_src, double stop_bound,
	   const char *what)
{
	struct udp_tx *tx = flow(f, snd, src, grp, 1);
	struct cap *c = cap_start(fx_ns(f, rcv), "eth0", NULL);
	uint64_t t0, tl;
	double j, s, r, l, age;
	size_t stale;
	struct rx *rx;

	assert_non_null(c);
	t0 = mono_ns();
	rx = join(f, rcv, grp, ssm_src);
	j = first_ms(rx, t0, T_FLOW);
	tl = rt_ns();
	rx_leave(rx, grp, ssm_src);
	s = stop_ms(c, grp, tl, is_mcrouted(f) ? 20000 : 60000);
	r = report_to_first(c, grp, &age, &stale);
	l = leave_to_last(c, grp, tl);
	udp_tx_stop(tx, NULL);
	INFO("%s %s: join->first packet %.1f ms, leave->stop %.1f ms; on the "
	     "wire: report->first %.2f ms (sent %.1f ms before; %zu sent "
	     "before the report), leave->last %.2f ms\n",
	     router_kind_name(f->kind), what, j, s, r, age, stale, l);
	rx_free(rx);
	cap_free(c);
	assert_true(j >= 0);
	assert_true(s >= 0);
	assert_true(s <= stop_bound);
}

/*
 * How long leave->stop may take: ours within the last member query time.
 * igmpproxy's timers are its own (not configurable); it is known to take
 * 17-30 s here, so only "it stops" is asserted and the time reported.
 */
double stop_bound(const struct fx *f)
{
	return is_mcrouted(f) ? LMQT_MS + SLACK_MS : 60000;
}

bool table_narrow(const char *out)
{
	for (const char *l = out, *e; *l; l = e + 1) {
		e = strchrnul(l, '\n');
		if (e - l > 80)
			return false;
		if (!*e)
			break;
	}
	return true;
}

int main(void)
{
	int rc = 0;

	rc |= igmp_run_proxy();
	rc |= igmp_run_fast_leave();
	rc |= igmp_run_router_mode();
	rc |= igmp_run_election();
	return rc;
}
