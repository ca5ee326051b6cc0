// SPDX-License-Identifier: MIT
/*
 * cases/igmp, group igmp_proxy: proxy mode on the Pi with LANs
 * (pi-router-lan: wlan0 upstream, usb0 downstream).  Joins and leaves of
 * IGMPv1/v2/v3 and MLDv1/v2 hosts, INCLUDE and EXCLUDE filters, a silent
 * receiver, malformed packets (crafted with gmcraft.h), group-and-source
 * queries from upstream, show groups, an unwanted flow's cost.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "gmcraft.h"
#include "igmp.h"

static const char conf_proxy[] = "phyint wlan0 upstream\n"
				 "phyint usb0 downstream\n" TIMERS;

static int setup_proxy(void **state)
{
	static struct fx f;

	return setup_proxied(state, &f, "pi-router-lan", conf_proxy);
}

/* ---- proxy mode --------------------------------------------------------- */

static void test_join_report_upstream(void **state)
{
	struct fx *f = *state;
	struct cap *up;
	struct udp_tx *tx;
	struct rx *rx;
	uint64_t t0;
	double j;
	bool rep;

	FX_CHECK(f);
	assert_true(f->router_up);
	up = cap_start(fx_ns(f, "snd1"), "eth0", "igmp");
	assert_non_null(up);
	tx = flow(f, "snd1", "192.0.2.11", "239.1.2.1", 1);
	t0 = mono_ns();
	rx = join(f, "rcv1", "239.1.2.1", NULL);
	j = first_ms(rx, t0, T_FLOW);
	/*
	 * Ours: robustness 2, the report and one retransmission within 1 s.
	 * igmpproxy is only asked for one (its count is reported).
	 */
	rep = cap_wait(up,
		       &(struct pkt_match){ .gm_kind = PKT_GM_IGMP,
					    .gm_group = "239.1.2.1",
					    .src = "192.0.2.1" },
		       is_mcrouted(f) ? 2 : 1, T_FLOW);
	INFO("%s: join->first packet %.1f ms; upstream reports on wlan0: "
	     "%zu\n",
	     router_kind_name(f->kind), j,
	     cap_count(up, &(struct pkt_match){ .gm_kind = PKT_GM_IGMP,
						.gm_group = "239.1.2.1",
						.src = "192.0.2.1" }));
	if (!rep)
		cap_report(up, "upstream-report");
	udp_tx_stop(tx, NULL);
	rx_free(rx);
	cap_free(up);
	assert_true(j >= 0);
	assert_true(rep);
}

static void test_leave_stops(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	assert_true(f->router_up);
	cycle(f, "snd1", "192.0.2.11", "rcv1", "239.1.2.2", NULL, stop_bound(f),
	      "IGMPv3 host");
}

/* Two receivers: the first one's leave must not stop the second. */
static void test_two_receivers(void **state)
{
	struct fx *f = *state;
	struct udp_tx *tx;
	struct rx *a, *b;
	unsigned long n;

	FX_CHECK(f);
	tx = flow(f, "snd1", "192.0.2.11", "239.1.2.3", 1);
	a = join(f, "rcv1", "239.1.2.3", NULL);
	b = join(f, "rcv2", "239.1.2.3", NULL);
	assert_true(rx_wait_count(a, 1, T_FLOW));
	assert_true(rx_wait_count(b, 1, T_FLOW));
	rx_leave(a, "239.1.2.3", NULL);
	/* well past the last member query time, b still gets the flow */
	n = rx_count(b);
	assert_true(rx_wait_count(b, n + 200, LMQT_MS + 2000));
	udp_tx_stop(tx, NULL);
	rx_free(a);
	rx_free(b);
}

static void force_version(struct fx *f, const char *node, bool v6, int ver)
{
	node_must(fx_node(f, node), "sysctl -qw net.%s.conf.eth0.force_%s=%d",
		  v6 ? "ipv6" : "ipv4", v6 ? "mld_version" : "igmp_version",
		  ver);
}

static void test_v2_host(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	force_version(f, "rcv1", false, 2);
	cycle(f, "snd1", "192.0.2.11", "rcv1", "239.1.2.4", NULL, stop_bound(f),
	      "IGMPv2 host");
	force_version(f, "rcv1", false, 0);
}

