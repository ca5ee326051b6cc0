// SPDX-License-Identifier: MIT
/*
 * The .topo parser: text -> struct topo.  Pure (no I/O but topo_load()).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topo.h"
#include "util.h"

#define MAX_TOKENS 128

struct pstate {
	struct topo *t;
	const char *fname;
	int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int perr(struct pstate *ps,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->fname, ps->line);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= TOPO_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	return true;
}

/* "ADDR/LEN" -> topo_addr.  Returns 0, or -1 with a message. */
static int parse_prefix(struct pstate *ps, const char *s, struct topo_addr *a,
			bool need_len, const char *what)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;
	int max;

	if (strlen(s) >= sizeof(buf))
		return perr(ps, "bad %s '%s'", what, s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, &a->a.v4) == 1) {
		a->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, &a->a.v6) == 1) {
		a->family = AF_INET6;
		max = 128;
	} else {
		return perr(ps, "bad %s '%s'", what, s);
	}
	if (!slash) {
		if (need_len)
			return perr(ps, "%s '%s' needs a prefix length (/LEN)",
				    what, s);
		a->plen = (unsigned char)max;
		return 0;
	}
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len < 0 || len > max)
		return perr(ps, "bad prefix length in %s '%s'", what, s);
	a->plen = (unsigned char)len;
	return 0;
}

/* "NODE:IF" -> node index and ifname (node must be declared). */
static int parse_endpoint(struct pstate *ps, const char *s, int *node,
			  char *ifname)
{
	const char *colon = strchr(s, ':');
	char nname[TOPO_NAME_MAX + 1];
	size_t nl;

	if (!colon)
		return perr(ps, "expected NODE:IF, got '%s'", s);
	nl = (size_t)(colon - s);
	if (nl == 0 || nl >= sizeof(nname))
		return perr(ps, "bad node name in '%s'", s);
	memcpy(nname, s, nl);
	nname[nl] = '\0';
	*node = topo_node_index(ps->t, nname);
	if (*node < 0)
		return perr(ps, "unknown node '%s'", nname);
	if (!valid_ifname(colon + 1))
		return perr(
			ps,
			"bad interface name '%s' (1-15 characters, no '/', ':' or spaces)",
			colon + 1);
	strcpy(ifname, colon + 1);
	return 0;
}

static bool if_exists(const struct topo *t, int node, const char *ifname)
{
	return topo_find_if(t, node, ifname) != NULL;
}

static int add_addr(struct pstate *ps, struct topo_if *ifc, const char *tok)
{
	if (ifc->naddrs >= TOPO_MAX_ADDRS)
		return perr(ps, "too many addresses on %s:%s (at most %d)",
			    ps->t->nodes[ifc->node].name, ifc->ifname,
			    TOPO_MAX_ADDRS);
	return parse_prefix(ps, tok, &ifc->addrs[ifc->naddrs++], true,
			    "address");
}

/*
 * Endpoint list: "N:IF [ADDR...] N:IF [ADDR...] ...", tokens tok[0..n).
 * An address always has a '/', an endpoint never does.  stop_kw ends the
 * list early (for "ports").  Returns the number of endpoints, or -1.
 */
static int parse_endpoints(struct pstate *ps, char **tok, int n,
			   struct topo_if *out, int max, int *used)
{
	int cnt = 0, i;

	for (i = 0; i < n; i++) {
		if (strchr(tok[i], '/')) {
			if (cnt == 0)
				return perr(ps,
					    "address '%s' before any NODE:IF",
					    tok[i]);
			if (add_addr(ps, &out[cnt - 1], tok[i]) < 0)
				return -1;
			continue;
		}
		if (!strchr(tok[i], ':'))
			break;
		if (cnt >= max)
			return perr(ps, "too many endpoints");
		memset(&out[cnt], 0, sizeof(out[cnt]));
		if (parse_endpoint(ps, tok[i], &out[cnt].node,
				   out[cnt].ifname) < 0)
			return -1;
		cnt++;
	}
	*used = i;
	return cnt;
}

