// SPDX-License-Identifier: MIT
/*
 * mcrouted.conf parser: text -> struct conf, with "file:line:col: message"
 * errors.  Pure: files are reached only through a struct conf_io.
 *
 * A line is split into tokens at spaces, tabs, CR, VT and FF; '#' ends the
 * line.  Tokens point into the text, so a line has no length limit.  Every
 * check that fails stops the parse with its message in conf_error.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "esc.h"
#include "route.h"

#define CONF_MAX_FILES 4096 /* files read through include, in all */
#define CONF_MAX_FILE_SIZE (64u << 20)
#define SHOW_BUF ESC_WORD_BUF
#define PATH_SHOW_BUF ESC_PATH_BUF

struct token {
	const char *s;
	size_t len;
	unsigned int col;
};

struct parser {
	struct conf *c;
	const struct conf_io *io;
	struct conf_error *err;
	char *stack[CONF_MAX_INCLUDE_DEPTH + 1]; /* normalized, for loops */
	unsigned int n_files_read;
};

/* Where the parser is: the file, the line and its tokens. */
struct ctx {
	struct parser *ps;
	const char *file;
	unsigned int line;
	unsigned int depth;
	const struct token *t;
	size_t n;
};

/* A token for a message: non-printable bytes escaped, long ones cut. */
static const char *show(const struct token *t, char *buf)
{
	return esc_word(t->s, t->len, buf);
}

static const char *show_path(const char *s, char *buf)
{
	return esc_path(s, buf);
}