/* An IGMPv1 host: no leave, so its membership runs out after the GMI. */
static void test_v1_host(void **state)
{
	struct fx *f = *state;
	struct udp_tx *tx;
	struct cap *c;
	struct rx *rx;
	char out[65536];
	uint64_t tl;
	double s;

	FX_CHECK(f);
	NEED_MCROUTED(f, "cannot shorten its timers (a v1 member stays 260 s "
			 "after its last report)");
	force_version(f, "rcv2", false, 1);
	tx = flow(f, "snd1", "192.0.2.11", "239.1.2.9", 1);
	rx = join(f, "rcv2", "239.1.2.9", NULL);
	assert_true(rx_wait_count(rx, 1, T_FLOW));
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "-j show groups"),
			 0);
	assert_non_null(strstr(out, "{\"group\":\"239.1.2.9\",\"mode\":"
				    "\"exclude\",\"version\":1"));
	c = cap_start(fx_ns(f, "rcv2"), "eth0", "udp");
	tl = rt_ns();
	rx_leave(rx, "239.1.2.9", NULL);
	s = stop_ms(c, "239.1.2.9", tl, GMI_MS + 5000);
	INFO("IGMPv1 host: forwarding stopped %.1f ms after it left (no "
	     "leave in v1; GMI %d ms)\n",
	     s, GMI_MS);
	force_version(f, "rcv2", false, 0);
	udp_tx_stop(tx, NULL);
	rx_free(rx);
	cap_free(c);
	assert_true(s >= 1000 && s <= GMI_MS + SLACK_MS);
}

static void test_v3_include(void **state)
{
	struct fx *f = *state;
	struct udp_tx *t1, *t2;
	struct cap *c;
	struct rx *rx;

	FX_CHECK(f);
	NEED_MCROUTED(f, "has no IGMPv3 source filtering (it proxies "
			 "IGMPv2)");
	c = cap_start(fx_ns(f, "rcv1"), "eth0", "udp");
	t1 = flow(f, "snd1", "192.0.2.11", "232.1.2.5", 1);
	t2 = flow(f, "snd2", "192.0.2.12", "232.1.2.5", 2);
	rx = join(f, "rcv1", "232.1.2.5", "192.0.2.11");
	assert_true(cap_wait(c,
			     &(struct pkt_match){ .src = "192.0.2.11",
						  .dst = "232.1.2.5" },
			     50, T_FLOW));
	INFO("INCLUDE {192.0.2.11}: %zu from it, %zu from 192.0.2.12 on "
	     "usb0's LAN\n",
	     seen(c, "192.0.2.11", "232.1.2.5"),
	     seen(c, "192.0.2.12", "232.1.2.5"));
	assert_int_equal(seen(c, "192.0.2.12", "232.1.2.5"), 0);
	cycle(f, "snd1", "192.0.2.11", "rcv2", "232.1.2.6", "192.0.2.11",
	      stop_bound(f), "IGMPv3 INCLUDE");
	udp_tx_stop(t1, NULL);
	udp_tx_stop(t2, NULL);
	rx_free(rx);
	cap_free(c);
}

/* An EXCLUDE-mode join (ASM join, then block one source) on our socket. */
static int exclude_join(struct fx *f, const char *node, const char *grp,
			const char *blocked)
{
	int fam = strchr(grp, ':') ? AF_INET6 : AF_INET;
	int fd = netns_socket(fx_ns(f, node), fam, SOCK_DGRAM, 0);
	struct group_source_req gsr;
	struct group_req gr;
	struct sockaddr_in *g4 = (struct sockaddr_in *)&gr.gr_group;
	struct sockaddr_in6 *g6 = (struct sockaddr_in6 *)&gr.gr_group;
	int lvl = fam == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	unsigned int ifindex;
	int saved;

	assert_true(fd >= 0);
	assert_int_equal(netns_enter(fx_ns(f, node), &saved), 0);
	ifindex = if_nametoindex("eth0");
	netns_leave(saved);
	memset(&gr, 0, sizeof(gr));
	gr.gr_interface = ifindex;
	if (fam == AF_INET) {
		g4->sin_family = AF_INET;
		inet_pton(AF_INET, grp, &g4->sin_addr);
	} else {
		g6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, grp, &g6->sin6_addr);
	}
	assert_int_equal(setsockopt(fd, lvl, MCAST_JOIN_GROUP, &gr, sizeof(gr)),
			 0);
	memset(&gsr, 0, sizeof(gsr));
	gsr.gsr_interface = ifindex;
	gsr.gsr_group = gr.gr_group;
	if (fam == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&gsr.gsr_source;

		s->sin_family = AF_INET;
		inet_pton(AF_INET, blocked, &s->sin_addr);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&gsr.gsr_source;

		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, blocked, &s->sin6_addr);
	}
	assert_int_equal(
		setsockopt(fd, lvl, MCAST_BLOCK_SOURCE, &gsr, sizeof(gsr)), 0);
	return fd;
}