static int check_new_if(struct pstate *ps, const struct topo_if *ifc)
{
	if (if_exists(ps->t, ifc->node, ifc->ifname))
		return perr(ps, "interface %s:%s is declared twice",
			    ps->t->nodes[ifc->node].name, ifc->ifname);
	if (!strcmp(ifc->ifname, "lo"))
		return perr(ps, "interface name 'lo' is reserved");
	return 0;
}

/*
 * The name of a new node or lan (kind "node" or "lan"): valid, and the
 * name of no node or lan declared before (both share one namespace).
 */
static int check_new_name(struct pstate *ps, const char *kind, const char *name)
{
	bool node = !strcmp(kind, "node");
	int i;

	if (!valid_name(name))
		return perr(ps, "bad %s name '%s' (1-%d of A-Z a-z 0-9 _ -)",
			    kind, name, TOPO_NAME_MAX - 1);
	if (topo_node_index(ps->t, name) >= 0)
		return perr(ps, "%s '%s' %s", kind, name,
			    node ? "is declared twice" :
				   "has the name of a node");
	for (i = 0; i < ps->t->nlans; i++)
		if (!strcmp(ps->t->lans[i].name, name))
			return perr(ps, "%s '%s' %s", kind, name,
				    node ? "has the name of a lan" :
					   "is declared twice");
	return 0;
}

static int d_node(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_node *nd;
	int i;

	if (n < 2)
		return perr(
			ps,
			"usage: node NAME [router|sender|receiver|host...]");
	if (check_new_name(ps, "node", tok[1]) < 0)
		return -1;
	nd = mclab_grow(t->nodes, t->nnodes, sizeof(*nd));
	if (!nd)
		return perr(ps, "out of memory");
	t->nodes = nd;
	nd = &t->nodes[t->nnodes];
	strcpy(nd->name, tok[1]);
	nd->line = ps->line;
	for (i = 2; i < n; i++) {
		if (!strcmp(tok[i], "router"))
			nd->roles |= TOPO_ROLE_ROUTER;
		else if (!strcmp(tok[i], "sender"))
			nd->roles |= TOPO_ROLE_SENDER;
		else if (!strcmp(tok[i], "receiver"))
			nd->roles |= TOPO_ROLE_RECEIVER;
		else if (!strcmp(tok[i], "host"))
			nd->roles |= TOPO_ROLE_HOST;
		else
			return perr(
				ps,
				"unknown role '%s' (router, sender, receiver, host)",
				tok[i]);
	}
	t->nnodes++;
	return 0;
}

static int d_link(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_if ep[3];
	struct topo_link *l;
	int cnt, used;

	cnt = parse_endpoints(ps, tok + 1, n - 1, ep, 3, &used);
	if (cnt < 0)
		return -1;
	if (used != n - 1)
		return perr(ps, "unexpected '%s'", tok[1 + used]);
	if (cnt != 2)
		return perr(
			ps,
			"usage: link NODE:IF [ADDR/LEN...] NODE:IF [ADDR/LEN...]");
	if (check_new_if(ps, &ep[0]) < 0 || check_new_if(ps, &ep[1]) < 0)
		return -1;
	if (ep[0].node == ep[1].node && !strcmp(ep[0].ifname, ep[1].ifname))
		return perr(ps, "a link needs two different interfaces");
	l = mclab_grow(t->links, t->nlinks, sizeof(*l));
	if (!l)
		return perr(ps, "out of memory");
	t->links = l;
	l = &t->links[t->nlinks++];
	l->a = ep[0];
	l->b = ep[1];
	l->line = ps->line;
	return 0;
}

