// SPDX-License-Identifier: MIT
/*
 * The field report on an emulated Pi: mcrouted cross-built for arm64 runs
 * in qemu (our kernel from Debian's source, busybox initramfs from qemu/), the
 * VM's wlan0 and usb0 wired into the pi-router topology in place of its
 * router node.  Checked from the namespaces' side of the wires: the TTL
 * sweep, an iptables TTL rewrite, NAT (MASQUERADE on usb0), the proc
 * files through the guest agent, the running kernel's config (our
 * own build, /proc/config.gz; Debian's, /boot/config-*); a guest
 * booted with ipv6.disable=1; and
 * the SD card image booted by "mclab qemu up --image".
 *
 * Skips (with the reason) when qemu-system-aarch64 or the image is not
 * there: "make -C qemu image" builds it (make check does, as root).
 * QEMU_PROFILE=raspi3b runs the same on the raspi3b machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include "common.h"
#include "console.h"
#include "kconfig.h"
#include "qemu.h"
#include "qemu_case.h"

#define T_BOOT 30000
#define PER_TTL 20

struct qfx {
	struct lab *lab;
	struct qemu_vm *vm;
	enum qemu_profile profile;
	enum router_kind kind; /* ROUTER: mcrouted or Debian's smcroute */
	struct router r; /* in the guest, through the node's backend */
	bool router_up;
	char skip[1500];
};

static const char conf_pi[] =
	"# the field report's smcroute.conf, in the Pi\n"
	"mgroup from wlan0 group 225.1.2.3\n"
	"mroute from wlan0 group 225.1.2.3 to usb0\n"
	"mroute from wlan0 source 192.0.2.2 group 225.1.2.4 to usb0\n"
	"mroute from wlan0 group ff0e::1:3 to usb0\n";

enum qemu_profile profile_env(void)
{
	int p = qemu_profile_parse(getenv("QEMU_PROFILE"));

	return p < 0 ? QEMU_VIRT : (enum qemu_profile)p;
}

/*
 * The router under test in the guest: ROUTER=mcrouted (default) or
 * smcroute (Debian's arm64 smcrouted in the image); NULL, or why not.
 * features: what the group needs (router_skip_reason()).
 */
static const char *router_env(struct qfx *f, unsigned int features)
{
	int kind = router_kind_from_env();

	if (kind < 0)
		return "ROUTER is not mcrouted, smcroute or igmpproxy";
	f->kind = (enum router_kind)kind;
	if (kind == ROUTER_IGMPPROXY)
		return "the Pi image has no igmpproxy";
	return router_skip_reason(f->kind, features);
}

static void qfx_up(struct qfx *f, const char *append, const char *conf,
		   unsigned int features)
{
	char err[4096];
	const char *why;
	struct qemu_opts o = { 0 };

	memset(f, 0, sizeof(*f));
	f->profile = profile_env();
	why = router_env(f, features);
	if (why) {
		snprintf(f->skip, sizeof(f->skip), "%s", why);
		return;
	}
	if (geteuid() != 0) {
		snprintf(f->skip, sizeof(f->skip), "needs root (taps, netns)");
		return;
	}
	why = qemu_available(f->profile);
	if (why) {
		snprintf(f->skip, sizeof(f->skip), "%s", why);
		return;
	}
	lab_sweep(false);
	f->lab = lab_up_file("pi-router", err, sizeof(err));
	if (!f->lab) {
		snprintf(f->skip, sizeof(f->skip),
			 "cannot build pi-router: %.1400s", err);
		return;
	}
	o.profile = f->profile;
	o.lab = f->lab;
	o.append = append;
	o.timeout_ms = T_BOOT;
	/* boot, configure, settle: the VM in for the router node */
	f->vm = qemu_up(&o, err, sizeof(err));
	if (!f->vm) {
		print_message("# qemu_up: %s\n", err);
		return;
	}
	INFO("%s booted to agent-ready in %.2f s (guest uptime %.2f s, kernel %s)\n",
	     qemu_profile_name(f->profile), f->vm->boot_ns / 1e9,
	     f->vm->guest_uptime, f->vm->release);
	if (!conf)
		return;
	{
		uint64_t t0 = mono_ns();

		/* the harness's router_start, through the node's VM backend */
		if (router_start(&f->r, f->kind, f->vm->node, conf, NULL, 15000,
				 err, sizeof(err)) < 0) {
			print_message("# router_start: %s\n", err);
			return;
		}
		INFO("%s up in the guest in %.2f s; boot to router-ready %.2f s\n",
		     router_kind_name(f->kind), (mono_ns() - t0) / 1e9,
		     (mono_ns() - t0 + f->vm->boot_ns) / 1e9);
	}
	f->router_up = true;
}