__attribute__((format(printf, 3, 4))) static int
perr(const struct ctx *x, unsigned int col, const char *fmt, ...)
{
	struct conf_error *err = x->ps->err;
	char f[PATH_SHOW_BUF];
	va_list ap;
	int n;

	if (!err)
		return -1;
	n = snprintf(err->msg, sizeof(err->msg),
		     "%s:%u:%u: ", show_path(x->file, f), x->line, col);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(err->msg)) {
		va_start(ap, fmt);
		vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Column of the directive, for errors about a missing token. */
static unsigned int dcol(const struct ctx *x)
{
	return x->t[0].col;
}

static bool tok_is(const struct token *t, const char *kw)
{
	size_t n = strlen(kw);

	return t->len == n && !memcmp(t->s, kw, n);
}

static bool tok_eq(const struct token *a, const struct token *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

/*
 * Room for one more element in an array that holds n.  The capacity is
 * implicit: arrays grow to the next power of two, so no field records it.
 */
static int grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	size_t cap;
	void *p;

	if (n & (n - 1))
		return 0;
	cap = n ? n * 2 : 1;
	if (cap > SIZE_MAX / size)
		return -1;
	p = realloc(*arr, cap * size);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

static int oom(const struct ctx *x)
{
	return perr(x, x->n ? dcol(x) : 1, "out of memory");
}

static struct route_word word(const struct token *t)
{
	return (struct route_word){ t->s, t->len };
}

/* route.c's verdict e on token t, as a message at t's column. */
static int perr_tok(const struct ctx *x, const struct token *t, const char *e)
{
	return perr(x, t->col, "%s", e);
}

/* 1..255; any number of digits, never overflows. */
static int parse_ttl(const struct ctx *x, const struct token *t,
		     unsigned int *ttl)
{
	unsigned int v = 0;
	char b[SHOW_BUF];

	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return perr(
				x, t->col,
				"ttl-threshold '%s' is not a number (1-255)",
				show(t, b));
		v = v * 10 + (unsigned int)(t->s[i] - '0');
		if (v > 1000)
			v = 1000;
	}
	if (v < 1 || v > 255)
		return perr(x, t->col,
			    "ttl-threshold '%s' is out of range (1-255)",
			    show(t, b));
	*ttl = v;
	return 0;
}

static void phyint_free(struct conf_phyint *p)
{
	free(p->altnet);
	p->altnet = NULL;
	p->n_altnet = 0;
}

/*
 * One choice out of a set (enable|disable, upstream|downstream, ...): the
 * same word twice is fine, two different words conflict.
 */
static int choose(const struct ctx *x, const struct token **slot,
		  const struct token *t)
{
	char a[SHOW_BUF], b[SHOW_BUF];

	if (*slot && !tok_eq(*slot, t))
		return perr(x, t->col, "'%s' conflicts with '%s'", show(t, a),
			    show(*slot, b));
	*slot = t;
	return 0;
}

/*
 * The IGMP/MLD timer keywords, in the order they are printed: the value's
 * range as written (seconds, or with tenths kept as ms), what it is
 * multiplied by to be kept (query-interval: s into ms), and where it is
 * kept in a struct conf_gm.
 */
static const struct gm_kw {
	const char *kw;
	bool tenths;
	uint32_t min, max, scale;
	size_t off;
} gm_kws[] = {
	{ "query-interval", false, 1, 31744, 1000,
	  offsetof(struct conf_gm, query_interval_ms) },
	{ "query-response-interval", true, 100, 3174400, 1,
	  offsetof(struct conf_gm, query_resp_ms) },
	{ "robustness", false, 1, 7, 1, offsetof(struct conf_gm, robustness) },
	{ "last-member-query-interval", true, 100, 25500, 1,
	  offsetof(struct conf_gm, lmq_interval_ms) },
	{ "last-member-query-count", false, 1, 7, 1,
	  offsetof(struct conf_gm, lmq_count) },
	{ "max-groups", false, 1, 65536, 1,
	  offsetof(struct conf_gm, max_groups) },
};

#define N_GM_KWS (sizeof(gm_kws) / sizeof(gm_kws[0]))

static uint32_t *gm_field(struct conf_gm *gm, const struct gm_kw *k)
{
	return (uint32_t *)((char *)gm + k->off);
}

static uint32_t gm_value(const struct conf_gm *gm, const struct gm_kw *k)
{
	return *(const uint32_t *)((const char *)gm + k->off);
}

static const struct gm_kw *gm_kw_of(const struct token *t)
{
	for (size_t k = 0; k < N_GM_KWS; k++)
		if (tok_is(t, gm_kws[k].kw))
			return &gm_kws[k];
	return NULL;
}

static bool gm_kw_is(const struct gm_kw *k, size_t off)
{
	return k->off == off;
}

static void gm_range(const struct gm_kw *k, char *range, size_t len)
{
	if (k->tenths)
		snprintf(range, len, "%u.%u-%u.%u seconds", k->min / 1000,
			 k->min % 1000 / 100, k->max / 1000,
			 k->max % 1000 / 100);
	else
		snprintf(range, len, "%u-%u", k->min, k->max);
}

/*
 * Token t, the value of keyword d (k): "N" or "N.D" seconds (tenths at
 * most) into ms, or a plain number, within k's range; kept as k keeps it.
 */
static int parse_gm_tok(const struct ctx *x, const struct token *d,
			const struct token *t, const struct gm_kw *k,
			uint32_t *out)
{
	char a[SHOW_BUF], b[SHOW_BUF], range[64];
	uint64_t v = 0;
	size_t i = 0;
	bool frac = false;

	gm_range(k, range, sizeof(range));
	for (; i < t->len && t->s[i] >= '0' && t->s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(t->s[i] - '0');
		if (v > 1000000000)
			v = 1000000000;
	}
	if (k->tenths)
		v *= 1000;
	if (i && k->tenths && i + 2 == t->len && t->s[i] == '.' &&
	    t->s[i + 1] >= '0' && t->s[i + 1] <= '9') {
		v += (uint64_t)(t->s[i + 1] - '0') * 100;
		frac = true;
	}
	if (!i || (i != t->len && !frac))
		return perr(x, t->col, "%s: '%s' is not a %s (%s)", show(d, a),
			    show(t, b),
			    k->tenths ? "number of seconds" : "number", range);
	if (v < k->min || v > k->max)
		return perr(x, t->col, "%s: '%s' is out of range (%s)",
			    show(d, a), show(t, b), range);
	*out = (uint32_t)v * k->scale;
	return 0;
}

/* The same for a global directive: its value must be the only word. */
static int parse_gm_value(const struct ctx *x, const struct gm_kw *k,
			  uint32_t *out)
{
	const struct token *d = &x->t[0];
	char a[SHOW_BUF], b[SHOW_BUF], c[SHOW_BUF], range[64];

	gm_range(k, range, sizeof(range));
	if (x->n < 2)
		return perr(x, d->col, "%s: expected a value (%s)", show(d, a),
			    range);
	if (x->n > 2)
		return perr(x, x->t[2].col, "unexpected '%s' after '%s %s'",
			    show(&x->t[2], a), show(d, b), show(&x->t[1], c));
	return parse_gm_tok(x, d, &x->t[1], k, out);
}

/* "phyint IF ... KEYWORD VALUE": the value at t[*i + 1] into p->gm. */
static int parse_phyint_gm(const struct ctx *x, size_t *i,
			   const struct gm_kw *k, struct conf_phyint *p)
{
	const struct token *d = &x->t[*i];
	char a[SHOW_BUF], range[64];

	gm_range(k, range, sizeof(range));
	if (*i + 1 >= x->n)
		return perr(x, d->col, "phyint: '%s' needs a value (%s)",
			    show(d, a), range);
	if (parse_gm_tok(x, d, &x->t[++*i], k, gm_field(&p->gm, k)))
		return -1;
	if (p->gm.query_interval_ms && p->gm.query_resp_ms &&
	    p->gm.query_resp_ms >= p->gm.query_interval_ms)
		return perr(
			x, x->t[*i].col,
			"phyint: the query-response-interval (%u.%u s) must be less than the query-interval (%u s)",
			p->gm.query_resp_ms / 1000,
			p->gm.query_resp_ms % 1000 / 100,
			p->gm.query_interval_ms / 1000);
	return 0;
}

static int parse_phyint(const struct ctx *x)
{
	const struct token *en = NULL, *role = NULL, *igmp = NULL, *mld = NULL;
	struct conf *c = x->ps->c;
	struct conf_phyint p;
	char b[SHOW_BUF], e[ROUTE_ERR_MAX];
	size_t i;

	memset(&p, 0, sizeof(p));
	if (x->n < 2)
		return perr(x, dcol(x), "phyint: expected an interface name");
	if (route_ifname(word(&x->t[1]), true, p.ifname, e, sizeof(e)))
		return perr_tok(x, &x->t[1], e);
	p.enable = true;
	p.ttl_threshold = 1;
	p.loc = (struct conf_loc){ x->file, x->line, dcol(x) };

	for (i = 2; i < x->n; i++) {
		const struct token *t = &x->t[i];
		int rc = 0;

		if (tok_is(t, "enable") || tok_is(t, "disable")) {
			rc = choose(x, &en, t);
			p.enable = tok_is(t, "enable");
		} else if (tok_is(t, "mrdisc")) {
			p.mrdisc = true;
		} else if (tok_is(t, "ttl-threshold")) {
			if (i + 1 >= x->n) {
				rc = perr(
					x, dcol(x),
					"phyint: 'ttl-threshold' needs a value (1-255)");
			} else {
				rc = parse_ttl(x, &x->t[++i], &p.ttl_threshold);
			}
		} else if (tok_is(t, "upstream") || tok_is(t, "downstream")) {
			rc = choose(x, &role, t);
			p.role = tok_is(t, "upstream") ? ROLE_UPSTREAM :
							 ROLE_DOWNSTREAM;
		} else if (tok_is(t, "igmpv2") || tok_is(t, "igmpv3")) {
			rc = choose(x, &igmp, t);
			p.igmp_version = tok_is(t, "igmpv2") ? 2 : 3;
		} else if (tok_is(t, "mldv1") || tok_is(t, "mldv2")) {
			rc = choose(x, &mld, t);
			p.mld_version = tok_is(t, "mldv1") ? 1 : 2;
		} else if (tok_is(t, "fast-leave")) {
			p.fast_leave = true;
		} else if (gm_kw_of(t)) {
			rc = parse_phyint_gm(x, &i, gm_kw_of(t), &p);
		} else if (tok_is(t, "altnet")) {
			struct inet_prefix net;

			if (i + 1 >= x->n) {
				rc = perr(x, dcol(x),
					  "phyint: 'altnet' needs a prefix");
			} else if (route_unicast(word(&x->t[++i]), "altnet",
						 &net, e, sizeof(e))) {
				rc = perr_tok(x, &x->t[i], e);
			} else if (grow(&p.altnet, p.n_altnet,
					sizeof(*p.altnet))) {
				rc = oom(x);
			} else {
				p.altnet[p.n_altnet++] = net;
			}
		} else {
			rc = perr(
				x, t->col,
				"unknown phyint option '%s' (expected enable, disable, mrdisc, ttl-threshold, upstream, downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)",
				show(t, b));
		}
		if (rc) {
			phyint_free(&p);
			return -1;
		}
	}

	/* A later phyint for the same name replaces the earlier one. */
	for (i = 0; i < c->n_phyints; i++) {
		if (!strcmp(c->phyints[i].ifname, p.ifname)) {
			phyint_free(&c->phyints[i]);
			c->phyints[i] = p;
			return 0;
		}
	}
	if (grow(&c->phyints, c->n_phyints, sizeof(*c->phyints))) {
		phyint_free(&p);
		return oom(x);
	}
	c->phyints[c->n_phyints++] = p;
	return 0;
}

/*
 * What mgroup and mroute share: from, source and group, in any order, into
 * g (an mgroup is just that), and where the words are.
 */
struct sg {
	struct conf_mgroup g;
	const struct token *from, *src, *grp, *to;
	size_t first_oif; /* index of the first token after "to" */
};

static int parse_sg(const struct ctx *x, bool route, struct sg *sg)
{
	const char *dir = route ? "mroute" : "mgroup";
	char a[SHOW_BUF], e[ROUTE_ERR_MAX];
	size_t i = 1;

	memset(sg, 0, sizeof(*sg));
	while (i < x->n) {
		const struct token *k = &x->t[i], *v;
		const struct token **slot;
		int rc;

		if (tok_is(k, "from")) {
			slot = &sg->from;
		} else if (tok_is(k, "source")) {
			slot = &sg->src;
		} else if (tok_is(k, "group")) {
			slot = &sg->grp;
		} else if (route && tok_is(k, "to")) {
			sg->to = k;
			sg->first_oif = i + 1;
			break;
		} else {
			return perr(x, k->col,
				    "unexpected '%s' in %s (expected %s)",
				    show(k, a), dir,
				    route ? "from, source, group or to" :
					    "from, source or group");
		}
		if (*slot)
			return perr(x, k->col, "%s: duplicate '%s'", dir,
				    show(k, a));
		if (i + 1 >= x->n)
			return perr(x, dcol(x), "%s: '%s' needs %s", dir,
				    show(k, a),
				    slot == &sg->from ? "an interface name" :
							"an address");
		v = &x->t[i + 1];
		if (slot == &sg->from)
			rc = route_ifname(word(v), true, sg->g.ifname, e,
					  sizeof(e));
		else if (slot == &sg->src)
			rc = route_unicast(word(v), "source", &sg->g.source, e,
					   sizeof(e));
		else
			rc = route_group(word(v), &sg->g.group, e, sizeof(e));
		if (rc)
			return perr_tok(x, v, e);
		*slot = v;
		i += 2;
	}
	if (!sg->from)
		return perr(x, dcol(x), "%s: missing 'from IFNAME'", dir);
	if (!sg->grp)
		return perr(x, dcol(x), "%s: missing 'group GROUP[/LEN]'", dir);
	if (route && !sg->to)
		return perr(x, dcol(x), "mroute: missing 'to OIF [OIF ...]'");
	if (route && sg->first_oif >= x->n)
		return perr(
			x, dcol(x),
			"mroute: 'to' needs at least one outbound interface");
	/* The families, and 0.0.0.0 and :: for any source (route.h). */
	if (sg->src && route_pair(word(sg->src), &sg->g.source, word(sg->grp),
				  &sg->g.group, e, sizeof(e))) {
		const struct token *later =
			sg->src->col > sg->grp->col ? sg->src : sg->grp;

		return perr_tok(x, later, e);
	}
	sg->g.loc = (struct conf_loc){ x->file, x->line, dcol(x) };
	return 0;
}

static unsigned int host_bits(const struct inet_prefix *p)
{
	if (p->addr.family != AF_INET && p->addr.family != AF_INET6)
		return 0;
	if (p->len >= addr_bits(p->addr.family))
		return 0;
	return addr_bits(p->addr.family) - p->len;
}

uint64_t conf_mgroup_size(const struct conf_mgroup *g)
{
	unsigned int bits = host_bits(&g->source) + host_bits(&g->group);

	return bits >= 64 ? UINT64_MAX : 1ULL << bits;
}

static int parse_mgroup(const struct ctx *x)
{
	struct conf *c = x->ps->c;
	const struct conf_mgroup *g;
	struct sg sg;

	if (parse_sg(x, false, &sg))
		return -1;
	g = &sg.g;
	if (conf_mgroup_size(g) > CONF_MAX_EXPAND) {
		unsigned int bits =
			host_bits(&g->source) + host_bits(&g->group);
		char n[32];

		if (bits >= 64)
			snprintf(n, sizeof(n), "2^%u", bits);
		else
			snprintf(n, sizeof(n), "%" PRIu64, conf_mgroup_size(g));
		return perr(
			x, sg.grp->col,
			"mgroup expands to %s joins (sources x groups), more than %d",
			n, CONF_MAX_EXPAND);
	}
	if (grow(&c->mgroups, c->n_mgroups, sizeof(*c->mgroups)))
		return oom(x);
	c->mgroups[c->n_mgroups++] = *g;
	return 0;
}

static int parse_mroute(const struct ctx *x)
{
	struct conf *c = x->ps->c;
	struct conf_mroute r;
	struct sg sg;

	if (parse_sg(x, true, &sg))
		return -1;
	memset(&r, 0, sizeof(r));
	memcpy(r.ifname, sg.g.ifname, sizeof(r.ifname));
	r.source = sg.g.source;
	r.group = sg.g.group;
	r.loc = sg.g.loc;
	for (size_t i = sg.first_oif; i < x->n; i++) {
		char e[ROUTE_ERR_MAX];
		int rc = route_add_oif(&r.oifs, &r.n_oifs, word(&x->t[i]), e,
				       sizeof(e));

		if (rc == -2) {
			oom(x);
			goto fail;
		}
		if (rc) {
			perr_tok(x, &x->t[i], e);
			goto fail;
		}
	}
	if (grow(&c->mroutes, c->n_mroutes, sizeof(*c->mroutes))) {
		oom(x);
		goto fail;
	}
	c->mroutes[c->n_mroutes++] = r;
	return 0;
fail:
	free(r.oifs);
	return -1;
}

static int parse_conntrack(const struct ctx *x)
{
	char a[SHOW_BUF], b[SHOW_BUF];

	if (x->n < 2)
		return perr(x, dcol(x),
			    "conntrack-flush: expected 'on' or 'off'");
	if (tok_is(&x->t[1], "on"))
		x->ps->c->conntrack_flush = true;
	else if (tok_is(&x->t[1], "off"))
		x->ps->c->conntrack_flush = false;
	else
		return perr(x, x->t[1].col,
			    "conntrack-flush: expected 'on' or 'off', not '%s'",
			    show(&x->t[1], a));
	if (x->n > 2)
		return perr(x, x->t[2].col,
			    "unexpected '%s' after 'conntrack-flush %s'",
			    show(&x->t[2], a), show(&x->t[1], b));
	return 0;
}

/*
 * A path for loop detection: "//" and "/./" collapsed, "./" dropped.
 * ".." is kept (it may cross a symlink); the depth limit is the backstop.
 */
static char *path_norm(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2), *o = out;
	const char *p = path;

	if (!out)
		return NULL;
	if (*p == '/')
		*o++ = *p++;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);

		if (len && !(len == 1 && *p == '.')) {
			if (o > out && o[-1] != '/')
				*o++ = '/';
			memcpy(o, p, len);
			o += len;
		}
		p = *e ? e + 1 : e;
	}
	if (o == out)
		*o++ = '.';
	*o = '\0';
	return out;
}

