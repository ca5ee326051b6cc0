// SPDX-License-Identifier: MIT
/*
 * mcrouted.conf parser: text -> struct conf, with "file:line:col: message"
 * errors.  Pure: files are reached only through a struct conf_io.
 *
 * This file: lines into tokens, the messages, which directive a line is,
 * conntrack-flush, and conf_parse().  phyint and the IGMP/MLD timers are
 * in conf_phyint.c, mgroup and mroute in conf_route.c, include and the
 * file system in conf_include.c, conf_print() and the comparisons in
 * conf_print.c; conf_int.h holds what they share.
 *
 * A line is split into tokens at spaces, tabs, CR, VT and FF; '#' ends the
 * line.  Tokens point into the text, so a line has no length limit.  Every
 * check that fails stops the parse with its message in conf_error.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

int conf_perr(const struct ctx *x, unsigned int col, const char *fmt, ...)
{
	struct conf_error *err = x->ps->err;
	char f[ESC_PATH_BUF];
	va_list ap;
	int n;

	if (!err)
		return -1;
	n = snprintf(err->msg, sizeof(err->msg),
		     "%s:%u:%u: ", esc_path(x->file, f), x->line, col);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(err->msg)) {
		va_start(ap, fmt);
		vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int conf_oom(const struct ctx *x)
{
	return conf_perr(x, x->n ? dcol(x) : 1, "out of memory");
}

static int parse_conntrack(const struct ctx *x)
{
	char a[SHOW_BUF], b[SHOW_BUF];

	if (x->n < 2)
		return conf_perr(x, dcol(x),
				 "conntrack-flush: expected 'on' or 'off'");
	if (tok_is(&x->t[1], "on"))
		x->ps->c->conntrack_flush = true;
	else if (tok_is(&x->t[1], "off"))
		x->ps->c->conntrack_flush = false;
	else
		return conf_perr(
			x, x->t[1].col,
			"conntrack-flush: expected 'on' or 'off', not '%s'",
			show(&x->t[1], a));
	if (x->n > 2)
		return conf_perr(x, x->t[2].col,
				 "unexpected '%s' after 'conntrack-flush %s'",
				 show(&x->t[2], a), show(&x->t[1], b));
	return 0;
}

static int parse_line(const struct ctx *x)
{
	const struct token *d = &x->t[0];
	char a[SHOW_BUF];

	if (tok_is(d, "phyint"))
		return conf_parse_phyint(x);
	if (tok_is(d, "mgroup"))
		return conf_parse_mgroup(x);
	if (tok_is(d, "mroute"))
		return conf_parse_mroute(x);
	if (tok_is(d, "include"))
		return conf_parse_include(x);
	if (tok_is(d, "conntrack-flush"))
		return parse_conntrack(x);
	if (conf_is_gm(d))
		return conf_parse_gm(x);
	return conf_perr(
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

int conf_parse_text(struct parser *ps, const char *file, const char *text,
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
				rc = conf_perr(&x, column(p, q),
					       "NUL byte in the text");
				break;
			}
			s = q;
			while (q < lend && *q && *q != '#' && !is_space(*q))
				q++;
			if (vec_grow2(&toks, n, sizeof(*toks))) {
				rc = conf_perr(&x, column(p, s),
					       "out of memory");
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
		conf_phyint_free(&c->phyints[i]);
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
	ps.stack[0] = conf_path_norm(name);
	if (!file || !ps.stack[0]) {
		free(ps.stack[0]);
		return conf_perr(&x, 1, "out of memory");
	}
	rc = conf_parse_text(&ps, file, text ? text : "", len, 0);
	free(ps.stack[0]);
	return rc;
}
