// SPDX-License-Identifier: MIT
/*
 * Starting and stopping the router under test.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "deadline.h"
#include "node.h"
#include "proc.h"
#include "router.h"
#include "util.h"

static const char *const kind_names[] = {
	[ROUTER_MCROUTED] = "mcrouted",
	[ROUTER_SMCROUTE] = "smcroute",
	[ROUTER_IGMPPROXY] = "igmpproxy",
};

int router_kind_parse(const char *name)
{
	if (!name || !*name)
		return ROUTER_MCROUTED;
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(*kind_names); i++)
		if (!strcmp(name, kind_names[i]))
			return (int)i;
	if (!strcmp(name, "smcrouted"))
		return ROUTER_SMCROUTE;
	return -1;
}

int router_kind_from_env(void)
{
	return router_kind_parse(getenv("ROUTER"));
}

const char *router_kind_name(enum router_kind kind)
{
	return kind <= ROUTER_IGMPPROXY ? kind_names[kind] : "?";
}

unsigned int router_features(enum router_kind kind)
{
	switch (kind) {
	case ROUTER_MCROUTED:
		return RF_IPV4 | RF_IPV6 | RF_STATIC | RF_PREFIX | RF_MGROUP |
		       RF_TTL_THRESHOLD | RF_CTL | RF_RELOAD | RF_RELOAD_DIFF |
		       RF_CONNTRACK_FLUSH | RF_NO_IPV6_SURVIVAL | RF_HOTPLUG |
		       RF_IGMP_PROXY | RF_SOURCE_MOVE;
	case ROUTER_SMCROUTE:
		return RF_IPV4 | RF_IPV6 | RF_STATIC | RF_PREFIX | RF_MGROUP |
		       RF_TTL_THRESHOLD | RF_CTL | RF_RELOAD;
	case ROUTER_IGMPPROXY:
		return RF_IPV4 | RF_IGMP_PROXY;
	}
	return 0;
}

static const struct {
	unsigned int bit;
	const char *why;
} feature_why[] = {
	{ RF_IPV4, "no IPv4 forwarding" },
	{ RF_IPV6, "no IPv6 multicast routing" },
	{ RF_STATIC,
	  "no static routes (it forwards only what receivers join)" },
	{ RF_PREFIX, "no group prefix routes" },
	{ RF_MGROUP, "no mgroup joins" },
	{ RF_TTL_THRESHOLD, "no ttl-threshold" },
	{ RF_CTL, "no control socket for runtime changes" },
	{ RF_RELOAD, "no config reload" },
	{ RF_RELOAD_DIFF, "no reload diff (a reload re-installs every route)" },
	{ RF_CONNTRACK_FLUSH,
	  "no conntrack flush (NAT never applies to a running flow)" },
	{ RF_NO_IPV6_SURVIVAL,
	  "no IPv4-only mode (it fails without kernel IPv6)" },
	{ RF_HOTPLUG, "no interface hotplug" },
	{ RF_IGMP_PROXY, "no IGMP proxy mode" },
	{ RF_SOURCE_MOVE,
	  "no move of a learned source to its new port (WRONGVIF)" },
};

const char *router_skip_reason(enum router_kind kind, unsigned int features)
{
	static char buf[256];
	unsigned int missing = features & ~router_features(kind);

	if (!missing)
		return NULL;
	for (size_t i = 0; i < sizeof(feature_why) / sizeof(*feature_why); i++)
		if (missing & feature_why[i].bit) {
			snprintf(buf, sizeof(buf), "%s has %s",
				 router_kind_name(kind), feature_why[i].why);
			return buf;
		}
	return "unknown feature";
}

/* ------------------------------------------------------------------ */
/* Binaries                                                           */

static bool executable(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && !access(p, X_OK);
}

static bool in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (n && executable(buf)) {
			snprintf(out, len, "%s", buf);
			return true;
		}
		path += n + (c ? 1 : 0);
	}
	/* sbin is not in every user's PATH */
	for (const char *const *d =
		     (const char *const[]){ "/usr/sbin", "/sbin", NULL };
	     *d; d++) {
		snprintf(buf, sizeof(buf), "%s/%s", *d, name);
		if (executable(buf)) {
			snprintf(out, len, "%s", buf);
			return true;
		}
	}
	return false;
}

/*
 * mcrouted/mcroutectl: $env, $BUILD/name, next to the running binary
 * (BUILD/mclab, BUILD/cases/x), then PATH.
 */