static void qfx_down(struct qfx *f)
{
	if (f->router_up)
		router_stop(&f->r, 3000);
	f->router_up = false;
	qemu_halt(f->vm);
	f->vm = NULL;
	lab_down(f->lab);
	f->lab = NULL;
}

#define QFX_CHECK(f)                                                     \
	do {                                                             \
		if ((f)->skip[0]) {                                      \
			print_message("# SKIP reason: %s\n", (f)->skip); \
			skip();                                          \
		}                                                        \
		assert_non_null((f)->vm);                                \
	} while (0)

static const char *ns(struct qfx *f, const char *node)
{
	struct node *n = lab_node(f->lab, node);

	assert_non_null(n);
	return n->ns;
}

static unsigned long send_from_snd(struct qfx *f, const char *group, int ttl,
				   unsigned long count, uint32_t stream,
				   uint16_t sport)
{
	struct udp_tx_stats st;
	struct udp_tx_opts o = {
		.netns = ns(f, "snd"),
		.ifname = "eth0",
		.src = "192.0.2.2",
		.group = group,
		.sport = sport ? sport : CASE_SPORT,
		.dport = CASE_PORT,
		.ttl = ttl,
		.count = count,
		.pps = 500,
		.stream = stream,
	};
	int rc = udp_send(&o, &st);

	if (rc)
		fail_msg("udp_send -> %s: %s", group, strerror(-rc));
	return st.sent;
}

/* A guest command that must succeed; its output (free it) */
static char *guest_must(struct qfx *f, const char *cmd)
{
	char *out = NULL;
	int rc = qemu_exec(f->vm, 10000, &out, "%s", cmd);

	if (rc != 0) {
		print_message("# guest: %s: exit %d\n# %s\n", cmd, rc,
			      out ? out : strerror(errno));
		free(out);
		fail_msg("guest command failed");
	}
	return out;
}

/* ---- the Pi router ---------------------------------------------------- */

static int setup_pi(void **state)
{
	static struct qfx f;

	qfx_up(&f, NULL, conf_pi, RF_STATIC | RF_MGROUP);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	qfx_down(*state);
	return 0;
}

static void test_agent(void **state)
{
	struct qfx *f = *state;
	char *out, *buf = NULL;
	size_t len;
	uint64_t t0;

	QFX_CHECK(f);
	/* a command's exit code and output, and a file, through the agent */
	assert_int_equal(qemu_exec(f->vm, 5000, &out, "echo hi; exit 3"), 3);
	assert_string_equal(out, "hi\n");
	free(out);
	assert_int_equal(qemu_read_file(f->vm, "/proc/version", &buf, &len), 0);
	assert_non_null(strstr(buf, "aarch64") ? strstr(buf, "aarch64") :
						 strstr(buf, "Linux version"));
	free(buf);
	assert_int_equal(qemu_read_file(f->vm, "/nonexistent", &buf, &len), -1);
	assert_int_equal(errno, ENOENT);
	t0 = mono_ns();
	for (int i = 0; i < 10; i++)
		assert_int_equal(qemu_ping(f->vm, 2000), 0);
	INFO("agent round trip %.2f ms\n", (mono_ns() - t0) / 10 / 1e6);
	out = guest_must(f, "ip -o link show wlan0 && ip -o link show usb0 && "
			    "cat /sys/class/net/wlan0/address");
	assert_non_null(strstr(out, "52:54:00:4d:43:01"));
	free(out);
}

