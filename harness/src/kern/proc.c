// SPDX-License-Identifier: MIT
/*
 * Parsers for the multicast routing and membership files in /proc, and
 * readers that read them inside a node.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "proc.h"
#include "util.h"

/* Iterate the lines of text: line is a NUL-terminated copy. */
struct lines {
	const char *p;
	char buf[1024];
};

static const char *next_line(struct lines *l)
{
	const char *nl;
	size_t len;

	if (!l->p || !*l->p)
		return NULL;
	nl = strchr(l->p, '\n');
	len = nl ? (size_t)(nl - l->p) : strlen(l->p);
	if (len >= sizeof(l->buf))
		len = sizeof(l->buf) - 1;
	memcpy(l->buf, l->p, len);
	l->buf[len] = '\0';
	l->p = nl ? nl + 1 : l->p + strlen(l->p);
	return l->buf;
}

static bool blank(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return !*s;
}

static int fail(void *p)
{
	free(p);
	errno = EINVAL;
	return -1;
}

/*
 * e (sz bytes) after the *n elements of the malloc()ed arr, *n counted
 * up: the array, maybe moved, or NULL with arr freed (ENOMEM).
 */
static void *append(void *arr, int *n, const void *e, size_t sz)
{
	char *p = mclab_grow(arr, *n, sz);

	if (!p) {
		free(arr);
		return NULL;
	}
	memcpy(p + (size_t)*n * sz, e, sz);
	(*n)++;
	return p;
}

/* %08X of a raw __be32 -> in_addr, on any host endianness */
static bool hex_be32(const char *s, struct in_addr *a)
{
	char *end;
	unsigned long v;

	if (strlen(s) != 8)
		return false;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end)
		return false;
	a->s_addr = (uint32_t)v;
	return true;
}

/* 32 hex digits (%pi6) -> in6_addr */
static bool hex_in6(const char *s, struct in6_addr *a)
{
	int i;

	if (strlen(s) != 32)
		return false;
	for (i = 0; i < 16; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &b) != 1)
			return false;
		a->s6_addr[i] = (uint8_t)b;
	}
	return true;
}

int proc_parse_mr_vif(const char *text, int family, struct mr_vif **out)
{
	struct lines l = { .p = text };
	struct mr_vif *v = NULL;
	const char *s;
	int n = 0;

	*out = NULL;
	s = next_line(&l);
	if (!s || strncmp(s, "Interface", 9))
		return fail(NULL);
	while ((s = next_line(&l))) {
		struct mr_vif e;
		char name[64], loc[16], rem[16];
		int k;

		if (blank(s))
			continue;
		memset(&e, 0, sizeof(e));
		if (family == AF_INET) {
			k = sscanf(s,
				   "%d %63s %" SCNu64 " %" SCNu64 " %" SCNu64
				   " %" SCNu64 " %x %15s %15s",
				   &e.vif, name, &e.bytes_in, &e.pkts_in,
				   &e.bytes_out, &e.pkts_out, &e.flags, loc,
				   rem);
			if (k != 9 || !hex_be32(loc, &e.local) ||
			    !hex_be32(rem, &e.remote))
				return fail(v);
			if (e.flags & MR_VIFF_USE_IFINDEX)
				e.ifindex = (int)strtol(loc, NULL, 16);
		} else if (family == AF_INET6) {
			k = sscanf(s,
				   "%d %63s %" SCNu64 " %" SCNu64 " %" SCNu64
				   " %" SCNu64 " %x",
				   &e.vif, name, &e.bytes_in, &e.pkts_in,
				   &e.bytes_out, &e.pkts_out, &e.flags);
			if (k != 7)
				return fail(v);
		} else {
			return fail(v);
		}
		if (strlen(name) >= IFNAMSIZ || e.vif < 0 ||
		    e.vif >= MR_MAXVIFS)
			return fail(v);
		strcpy(e.name, name);
		v = append(v, &n, &e, sizeof(e));
		if (!v)
			return -1;
	}
	*out = v;
	return n;
}

static bool parse_addr(int family, const char *s, union mr_addr *a)
{
	if (family == AF_INET)
		return hex_be32(s, &a->v4);
	return inet_pton(AF_INET6, s, &a->v6) == 1;
}