static int d_lan(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_lan *lan;
	int i, j, first = 2, cnt, used;

	if (n < 3)
		return perr(
			ps,
			"usage: lan NAME [snooping] NODE:IF [ADDR/LEN...] ...");
	if (check_new_name(ps, "lan", tok[1]) < 0)
		return -1;
	lan = mclab_grow(t->lans, t->nlans, sizeof(*lan));
	if (!lan)
		return perr(ps, "out of memory");
	t->lans = lan;
	lan = &t->lans[t->nlans];
	strcpy(lan->name, tok[1]);
	lan->line = ps->line;
	if (!strcmp(tok[2], "snooping")) {
		lan->snooping = true;
		first = 3;
	}
	lan->members = calloc((size_t)n, sizeof(*lan->members));
	if (!lan->members)
		return perr(ps, "out of memory");
	/* counted now so that topo_free() frees members on error */
	t->nlans++;
	cnt = parse_endpoints(ps, tok + first, n - first, lan->members, n,
			      &used);
	if (cnt < 0)
		return -1;
	if (used != n - first)
		return perr(ps, "unexpected '%s'", tok[first + used]);
	if (cnt < 1)
		return perr(ps, "lan '%s' has no members", lan->name);
	for (i = 0; i < cnt; i++) {
		if (check_new_if(ps, &lan->members[i]) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (lan->members[j].node == lan->members[i].node &&
			    !strcmp(lan->members[j].ifname,
				    lan->members[i].ifname))
				return perr(ps,
					    "interface %s:%s is declared twice",
					    t->nodes[lan->members[i].node].name,
					    lan->members[i].ifname);
	}
	lan->nmembers = cnt;
	return 0;
}

static int d_bridge(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_bridge *b;
	struct topo_if ep[2];
	int cnt, used, i, j;

	cnt = parse_endpoints(ps, tok + 1, n - 1, ep, 2, &used);
	if (cnt < 0)
		return -1;
	if (cnt != 1 || used + 1 >= n || strcmp(tok[1 + used], "ports"))
		return perr(
			ps,
			"usage: bridge NODE:BR [ADDR/LEN...] ports IF [IF...]");
	if (check_new_if(ps, &ep[0]) < 0)
		return -1;
	if (n - (used + 2) < 1)
		return perr(ps, "bridge %s:%s has no ports",
			    t->nodes[ep[0].node].name, ep[0].ifname);
	if (n - (used + 2) > TOPO_MAX_PORTS)
		return perr(ps, "too many bridge ports (at most %d)",
			    TOPO_MAX_PORTS);
	b = mclab_grow(t->bridges, t->nbridges, sizeof(*b));
	if (!b)
		return perr(ps, "out of memory");
	t->bridges = b;
	b = &t->bridges[t->nbridges];
	b->br = ep[0];
	b->line = ps->line;
	for (i = used + 2; i < n; i++) {
		const char *p = tok[i];

		if (!topo_find_if(t, ep[0].node, p))
			return perr(
				ps,
				"bridge port '%s' is not an interface of node '%s'",
				p, t->nodes[ep[0].node].name);
		for (j = 0; j < t->nbridges; j++) {
			int k;

			for (k = 0; k < t->bridges[j].nports; k++)
				if (t->bridges[j].br.node == ep[0].node &&
				    !strcmp(t->bridges[j].ports[k], p))
					return perr(
						ps,
						"interface '%s' is already a bridge port",
						p);
		}
		for (j = 0; j < b->nports; j++)
			if (!strcmp(b->ports[j], p))
				return perr(
					ps,
					"interface '%s' is already a bridge port",
					p);
		strcpy(b->ports[b->nports++], p);
	}
	t->nbridges++;
	return 0;
}

static struct topo_if *find_if_mut(struct topo *t, int node, const char *ifname)
{
	return (struct topo_if *)topo_find_if(t, node, ifname);
}

static int d_addr(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_extra_addr *x;
	struct topo_if ep[2], *target;
	int cnt, used, i;

	cnt = parse_endpoints(ps, tok + 1, n - 1, ep, 2, &used);
	if (cnt < 0)
		return -1;
	if (used != n - 1)
		return perr(ps, "unexpected '%s'", tok[1 + used]);
	if (cnt != 1 || ep[0].naddrs == 0)
		return perr(ps, "usage: addr NODE:IF ADDR/LEN...");
	target = find_if_mut(t, ep[0].node, ep[0].ifname);
	if (!target)
		return perr(
			ps,
			"interface %s:%s is not declared (by link, lan or bridge)",
			t->nodes[ep[0].node].name, ep[0].ifname);
	/* keep the addresses on the interface itself, so users see them all */
	for (i = 0; i < ep[0].naddrs; i++) {
		if (target->naddrs >= TOPO_MAX_ADDRS)
			return perr(ps,
				    "too many addresses on %s:%s (at most %d)",
				    t->nodes[ep[0].node].name, ep[0].ifname,
				    TOPO_MAX_ADDRS);
		target->addrs[target->naddrs++] = ep[0].addrs[i];
	}
	x = mclab_grow(t->addrs, t->naddrs, sizeof(*x));
	if (!x)
		return perr(ps, "out of memory");
	t->addrs = x;
	t->addrs[t->naddrs].ifc = ep[0];
	t->addrs[t->naddrs].line = ps->line;
	t->naddrs++;
	return 0;
}

static int d_route(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_route r, *rp;
	int i;

	memset(&r, 0, sizeof(r));
	r.line = ps->line;
	if (n < 4)
		return perr(ps, "usage: route NODE DEST [via GW] [dev IF]");
	r.node = topo_node_index(t, tok[1]);
	if (r.node < 0)
		return perr(ps, "unknown node '%s'", tok[1]);
	if (!strcmp(tok[2], "default")) {
		r.family = AF_UNSPEC;
	} else if (!strcmp(tok[2], "default6")) {
		r.family = AF_INET6;
	} else {
		if (parse_prefix(ps, tok[2], &r.dst, false, "destination") < 0)
			return -1;
		r.family = r.dst.family;
	}
	for (i = 3; i < n; i++) {
		if (!strcmp(tok[i], "via") && i + 1 < n && !r.has_gw) {
			if (parse_prefix(ps, tok[++i], &r.gw, false,
					 "gateway") < 0)
				return -1;
			if ((r.gw.family == AF_INET && r.gw.plen != 32) ||
			    (r.gw.family == AF_INET6 && r.gw.plen != 128))
				return perr(
					ps,
					"gateway '%s' must be an address, not a prefix",
					tok[i]);
			r.has_gw = true;
		} else if (!strcmp(tok[i], "dev") && i + 1 < n && !r.dev[0]) {
			if (!valid_ifname(tok[++i]))
				return perr(ps, "bad interface name '%s'",
					    tok[i]);
			strcpy(r.dev, tok[i]);
		} else {
			return perr(
				ps,
				"unexpected '%s' (usage: route NODE DEST [via GW] [dev IF])",
				tok[i]);
		}
	}
	if (!r.has_gw && !r.dev[0])
		return perr(ps, "route needs 'via GW' or 'dev IF'");
	if (r.family == AF_UNSPEC)
		r.family = r.has_gw ? r.gw.family : AF_INET;
	if (r.has_gw && r.gw.family != r.family)
		return perr(ps,
			    "gateway family does not match the destination");
	if (r.dst.family == 0) {
		r.dst.family = r.family;
		r.dst.plen = 0;
	}
	if (r.dev[0] && !topo_find_if(t, r.node, r.dev))
		return perr(
			ps,
			"route device '%s' is not an interface of node '%s'",
			r.dev, t->nodes[r.node].name);
	rp = mclab_grow(t->routes, t->nroutes, sizeof(*rp));
	if (!rp)
		return perr(ps, "out of memory");
	t->routes = rp;
	t->routes[t->nroutes++] = r;
	return 0;
}

static int d_sysctl(struct pstate *ps, char **tok, int n)
{
	struct topo *t = ps->t;
	struct topo_sysctl s, *sp;
	const char *eq, *k;

	memset(&s, 0, sizeof(s));
	if (n != 3)
		return perr(ps, "usage: sysctl NODE KEY=VALUE");
	s.node = topo_node_index(t, tok[1]);
	if (s.node < 0)
		return perr(ps, "unknown node '%s'", tok[1]);
	eq = strchr(tok[2], '=');
	if (!eq || eq == tok[2] || !eq[1])
		return perr(ps, "expected KEY=VALUE, got '%s'", tok[2]);
	if (strncmp(tok[2], "net.", 4))
		return perr(
			ps,
			"sysctl '%.*s' is not per namespace (only net.* keys)",
			(int)(eq - tok[2]), tok[2]);
	if ((size_t)(eq - tok[2]) >= sizeof(s.key) ||
	    strlen(eq + 1) >= sizeof(s.value))
		return perr(ps, "sysctl key or value too long");
	for (k = tok[2]; k < eq; k++)
		if (*k == '/' || (k[0] == '.' && k[1] == '.'))
			return perr(ps, "bad sysctl key '%.*s'",
				    (int)(eq - tok[2]), tok[2]);
	memcpy(s.key, tok[2], (size_t)(eq - tok[2]));
	strcpy(s.value, eq + 1);
	s.line = ps->line;
	sp = mclab_grow(t->sysctls, t->nsysctls, sizeof(*sp));
	if (!sp)
		return perr(ps, "out of memory");
	t->sysctls = sp;
	t->sysctls[t->nsysctls++] = s;
	return 0;
}

static const struct {
	const char *kw;
	int (*fn)(struct pstate *ps, char **tok, int n);
} directives[] = {
	{ "node", d_node },	{ "link", d_link }, { "lan", d_lan },
	{ "bridge", d_bridge }, { "addr", d_addr }, { "route", d_route },
	{ "sysctl", d_sysctl },
};

static void set_name(struct topo *t, const char *fname)
{
	const char *b = strrchr(fname, '/');
	size_t n;

	b = b ? b + 1 : fname;
	n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".topo"))
		n -= 5;
	if (n >= sizeof(t->name))
		n = sizeof(t->name) - 1;
	memcpy(t->name, b, n);
	t->name[n] = '\0';
}