static void test_ttl_sweep(void **state)
{
	static const int ttls[] = { 1, 2, 3, 10, 64, 255 };
	struct qfx *f = *state;
	struct cap *c;
	bool ok = true;

	QFX_CHECK(f);
	assert_true(f->router_up);
	c = cap_start(ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(send_from_snd(f, "225.1.2.4", ttls[i], PER_TTL,
					       (uint32_t)ttls[i], 0),
				 PER_TTL);
	for (size_t i = 0; i < 6; i++) {
		int t = ttls[i];
		struct pkt_match any = { .dst = "225.1.2.4",
					 .has_stream = true,
					 .stream = (uint32_t)t };
		struct pkt_match dec = any;
		char what[64];

		dec.ttl = (uint8_t)(t - 1);
		snprintf(what, sizeof(what), "qemu-ttl%d", t);
		ok &= expect_exact(c, &any, t > 1 ? PER_TTL : 0, what);
		if (t > 1)
			ok &= cap_expect(c, &dec, PER_TTL, what);
	}
	INFO("TTL 1..255 through the VM: %zu datagrams on rcv, each TTL-1\n",
	     cap_count(c, &(struct pkt_match){ .dst = "225.1.2.4" }));
	cap_free(c);
	assert_true(ok);
}

/* Packets counted by the first rule of table/chain in the guest. */
static long rule_pkts(struct qfx *f, const char *table, const char *chain)
{
	char *out = NULL;
	long pkts = -1;
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "iptables -t %s -L %s -v -x -n", table,
		 chain);
	out = guest_must(f, cmd);
	/* header, column titles, first rule */
	{
		char *l = strchr(out, '\n');

		l = l ? strchr(l + 1, '\n') : NULL;
		if (l)
			pkts = strtol(l + 1, NULL, 10);
	}
	free(out);
	return pkts;
}