static bool find_ours(const char *name, const char *env, char *out, size_t len)
{
	const char *e = getenv(env), *build = getenv("BUILD");
	char exe[PATH_MAX], buf[PATH_MAX + 64];
	ssize_t n;

	if (e && *e) {
		snprintf(out, len, "%s", e);
		return executable(out);
	}
	if (build && *build) {
		snprintf(buf, sizeof(buf), "%s/%s", build, name);
		if (executable(buf)) {
			snprintf(out, len, "%s", buf);
			return true;
		}
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			snprintf(buf, sizeof(buf), "%s/%s", exe, name);
			if (executable(buf)) {
				snprintf(out, len, "%s", buf);
				return true;
			}
		}
	}
	return in_path(name, out, len);
}

static bool find_bin(enum router_kind kind, bool ctl, char *out, size_t len)
{
	switch (kind) {
	case ROUTER_MCROUTED:
		return ctl ? find_ours("mcroutectl", "MCROUTECTL", out, len) :
			     find_ours("mcrouted", "MCROUTED", out, len);
	case ROUTER_SMCROUTE:
		return in_path(ctl ? "smcroutectl" : "smcrouted", out, len);
	case ROUTER_IGMPPROXY:
		return ctl ? (out[0] = '\0', true) :
			     in_path("igmpproxy", out, len);
	}
	return false;
}