struct topo *topo_parse(const char *text, const char *fname, char *err,
			size_t errlen)
{
	struct pstate ps = { .fname = fname ? fname : "<topo>",
			     .err = err,
			     .errlen = errlen };
	const char *p = text;
	char *line = NULL;
	size_t cap = 0;
	int phys = 0;

	if (errlen)
		err[0] = '\0';
	ps.t = calloc(1, sizeof(*ps.t));
	if (!ps.t) {
		snprintf(err, errlen, "%s: out of memory", ps.fname);
		return NULL;
	}
	set_name(ps.t, ps.fname);
	while (*p) {
		char *tok[MAX_TOKENS], *s, *hash;
		size_t used = 0, i;
		int n = 0, first = 0;

		/* one logical line: physical lines joined by a trailing '\' */
		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			bool cont;

			phys++;
			if (!first)
				first = phys;
			if (used + len + 2 > cap) {
				char *nb = realloc(line, used + len + 2);

				if (!nb) {
					perr(&ps, "out of memory");
					goto fail;
				}
				line = nb;
				cap = used + len + 2;
			}
			memcpy(line + used, p, len);
			used += len;
			line[used] = '\0';
			p = nl ? nl + 1 : p + len;
			while (used && isspace((unsigned char)line[used - 1]))
				line[--used] = '\0';
			cont = used && line[used - 1] == '\\' &&
			       !memchr(line, '#', used);
			if (!cont || !*p)
				break;
			line[used - 1] = ' ';
		}
		ps.line = first;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (s = line; *s;) {
			while (*s && isspace((unsigned char)*s))
				s++;
			if (!*s)
				break;
			if (n == MAX_TOKENS) {
				perr(&ps, "line too long (more than %d words)",
				     MAX_TOKENS);
				goto fail;
			}
			tok[n++] = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			if (*s)
				*s++ = '\0';
		}
		if (n == 0)
			continue;
		for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
			if (!strcmp(tok[0], directives[i].kw))
				break;
		if (i == sizeof(directives) / sizeof(directives[0])) {
			perr(&ps, "unknown directive '%s'", tok[0]);
			goto fail;
		}
		if (directives[i].fn(&ps, tok, n) < 0)
			goto fail;
	}
	free(line);
	if (ps.t->nnodes == 0) {
		ps.line = phys ? phys : 1;
		perr(&ps, "no nodes declared");
		topo_free(ps.t);
		return NULL;
	}
	return ps.t;
