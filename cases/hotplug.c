// SPDX-License-Identifier: MIT
/*
 * The field report as cases, item 10: hotplug.  The Pi's usb0 is a USB
 * gadget: it is absent until a host plugs in, and it is deleted and
 * created again (with a new ifindex) on every re-plug, or flaps.  The
 * router must pick it up without a restart.
 *
 * The lab's usb0 is a veth pair (rtr:usb0 - rcv:eth0): "absent" is the
 * pair deleted, "created" is the pair added again with the topology's
 * addresses.  Waits are on /proc/net/ip_mr_vif and on datagrams arriving;
 * forwarding is then checked exactly (every datagram once, TTL - 1).
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "common.h"

#define SRC "192.0.2.2"
#define SRC6 "2001:db8:1::2"
#define G_SG "225.1.2.3"
#define G_STAR "225.1.2.4"
#define G6_SG "ff0e::1:3"
#define G_JOIN "225.1.9.9"
#define COUNT 100

static const char conf[] =
	"mgroup from usb0 group " G_JOIN "\n"
	"mroute from wlan0 source " SRC " group " G_SG " to usb0\n"
	"mroute from wlan0 group " G_STAR " to usb0\n"
	"mroute from wlan0 source " SRC6 " group " G6_SG " to usb0\n";

static struct rx *live_rx[3];

static int setup(void **state)
{
	static struct fx f;

	if (!fx_needs(&f, NODE_CAP_CALL,
		      "makes and deletes veths in the router netns"))
		fx_up(&f, "pi-router", RF_STATIC, NULL);
	*state = &f;
	return 0;
}

static int cleanup(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		rx_free(live_rx[i]);
		live_rx[i] = NULL;
	}
	return 0;
}

/* ---- the usb0 link ----------------------------------------------------- */

static bool usb0_exists(struct fx *f)
{
	return node_run_cmd(fx_node(f, "rtr"), 2000,
			    "ip link show dev usb0 >/dev/null 2>&1") == 0;
}

static void usb0_delete(struct fx *f)
{
	/* Deleting one end of a veth deletes the pair: rcv's eth0 too. */
	node_must(fx_node(f, "rtr"), "ip link del dev usb0");
}

/* The pair again, with the topology's addresses and rcv's routes. */
static void usb0_create(struct fx *f)
{
	node_must(fx_node(f, "rtr"),
		  "ip link add usb0 type veth peer name eth0 netns %s && "
		  "ip addr add 198.51.100.1/24 dev usb0 && "
		  "ip -6 addr add 2001:db8:2::1/64 dev usb0 nodad && "
		  "ip link set usb0 up",
		  fx_ns(f, "rcv"));
	node_must(fx_node(f, "rcv"),
		  "ip addr add 198.51.100.2/24 dev eth0 && "
		  "ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad && "
		  "ip link set eth0 up && "
		  "ip route replace default via 198.51.100.1 && "
		  "ip -6 route replace default via 2001:db8:2::1");
}

static int usb0_ifindex(struct fx *f)
{
	struct node_result r;
	int idx = -1;

	if (node_sh(fx_node(f, "rtr"), 2000, &r,
		    "cat /sys/class/net/usb0/ifindex") == 0 &&
	    r.exit_code == 0)
		idx = atoi(r.out);
	node_result_free(&r);
	return idx;
}

/* The VIF (family) of usb0 and its ifindex, -1 when there is none. */
static int usb0_vif(struct fx *f, int family, int *ifindex, int *copies)
{
	struct mr_vif *v = NULL;
	int n = proc_read_mr_vif(f->r.node, family, &v), vif = -1, k = 0;

	for (int i = 0; i < n; i++) {
		if (strcmp(v[i].name, "usb0"))
			continue;
		if (vif < 0) {
			vif = v[i].vif;
			if (ifindex)
				*ifindex = v[i].ifindex;
		}
		k++;
	}
	if (copies)
		*copies = k;
	free(v);
	return vif;
}

struct vif_gone {
	struct fx *f;
	int family;
};

static bool no_usb0_vif(void *arg)
{
	struct vif_gone *w = arg;

	return usb0_vif(w->f, w->family, NULL, NULL) < 0;
}

/* ---- traffic ----------------------------------------------------------- */

