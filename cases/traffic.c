// SPDX-License-Identifier: MIT
/*
 * Integration suite for the traffic drivers and the live capture: two
 * namespaces joined by one veth, exact counts both ways.
 *
 *   a:veth0 192.0.2.1/24 2001:db8:1::1/64 --- b:veth0 192.0.2.2/24 ...::2/64
 *
 * The lab comes from the topology builder (lab_up); when that is not
 * usable the suite builds the same thing with ip(8) itself.  Namespaces
 * are named mcl-<pid>-* either way, and are deleted in teardown, at exit and
 * on SIGINT/SIGTERM.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "deadline.h"
#include "lab.h"
#include "traffic.h"

#define A4 "192.0.2.1"
#define A4B "192.0.2.11" /* a second address on a, a wrong SSM source */
#define B4 "192.0.2.2"
#define A6 "2001:db8:1::1"
#define B6 "2001:db8:1::2"
#define IFA "veth0"
#define IFB "veth0"

static const char topo_text[] =
	"node a sender\n"
	"node b receiver\n"
	"link a:veth0 192.0.2.1/24 2001:db8:1::1/64 "
	"b:veth0 192.0.2.2/24 2001:db8:1::2/64\n"
	"addr a:veth0 192.0.2.11/24 2001:db8:1::11/64\n"
	"sysctl b net.ipv4.icmp_echo_ignore_broadcasts=0\n";

static struct lab *lab;
static char ns_a[LAB_NS_MAX], ns_b[LAB_NS_MAX];
static bool own_ns; /* built by the fallback below */
static char skip_why[160] = "no namespaces";

/* ---- fallback builder (ip(8)) ------------------------------------------ */

/* system(3) ignores SIGINT while it waits, which would lose a ^C. */
static int run_sh(const char *cmd)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Built before any namespace exists, so the signal path only forks. */
static char down_cmd[256];

static void own_down(void)
{
	if (!own_ns)
		return;
	own_ns = false;
	if (run_sh(down_cmd) != 0) {
		static const char m[] = "traffic: namespace cleanup failed\n";

		if (write(2, m, sizeof(m) - 1) < 0)
			return;
	}
}

static void own_signal(int sig)
{
	own_down();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = run_sh(cmd);
	if (rc != 0)
		print_message("# command failed (%d): %s\n", rc, cmd);
	return rc;
}

static bool both_up(void *arg)
{
	char cmd[512];

	(void)arg;
	snprintf(cmd, sizeof(cmd),
		 "ip -n %s link show veth0 | grep -q LOWER_UP && "
		 "ip -n %s link show veth0 | grep -q LOWER_UP && "
		 "! ip -n %s -6 addr show tentative | grep -q inet6 && "
		 "! ip -n %s -6 addr show tentative | grep -q inet6",
		 ns_a, ns_b, ns_a, ns_b);
	return run_sh(cmd) == 0;
}