const char *router_available(enum router_kind kind, char *bin, size_t len)
{
	static char why[128];
	char ctl[PATH_MAX];

	if (!find_bin(kind, false, bin, len)) {
		snprintf(why, sizeof(why), "%s not found%s",
			 kind == ROUTER_SMCROUTE ? "smcrouted" :
						   router_kind_name(kind),
			 kind == ROUTER_MCROUTED ?
				 " (build it, or set MCROUTED=PATH)" :
				 " (apt-get install "
				 "smcroute igmpproxy)");
		return why;
	}
	if (!find_bin(kind, true, ctl, sizeof(ctl))) {
		snprintf(why, sizeof(why), "%s not found",
			 kind == ROUTER_MCROUTED ? "mcroutectl" :
						   "smcroutectl");
		return why;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Start and stop, over the router node's backend (node.h)            */

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	int rc = 0;

	if (!f)
		return -1;
	if (fputs(text, f) < 0)
		rc = -1;
	if (fclose(f) < 0)
		rc = -1;
	return rc;
}

/* A file where the daemon reads it: the host's, or the guest's. */
static int put_file(struct node *n, const char *path, const char *text)
{
	if (node_can(n, NODE_CAP_HOST_FS))
		return write_text(path, text);
	return node_write_file(n, path, text);
}

static void log_tail(struct node *n, const char *path, char *out, size_t len)
{
	char *text = NULL;
	size_t l = 0;
	const char *p;
	int lines = 0;

	out[0] = '\0';
	if (node_read_file(n, path, &text, &l) < 0)
		return;
	/* last 8 lines */
	for (p = text + l; p > text; p--)
		if (p[-1] == '\n' && p != text + l && ++lines == 9)
			break;
	if (snprintf(out, len, "%s", p) >= (int)len && len > 4)
		strcpy(out + len - 4, "...");
	free(text);
}

struct ready_arg {
	struct router *r;
};

static bool ctl_ready(void *arg)
{
	struct router *r = ((struct ready_arg *)arg)->r;
	const char *argv[8];
	struct node_result res;
	bool ok;
	int i = 0;

	if (!router_running(r))
		return true; /* died: stop waiting */
	argv[i++] = r->ctl;
	argv[i++] = "-u";
	argv[i++] = r->sock;
	if (r->kind == ROUTER_MCROUTED) {
		argv[i++] = "show";
		argv[i++] = "interfaces";
	} else {
		argv[i++] = "-p";
		argv[i++] = "show";
	}
	argv[i] = NULL;
	if (node_exec(r->node, argv, 2000, &res) < 0)
		return false;
	ok = res.exit_code == 0;
	node_result_free(&res);
	return ok;
}

static bool vifs_ready(void *arg)
{
	struct router *r = ((struct ready_arg *)arg)->r;
	struct mr_vif *v;
	int n;

	if (!router_running(r))
		return true;
	n = proc_read_mr_vif(r->node, AF_INET, &v);
	free(v);
	return n >= r->nvifs_expected;
}

bool router_find_tool(const char *name, char *out, size_t len)
{
	return find_ours(name, "MCLAB_TOOL_DIR_UNUSED", out, len);
}

int router_start(struct router *r, enum router_kind kind, struct node *n,
		 const char *conf_text, const char *const *extra_args,
		 unsigned int timeout_ms, char *err, size_t errlen)
{
	return router_start_wrapped(r, kind, n, conf_text, extra_args, NULL,
				    timeout_ms, err, errlen);
}

static const char *const guest_bins[][2] = {
	[ROUTER_MCROUTED] = { "mcrouted", "mcroutectl" },
	[ROUTER_SMCROUTE] = { "smcrouted", "smcroutectl" },
	[ROUTER_IGMPPROXY] = { "igmpproxy", "" },
};

/*
 * Where the daemon, its tool and its files are: the host's binaries and
 * the lab's results folder for a namespace; the guest's PATH and /tmp for
 * a node whose backend has other files (a VM, a console).
 */
static int router_places(struct router *r, struct node *n, char *err,
			 size_t errlen)
{
	const char *kn = router_kind_name(r->kind);
	char tmp[PATH_MAX];

	if (node_can(n, NODE_CAP_HOST_FS)) {
		const char *why =
			router_available(r->kind, r->bin, sizeof(r->bin));

		if (why) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		find_bin(r->kind, true, r->ctl, sizeof(r->ctl));
		snprintf(tmp, sizeof(tmp), "%s/tmp", n->lab->results);
		if (mkdir_p(tmp, 0755) < 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			return -1;
		}
		/* The control socket lives in /run (named by the node's
		 * unique netns, swept with it): sun_path is 108 bytes, and
		 * the results folder may be on a file system without
		 * sockets (9p in the lab's VM). */
		mkdir_p("/run/mclab", 0755);
	} else {
		snprintf(r->bin, sizeof(r->bin), "%s", guest_bins[r->kind][0]);
		snprintf(r->ctl, sizeof(r->ctl), "%s", guest_bins[r->kind][1]);
		if (node_run_cmd(n, 5000,
				 "command -v %s >/dev/null && "
				 "mkdir -p /tmp/mclab /run/mclab",
				 r->bin) != 0) {
			snprintf(err, errlen, "the %s node %s has no %s",
				 node_ops_of(n)->name, n->name, r->bin);
			return -1;
		}
		snprintf(tmp, sizeof(tmp), "/tmp/mclab");
	}
	SNP(r->conf, "%s/%s-%s.conf", tmp, n->name, kn);
	SNP(r->pidfile, "%s/%s-%s.pid", tmp, n->name, kn);
	snprintf(r->sock, sizeof(r->sock), "/run/mclab/%s-%s.sock", n->ns, kn);
	return 0;
}

/* The config text in the router's own syntax (malloc'ed), or NULL. */
static char *router_text(struct router *r, const char *conf_text)
{
	struct node *n = r->node;

	switch (r->kind) {
	case ROUTER_MCROUTED:
		return strdup(conf_text);
	case ROUTER_SMCROUTE:
		return router_conf_smcroute(conf_text);
	case ROUTER_IGMPPROXY: {
		const struct topo_if *ifs[64];
		const char *names[64];
		int cnt = n->index >= 0 ? topo_node_ifs(n->lab->topo, n->index,
							ifs, 64) :
					  0;

		if (cnt > 64)
			cnt = 64;
		for (int k = 0; k < cnt; k++)
			names[k] = ifs[k]->ifname;
		return router_conf_igmpproxy(conf_text, names, cnt);
	}
	}
	errno = EINVAL;
	return NULL;
}

int router_start_wrapped(struct router *r, enum router_kind kind,
			 struct node *n, const char *conf_text,
			 const char *const *extra_args,
			 const char *const *wrapper, unsigned int timeout_ms,
			 char *err, size_t errlen)
{
	char tail[2048];
	const char *argv[48];
	char *text = NULL;
	struct ready_arg ra = { r };
	int i = 0;
	bool ok;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->node = n;
	if (wrapper && wrapper[0] && !node_can(n, NODE_CAP_HOST_FS)) {
		/* our wrappers are host binaries */
		snprintf(err, errlen, "%s: %s",
			 node_ops_cannot(node_ops_of(n), NODE_CAP_HOST_FS, tail,
					 sizeof(tail)),
			 wrapper[0]);
		errno = ENOTSUP;
		return -1;
	}
	if (router_places(r, n, err, errlen) < 0)
		return -1;
	if (kind == ROUTER_IGMPPROXY) {
		r->nvifs_expected = router_conf_igmpproxy_vifs(conf_text);
		r->sock[0] = '\0';
	} else if (node_can(n, NODE_CAP_HOST_FS)) {
		unlink(r->sock);
	} else {
		node_run_cmd(n, 5000, "rm -f '%s'", r->sock);
	}
	text = router_text(r, conf_text);
	if (!text) {
		snprintf(
			err, errlen, "%s config: %s", router_kind_name(kind),
			kind == ROUTER_IGMPPROXY ?
				"igmpproxy needs routes from exactly one interface" :
				strerror(errno));
		return -1;
	}
	if (put_file(n, r->conf, text) < 0) {
		snprintf(err, errlen, "%s: %s", r->conf, strerror(errno));
		free(text);
		return -1;
	}
	free(text);

	for (int k = 0; wrapper && wrapper[k] && i < 8; k++)
		argv[i++] = wrapper[k];
	argv[i++] = r->bin;
	switch (kind) {
	case ROUTER_MCROUTED:
	case ROUTER_SMCROUTE:
		argv[i++] = "-n";
		if (kind == ROUTER_SMCROUTE)
			argv[i++] = "-N";
		argv[i++] = "-f";
		argv[i++] = r->conf;
		argv[i++] = "-u";
		argv[i++] = r->sock;
		argv[i++] = "-P";
		argv[i++] = r->pidfile;
		argv[i++] = "-l";
		argv[i++] = "debug";
		break;
	case ROUTER_IGMPPROXY:
		argv[i++] = "-n";
		argv[i++] = "-d";
		argv[i++] = r->conf;
		break;
	}
	for (int k = 0; extra_args && extra_args[k] && i < 46; k++)
		argv[i++] = extra_args[k];
	argv[i] = NULL;
	r->pid = node_spawn(n, argv, router_kind_name(kind), r->log,
			    sizeof(r->log));
	if (r->pid < 0) {
		snprintf(err, errlen, "start %s in %s (%s): %s", r->bin,
			 n->name, node_ops_of(n)->name, strerror(errno));
		r->pid = 0;
		return -1;
	}
	if (kind == ROUTER_IGMPPROXY)
		ok = wait_until(vifs_ready, &ra, timeout_ms, 2);
	else
		ok = wait_until(ctl_ready, &ra, timeout_ms, 2);
	if (ok && router_running(r))
		return 0;
	{
		bool died = !router_running(r);
		int code = router_stop(r, 1000);

		log_tail(n, r->log, tail, sizeof(tail));
		if (died)
			snprintf(err, errlen,
				 "%s exited with %d at start; %s:\n%s",
				 router_kind_name(kind), code, r->log, tail);
		else
			snprintf(err, errlen,
				 "%s not ready within %u ms; %s:\n%s",
				 router_kind_name(kind),
				 timeout_ms * timeout_mult(), r->log, tail);
	}
	return -1;
}

int router_write_conf(struct router *r, const char *conf_text)
{
	char *text = router_text(r, conf_text);
	int rc;

	if (!text)
		return -1;
	rc = put_file(r->node, r->conf, text);
	free(text);
	return rc;
}

int router_signal(struct router *r, int sig)
{
	return node_signal(r->node, r->pid, sig);
}

int router_reload(struct router *r, const char *conf_text)
{
	if (router_write_conf(r, conf_text) < 0)
		return -1;
	return router_signal(r, SIGHUP);
}

int router_stop(struct router *r, unsigned int timeout_ms)
{
	int code;

	if (!r || r->pid <= 0)
		return -1;
	code = node_stop(r->node, r->pid, SIGTERM, timeout_ms);
	r->pid = 0;
	if (r->sock[0] && node_can(r->node, NODE_CAP_HOST_FS))
		unlink(r->sock);
	return code;
}

bool router_running(const struct router *r)
{
	return r && r->pid > 0 && node_running(r->node, r->pid);
}

int router_log(const struct router *r, char **text)
{
	*text = NULL;
	if (!r || !r->log[0]) {
		errno = ENOENT;
		return -1;
	}
	return node_read_file(r->node, r->log, text, NULL);
}

int router_ctl(struct router *r, char *out, size_t outlen, const char *fmt, ...)
{
	struct node_result res;
	char *args = NULL;
	va_list ap;
	int rc;

	if (!r->ctl[0] || !r->sock[0]) {
		errno = ENOTSUP;
		return -1;
	}
	va_start(ap, fmt);
	rc = vasprintf(&args, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = node_sh(r->node, 5000, &res, "'%s' -u '%s' %s%s", r->ctl, r->sock,
		     r->kind == ROUTER_SMCROUTE ? "-p " : "", args);
	free(args);
	if (rc < 0)
		return -1;
	if (out)
		snprintf(out, outlen, "%s%s", res.out, res.err);
	rc = res.exit_code;
	node_result_free(&res);
	return rc;
}