static void exclude_case(struct fx *f, const char *grp, const char *s1,
			 const char *s2)
{
	struct udp_tx *t1, *t2;
	struct cap *c;
	int fd;

	c = cap_start(fx_ns(f, "rcv1"), "eth0", "udp");
	t1 = flow(f, "snd1", s1, grp, 1);
	t2 = flow(f, "snd2", s2, grp, 2);
	fd = exclude_join(f, "rcv1", grp, s2);
	assert_true(cap_wait(c, &(struct pkt_match){ .src = s1, .dst = grp },
			     50, T_FLOW));
	/* S2 may have been let through before the join; not after */
	{
		size_t before = seen(c, s2, grp);

		cap_wait(c, &(struct pkt_match){ .src = s1, .dst = grp }, 150,
			 T_FLOW);
		INFO("EXCLUDE {%s} of %s: %zu from %s, %zu from %s\n", s2, grp,
		     seen(c, s1, grp), s1, seen(c, s2, grp) - before, s2);
		assert_int_equal(seen(c, s2, grp), before);
		assert_int_equal(before, 0);
	}
	close(fd);
	udp_tx_stop(t1, NULL);
	udp_tx_stop(t2, NULL);
	cap_free(c);
}

static void test_v3_exclude(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	NEED_MCROUTED(f, "has no IGMPv3 source filtering (it proxies "
			 "IGMPv2)");
	exclude_case(f, "239.1.2.7", "192.0.2.11", "192.0.2.12");
}

static void test_silent_expiry(void **state)
{
	struct fx *f = *state;
	struct udp_tx *tx;
	struct cap *c;
	struct rx *rx;
	uint64_t tb;
	double s;

	FX_CHECK(f);
	NEED_MCROUTED(f, "cannot shorten its timers (a silent member stays "
			 "260 s)");
	tx = flow(f, "snd1", "192.0.2.11", "239.1.2.8", 1);
	rx = join(f, "rcv2", "239.1.2.8", NULL);
	assert_true(rx_wait_count(rx, 1, T_FLOW));
	c = cap_start(fx_ns(f, "rcv2"), "eth0", "udp");
	/* the receiver falls silent: no leave, no more reports */
	node_must(fx_node(f, "rcv2"), "iptables -A OUTPUT -p igmp -j DROP");
	tb = rt_ns();
	rx_stop(rx);
	s = stop_ms(c, "239.1.2.8", tb, GMI_MS + 5000);
	node_must(fx_node(f, "rcv2"), "iptables -D OUTPUT -p igmp -j DROP");
	INFO("silent receiver: forwarding stopped %.1f ms after its last "
	     "chance to report (GMI %d ms)\n",
	     s, GMI_MS);
	udp_tx_stop(tx, NULL);
	rx_free(rx);
	cap_free(c);
	/* not at once (no leave was sent), and by the GMI */
	assert_true(s >= 1000);
	assert_true(s <= GMI_MS + SLACK_MS);
}

static void test_mld(void **state)
{
	struct fx *f = *state;
	struct cap *up;
	bool rep;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	/* MLD has a hop-by-hop header: "icmp6" would not match it */
	up = cap_start(fx_ns(f, "snd1"), "eth0", "ip6 and not udp");
	assert_non_null(up);
	cycle(f, "snd1", "2001:db8:1::11", "rcv1", "ff0e::1:21", NULL,
	      stop_bound(f), "MLDv2 host");
	rep = cap_wait(up,
		       &(struct pkt_match){ .gm_kind = PKT_GM_MLD,
					    .gm_group = "ff0e::1:21" },
		       1, T_FLOW);
	INFO("upstream MLD report for ff0e::1:21 on wlan0: %s\n",
	     rep ? "yes" : "no");
	if (!rep)
		cap_report(up, "upstream-mld-report");
	cap_free(up);
	assert_true(rep);
	cycle(f, "snd1", "2001:db8:1::11", "rcv2", "ff3e::1:22",
	      "2001:db8:1::11", stop_bound(f), "MLDv2 INCLUDE");
	exclude_case(f, "ff0e::1:23", "2001:db8:1::11", "2001:db8:1::12");
}