/* glob characters that are not escaped */
static bool has_glob_meta(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	}
	return false;
}

/*
 * The pattern of "include PAT" in file: PAT itself when absolute or when
 * file has no folder, else file's folder (glob-escaped) + "/" + PAT.
 */
static char *include_pattern(const char *file, const struct token *t)
{
	const char *slash = strrchr(file, '/');
	size_t dlen = 0, n;
	char *out, *o;

	if (t->s[0] != '/' && slash)
		dlen = (size_t)(slash - file) + 1;
	n = dlen * 2 + t->len + 1;
	out = malloc(n);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < dlen; i++) {
		if (strchr("*?[\\", file[i]))
			*o++ = '\\';
		*o++ = file[i];
	}
	memcpy(o, t->s, t->len);
	o[t->len] = '\0';
	return out;
}

/* The name kept in c->files for path (one copy per distinct name). */
static const char *conf_add_file(struct conf *c, const char *path)
{
	char *dup;

	for (size_t i = 0; i < c->n_files; i++)
		if (!strcmp(c->files[i], path))
			return c->files[i];
	dup = strdup(path);
	if (!dup || grow(&c->files, c->n_files, sizeof(*c->files))) {
		free(dup);
		return NULL;
	}
	c->files[c->n_files++] = dup;
	return dup;
}