fail:
	free(line);
	topo_free(ps.t);
	return NULL;
}

struct topo *topo_load(const char *path_or_name, char *err, size_t errlen)
{
	char path[2 * PATH_MAX + 64], exe[PATH_MAX];
	const char *env = getenv("MCLAB_TOPOLOGIES");
	struct topo *t;
	char *text;

	size_t plen = strlen(path_or_name);

	if (strchr(path_or_name, '/') ||
	    (plen > 5 && !strcmp(path_or_name + plen - 5, ".topo"))) {
		snprintf(path, sizeof(path), "%s", path_or_name);
	} else {
		ssize_t n;
		char *slash;

		snprintf(path, sizeof(path), "topologies/%s.topo",
			 path_or_name);
		if (access(path, R_OK) && env)
			snprintf(path, sizeof(path), "%s/%s.topo", env,
				 path_or_name);
		/* next to the binary: BUILD/mclab -> ../../topologies */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (access(path, R_OK) && n > 0) {
			exe[n] = '\0';
			slash = strrchr(exe, '/');
			if (slash)
				*slash = '\0';
			for (int up = 0; up < 4 && access(path, R_OK); up++) {
				snprintf(path, sizeof(path),
					 "%s/topologies/%s.topo", exe,
					 path_or_name);
				slash = strrchr(exe, '/');
				if (!slash)
					break;
				*slash = '\0';
			}
		}
		if (access(path, R_OK))
			snprintf(path, sizeof(path),
				 "/usr/share/mcast-lab/topologies/%s.topo",
				 path_or_name);
	}
	text = mclab_read_file(path);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	t = topo_parse(text, path, err, errlen);
	free(text);
	return t;
}