static void test_mldv1_host(void **state)
{
	struct fx *f = *state;

	FX_CHECK(f);
	FX_NEED(f, RF_IPV6);
	force_version(f, "rcv1", true, 1);
	cycle(f, "snd1", "2001:db8:1::11", "rcv1", "ff0e::1:24", NULL,
	      stop_bound(f), "MLDv1 host");
	force_version(f, "rcv1", true, 0);
}

/* A raw IGMP packet from NODE (address SRC) out of its eth0. */
static void send_raw4_from(struct fx *f, const char *node, const char *src,
			   const uint8_t *igmp, size_t len, int ttl, bool ra,
			   const char *dst)
{
	assert_int_equal(gm_send_igmp(fx_ns(f, node), "eth0", src, dst, igmp,
				      len, ttl, ra),
			 0);
}

/* Raw packets from rcv1: each one a drop reason. */
static void send_raw4(struct fx *f, const uint8_t *igmp, size_t len, int ttl,
		      bool ra, const char *dst)
{
	send_raw4_from(f, "rcv1", "198.51.100.21", igmp, len, ttl, ra, dst);
}

static void send_mld(struct fx *f, int hops, bool ra, const char *src)
{
	uint8_t m[28];

	/* MLDv2 report: one IS_EX({}) record for ff0e::1:29 */
	assert_int_equal(gm_mld2_report(m, sizeof(m), 2, "ff0e::1:29"),
			 sizeof(m));
	assert_int_equal(gm_send_mld(fx_ns(f, "rcv1"), "eth0", src, "ff02::16",
				     m, sizeof(m), hops, ra),
			 0);
}

struct stat_want {
	struct fx *f;
	const char *const *names;
	size_t n;
};

static bool stats_counted(void *arg)
{
	struct stat_want *w = arg;

	for (size_t i = 0; i < w->n; i++)
		if (stat_of(w->f, w->names[i]) < 1)
			return false;
	return true;
}

static void test_malformed(void **state)
{
	static const char *const v4[] = {
		"igmp_bad_bad_checksum",    "igmp_bad_bad_ttl",
		"igmp_bad_no_router_alert", "igmp_bad_short",
		"igmp_bad_unknown_type",    "igmp_bad_bad_group",
	};
	static const char *const v6[] = {
		"mld_bad_bad_ttl",
		"mld_bad_no_router_alert",
		"mld_bad_bad_source",
	};
	struct fx *f = *state;
	uint8_t rep2[8] = { 0x16, 0, 0, 0, 239, 1, 2, 30 };
	uint8_t rep3[16] = { 0x22, 0, 0, 0, 0,	 0, 0, 5,
			     2,	   0, 0, 0, 239, 1, 2, 31 };
	uint8_t odd[8] = { 0x99, 0, 0, 0, 239, 1, 2, 32 };
	uint8_t uni[8] = { 0x16, 0, 0, 0, 10, 1, 2, 3 };
	struct stat_want w = { f, v4, 6 };
	bool ok4, ok6 = true;

	FX_CHECK(f);
	NEED_MCROUTED(f, "has no counters of bad packets to check");
	/* bad checksum */
	send_raw4(f, rep2, 8, 1, true, "239.1.2.30");
	/* TTL 2 */
	gm_igmp_csum(rep2, 8);
	send_raw4(f, rep2, 8, 2, true, "239.1.2.30");
	/* v3 report without router alert; then one with 5 records in 16 B */
	gm_igmp_csum(rep3, 16);
	send_raw4(f, rep3, 16, 1, false, "224.0.0.22");
	send_raw4(f, rep3, 16, 1, true, "224.0.0.22");
	gm_igmp_csum(odd, 8);
	send_raw4(f, odd, 8, 1, true, "224.0.0.22");
	gm_igmp_csum(uni, 8);
	send_raw4(f, uni, 8, 1, true, "224.0.0.22");
	ok4 = wait_until(stats_counted, &w, T_FLOW, 20);
	if (!ok4)
		print_message("# %s", ctl_json(f, &f->r, "stats"));
	if (router_features(f->kind) & RF_IPV6) {
		send_mld(f, 2, true, NULL);
		send_mld(f, 1, false, NULL);
		send_mld(f, 1, true, "2001:db8:2::21");
		w.names = v6;
		w.n = 3;
		ok6 = wait_until(stats_counted, &w, T_FLOW, 20);
		if (!ok6)
			print_message("# %s", ctl_json(f, &f->r, "stats"));
	}
	INFO("bad packets counted: IPv4 %s, IPv6 %s; router %s\n",
	     ok4 ? "all 6 reasons" : "NOT all",
	     ok6 ? "all 3 reasons" : "NOT all",
	     router_running(&f->r) ? "running" : "GONE");
	assert_true(ok4 && ok6);
	assert_true(router_running(&f->r));
	/* and it still forwards on a join */
	cycle(f, "snd1", "192.0.2.11", "rcv1", "239.1.2.33", NULL,
	      stop_bound(f), "after malformed packets");
}