int proc_parse_mr_mfc(const char *text, int family, struct mr_mfc **out)
{
	struct lines l = { .p = text };
	struct mr_mfc *m = NULL;
	const char *s;
	int n = 0;

	*out = NULL;
	if (family != AF_INET && family != AF_INET6)
		return fail(NULL);
	s = next_line(&l);
	if (!s || strncmp(s, "Group", 5))
		return fail(NULL);
	while ((s = next_line(&l))) {
		struct mr_mfc e;
		char grp[64], org[64];
		unsigned long pkts, bytes, wrong;
		int iif, used, k;
		const char *p;

		if (blank(s))
			continue;
		memset(&e, 0, sizeof(e));
		e.family = family;
		k = sscanf(s, "%63s %63s %d %lu %lu %lu%n", grp, org, &iif,
			   &pkts, &bytes, &wrong, &used);
		if (k != 6 || !parse_addr(family, grp, &e.group) ||
		    !parse_addr(family, org, &e.origin) || iif < -1 ||
		    iif >= MR_MAXVIFS)
			return fail(m);
		e.iif = iif;
		e.unresolved = iif < 0;
		e.pkts = pkts;
		e.bytes = bytes;
		e.wrong_if = wrong;
		/* " %2d:%-3d" per output */
		for (p = s + used;;) {
			int vif, ttl;

			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				break;
			if (sscanf(p, "%d:%d%n", &vif, &ttl, &used) != 2 ||
			    vif < 0 || vif >= MR_MAXVIFS || ttl < 0 ||
			    ttl > 255 || e.noifs >= MR_MAXVIFS)
				return fail(m);
			e.oifs[e.noifs].vif = vif;
			e.oifs[e.noifs].ttl = ttl;
			e.noifs++;
			p += used;
		}
		m = append(m, &n, &e, sizeof(e));
		if (!m)
			return -1;
	}
	*out = m;
	return n;
}

int proc_parse_igmp(const char *text, struct igmp_group **out)
{
	struct lines l = { .p = text };
	struct igmp_group *g = NULL, dev;
	const char *s;
	int n = 0;
	bool have_dev = false;

	*out = NULL;
	memset(&dev, 0, sizeof(dev));
	s = next_line(&l);
	if (!s || strncmp(s, "Idx", 3))
		return fail(NULL);
	while ((s = next_line(&l))) {
		if (blank(s))
			continue;
		if (s[0] != '\t') {
			/* "%d\t%-10s: %5d %7s" */
			char name[64], q[16];
			const char *colon = strchr(s, ':');
			size_t nl;

			memset(&dev, 0, sizeof(dev));
			if (!colon || sscanf(s, "%d", &dev.ifindex) != 1)
				return fail(g);
			s = strchr(s, '\t');
			if (!s || s > colon)
				return fail(g);
			s++;
			nl = (size_t)(colon - s);
			while (nl && s[nl - 1] == ' ')
				nl--;
			if (nl == 0 || nl >= IFNAMSIZ || nl >= sizeof(name))
				return fail(g);
			memcpy(name, s, nl);
			name[nl] = '\0';
			strcpy(dev.dev, name);
			if (sscanf(colon + 1, "%d %15s", &dev.dev_count, q) !=
				    2 ||
			    q[0] != 'V' || q[1] < '1' || q[1] > '3' || q[2])
				return fail(g);
			dev.querier = q[1] - '0';
			dev.family = AF_INET;
			have_dev = true;
		} else {
			/* "\t\t\t\t%08X %5d %d:%08lX\t\t%d" */
			struct igmp_group e = dev;
			char grp[16];
			int running, rep;

			if (!have_dev ||
			    sscanf(s, "%15s %d %d:%lx %d", grp, &e.users,
				   &running, &e.timer, &rep) != 5 ||
			    !hex_be32(grp, &e.group.v4))
				return fail(g);
			e.timer_running = running != 0;
			e.reporter = rep != 0;
			g = append(g, &n, &e, sizeof(e));
			if (!g)
				return -1;
		}
	}
	*out = g;
	return n;
}

