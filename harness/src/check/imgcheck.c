// SPDX-License-Identifier: MIT
/*
 * mclab check --image: a user's SD card image as the router (imgcheck.h):
 * the run, and the helpers its checks share (imgcheck_int.h).
 */
#include "imgcheck_int.h"
#include "node_guest.h"

void imgc_say(struct ctx *c, const char *fmt, ...)
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

double imgc_since(uint64_t t0)
{
	return (double)(mono_ns() - t0) / 1e9;
}

/* Run in the guest; output in *out (always set, free it). */
int imgc_guest(struct ctx *c, unsigned int tmo, char **out, const char *fmt,
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
struct node *imgc_peer(struct ctx *c, int fam, const char *ifname, char *pif,
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

void imgc_router_addr(struct ctx *c, const char *ifname, char *addr)
{
	const struct topo_addr *a =
		topo_if_addr(c->lab->topo, c->rtr->index, ifname, AF_INET);

	addr[0] = '\0';
	if (a)
		inet_ntop(AF_INET, a->a.raw, addr, INET_ADDRSTRLEN);
}

/* Is ifname one of the router's interfaces in the lab? */
bool imgc_has_if(const struct ctx *c, const char *ifname)
{
	size_t n = strlen(ifname);

	for (const char *p = c->ifs; (p = strstr(p, ifname)); p += n)
		if ((p == c->ifs || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

int imgc_read_vifs(struct ctx *c, int fam, struct mr_vif **v)
{
	/* the harness's reader, through the image's node backend */
	return proc_read_mr_vif(c->rtr, fam, v);
}

bool imgc_has_vif(struct ctx *c, int fam, const char *ifname)
{
	struct mr_vif *v;
	int n = imgc_read_vifs(c, fam, &v);
	bool ok = n > 0 && mr_vif_by_name(v, n, ifname);

	free(v);
	return ok;
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
	imgc_guest(
		c, 15000, &out,
		"for c in 'uname -a' 'cat /proc/cmdline' 'ip -d link' 'ip addr' "
		"'cat /proc/net/ip_mr_vif' 'cat /proc/net/ip_mr_cache' "
		"'iptables -S' 'iptables -t mangle -S' 'iptables -t nat -S' "
		"'%s' 'ps' 'dmesg'; do echo \"== $c\"; $c 2>&1; done",
		c->router.daemon == IMG_SMCROUTED ? "smcroutectl show" :
		c->router.daemon == IMG_MCROUTED  ? "mcroutectl show" :
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

	if (imgc_guest(c, 10000, &out, "iptables -t mangle -S 2>&1") == 0)
		c->nttl = img_parse_mangle(out, c->ttl, 16, &c->ttl_unmodelled);
	free(out);
	if (imgc_guest(c, 10000, &out, "iptables -t nat -S 2>/dev/null") == 0)
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
	imgc_say(&c, "lab %s", o->topo ? o->topo : "pi-router");
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
	imgc_say(&c, "booting %s", o->image);
	tb = mono_ns();
	c.vm = qemu_boot(&q, err, sizeof(err));
	if (!c.vm) {
		img_add(rep, "boot", IMG_FAIL, imgc_since(tb), "%s", err);
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
		img_add(rep, "boot", IMG_FAIL, imgc_since(tb),
			"login prompt after %.1f s, but no shell: %s",
			(double)c.vm->boot_ns / 1e9, err);
		goto out;
	}
	{
		char *un;

		imgc_guest(&c, 5000, &un, "uname -rm");
		un[strcspn(un, "\n")] = '\0';
		img_add(rep, "boot", IMG_PASS, imgc_since(tb),
			"login prompt after %.1f s, shell after %.1f s; "
			"kernel %s",
			(double)c.vm->boot_ns / 1e9, imgc_since(tb), un);
		free(un);
	}
	if (qemu_rename_nics(c.vm, 10000, err, sizeof(err)) < 0 ||
	    qemu_configure(c.vm, err, sizeof(err)) < 0) {
		img_add(rep, "network", IMG_FAIL, 0, "%s", err);
		goto out;
	}
	/* the image in for the router node: over its serial console (no
	 * agent of ours), so the harness's node_* and proc_* readers reach
	 * it as they reach a namespace */
	if (lab_replace_node_vm(c.lab, c.rtr, c.vm, false) < 0) {
		img_add(rep, "network", IMG_FAIL, 0, "replace %s: %s",
			c.rtr->name, strerror(errno));
		goto out;
	}
	img_fact(rep,
		 "NICs: %s, renamed by MAC from the kernel's names "
		 "(the Wi-Fi chip and the USB gadget are modelled as "
		 "USB NICs)",
		 c.ifs);

	imgc_router(&c);
	imgc_kernel(&c);
	if (c.router.daemon)
		imgc_conf(&c);
	rules(&c);
	imgc_forwarding(&c);
	imgc_sweep(&c);
	for (size_t i = 0; c.have_conf && i < c.conf.n_mroutes; i++)
		imgc_route(&c, &c.conf.mroutes[i]);
	imgc_mangle(&c);
	imgc_nat(&c);
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
	rep->total_secs = imgc_since(t0);
	rc = img_failures(rep) ? 1 : 0;
	if (img_write(rep, dir) < 0)
		fprintf(stderr,
			"mclab check: cannot write the report in %s: %s\n", dir,
			strerror(errno));
	return rc;
}