struct sent_want {
	struct udp_tx *tx;
	unsigned long n;
};

static bool sent_n(void *arg)
{
	struct sent_want *w = arg;

	return udp_tx_sent(w->tx) >= w->n;
}

/* A flow nobody wants costs one upcall, then the kernel drops it alone. */
static void test_unwanted_cheap(void **state)
{
	struct fx *f = *state;
	struct sent_want w;
	long long u0, u1, pk;

	FX_CHECK(f);
	NEED_MCROUTED(f, "has no upcall counter to check");
	u0 = stat_of(f, "upcalls");
	w.tx = flow(f, "snd1", "192.0.2.11", "239.1.2.50", 1);
	w.n = 1000;
	assert_true(wait_until(sent_n, &w, T_FLOW, 5));
	assert_true(wait_route(f, "192.0.2.11", "239.1.2.50", true, T_FLOW));
	u1 = stat_of(f, "upcalls");
	pk = mfc_pkts(f, "192.0.2.11", "239.1.2.50");
	udp_tx_stop(w.tx, NULL);
	INFO("unwanted flow: %lu datagrams, %lld upcall(s), %lld dropped by "
	     "the kernel's entry without outbound interfaces\n",
	     w.n, u1 - u0, pk);
	assert_true(u1 - u0 <= 1);
	assert_true(pk >= 900);
}

/* An IS_IN record for gs_want.grp in a report from the router upstream. */
struct gs_want {
	const char *grp;
};

static bool is_in_record(const struct pkt_rec *r, void *arg)
{
	const struct gs_want *w = arg;
	union pkt_ip g;
	int fam;

	memset(&g, 0, sizeof(g));
	if (pkt_pton(w->grp, &fam, &g) < 0)
		return false;
	for (size_t i = 0; i < r->gm_nrec_kept && i < PKT_MAX_GREC; i++)
		if (r->grec[i].type == 1 /* MODE_IS_INCLUDE */ &&
		    !memcmp(&r->grec[i].group, &g, sizeof(g)))
			return true;
	return false;
}

/*
 * An IGMPv3 group-and-source-specific query from upstream (snd1) for
 * 232.1.2.8 with the sources SRCS (n of them), max response 0.1 s.
 */
static void gs_query4(struct fx *f, const char *const *srcs, size_t n)
{
	uint8_t q[12 + 4 * 4];
	size_t len = gm_igmp3_query(q, sizeof(q), "232.1.2.8", 1 /* 0.1 s */,
				    2 /* QRV */, 125 /* QQIC */, srcs, n);

	assert_true(len > 0);
	send_raw4_from(f, "snd1", "192.0.2.11", q, len, 1, true, "232.1.2.8");
}

/*
 * RFC 3376 §5.2 upstream: the downstream wants INCLUDE {11, 12} of
 * 232.1.2.8 (rcv1 one, rcv2 the other).  Asked about {11, 13}, the proxy
 * answers IS_IN {11}: the asked sources it wants, not its whole state;
 * asked about {13} alone, it says nothing.
 */