static int parse_text(struct parser *ps, const char *file, const char *text,
		      size_t len, unsigned int depth);

static int include_file(const struct ctx *x, unsigned int col, const char *path)
{
	struct parser *ps = x->ps;
	unsigned int depth = x->depth + 1;
	char *text = NULL, *norm, f[PATH_SHOW_BUF];
	const char *name;
	size_t len = 0;
	int rc;

	norm = path_norm(path);
	if (!norm)
		return perr(x, col, "out of memory");
	for (unsigned int i = 0; i <= x->depth; i++) {
		if (ps->stack[i] && !strcmp(ps->stack[i], norm)) {
			free(norm);
			return perr(x, col,
				    "include loop: '%s' is already being read",
				    show_path(path, f));
		}
	}
	if (depth > CONF_MAX_INCLUDE_DEPTH) {
		free(norm);
		return perr(
			x, col,
			"include nested too deeply (more than %d levels) at '%s'",
			CONF_MAX_INCLUDE_DEPTH, show_path(path, f));
	}
	if (++ps->n_files_read > CONF_MAX_FILES) {
		free(norm);
		return perr(x, col, "too many included files (more than %d)",
			    CONF_MAX_FILES);
	}
	errno = 0;
	if (ps->io->read(ps->io->ctx, path, &text, &len)) {
		int e = errno;

		free(norm);
		return perr(x, col, "cannot read '%s': %s", show_path(path, f),
			    e ? strerror(e) : "unknown error");
	}
	name = conf_add_file(ps->c, path);
	if (!name) {
		free(text);
		free(norm);
		return perr(x, col, "out of memory");
	}
	ps->stack[depth] = norm;
	rc = parse_text(ps, name, text ? text : "", text ? len : 0, depth);
	ps->stack[depth] = NULL;
	free(norm);
	free(text);
	return rc;
}