static struct rx *receiver(struct fx *f, const char *group, int slot)
{
	struct rx *rx = rx_start(&(struct rx_opts){ .netns = fx_ns(f, "rcv"),
						    .ifname = "eth0",
						    .group = group,
						    .port = CASE_PORT });

	assert_non_null(rx);
	live_rx[slot] = rx;
	return rx;
}

static void drop_receiver(int slot)
{
	rx_free(live_rx[slot]);
	live_rx[slot] = NULL;
}

struct probe {
	struct fx *f;
	struct rx *rx;
	const char *src, *group;
	uint32_t stream;
};

static bool probe_arrived(void *arg)
{
	struct probe *p = arg;
	struct rx_stats st;

	rx_get_stats(p->rx, p->stream, 0, &st);
	if (st.matched)
		return true;
	send_udp(p->f, "snd", "eth0", p->src, p->group, 10, 1, p->stream);
	return false;
}

/*
 * Send one datagram every few ms until one arrives (forwarding is up):
 * the time it took from t0, or -1 at the deadline.
 */
static double wait_forwarding(struct fx *f, struct rx *rx, const char *src,
			      const char *group, uint32_t stream, uint64_t t0,
			      unsigned int timeout_ms)
{
	struct probe p = { f, rx, src, group, stream };

	if (!wait_until(probe_arrived, &p, timeout_ms, 3))
		return -1;
	return (double)(mono_ns() - t0) / 1e6;
}

/* Say which seqs of stream did not arrive (the first few). */
static void print_missing(struct rx *rx, uint32_t stream)
{
	bool seen[COUNT] = { false };
	size_t n;
	struct rx_dgram *d = rx_dgrams(rx, &n);
	int shown = 0;

	for (size_t i = 0; i < n; i++)
		if (d[i].mclab && d[i].stream == stream && d[i].seq < COUNT)
			seen[d[i].seq] = true;
	free(d);
	for (int i = 0; i < COUNT && shown < 10; i++)
		if (!seen[i]) {
			print_message("# stream %u: seq %d missing\n", stream,
				      i);
			shown++;
		}
}

/* Exactly COUNT datagrams of a new stream arrive, once each, TTL 9. */
static void expect_exact_flow(struct fx *f, struct rx *rx, const char *src,
			      const char *group, uint32_t stream)
{
	struct rx_stats st;

	assert_int_equal(send_udp(f, "snd", "eth0", src, group, 10, COUNT,
				  stream),
			 COUNT);
	/* All of them, then T_SILENCE more for duplicates. */
	if (wait_stream(rx, stream, COUNT, T_FLOW))
		wait_stream(rx, stream, COUNT + 1, T_SILENCE);
	rx_get_stats(rx, stream, COUNT, &st);
	if (st.matched != COUNT || st.missing || st.dups || st.ttl_min != 9 ||
	    st.ttl_max != 9) {
		print_missing(rx, stream);
		fail_msg("%s from %s: %lu of %d arrived, %lu missing, %lu "
			 "dups, TTL %d..%d (want 9)",
			 group, src, st.matched, COUNT, st.missing, st.dups,
			 st.ttl_min, st.ttl_max);
	}
}

/* Nothing of stream arrives while T_SILENCE passes with traffic sent. */
static void expect_no_flow(struct fx *f, struct rx *rx, const char *group,
			   uint32_t stream)
{
	struct rx_stats st;

	send_udp(f, "snd", "eth0", SRC, group, 10, 20, stream);
	wait_stream(rx, stream, 1, T_SILENCE);
	rx_get_stats(rx, stream, 0, &st);
	assert_int_equal(st.matched, 0);
}

/*
 * A (*,G) route is learned from a flow's first packet: what the kernel
 * queues meanwhile is up to 4 datagrams, so a daemon slower than that
 * (a loaded runner) drops some, which is not what these cases are about.
 * Learn it with a probe first, then count exactly.
 */
static void star_learned(struct fx *f, struct rx *rx, uint32_t stream)
{
	assert_true(wait_forwarding(f, rx, SRC, G_STAR, stream, mono_ns(),
				    T_FLOW) >= 0);
	assert_true(wait_route(f, SRC, G_STAR, true, T_FLOW));
}

