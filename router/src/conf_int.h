/* SPDX-License-Identifier: MIT */
/*
 * What the parts of the mcrouted.conf parser (conf*.c) share: the tokens
 * of a line, where the parser is, the messages, the IGMP/MLD timer
 * keywords, and each directive's parser.
 */
#ifndef MCR_CONF_INT_H
#define MCR_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "esc.h"
#include "route.h"
#include "vec.h"

#define SHOW_BUF ESC_WORD_BUF

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

/* conf.c: messages, arrays, lines */

/* "file:line:col: message" into x's conf_error; returns -1. */
__attribute__((format(printf, 3, 4))) int
conf_perr(const struct ctx *x, unsigned int col, const char *fmt, ...);
/* "out of memory" at the directive; returns -1. */
int conf_oom(const struct ctx *x);
/* Every line of text, read as the file called file at include depth. */
int conf_parse_text(struct parser *ps, const char *file, const char *text,
		    size_t len, unsigned int depth);

/* A token for a message: non-printable bytes escaped, long ones cut. */
static inline const char *show(const struct token *t, char *buf)
{
	return esc_word(t->s, t->len, buf);
}

/* Column of the directive, for errors about a missing token. */
static inline unsigned int dcol(const struct ctx *x)
{
	return x->t[0].col;
}

static inline bool tok_is(const struct token *t, const char *kw)
{
	size_t n = strlen(kw);

	return t->len == n && !memcmp(t->s, kw, n);
}

/* A token as route.c takes words. */
static inline struct route_word word(const struct token *t)
{
	return (struct route_word){ t->s, t->len };
}

/* route.c's verdict e on token t, as a message at t's column. */
static inline int perr_tok(const struct ctx *x, const struct token *t,
			   const char *e)
{
	return conf_perr(x, t->col, "%s", e);
}

/*
 * conf_phyint.c: phyint lines, and the IGMP/MLD timers.  conf_gm_kws[]
 * holds the timer keywords: the value's range as written (seconds, or
 * with tenths kept as ms), what it is multiplied by to be kept
 * (query-interval: s into ms), and where it is kept in a struct conf_gm.
 */
struct gm_kw {
	const char *kw;
	bool tenths;
	uint32_t min, max, scale;
	size_t off;
};

#define CONF_N_GM 6
extern const struct gm_kw conf_gm_kws[CONF_N_GM];

static inline uint32_t *gm_field(struct conf_gm *gm, const struct gm_kw *k)
{
	return (uint32_t *)((char *)gm + k->off);
}

static inline uint32_t gm_value(const struct conf_gm *gm, const struct gm_kw *k)
{
	return *(const uint32_t *)((const char *)gm + k->off);
}

int conf_parse_phyint(const struct ctx *x);
/* Is d a global timer directive (query-interval, ...)? */
bool conf_is_gm(const struct token *d);
int conf_parse_gm(const struct ctx *x);
void conf_phyint_free(struct conf_phyint *p);

/* conf_route.c: mgroup and mroute lines */
int conf_parse_mgroup(const struct ctx *x);
int conf_parse_mroute(const struct ctx *x);

/* conf_include.c: include, and the names of the files read */
int conf_parse_include(const struct ctx *x);
/* A path for include loop detection ("//", "/./" and "./" collapsed). */
char *conf_path_norm(const char *path);
/* The name kept in c->files for path (one copy per distinct name). */
const char *conf_add_file(struct conf *c, const char *path);

#endif
