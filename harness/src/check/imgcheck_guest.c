// SPDX-License-Identifier: MIT
/*
 * mclab check --image, the checks read from the guest: its kernel's
 * options, the router its init starts, that router's config,
 * mc_forwarding and the VIFs.
 */
#include "imgcheck_int.h"

/* ---- kernel options ------------------------------------------------------ */

void imgc_kernel(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	char *out, from[600] = "", err[512] = "", *text = NULL;
	struct kconfig *kc;
	int rc = imgc_guest(c, 10000, &out, "zcat /proc/config.gz 2>/dev/null");

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
		rc = imgc_guest(c, 5000, &out, "[ -e /proc/net/ip_mr_vif ]");
		free(out);
		img_add(c->rep, "kernel options", rc == 0 ? IMG_PASS : IMG_FAIL,
			imgc_since(t0),
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
		img_add(c->rep, "kernel options", IMG_FAIL, imgc_since(t0),
			"out of memory");
		return;
	}
	{
		size_t n, ml = 0, wl = 0;
		struct kc_result *res;
		char miss[512] = "", want[512] = "";
		int bad = 0;

		kconfig_items(&n);
		res = calloc(n, sizeof(*res));
		if (!res) {
			img_add(c->rep, "kernel options", IMG_FAIL,
				imgc_since(t0), "out of memory");
			kconfig_free(kc);
			return;
		}
		kconfig_check(kc, c->router.daemon == IMG_SMCROUTED, res);
		for (size_t i = 0; i < n; i++) {
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
			img_add(c->rep, "kernel options", IMG_FAIL,
				imgc_since(t0), "missing %s (read from %s)%s%s",
				miss, from, want[0] ? "\nalso missing: " : "",
				want);
		else
			img_add(c->rep, "kernel options", IMG_PASS,
				imgc_since(t0),
				"every required option (read from %s)%s%s",
				from, want[0] ? "; missing, wanted: " : "",
				want);
		free(res);
	}
	kconfig_free(kc);
}

/* ---- the router ------------------------------------------------------------ */

void imgc_router(struct ctx *c)
{
	uint64_t t0 = mono_ns();
	char *out;
	int rc;

	imgc_guest(c, 10000, &out,
		   "for f in /etc/init.d/S??*; do [ -f \"$f\" ] || continue; "
		   "echo \"==> $f\"; cat \"$f\"; done");
	if (img_find_router(out, &c->router) < 0) {
		img_add(c->rep, "router", IMG_FAIL, imgc_since(t0),
			"no multicast router is started by /etc/init.d "
			"(looked for smcrouted, mcrouted, mrouted, igmpproxy)");
		free(out);
		return;
	}
	free(out);
	img_fact(c->rep, "router under test: %s, started by %s with %s",
		 img_daemon_name(c->router.daemon), c->router.script,
		 c->router.conf);
	imgc_say(c, "router: %s (%s, %s)", img_daemon_name(c->router.daemon),
		 c->router.script, c->router.conf);
	/*
	 * Restart it, now that the NICs have the image's names: it started
	 * at boot when they were still usb0/usb1.  Stop, wait for it to be
	 * gone (its routing socket with it), start.
	 */
	rc = imgc_guest(
		c, 20000, &out,
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
			alive = imgc_guest(c, 5000, &pid, "sleep 0.5; pidof %s",
					   img_daemon_name(c->router.daemon)) ==
				0;
		}
		if (alive) {
			if (c->router.daemon == IMG_SMCROUTED)
				imgc_guest(c, 5000, &st,
					   "smcroutectl show 2>&1");
			else if (c->router.daemon == IMG_MCROUTED)
				imgc_guest(c, 5000, &st,
					   "mcroutectl show 2>&1");
			c->router_up = true;
			img_add(c->rep, "router", IMG_PASS, imgc_since(t0),
				"%s running (pid %.*s), restarted by %s\n%s",
				img_daemon_name(c->router.daemon),
				(int)strcspn(pid, " \n"), pid, c->router.script,
				st ? st : "");
		} else {
			img_add(c->rep, "router", IMG_FAIL, imgc_since(t0),
				"%s is not running after %s start (exit %d)\n%s",
				img_daemon_name(c->router.daemon),
				c->router.script, rc, out);
		}
		free(pid);
		free(st);
	}
	free(out);
}

void imgc_conf(struct ctx *c)
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
		img_add(c->rep, "config", IMG_FAIL, imgc_since(t0),
			"%s: cannot be read in the image: %s", c->router.conf,
			strerror(errno));
		return;
	}
	if (conf_parse(&c->conf, c->router.conf, text, strlen(text), NULL, &e) <
	    0) {
		img_add(c->rep, "config", IMG_FAIL, imgc_since(t0), "%s",
			e.msg);
		free(text);
		return;
	}
	c->have_conf = true;
	img_add(c->rep, "config", IMG_PASS, imgc_since(t0),
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

static bool all_vifs(struct ctx *c, const char *ifs, char *missing, size_t len)
{
	struct mr_vif *v;
	int n = imgc_read_vifs(c, AF_INET, &v);
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

void imgc_forwarding(struct ctx *c)
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
	rc = imgc_guest(c, 5000, &out,
			"cat /proc/sys/net/ipv4/conf/all/mc_forwarding");
	if (rc != 0) {
		img_add(c->rep, "mc_forwarding", IMG_FAIL, imgc_since(t0),
			"no /proc/sys/net/ipv4/conf/all/mc_forwarding: the "
			"kernel has no IPv4 multicast routing");
	} else if (atoi(out) != 1) {
		img_add(c->rep, "mc_forwarding", IMG_FAIL, imgc_since(t0),
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
			if (imgc_has_if(c, w))
				hl += (size_t)snprintf(
					here + hl, sizeof(here) - hl, "%s ", w);
		imgc_guest(c, 5000, &per,
			   "for i in %s; do printf '%%s=%%s ' $i "
			   "$(cat /proc/sys/net/ipv4/conf/$i/mc_forwarding "
			   "2>/dev/null || echo none); done",
			   here[0] ? here : "lo");
		img_add(c->rep, "mc_forwarding",
			strstr(per, "=0") || strstr(per, "=none") ? IMG_FAIL :
								    IMG_PASS,
			imgc_since(t0), "all=1 %s", per);
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
		img_add(c->rep, "VIFs", IMG_PASS, imgc_since(t0),
			"ip_mr_vif has %s\n%s", ifs, text ? text : "");
		free(text);
	} else {
		char *text = NULL;

		qemu_read_file(c->vm, "/proc/net/ip_mr_vif", &text, NULL);
		img_add(c->rep, "VIFs", IMG_FAIL, imgc_since(t0),
			"no VIF for %s, which %s routes (the router here has "
			"%s)\n%s",
			missing, c->router.conf, c->ifs, text ? text : "");
		free(text);
	}
}