int proc_parse_igmp6(const char *text, struct igmp_group **out)
{
	struct lines l = { .p = text };
	struct igmp_group *g = NULL;
	const char *s;
	int n = 0;

	*out = NULL;
	while ((s = next_line(&l))) {
		/* "%-4d %-15s %pi6 %5d %08X %ld" */
		struct igmp_group e;
		char name[64], addr[64];
		long timer;

		if (blank(s))
			continue;
		memset(&e, 0, sizeof(e));
		e.family = AF_INET6;
		if (sscanf(s, "%d %63s %63s %d %x %ld", &e.ifindex, name, addr,
			   &e.users, &e.flags, &timer) != 6 ||
		    strlen(name) >= IFNAMSIZ || !hex_in6(addr, &e.group.v6))
			return fail(g);
		strcpy(e.dev, name);
		e.timer = (unsigned long)(timer < 0 ? 0 : timer);
		e.timer_running = timer > 0;
		g = append(g, &n, &e, sizeof(e));
		if (!g)
			return -1;
	}
	*out = g;
	return n;
}

int proc_parse_int(const char *text, long *v)
{
	char *end;

	if (!text)
		return fail(NULL);
	errno = 0;
	*v = strtol(text, &end, 10);
	if (errno || end == text)
		return fail(NULL);
	while (*end == '\n' || *end == ' ')
		end++;
	return *end ? fail(NULL) : 0;
}

const struct mr_vif *mr_vif_by_name(const struct mr_vif *v, int n,
				    const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

const struct mr_vif *mr_vif_by_index(const struct mr_vif *v, int n, int vif)
{
	for (int i = 0; i < n; i++)
		if (v[i].vif == vif)
			return &v[i];
	return NULL;
}

const struct mr_mfc *mr_mfc_find(const struct mr_mfc *m, int n, int family,
				 const void *origin, const void *group)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (int i = 0; i < n; i++) {
		if (m[i].family != family || memcmp(&m[i].group, group, len))
			continue;
		if (origin && memcmp(&m[i].origin, origin, len))
			continue;
		return &m[i];
	}
	return NULL;
}

const struct mr_mfc *mr_mfc_find_str(const struct mr_mfc *m, int n,
				     const char *origin, const char *group)
{
	union mr_addr g, o;
	int family = strchr(group, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, group, &g) != 1)
		return NULL;
	if (origin && inet_pton(family, origin, &o) != 1)
		return NULL;
	return mr_mfc_find(m, n, family, origin ? &o : NULL, &g);
}

int mr_mfc_oif_ttl(const struct mr_mfc *m, int vif)
{
	for (int i = 0; i < m->noifs; i++)
		if (m->oifs[i].vif == vif)
			return m->oifs[i].ttl;
	return -1;
}

const struct igmp_group *igmp_find(const struct igmp_group *g, int n,
				   const char *dev, const char *group)
{
	union mr_addr a;
	int family = strchr(group, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, group, &a) != 1)
		return NULL;
	for (int i = 0; i < n; i++)
		if (g[i].family == family && (!dev || !strcmp(g[i].dev, dev)) &&
		    !memcmp(&g[i].group, &a, family == AF_INET ? 4 : 16))
			return &g[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Readers                                                            */

static char *read_in(struct node *n, const char *path)
{
	char *text = NULL;

	if (node_read_file(n, path, &text, NULL) < 0)
		return NULL;
	return text;
}

/* The /proc/net tables the readers parse. */
enum net_table { NET_MR_VIF, NET_MR_MFC, NET_IGMP };

/*
 * Table what of family in n, parsed into *out (a struct mr_vif **, struct
 * mr_mfc ** or struct igmp_group **, by what): the parser's result, or
 * -1 when the file cannot be read.
 */
static int read_table(struct node *n, int family, enum net_table what,
		      void *out)
{
	static const char *const file[][2] = {
		[NET_MR_VIF] = { "ip_mr_vif", "ip6_mr_vif" },
		[NET_MR_MFC] = { "ip_mr_cache", "ip6_mr_cache" },
		[NET_IGMP] = { "igmp", "igmp6" },
	};
	char path[64], *t;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/net/%s",
		 file[what][family == AF_INET6]);
	t = read_in(n, path);
	if (!t)
		return -1;
	switch (what) {
	case NET_MR_VIF:
		rc = proc_parse_mr_vif(t, family, out);
		break;
	case NET_MR_MFC:
		rc = proc_parse_mr_mfc(t, family, out);
		break;
	case NET_IGMP:
		rc = family == AF_INET6 ? proc_parse_igmp6(t, out) :
					  proc_parse_igmp(t, out);
		break;
	}
	free(t);
	return rc;
}