/* (*,G): a receiver in slot 1, the route learned (probe), then exact. */
static void star_exact(struct fx *f, uint32_t probe, uint32_t stream)
{
	struct rx *rx = receiver(f, G_STAR, 1);

	star_learned(f, rx, probe);
	expect_exact_flow(f, rx, SRC, G_STAR, stream);
	drop_receiver(1);
}

/* usb0 present, the router (re)started on it, forwarding checked. */
static void start_with_usb0(struct fx *f)
{
	if (!usb0_exists(f))
		usb0_create(f);
	assert_true(fx_start(f, conf));
	assert_true(wait_vif(f, AF_INET, "usb0", T_READY));
	assert_true(wait_route(f, SRC, G_SG, true, T_READY));
}

/*
 * smcroute (2.5) has no link monitor: smcrouted(8) says it "needs to be
 * reloaded (e.g., using SIGHUP) when a new interface has been added".
 * Assert that (no VIF, no forwarding without a reload), then reload.
 */
static void smcroute_needs_reload(struct fx *f, struct rx *rx, const char *what)
{
	struct vif_gone w = { f, AF_INET };

	assert_true(wait_until(no_usb0_vif, &w, 0, 1));
	expect_no_flow(f, rx, G_SG, 50);
	assert_true(no_usb0_vif(&w));
	INFO("%s (smcroute): no VIF for usb0 and nothing forwarded after %u "
	     "ms; reloading (SIGHUP)\n",
	     what, T_SILENCE);
	assert_int_equal(router_reload(&f->r, conf), 0);
}

/*
 * usb0 came (back) at *t0: a receiver of G_SG in slot 0, smcroute
 * reloaded (and *t0 the reload), then the VIF: *t_vif ms after *t0.
 */
static struct rx *usb0_vif_back(struct fx *f, const char *what, uint64_t *t0,
				double *t_vif)
{
	struct rx *rx = receiver(f, G_SG, 0);

	if (f->kind == ROUTER_SMCROUTE) {
		smcroute_needs_reload(f, rx, what);
		*t0 = mono_ns();
	}
	assert_true(wait_vif(f, AF_INET, "usb0", T_FLOW));
	*t_vif = (double)(mono_ns() - *t0) / 1e6;
	return rx;
}

/* usb0 absent when the router starts, created later. */
static void test_absent_at_start(void **state)
{
	struct fx *f = *state;
	struct rx *rx, *rx6 = NULL;
	double t_vif, t_fwd, t_mif = -1;
	uint64_t t0;

	FX_CHECK(f);
	if (usb0_exists(f))
		usb0_delete(f);
	assert_true(fx_start(f, conf));
	assert_true(usb0_vif(f, AF_INET, NULL, NULL) < 0);
	/* The (S,G) entry is there from the start, without outputs. */
	assert_true(wait_route(f, SRC, G_SG, true, T_READY));

	t0 = mono_ns();
	usb0_create(f);
	rx = usb0_vif_back(f, "usb0 created", &t0, &t_vif);
	/* The mgroup on usb0 follows the interface. */
	assert_true(wait_igmp(f->r.node, "usb0", G_JOIN, true, T_FLOW));
	t_fwd = wait_forwarding(f, rx, SRC, G_SG, 1, t0, T_FLOW);
	assert_true(t_fwd >= 0);
	if (router_features(f->kind) & RF_IPV6) {
		assert_true(wait_vif(f, AF_INET6, "usb0", T_FLOW));
		t_mif = (double)(mono_ns() - t0) / 1e6;
	}
	INFO("usb0 created (%s%s): VIF after %.1f ms, MIF after %.1f ms, "
	     "first datagram forwarded after %.1f ms\n",
	     router_kind_name(f->kind),
	     f->kind == ROUTER_SMCROUTE ? ", timed from the reload" : "", t_vif,
	     t_mif, t_fwd);
	expect_exact_flow(f, rx, SRC, G_SG, 2);
	drop_receiver(0);

	/* (*,G): learned on the first packet, now with usb0. */
	star_exact(f, 103, 3);

	if (router_features(f->kind) & RF_IPV6) {
		rx6 = receiver(f, G6_SG, 2);
		assert_true(wait_forwarding(f, rx6, SRC6, G6_SG, 4, t0,
					    T_FLOW) >= 0);
		expect_exact_flow(f, rx6, SRC6, G6_SG, 5);
		drop_receiver(2);
	}
}