static int parse_include(const struct ctx *x)
{
	struct parser *ps = x->ps;
	const struct token *t;
	char **paths = NULL, *pattern;
	char a[SHOW_BUF], f[PATH_SHOW_BUF];
	size_t n = 0, i;
	int rc = 0;

	if (x->n < 2)
		return perr(x, dcol(x),
			    "include: expected a file name or glob pattern");
	t = &x->t[1];
	if (x->n > 2)
		return perr(x, x->t[2].col,
			    "unexpected '%s' after the include pattern",
			    show(&x->t[2], a));
	if (!ps->io || !ps->io->glob || !ps->io->read)
		return perr(x, dcol(x),
			    "include is not possible here (no file access)");
	pattern = include_pattern(x->file, t);
	if (!pattern)
		return oom(x);
	errno = 0;
	if (ps->io->glob(ps->io->ctx, pattern, &paths, &n)) {
		int e = errno;

		rc = perr(x, t->col, "cannot expand '%s': %s",
			  show_path(pattern, f),
			  e ? strerror(e) : "unknown error");
		paths = NULL; /* the contract leaves nothing to free */
		n = 0;
	} else if (!n && !has_glob_meta(t->s, t->len)) {
		rc = perr(x, t->col, "cannot include '%s': %s",
			  show_path(pattern, f), strerror(ENOENT));
	}
	for (i = 0; i < n && !rc; i++)
		rc = include_file(x, t->col, paths[i]);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(pattern);
	return rc;
}