void topo_free(struct topo *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < t->nlans; i++)
		free(t->lans[i].members);
	free(t->nodes);
	free(t->links);
	free(t->lans);
	free(t->bridges);
	free(t->addrs);
	free(t->routes);
	free(t->sysctls);
	free(t);
}

int topo_node_index(const struct topo *t, const char *name)
{
	int i;

	for (i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return i;
	return -1;
}

int topo_router_index(const struct topo *t)
{
	int i;

	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].roles & TOPO_ROLE_ROUTER)
			return i;
	return -1;
}

const char *topo_addr_str(const struct topo_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(a->family, &a->a, s, sizeof(s));
	snprintf(buf, len, "%s/%u", s, a->plen);
	return buf;
}

int topo_node_ifs(const struct topo *t, int n, const struct topo_if **ifs,
		  int max)
{
	int cnt = 0, i, j;

#define ADD(p)                          \
	do {                            \
		if (cnt < max)          \
			ifs[cnt] = (p); \
		cnt++;                  \
	} while (0)
	for (i = 0; i < t->nlinks; i++) {
		if (t->links[i].a.node == n)
			ADD(&t->links[i].a);
		if (t->links[i].b.node == n)
			ADD(&t->links[i].b);
	}
	for (i = 0; i < t->nlans; i++)
		for (j = 0; j < t->lans[i].nmembers; j++)
			if (t->lans[i].members[j].node == n)
				ADD(&t->lans[i].members[j]);
	for (i = 0; i < t->nbridges; i++)
		if (t->bridges[i].br.node == n)
			ADD(&t->bridges[i].br);
#undef ADD
	return cnt;
}

const struct topo_if *topo_find_if(const struct topo *t, int n,
				   const char *ifname)
{
	const struct topo_if *ifs[256];
	int cnt = topo_node_ifs(t, n, ifs, 256), i;

	for (i = 0; i < cnt && i < 256; i++)
		if (!strcmp(ifs[i]->ifname, ifname))
			return ifs[i];
	return NULL;
}

const struct topo_addr *topo_if_addr(const struct topo *t, int n,
				     const char *ifname, int family)
{
	const struct topo_if *ifc = topo_find_if(t, n, ifname);
	int i;

	if (!ifc)
		return NULL;
	for (i = 0; i < ifc->naddrs; i++)
		if (ifc->addrs[i].family == family)
			return &ifc->addrs[i];
	return NULL;
}
