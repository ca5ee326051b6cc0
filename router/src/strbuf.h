/* SPDX-License-Identifier: MIT */
/*
 * A growable string for replies, with JSON string escaping.
 */
#ifndef MCR_STRBUF_H
#define MCR_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_putc(struct strbuf *b, char c);
/* A JSON string literal, quotes included. */
void sb_json_str(struct strbuf *b, const char *s);

#endif