/* usb0 deleted and created again: a new ifindex, forwarding resumes. */
static void test_delete_recreate(void **state)
{
	struct fx *f = *state;
	struct vif_gone w = { f, AF_INET };
	int old_idx, new_idx, vif_idx = -1, copies;
	double t_vif, t_fwd;
	struct rx *rx;
	uint64_t t0;

	FX_CHECK(f);
	start_with_usb0(f);
	old_idx = usb0_ifindex(f);
	rx = receiver(f, G_SG, 0);
	assert_true(wait_forwarding(f, rx, SRC, G_SG, 10, mono_ns(), T_FLOW) >=
		    0);
	expect_exact_flow(f, rx, SRC, G_SG, 11);
	drop_receiver(0);

	usb0_delete(f);
	/* The kernel drops the VIF with the device. */
	assert_true(wait_until(no_usb0_vif, &w, T_FLOW, 2));

	t0 = mono_ns();
	usb0_create(f);
	new_idx = usb0_ifindex(f);
	assert_true(new_idx > 0);
	assert_int_not_equal(new_idx, old_idx);
	rx = usb0_vif_back(f, "usb0 re-created", &t0, &t_vif);
	assert_true(usb0_vif(f, AF_INET, &vif_idx, &copies) >= 0);
	assert_int_equal(vif_idx, new_idx);
	assert_int_equal(copies, 1);
	/* The kernel dropped the join with the old device: joined again. */
	assert_true(wait_igmp(f->r.node, "usb0", G_JOIN, true, T_FLOW));
	t_fwd = wait_forwarding(f, rx, SRC, G_SG, 12, t0, T_FLOW);
	assert_true(t_fwd >= 0);
	INFO("usb0 re-created (%s), ifindex %d -> %d: VIF after %.1f ms, "
	     "forwarding after %.1f ms\n",
	     router_kind_name(f->kind), old_idx, new_idx, t_vif, t_fwd);
	expect_exact_flow(f, rx, SRC, G_SG, 13);
	drop_receiver(0);
	star_exact(f, 114, 14);
}

/* 20 quick down/up flaps of usb0: the same VIF, forwarding exact. */
static void test_flaps(void **state)
{
	struct fx *f = *state;
	int vif, idx = -1, vif2, idx2 = -1, copies;
	double t_fwd;
	struct rx *rx;
	uint64_t t0;

	FX_CHECK(f);
	start_with_usb0(f);
	vif = usb0_vif(f, AF_INET, &idx, NULL);
	rx = receiver(f, G_SG, 0);
	assert_true(wait_forwarding(f, rx, SRC, G_SG, 20, mono_ns(), T_FLOW) >=
		    0);

	node_must(fx_node(f, "rtr"),
		  "for i in $(seq 20); do "
		  "ip link set usb0 down && ip link set usb0 up || exit 1; "
		  "done");
	t0 = mono_ns();
	/* Carrier and qdisc come back through the kernel's linkwatch,
	 * which is rate-limited: wait for a datagram to get through. */
	t_fwd = wait_forwarding(f, rx, SRC, G_SG, 21, t0, T_FLOW);
	assert_true(t_fwd >= 0);
	vif2 = usb0_vif(f, AF_INET, &idx2, &copies);
	INFO("20 flaps of usb0 (%s): VIF %d -> %d (%d listed), forwarding "
	     "again %.1f ms after the last up\n",
	     router_kind_name(f->kind), vif, vif2, copies, t_fwd);
	assert_int_equal(vif2, vif);
	assert_int_equal(idx2, idx);
	assert_int_equal(copies, 1);
	assert_true(wait_igmp(f->r.node, "usb0", G_JOIN, true, 0));
	expect_exact_flow(f, rx, SRC, G_SG, 22);
	drop_receiver(0);
	star_exact(f, 123, 23);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_absent_at_start, cleanup),
		cmocka_unit_test_teardown(test_delete_recreate, cleanup),
		cmocka_unit_test_teardown(test_flaps, cleanup),
	};

	return cmocka_run_group_tests_name("hotplug-pi-router", tests, setup,
					   fx_teardown);
}