/* The field report: iptables -t mangle ... -j TTL --ttl-set 64 */
static void test_ttl_rewrite(void **state)
{
	struct qfx *f = *state;
	struct cap *c;
	bool ok = true;

	QFX_CHECK(f);
	assert_true(f->router_up);
	free(guest_must(
		f, "iptables -t mangle -A PREROUTING -i wlan0 -d 225.1.2.4 "
		   "-j TTL --ttl-set 64"));
	c = cap_start(ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	/* TTL 1: dropped without the rule; with it, out at 63 */
	send_from_snd(f, "225.1.2.4", 1, 30, 501, 0);
	ok &= expect_exact(c,
			   &(struct pkt_match){ .dst = "225.1.2.4",
						.ttl = 63,
						.has_stream = true,
						.stream = 501 },
			   30, "qemu-ttl-set");
	ok &= expect_exact(c, &(struct pkt_match){ .dst = "225.1.2.4" }, 30,
			   "qemu-ttl-set-all");
	assert_int_equal(rule_pkts(f, "mangle", "PREROUTING"), 30);
	free(guest_must(f, "iptables -t mangle -F PREROUTING"));
	/* rule gone: TTL 1 stays on the Wi-Fi side again */
	send_from_snd(f, "225.1.2.4", 1, 10, 502, 0);
	ok &= expect_exact(c,
			   &(struct pkt_match){ .dst = "225.1.2.4",
						.has_stream = true,
						.stream = 502 },
			   0, "qemu-ttl-unset");
	cap_free(c);
	assert_true(ok);
}

/* MASQUERADE on usb0: the group's datagrams leave with usb0's address */
static void test_nat(void **state)
{
	struct qfx *f = *state;
	struct cap *c;
	bool ok = true;

	QFX_CHECK(f);
	assert_true(f->router_up);
	free(guest_must(
		f, "iptables -t nat -A POSTROUTING -o usb0 -j MASQUERADE"));
	c = cap_start(ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	/* a new flow (source port never used before) on the (S,G) route */
	send_from_snd(f, "225.1.2.4", 10, 40, 601, 40601);
	ok &= expect_exact(c,
			   &(struct pkt_match){ .dst = "225.1.2.4",
						.src = "198.51.100.1",
						.ttl = 9,
						.has_stream = true,
						.stream = 601 },
			   40, "qemu-nat");
	ok &= expect_exact(c,
			   &(struct pkt_match){ .dst = "225.1.2.4",
						.src = "192.0.2.2" },
			   0, "qemu-nat-unmasked");
	free(guest_must(f, "iptables -t nat -F POSTROUTING"));
	cap_free(c);
	assert_true(ok);
}

static void test_proc_files(void **state)
{
	struct qfx *f = *state;
	char *vtext = NULL, *mtext = NULL, *fwd = NULL;
	struct mr_vif *v = NULL;
	struct mr_mfc *m = NULL;
	const struct mr_vif *w, *u;
	const struct mr_mfc *e;
	int nv, nm;

	QFX_CHECK(f);
	assert_true(f->router_up);
	send_from_snd(f, "225.1.2.4", 10, 25, 701, 0);
	assert_int_equal(
		qemu_read_file(f->vm, "/proc/net/ip_mr_vif", &vtext, NULL), 0);
	assert_int_equal(qemu_read_file(f->vm, "/proc/net/ip_mr_cache", &mtext,
					NULL),
			 0);
	assert_int_equal(
		qemu_read_file(f->vm,
			       "/proc/sys/net/ipv4/conf/all/mc_forwarding",
			       &fwd, NULL),
		0);
	print_message("# /proc/net/ip_mr_vif in the guest:\n# %s", vtext);
	nv = proc_parse_mr_vif(vtext, AF_INET, &v);
	nm = proc_parse_mr_mfc(mtext, AF_INET, &m);
	assert_true(nv >= 2);
	w = mr_vif_by_name(v, nv, "wlan0");
	u = mr_vif_by_name(v, nv, "usb0");
	assert_non_null(w);
	assert_non_null(u);
	e = mr_mfc_find_str(m, nm, "192.0.2.2", "225.1.2.4");
	assert_non_null(e);
	assert_int_equal(e->iif, w->vif);
	assert_int_equal(mr_mfc_oif_ttl(e, u->vif), 1);
	assert_true(e->pkts >= 25);
	assert_int_equal(atoi(fwd), 1);
	INFO("guest MFC (192.0.2.2, 225.1.2.4): iif %d, oif usb0 (vif %d), %llu packets\n",
	     e->iif, u->vif, (unsigned long long)e->pkts);
	free(v);
	free(m);
	free(vtext);
	free(mtext);
	free(fwd);
}

/*
 * The kernel the guest runs has everything "mclab kconfig" asks for, each
 * item built in or as a module the image carries: its config from
 * /proc/config.gz (our kernel, IKCONFIG) or /boot/config-RELEASE
 * (Debian's).  On our kernel nothing may be a module: it has none, and
 * the image's modules are for Debian's kernel.
 */
static void test_kernel_config(void **state)
{
	struct qfx *f = *state;
	struct kc_result r[64];
	struct kconfig *kc;
	size_t n, i, y = 0, m = 0;
	bool own;
	char *text;

	QFX_CHECK(f);
	own = strstr(f->vm->release, "-mclab") != NULL;
	text = guest_must(
		f, "if [ -e /proc/config.gz ]; then zcat /proc/config.gz; "
		   "else cat /boot/config-$(uname -r); fi");
	kc = kconfig_parse(text);
	free(text);
	assert_non_null(kc);
	assert_true(kconfig_count(kc) > 100);
	kconfig_items(&n);
	assert_true(n <= sizeof(r) / sizeof(r[0]));
	assert_int_equal(kconfig_check(kc, false, r), 0);
	for (i = 0; i < n; i++) {
		if (r[i].value == KC_MISSING ||
		    (own && r[i].value == KC_MODULE))
			print_message("# %s (%s): %s\n", r[i].item->what,
				      r[i].sym, kconfig_value_name(r[i].value));
		assert_int_not_equal(r[i].value, KC_MISSING);
		if (own)
			assert_int_equal(r[i].value, KC_BUILTIN);
		y += r[i].value == KC_BUILTIN;
		m += r[i].value == KC_MODULE;
	}
	INFO("kernel %s: %zu of %zu items built in, %zu modules\n",
	     f->vm->release, y, n, m);
	kconfig_free(kc);
}

/*
 * What the emulated router sustains: 400 datagrams at each rate, the
 * share that came out on usb0.  Reported; only the lowest rate must be
 * lossless (the raspi3b profile forwards cleanly up to a few hundred
 * packets per second).
 */
static void test_forwarding_rate(void **state)
{
	static const unsigned int rates[] = { 300, 1000, 3000, 10000 };
	struct qfx *f = *state;
	unsigned long got[4];

	QFX_CHECK(f);
	assert_true(f->router_up);
	for (int i = 0; i < 4; i++) {
		struct cap *c = cap_start(ns(f, "rcv"), "eth0", "udp");
		struct udp_tx_stats st;
		struct udp_tx_opts o = {
			.netns = ns(f, "snd"),
			.ifname = "eth0",
			.src = "192.0.2.2",
			.group = "225.1.2.4",
			.sport = CASE_SPORT,
			.dport = CASE_PORT,
			.ttl = 10,
			.count = 400,
			.pps = rates[i],
			.stream = 1000 + (uint32_t)i,
		};
		struct pkt_match m = { .dst = "225.1.2.4",
				       .has_stream = true,
				       .stream = 1000 + (uint32_t)i };

		assert_non_null(c);
		assert_int_equal(udp_send(&o, &st), 0);
		cap_wait(c, &m, 400, 1000);
		got[i] = cap_count(c, &m);
		cap_free(c);
		INFO("%s: %u pps offered, %lu/400 forwarded (%.0f%%)\n",
		     qemu_profile_name(f->profile), rates[i], got[i],
		     got[i] / 4.0);
	}
	assert_int_equal(got[0], 400);
}

/* ---- a kernel without IPv6 ------------------------------------------- */

static int setup_noipv6(void **state)
{
	static struct qfx f;

	qfx_up(&f, "ipv6.disable=1", conf_pi, RF_STATIC | RF_NO_IPV6_SURVIVAL);
	*state = &f;
	return 0;
}

static void test_noipv6_forwards_v4(void **state)
{
	struct qfx *f = *state;
	char *log = NULL;
	struct cap *c;
	bool ok;

	QFX_CHECK(f);
	assert_true(f->router_up);
	/* the field report's smcroute failure, on a real kernel */
	assert_int_equal(
		qemu_exec(f->vm, 3000, NULL, "[ ! -d /proc/sys/net/ipv6 ]"), 0);
	assert_int_equal(router_log(&f->r, &log), 0);
	print_message("# mcrouted's log in the guest:\n%s", log);
	assert_non_null(strstr(log, "IPv6 multicast routing is not available"));
	assert_non_null(strstr(log, "IPv6 route skipped"));
	free(log);
	c = cap_start(ns(f, "rcv"), "eth0", "udp");
	assert_non_null(c);
	/* the (S,G) route: in the kernel before the first packet */
	send_from_snd(f, "225.1.2.4", 10, 30, 801, 0);
	ok = expect_exact(c,
			  &(struct pkt_match){ .dst = "225.1.2.4",
					       .ttl = 9,
					       .has_stream = true,
					       .stream = 801 },
			  30, "qemu-noipv6");
	cap_free(c);
	assert_true(ok);
}

int main(void)
{
	const struct CMUnitTest pi[] = {
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_ttl_sweep),
		cmocka_unit_test(test_ttl_rewrite),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_proc_files),
		cmocka_unit_test(test_kernel_config),
		cmocka_unit_test(test_forwarding_rate),
	};
	const struct CMUnitTest noipv6[] = {
		cmocka_unit_test(test_noipv6_forwards_v4),
	};
	int rc = 0;

	rc |= cmocka_run_group_tests_name("qemu-pi-router", pi, setup_pi,
					  teardown);
	rc |= cmocka_run_group_tests_name("qemu-noipv6", noipv6, setup_noipv6,
					  teardown);
	rc |= qemu_sdcard_group();
	return rc;
}