/* The readers: *out NULL when the file cannot be read. */
int proc_read_mr_vif(struct node *n, int family, struct mr_vif **out)
{
	*out = NULL;
	return read_table(n, family, NET_MR_VIF, out);
}

int proc_read_mr_mfc(struct node *n, int family, struct mr_mfc **out)
{
	*out = NULL;
	return read_table(n, family, NET_MR_MFC, out);
}

int proc_read_igmp(struct node *n, int family, struct igmp_group **out)
{
	*out = NULL;
	return read_table(n, family, NET_IGMP, out);
}

int proc_read_mc_forwarding(struct node *n, int family, const char *ifname)
{
	char path[128], *t;
	long v;
	int rc;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/mc_forwarding",
		 family == AF_INET6 ? "ipv6" : "ipv4", ifname);
	t = read_in(n, path);
	if (!t)
		return -1;
	rc = proc_parse_int(t, &v);
	free(t);
	return rc < 0 ? -1 : (int)v;
}

struct list_arg {
	int family;
	struct mc_fwd *out;
	int n;
};

static int do_list(void *arg)
{
	struct list_arg *a = arg;
	char dir[64];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/sys/net/%s/conf",
		 a->family == AF_INET6 ? "ipv6" : "ipv4");
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[512], buf[32];
		struct mc_fwd *nw;
		FILE *f;
		long v;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= IFNAMSIZ)
			continue;
		snprintf(path, sizeof(path), "%s/%s/mc_forwarding", dir,
			 de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f) || proc_parse_int(buf, &v)) {
			fclose(f);
			continue;
		}
		fclose(f);
		nw = mclab_grow(a->out, a->n, sizeof(*nw));
		if (!nw)
			break;
		a->out = nw;
		strcpy(nw[a->n].ifname, de->d_name);
		nw[a->n].value = (int)v;
		a->n++;
	}
	closedir(d);
	return a->n;
}

int proc_parse_mc_forwarding_list(const char *text, struct mc_fwd **out)
{
	struct lines l = { text, "" };
	struct mc_fwd *v = NULL, *nv;
	const char *line;
	int n = 0;

	*out = NULL;
	while ((line = next_line(&l))) {
		static const char tail[] = "/mc_forwarding:";
		const char *conf = strstr(line, "/conf/"), *end;
		size_t len;
		long val;

		if (blank(line))
			continue;
		end = conf ? strstr(conf, tail) : NULL;
		if (!end || strncmp(line, "/proc/sys/net/ipv", 17))
			return fail(v);
		conf += 6;
		len = (size_t)(end - conf);
		if (!len || len >= IFNAMSIZ || memchr(conf, '/', len) ||
		    proc_parse_int(end + sizeof(tail) - 1, &val) < 0)
			return fail(v);
		nv = mclab_grow(v, n, sizeof(*nv));
		if (!nv) {
			free(v);
			return -1;
		}
		v = nv;
		memcpy(v[n].ifname, conf, len);
		v[n].value = (int)val;
		n++;
	}
	*out = v;
	return n;
}

/* A guest node (VM, console): every file at once, by its own grep */
static int list_in_vm(struct node *n, int family, struct mc_fwd **out)
{
	struct node_result r;
	int rc;

	*out = NULL;
	if (node_sh(n, 10000, &r,
		    "grep -H . /proc/sys/net/%s/conf/*/mc_forwarding",
		    family == AF_INET6 ? "ipv6" : "ipv4") < 0)
		return -1;
	rc = r.exit_code == 0 ? proc_parse_mc_forwarding_list(r.out, out) : -1;
	node_result_free(&r);
	return rc;
}

int proc_read_mc_forwarding_list(struct node *n, int family,
				 struct mc_fwd **out)
{
	struct list_arg a = { family, NULL, 0 };
	int rc;

	if (!node_can(n, NODE_CAP_CALL)) /* a guest: its own tools */
		return list_in_vm(n, family, out);
	rc = node_call(n, do_list, &a);

	*out = a.out;
	return rc < 0 ? -1 : a.n;
}