static int parse_gm(const struct ctx *x)
{
	struct conf_gm *gm = &x->ps->c->gm;
	const struct gm_kw *k = gm_kw_of(&x->t[0]);
	uint32_t v;

	if (parse_gm_value(x, k, &v))
		return -1;
	if (gm_kw_is(k, offsetof(struct conf_gm, query_interval_ms))) {
		if (gm->query_resp_set && gm->query_resp_ms >= v)
			return perr(
				x, x->t[1].col,
				"query-interval: %u s is not more than the query-response-interval (%u.%u s)",
				v / 1000, gm->query_resp_ms / 1000,
				gm->query_resp_ms % 1000 / 100);
		gm->query_interval_set = true;
	} else if (gm_kw_is(k, offsetof(struct conf_gm, query_resp_ms))) {
		if (gm->query_interval_set && v >= gm->query_interval_ms)
			return perr(
				x, x->t[1].col,
				"query-response-interval: must be less than the query-interval (%u s)",
				gm->query_interval_ms / 1000);
		gm->query_resp_set = true;
	}
	*gm_field(gm, k) = v;
	return 0;
}

static bool is_gm_directive(const struct token *d)
{
	return gm_kw_of(d) != NULL;
}

static int parse_line(const struct ctx *x)
{
	const struct token *d = &x->t[0];
	char a[SHOW_BUF];

	if (tok_is(d, "phyint"))
		return parse_phyint(x);
	if (tok_is(d, "mgroup"))
		return parse_mgroup(x);
	if (tok_is(d, "mroute"))
		return parse_mroute(x);
	if (tok_is(d, "include"))
		return parse_include(x);
	if (tok_is(d, "conntrack-flush"))
		return parse_conntrack(x);
	if (is_gm_directive(d))
		return parse_gm(x);
	return perr(
		x, d->col,
		"unknown directive '%s' (expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)",
		show(d, a));
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

static unsigned int column(const char *line, const char *p)
{
	size_t col = (size_t)(p - line) + 1;

	return col > UINT32_MAX ? UINT32_MAX : (unsigned int)col;
}

static int parse_text(struct parser *ps, const char *file, const char *text,
		      size_t len, unsigned int depth)
{
	const char *p = text, *end = text + len;
	struct token *toks = NULL;
	size_t n;
	struct ctx x = { .ps = ps, .file = file, .depth = depth };
	int rc = 0;

	/* A UTF-8 byte order mark is not part of the first line. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (x.line = 1; p < end && !rc; x.line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lend = eol ? eol : end, *q = p;

		n = 0;
		x.n = 0;
		while (q < lend) {
			const char *s;

			if (is_space(*q)) {
				q++;
				continue;
			}
			if (*q == '#')
				break;
			if (*q == '\0') {
				rc = perr(&x, column(p, q),
					  "NUL byte in the text");
				break;
			}
			s = q;
			while (q < lend && *q && *q != '#' && !is_space(*q))
				q++;
			if (grow(&toks, n, sizeof(*toks))) {
				rc = perr(&x, column(p, s), "out of memory");
				break;
			}
			toks[n++] = (struct token){ s, (size_t)(q - s),
						    column(p, s) };
		}
		if (!rc && n) {
			x.t = toks;
			x.n = n;
			rc = parse_line(&x);
		}
		p = eol ? eol + 1 : end;
	}
	free(toks);
	return rc;
}

void conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->conntrack_flush = true;
	c->gm.robustness = 2;
	c->gm.query_interval_ms = 125000;
	c->gm.query_resp_ms = 10000;
	c->gm.lmq_interval_ms = 1000;
	c->gm.max_groups = 1024;
}

void conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n_phyints; i++)
		phyint_free(&c->phyints[i]);
	free(c->phyints);
	free(c->mgroups);
	for (i = 0; i < c->n_mroutes; i++)
		free(c->mroutes[i].oifs);
	free(c->mroutes);
	for (i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	conf_init(c);
}

int conf_parse(struct conf *c, const char *name, const char *text, size_t len,
	       const struct conf_io *io, struct conf_error *err)
{
	struct parser ps = { .c = c, .io = io, .err = err };
	struct ctx x = { .ps = &ps, .line = 1 };
	const char *file;
	int rc;

	if (err)
		err->msg[0] = '\0';
	if (!name)
		name = "<config>";
	x.file = name;
	if (!text)
		len = 0;
	file = conf_add_file(c, name);
	ps.stack[0] = path_norm(name);
	if (!file || !ps.stack[0]) {
		free(ps.stack[0]);
		return perr(&x, 1, "out of memory");
	}
	rc = parse_text(&ps, file, text ? text : "", len, 0);
	free(ps.stack[0]);
	return rc;
}

static int fs_glob(void *ctx, const char *pattern, char ***paths, size_t *n)
{
	glob_t g;
	char **out;
	int rc;

	(void)ctx;
	*paths = NULL;
	*n = 0;
	memset(&g, 0, sizeof(g));
	rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		globfree(&g);
		return 0;
	}
	if (rc) {
		globfree(&g);
		errno = rc == GLOB_NOSPACE ? ENOMEM : EIO;
		return -1;
	}
	out = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof(*out));
	if (!out)
		goto nomem;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		out[i] = strdup(g.gl_pathv[i]);
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			goto nomem;
		}
	}
	*paths = out;
	*n = g.gl_pathc;
	globfree(&g);
	return 0;
nomem:
	globfree(&g);
	errno = ENOMEM;
	return -1;
}

static int fs_read(void *ctx, const char *path, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	struct stat st;
	int fd, e;

	(void)ctx;
	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st))
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < CONF_MAX_FILE_SIZE)
		cap = (size_t)st.st_size + 2;
	for (;;) {
		ssize_t r;

		if (!buf || n + 1 >= cap) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > CONF_MAX_FILE_SIZE + 1) {
				errno = EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return -1;
}

const struct conf_io conf_io_fs = {
	.glob = fs_glob,
	.read = fs_read,
	.ctx = NULL,
};

int conf_load(struct conf *c, const char *path, struct conf_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (conf_io_fs.read(NULL, path, &text, &len)) {
		char f[PATH_SHOW_BUF];

		if (err)
			snprintf(err->msg, sizeof(err->msg),
				 "%s:0:0: cannot read: %s", show_path(path, f),
				 strerror(errno));
		return -1;
	}
	rc = conf_parse(c, path, text, len, &conf_io_fs, err);
	free(text);
	return rc;
}

static void print_prefix(FILE *f, const char *kw, const struct inet_prefix *p)
{
	char buf[PREFIX_STRLEN];

	fprintf(f, " %s %s", kw, prefix_ntop(p, buf, sizeof(buf)));
}

/* "mgroup from IF [source S] group G", the same for mroute. */
static void print_sg(FILE *f, const char *kw, const char *ifname,
		     const struct inet_prefix *source,
		     const struct inet_prefix *group)
{
	fprintf(f, "%s from %s", kw, ifname);
	if (source->addr.family != AF_UNSPEC)
		print_prefix(f, "source", source);
	print_prefix(f, "group", group);
}

/* The timers of gm that are not as in unset, each as "PRE KW VALUE POST". */
static void print_gm(FILE *f, const struct conf_gm *gm,
		     const struct conf_gm *unset, const char *pre,
		     const char *post)
{
	for (size_t i = 0; i < N_GM_KWS; i++) {
		const struct gm_kw *k = &gm_kws[i];
		uint32_t v = gm_value(gm, k);

		if (v == gm_value(unset, k))
			continue;
		if (k->tenths)
			fprintf(f, "%s%s %u.%u%s", pre, k->kw, v / 1000,
				v % 1000 / 100, post);
		else
			fprintf(f, "%s%s %u%s", pre, k->kw, v / k->scale, post);
	}
}

void conf_print(const struct conf *c, FILE *f)
{
	static const char *const role[] = { "", " upstream", " downstream" };
	struct conf_gm unset = { 0 };
	struct conf defaults;
	size_t i, j;

	fprintf(f, "conntrack-flush %s\n", c->conntrack_flush ? "on" : "off");
	conf_init(&defaults);
	print_gm(f, &c->gm, &defaults.gm, "", "\n");
	for (i = 0; i < c->n_phyints; i++) {
		const struct conf_phyint *p = &c->phyints[i];

		fprintf(f, "phyint %s %s", p->ifname,
			p->enable ? "enable" : "disable");
		if (p->mrdisc)
			fputs(" mrdisc", f);
		if (p->ttl_threshold != 1)
			fprintf(f, " ttl-threshold %u", p->ttl_threshold);
		if (p->role <= ROLE_DOWNSTREAM)
			fputs(role[p->role], f);
		if (p->igmp_version)
			fprintf(f, " igmpv%u", p->igmp_version);
		if (p->mld_version)
			fprintf(f, " mldv%u", p->mld_version);
		if (p->fast_leave)
			fputs(" fast-leave", f);
		print_gm(f, &p->gm, &unset, " ", "");
		for (j = 0; j < p->n_altnet; j++)
			print_prefix(f, "altnet", &p->altnet[j]);
		fputc('\n', f);
	}
	for (i = 0; i < c->n_mgroups; i++) {
		const struct conf_mgroup *g = &c->mgroups[i];

		print_sg(f, "mgroup", g->ifname, &g->source, &g->group);
		fputc('\n', f);
	}
	for (i = 0; i < c->n_mroutes; i++) {
		const struct conf_mroute *r = &c->mroutes[i];

		print_sg(f, "mroute", r->ifname, &r->source, &r->group);
		fputs(" to", f);
		for (j = 0; j < r->n_oifs; j++)
			fprintf(f, " %s", r->oifs[j]);
		fputc('\n', f);
	}
}

bool ifname_match(const char *pattern, const char *ifname)
{
	size_t n;

	if (!pattern || !ifname)
		return false;
	n = strlen(pattern);
	if (n && pattern[n - 1] == '+')
		return !strncmp(pattern, ifname, n - 1);
	return !strcmp(pattern, ifname);
}

const struct conf_phyint *conf_phyint_find(const struct conf *c,
					   const char *ifname)
{
	const struct conf_phyint *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < c->n_phyints; i++)
		if (!strcmp(c->phyints[i].ifname, ifname))
			return &c->phyints[i];
	for (size_t i = 0; i < c->n_phyints; i++) {
		const struct conf_phyint *p = &c->phyints[i];
		size_t n = strlen(p->ifname);

		if (n && p->ifname[n - 1] == '+' &&
		    ifname_match(p->ifname, ifname) &&
		    (!best || n > best_len)) {
			best = p;
			best_len = n;
		}
	}
	return best;
}

static bool prefix_same(const struct inet_prefix *a,
			const struct inet_prefix *b)
{
	if (a->addr.family == AF_UNSPEC || b->addr.family == AF_UNSPEC)
		return a->addr.family == b->addr.family;
	return a->len == b->len && addr_equal(&a->addr, &b->addr);
}

/* The same timers (how they were given aside). */
static bool gm_same(const struct conf_gm *a, const struct conf_gm *b)
{
	for (size_t i = 0; i < N_GM_KWS; i++)
		if (gm_value(a, &gm_kws[i]) != gm_value(b, &gm_kws[i]))
			return false;
	return true;
}

static bool phyint_same(const struct conf_phyint *a,
			const struct conf_phyint *b)
{
	if (strcmp(a->ifname, b->ifname) || a->enable != b->enable ||
	    a->mrdisc != b->mrdisc || a->ttl_threshold != b->ttl_threshold ||
	    a->role != b->role || a->igmp_version != b->igmp_version ||
	    a->mld_version != b->mld_version ||
	    a->fast_leave != b->fast_leave || a->n_altnet != b->n_altnet ||
	    !gm_same(&a->gm, &b->gm))
		return false;
	for (size_t i = 0; i < a->n_altnet; i++)
		if (!prefix_same(&a->altnet[i], &b->altnet[i]))
			return false;
	return true;
}

static bool mroute_same(const struct conf_mroute *a,
			const struct conf_mroute *b)
{
	if (strcmp(a->ifname, b->ifname) ||
	    !prefix_same(&a->source, &b->source) ||
	    !prefix_same(&a->group, &b->group) || a->n_oifs != b->n_oifs)
		return false;
	for (size_t i = 0; i < a->n_oifs; i++)
		if (strcmp(a->oifs[i], b->oifs[i]))
			return false;
	return true;
}

bool conf_equal(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->conntrack_flush != b->conntrack_flush ||
	    !gm_same(&a->gm, &b->gm) || a->n_phyints != b->n_phyints ||
	    a->n_mgroups != b->n_mgroups || a->n_mroutes != b->n_mroutes)
		return false;
	for (i = 0; i < a->n_phyints; i++)
		if (!phyint_same(&a->phyints[i], &b->phyints[i]))
			return false;
	for (i = 0; i < a->n_mgroups; i++) {
		const struct conf_mgroup *x = &a->mgroups[i],
					 *y = &b->mgroups[i];

		if (strcmp(x->ifname, y->ifname) ||
		    !prefix_same(&x->source, &y->source) ||
		    !prefix_same(&x->group, &y->group))
			return false;
	}
	for (i = 0; i < a->n_mroutes; i++)
		if (!mroute_same(&a->mroutes[i], &b->mroutes[i]))
			return false;
	return true;
}

void conf_phyint_gm(const struct conf *c, const struct conf_phyint *ph,
		    struct conf_gm *out)
{
	*out = c->gm;
	for (size_t i = 0; i < N_GM_KWS; i++)
		if (gm_value(&ph->gm, &gm_kws[i]))
			*gm_field(out, &gm_kws[i]) =
				gm_value(&ph->gm, &gm_kws[i]);
}