static void test_gs_query_upstream(void **state)
{
	struct fx *f = *state;
	struct gs_want w = { "232.1.2.8" };
	struct pkt_match m = { .gm_kind = PKT_GM_IGMP,
			       .src = "192.0.2.1",
			       .fn = is_in_record,
			       .fn_arg = &w };
	struct rx *r1, *r2;
	struct cap *up;
	long at;
	bool ok;

	FX_CHECK(f);
	NEED_MCROUTED(f, "has no IGMPv3 source filtering (it proxies "
			 "IGMPv2)");
	up = cap_start(fx_ns(f, "snd1"), "eth0", "igmp");
	assert_non_null(up);
	r1 = join(f, "rcv1", "232.1.2.8", "192.0.2.11");
	r2 = join(f, "rcv2", "232.1.2.8", "192.0.2.12");
	/* the merged state reached upstream: both sources reported */
	for (int i = 11; i <= 12; i++) {
		char s[32];

		snprintf(s, sizeof(s), "192.0.2.%d", i);
		assert_true(
			cap_wait(up,
				 &(struct pkt_match){ .gm_kind = PKT_GM_IGMP,
						      .src = "192.0.2.1",
						      .gm_group = "232.1.2.8",
						      .gm_source = s },
				 1, T_FLOW));
	}
	assert_int_equal(cap_count(up, &m), 0);
	gs_query4(f, (const char *const[]){ "192.0.2.11", "192.0.2.13" }, 2);
	ok = cap_wait(up, &m, 1, T_FLOW);
	at = cap_find(up, &m, 0);
	if (ok && at >= 0) {
		size_t n;
		const struct pkt_rec *r = &cap_records(up, &n)[at];
		const struct pkt_grec *g = NULL;
		char a[64];

		for (size_t i = 0; i < r->gm_nrec_kept; i++)
			if (r->grec[i].type == 1)
				g = &r->grec[i];
		assert_non_null(g);
		INFO("asked {192.0.2.11, 192.0.2.13}: IS_IN with %u source(s), "
		     "first %s\n",
		     g->nsrc, pkt_ntop(AF_INET, &g->src[0], a, sizeof(a)));
		assert_int_equal(g->nsrc, 1);
		assert_string_equal(a, "192.0.2.11");
	}
	if (!ok)
		cap_report(up, "gs-query-answer");
	assert_true(ok);
	/* asked {13} only: no answer (0.1 s max response, then silence) */
	gs_query4(f, (const char *const[]){ "192.0.2.13" }, 1);
	assert_false(cap_wait(up, &m, 2, 100 + T_SILENCE));
	rx_free(r1);
	rx_free(r2);
	cap_free(up);
}

static void test_show_groups(void **state)
{
	struct fx *f = *state;
	struct udp_tx *tx;
	struct rx *rx;
	char out[65536];

	FX_CHECK(f);
	NEED_MCROUTED(f, "has no control socket");
	tx = flow(f, "snd1", "192.0.2.11", "232.1.2.40", 1);
	rx = join(f, "rcv1", "232.1.2.40", "192.0.2.11");
	assert_true(rx_wait_count(rx, 1, T_FLOW));
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "show groups"), 0);
	print_message("%s", out);
	assert_true(table_narrow(out));
	assert_non_null(strstr(out, "232.1.2.40"));
	assert_non_null(strstr(out, "192.0.2.11"));
	assert_non_null(strstr(out, "INCLUDE"));
	assert_int_equal(router_ctl(&f->r, out, sizeof(out), "-j show groups"),
			 0);
	assert_non_null(strstr(out, "\"mode\":\"proxy\""));
	assert_non_null(strstr(out, "{\"group\":\"232.1.2.40\",\"mode\":"
				    "\"include\",\"version\":3"));
	assert_non_null(strstr(out, "{\"source\":\"192.0.2.11\","
				    "\"forward\":true"));
	assert_non_null(strstr(out, "\"role\":\"querier\",\"querier\":true,"
				    "\"querier_address\":\"198.51.100.1\""));
	udp_tx_stop(tx, NULL);
	rx_free(rx);
}

int igmp_run_proxy(void)
{
	const struct CMUnitTest proxy[] = {
		cmocka_unit_test(test_join_report_upstream),
		cmocka_unit_test(test_leave_stops),
		cmocka_unit_test(test_two_receivers),
		cmocka_unit_test(test_v2_host),
		cmocka_unit_test(test_v1_host),
		cmocka_unit_test(test_v3_include),
		cmocka_unit_test(test_v3_exclude),
		cmocka_unit_test(test_silent_expiry),
		cmocka_unit_test(test_mld),
		cmocka_unit_test(test_mldv1_host),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_gs_query_upstream),
		cmocka_unit_test(test_show_groups),
		cmocka_unit_test(test_unwanted_cheap),
	};

	return cmocka_run_group_tests_name("igmp_proxy", proxy, setup_proxy,
					   fx_teardown);
}