static int own_up(void)
{
	snprintf(ns_a, sizeof(ns_a), "mcl-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "mcl-%d-b", (int)getpid());
	snprintf(down_cmd, sizeof(down_cmd),
		 "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; "
		 "true",
		 ns_a, ns_b);
	own_ns = true;
	atexit(own_down);
	signal(SIGINT, own_signal);
	signal(SIGTERM, own_signal);
	if (sh("ip netns add %s && ip netns add %s", ns_a, ns_b) ||
	    sh(/* distinct ifindexes: a veth whose ifindex equals its peer's
	     * gets its carrier up to a second late (see lab.c) */
	       "ip -n %s link add veth0 index 9001 type veth "
	       "peer name veth0 netns %s index 9002",
	       ns_a, ns_b) ||
	    sh("ip -n %s addr add 192.0.2.1/24 dev veth0 && "
	       "ip -n %s addr add 192.0.2.11/24 dev veth0 && "
	       "ip -n %s addr add 2001:db8:1::1/64 dev veth0 nodad && "
	       "ip -n %s addr add 2001:db8:1::11/64 dev veth0 nodad && "
	       "ip -n %s link set veth0 up && ip -n %s link set lo up",
	       ns_a, ns_a, ns_a, ns_a, ns_a, ns_a) ||
	    sh("ip -n %s addr add 192.0.2.2/24 dev veth0 && "
	       "ip -n %s addr add 2001:db8:1::2/64 dev veth0 nodad && "
	       "ip -n %s link set veth0 up && ip -n %s link set lo up",
	       ns_b, ns_b, ns_b, ns_b) ||
	    sh("ip netns exec %s sysctl -qw "
	       "net.ipv4.icmp_echo_ignore_broadcasts=0",
	       ns_b))
		return -1;
	if (!wait_until(both_up, NULL, 3000, 5)) {
		print_message("# veth0 not up in %s/%s\n", ns_a, ns_b);
		return -1;
	}
	return 0;
}

/* ---- group setup ------------------------------------------------------- */

static int setup(void **state)
{
	char err[TOPO_ERR_MAX] = "";
	struct topo *t;

	(void)state;
	if (geteuid() != 0) {
		snprintf(skip_why, sizeof(skip_why),
			 "needs root (or the lab's user namespace mode) to "
			 "create network namespaces");
		return 0;
	}
	if (getenv("MCLAB_TRAFFIC_IPNS")) { /* exercise the fallback */
		snprintf(err, sizeof(err), "MCLAB_TRAFFIC_IPNS set");
	} else {
		t = topo_parse(topo_text, "traffic-veth", err, sizeof(err));
		if (t)
			lab = lab_up(t, NULL, err, sizeof(err));
	}
	if (lab && lab_node(lab, "a") && lab_node(lab, "b")) {
		snprintf(ns_a, sizeof(ns_a), "%s", lab_node(lab, "a")->ns);
		snprintf(ns_b, sizeof(ns_b), "%s", lab_node(lab, "b")->ns);
		print_message("# INFO lab up in %.1f ms (%s, %s)\n",
			      (double)lab->up_ns / 1e6, ns_a, ns_b);
		return 0;
	}
	print_message("# INFO topology builder unavailable (%s), using ip(8)\n",
		      err);
	lab_down(lab);
	lab = NULL;
	if (own_up() < 0) {
		own_down();
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lab_down(lab);
	lab = NULL;
	own_down();
	return 0;
}

static bool have_lab(void)
{
	return lab || own_ns;
}

#define NEED_LAB()                                                      \
	do {                                                            \
		if (!have_lab()) {                                      \
			print_message("# SKIP reason: %s\n", skip_why); \
			skip();                                         \
		}                                                       \
	} while (0)

/* Start a capture or fail the test with pcap's reason. */
static struct cap *cap_or_fail(const char *ns, const char *ifname,
			       const char *filter)
{
	struct cap *c = cap_start(ns, ifname, filter);

	if (!c)
		fail_msg("capture on %s:%s (%s): %s", ns, ifname, filter,
			 cap_error());
	return c;
}

/* ---- UDP ---------------------------------------------------------------- */

static void udp_exact(const char *group, const char *src, const char *filter,
		      int family, int ttl, unsigned long n, const char *tag)
{
	struct udp_tx_opts o = {
		.netns = ns_a,
		.ifname = IFA,
		.src = src,
		.group = group,
		.sport = 40001,
		.dport = 5001,
		.ttl = ttl,
		.count = n,
		.pps = 2000,
		.stream = 11,
	};
	struct pkt_match m = { .family = family,
			       .src = src,
			       .dst = group,
			       .proto = IPPROTO_UDP,
			       .sport = 40001,
			       .dport = 5001,
			       .has_stream = true,
			       .stream = 11 };
	struct rx_opts ro = {
		.netns = ns_b, .ifname = IFB, .group = group, .port = 5001
	};
	struct udp_tx_stats ts;
	struct cap_seq_stats cs;
	struct rx_stats rs;
	struct cap *cap;
	struct rx *rx;
	uint8_t ttls[4];
	uint64_t t0;
	int rc;

	NEED_LAB();
	cap = cap_or_fail(ns_b, IFB, filter);
	rx = rx_start(&ro);
	assert_non_null(rx);

	t0 = mono_ns();
	rc = udp_send(&o, &ts);
	assert_int_equal(rc, 0);
	assert_int_equal(ts.sent, n);
	assert_int_equal(ts.errors, 0);
	print_message("# INFO %s: %lu datagrams in %.1f ms (%.0f pps)\n", tag,
		      ts.sent, (double)(ts.t_last_ns - ts.t_first_ns) / 1e6,
		      (double)(n - 1) * 1e9 /
			      (double)(ts.t_last_ns - ts.t_first_ns + 1));

	assert_true(rx_wait_count(rx, n, 3000));
	if (!cap_wait(cap, &m, n, 3000)) {
		print_message("# %s: %zu of %lu in the capture\n", tag,
			      cap_count(cap, &m), n);
		cap_report(cap, tag);
		fail();
	}
	print_message("# INFO %s: all %lu received %.1f ms after the first "
		      "send\n",
		      tag, n, (double)(mono_ns() - t0) / 1e6);
	cap_stop(cap);
	rx_stop(rx);

	rx_get_stats(rx, 11, n, &rs);
	assert_int_equal(rs.count, n);
	assert_int_equal(rs.matched, n);
	assert_int_equal(rs.dups, 0);
	assert_int_equal(rs.missing, 0);
	assert_int_equal(rs.out_of_range, 0);
	assert_int_equal(rs.nttl, 1);
	assert_int_equal(rs.ttl_min, ttl);

	if (!cap_expect(cap, &m, n, tag))
		fail();
	m.ttl = (uint8_t)ttl;
	if (!cap_expect(cap, &m, n, tag))
		fail();
	m.ttl = 0;
	assert_int_equal(cap_ttls(cap, &m, ttls, 4), 1);
	assert_int_equal(ttls[0], ttl);
	cap_seqs(cap, &m, n, &cs);
	assert_int_equal(cs.matched, n);
	assert_int_equal(cs.dups, 0);
	assert_int_equal(cs.missing, 0);
	assert_int_equal(cs.reordered, 0);
	assert_int_equal(cap_drops(cap), 0);

	rx_free(rx);
	cap_free(cap);
}

static void test_udp4_exact(void **state)
{
	(void)state;
	udp_exact("239.1.2.3", A4, "udp and dst host 239.1.2.3", AF_INET, 7,
		  200, "udp4-ttl7");
}

static void test_udp6_exact(void **state)
{
	(void)state;
	udp_exact("ff0e::1:3", A6, "ip6 and udp and dst host ff0e::1:3",
		  AF_INET6, 5, 200, "udp6-hl5");
}

/* TTL sweep: each TTL arrives as sent, counted per TTL from one capture. */
static void test_udp4_ttl_sweep(void **state)
{
	static const int ttls[] = { 1, 2, 3, 10, 64, 255 };
	struct cap *cap;
	unsigned int i;
	uint8_t seen[8];

	(void)state;
	NEED_LAB();
	cap = cap_or_fail(ns_b, IFB, "udp and dst port 5002");
	for (i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
		struct udp_tx_opts o = { .netns = ns_a,
					 .ifname = IFA,
					 .group = "239.1.2.5",
					 .sport = 40002,
					 .dport = 5002,
					 .ttl = ttls[i],
					 .count = 5,
					 .stream = i };
		struct udp_tx_stats ts;

		assert_int_equal(udp_send(&o, &ts), 0);
		assert_int_equal(ts.sent, 5);
	}
	assert_true(
		cap_wait(cap, &(struct pkt_match){ .mclab = true }, 30, 3000));
	cap_stop(cap);
	for (i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
		struct pkt_match m = { .ttl = (uint8_t)ttls[i],
				       .has_stream = true,
				       .stream = i };
		char what[32];

		snprintf(what, sizeof(what), "sweep-ttl%d", ttls[i]);
		if (!cap_expect(cap, &m, 5, what))
			fail();
	}
	assert_int_equal(cap_ttls(cap, NULL, seen, 8), 6);
	assert_int_equal(cap_count(cap, NULL), 30);
	cap_free(cap);
}

/* A receiver counts while a background 1 kpps sender runs. */
static void test_udp4_background_1kpps(void **state)
{
	struct udp_tx_opts o = { .netns = ns_a,
				 .ifname = IFA,
				 .group = "239.1.2.6",
				 .sport = 40003,
				 .dport = 5003,
				 .ttl = 3,
				 .pps = 1000,
				 .stream = 3 };
	struct rx_opts ro = {
		.netns = ns_b, .ifname = IFB, .group = "239.1.2.6", .port = 5003
	};
	struct udp_tx_stats ts;
	struct rx_stats rs;
	struct udp_tx *tx;
	struct rx *rx;
	uint64_t t0;

	(void)state;
	NEED_LAB();
	rx = rx_start(&ro);
	assert_non_null(rx);
	t0 = mono_ns();
	tx = udp_tx_start(&o);
	assert_non_null(tx);
	assert_true(rx_wait_count(rx, 300, 3000)); /* while it runs */
	/* (the sender may not have counted the 300th yet: the datagram
	 * reaches the receiver inside its sendto) */
	assert_true(udp_tx_sent(tx) >= 299);
	udp_tx_stop(tx, &ts);
	assert_int_equal(ts.errors, 0);
	assert_true(rx_wait_count(rx, ts.sent, 2000));
	rx_stop(rx);
	rx_get_stats(rx, 3, ts.sent, &rs);
	print_message("# INFO background: %lu sent at %.0f pps (asked 1000), "
		      "%lu received, %lu missing, %lu dups, %.1f ms\n",
		      ts.sent,
		      (double)(ts.sent - 1) * 1e9 /
			      (double)(ts.t_last_ns - ts.t_first_ns + 1),
		      rs.count, rs.missing, rs.dups,
		      (double)(mono_ns() - t0) / 1e6);
	assert_int_equal(rs.count, ts.sent);
	assert_int_equal(rs.missing, 0);
	assert_int_equal(rs.dups, 0);
	assert_int_equal(rs.ttl_min, 3);
	assert_int_equal(rs.ttl_max, 3);
	rx_free(rx);
}

/* ---- SSM / IGMPv3 / MLDv2 --------------------------------------------- */

static bool has_rec_type(const struct pkt_rec *r, void *arg)
{
	unsigned int i;

	for (i = 0; i < r->gm_nrec_kept; i++)
		if (r->grec[i].type == *(uint8_t *)arg)
			return true;
	return false;
}

static void ssm(const char *group, const char *src, const char *bad_src,
		const char *filter, int family)
{
	uint8_t allow = 5, block = 6;
	struct pkt_match join = {
		.gm_kind = family == AF_INET ? PKT_GM_IGMP : PKT_GM_MLD,
		.gm_ver = family == AF_INET ? 3 : 2,
		.gm_group = group,
		.gm_source = src,
		.fn = has_rec_type,
		.fn_arg = &allow,
	};
	struct pkt_match leave = join;
	struct rx_opts ro = { .netns = ns_b,
			      .ifname = IFB,
			      .group = group,
			      .source = src,
			      .port = 5004 };
	struct udp_tx_opts o = { .netns = ns_a,
				 .ifname = IFA,
				 .src = bad_src,
				 .group = group,
				 .sport = 40004,
				 .dport = 5004,
				 .ttl = 1,
				 .count = 20,
				 .stream = 1 };
	struct udp_tx_stats ts;
	struct rx_stats rs;
	struct cap *cap;
	size_t i, n;
	struct rx_dgram *d;
	struct rx *rx;

	NEED_LAB();
	leave.fn_arg = &block;
	cap = cap_or_fail(ns_b, IFB, filter);
	rx = rx_start(&ro);
	assert_non_null(rx);
	/* the join's report leaves at once (then is repeated) */
	if (!cap_wait(cap, &join, 1, 2000)) {
		cap_report(cap, family == AF_INET ? "ssm4-join" : "ssm6-join");
		fail_msg("no v3/v2 report with ALLOW %s from %s", group, src);
	}

	/* first 20 from a source not joined, then 20 from the joined one:
	 * same path, in order, so once the good ones are in, the bad ones
	 * would be too */
	assert_int_equal(udp_send(&o, &ts), 0);
	o.src = src;
	o.stream = 2;
	assert_int_equal(udp_send(&o, &ts), 0);
	assert_true(rx_wait_count(rx, 20, 3000));
	assert_true(cap_wait(
		cap, &(struct pkt_match){ .has_stream = true, .stream = 2 }, 20,
		3000));
	assert_int_equal(cap_count(cap, &(struct pkt_match){ .has_stream = true,
							     .stream = 1 }),
			 20);
	rx_get_stats(rx, 2, 20, &rs);
	assert_int_equal(rs.count, 20);
	assert_int_equal(rs.matched, 20);
	assert_int_equal(rs.missing, 0);
	d = rx_dgrams(rx, &n);
	assert_non_null(d);
	for (i = 0; i < n; i++) {
		char s[INET6_ADDRSTRLEN];

		assert_string_equal(
			pkt_ntop(d[i].family, &d[i].src, s, sizeof(s)), src);
		assert_int_equal(d[i].sport, 40004);
	}
	free(d);

	assert_int_equal(rx_leave(rx, group, src), 0);
	if (!cap_wait(cap, &leave, 1, 2000)) {
		cap_report(cap,
			   family == AF_INET ? "ssm4-leave" : "ssm6-leave");
		fail_msg("no report with BLOCK %s from %s", group, src);
	}
	cap_stop(cap);
	rx_free(rx);
	cap_free(cap);
}

static void test_ssm4_igmpv3(void **state)
{
	(void)state;
	ssm("232.1.1.1", A4, A4B, "igmp or (udp and dst port 5004)", AF_INET);
}

static void test_ssm6_mldv2(void **state)
{
	(void)state;
	ssm("ff3e::8000:1", A6, "2001:db8:1::11",
	    /* BPF "icmp6" misses MLD: it sits behind a hop-by-hop header */
	    "ip6", AF_INET6);
}

/* ---- multicast ping ----------------------------------------------------- */

static void ping(const char *group, const char *replier, int family)
{
	struct rx_opts ro = {
		.netns = ns_b, .ifname = IFB, .group = group, .port = 9
	};
	struct mping_opts po = { .netns = ns_a,
				 .ifname = IFA,
				 .group = group,
				 .ttl = 10,
				 .count = 5,
				 .interval_ms = 20,
				 .timeout_ms = 2000,
				 .expect = 5 };
	const char *filter = family == AF_INET ? "icmp" : "icmp6";
	struct mping_result res;
	char srcs[4][46];
	struct cap *cap;
	struct rx *rx;
	int i;

	NEED_LAB();
	cap = cap_or_fail(ns_a, IFA, filter);
	rx = rx_start(&ro); /* a member: the kernel replies only then */
	assert_non_null(rx);
	assert_int_equal(mping_run(&po, &res), 0);
	assert_int_equal(res.sent, 5);
	assert_int_equal(res.nreply, 5);
	assert_int_equal(mping_sources(&res, srcs, 4), 1);
	assert_string_equal(srcs[0], replier);
	for (i = 0; i < 5; i++)
		assert_int_equal(mping_count(&res, replier, i), 1);
	print_message("# INFO ping %s ttl 10: 5/5 replies from %s, rtt of "
		      "seq 0 %.3f ms\n",
		      group, replier, (double)res.reply[0].rtt_ns / 1e6);
	mping_result_free(&res);

	/* the capture on the sender saw the 5 requests with TTL 10 and the
	 * 5 replies, all with our id */
	assert_true(cap_wait(
		cap, &(struct pkt_match){ .echo = true, .echo_id = res.id }, 10,
		2000));
	cap_stop(cap);
	if (!cap_expect(cap,
			&(struct pkt_match){ .dst = group,
					     .ttl = 10,
					     .echo = true,
					     .echo_id = res.id },
			5, "ping-requests"))
		fail();
	if (!cap_expect(cap,
			&(struct pkt_match){ .src = replier,
					     .echo = true,
					     .echo_id = res.id,
					     .mclab = true },
			5, "ping-replies"))
		fail();
	cap_free(cap);

	/* not a member any more: no replies.  A negative check has to wait
	 * for something not to happen: the timeout is the bound. */
	rx_free(rx);
	po.expect = 0;
	po.count = 2;
	po.timeout_ms = 300;
	assert_int_equal(mping_run(&po, &res), 0);
	assert_int_equal(res.sent, 2);
	assert_int_equal(res.nreply, 0);
	mping_result_free(&res);
}

static void test_ping4_group(void **state)
{
	(void)state;
	ping("239.1.2.7", B4, AF_INET);
}

static void test_ping6_group(void **state)
{
	(void)state;
	ping("ff0e::1:7", B6, AF_INET6);
}

/* ---- failure support ---------------------------------------------------- */

/* The pcap of a capture and its tcpdump text: what the field report shows. */
static void test_capture_saved_as_tcpdump(void **state)
{
	struct udp_tx_opts o = { .netns = ns_a,
				 .ifname = IFA,
				 .group = "239.1.2.8",
				 .sport = 40005,
				 .dport = 5005,
				 .ttl = 10,
				 .count = 3 };
	char path[4096], name[128];
	struct stat sb;
	struct cap *cap;
	char *txt;

	(void)state;
	NEED_LAB();
	snprintf(name, sizeof(name), "tcpdump-demo-%s", ns_b);
	cap = cap_or_fail(ns_b, IFB, "udp and dst port 5005");
	assert_int_equal(udp_send(&o, NULL), 0);
	assert_true(cap_wait(cap, NULL, 3, 2000));
	cap_stop(cap);
	assert_int_equal(cap_save(cap, name, path, sizeof(path)), 0);
	assert_int_equal(stat(path, &sb), 0);
	txt = tcpdump_text(path);
	assert_non_null(txt);
	if (!strstr(txt, "ttl 10") ||
	    !strstr(txt, "192.0.2.1.40005 > 239.1.2.8.5005: UDP, length 32")) {
		print_message("# tcpdump: %s\n", txt);
		fail();
	}
	free(txt);
	unlink(path);
	cap_free(cap);
}

/* Bad input is refused, not crashed on. */
static void test_bad_arguments(void **state)
{
	struct rx_opts ro = { .netns = ns_b,
			      .ifname = "nosuchif0",
			      .group = "239.1.2.9",
			      .port = 1 };
	struct udp_tx_opts o = {
		.netns = ns_a, .ifname = IFA, .group = "not-a-group", .count = 1
	};
	struct mping_result res;
	struct mping_opts po = { .netns = ns_a,
				 .ifname = IFA,
				 .group = "239.1.2.9" };

	(void)state;
	NEED_LAB();
	assert_null(rx_start(&ro));
	assert_int_equal(udp_send(&o, NULL), -EINVAL);
	assert_null(cap_start(ns_b, "nosuchif0", NULL));
	assert_true(strlen(cap_error()) > 0);
	assert_null(cap_start(ns_b, IFB, "this is not bpf"));
	assert_non_null(strstr(cap_error(), "filter"));
	assert_null(cap_start("mcl-no-such-ns", IFB, NULL));
	po.ifname = "nosuchif0";
	assert_true(mping_run(&po, &res) < 0);
	mping_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4_exact),
		cmocka_unit_test(test_udp6_exact),
		cmocka_unit_test(test_udp4_ttl_sweep),
		cmocka_unit_test(test_udp4_background_1kpps),
		cmocka_unit_test(test_ssm4_igmpv3),
		cmocka_unit_test(test_ssm6_mldv2),
		cmocka_unit_test(test_ping4_group),
		cmocka_unit_test(test_ping6_group),
		cmocka_unit_test(test_capture_saved_as_tcpdump),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
