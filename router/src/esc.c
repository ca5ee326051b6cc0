// SPDX-License-Identifier: MIT
/*
 * Escaping words and file names for error messages.
 */
#include <string.h>

#include "esc.h"

static size_t esc_width(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f ? 4 : 1;
}

static char *escape(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (esc_width(ch) > 1) {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		} else {
			*p++ = (char)ch;
		}
	}
	*p = '\0';
	return p;
}

const char *esc_word(const char *s, size_t len, char buf[ESC_WORD_BUF])
{
	size_t n = len < ESC_WORD_MAX ? len : ESC_WORD_MAX;
	char *p = escape(buf, s, n);

	if (n < len)
		memcpy(p, "...", 4);
	return buf;
}

const char *esc_path(const char *s, char buf[ESC_PATH_BUF])
{
	size_t len = strlen(s), start = len, w = 0;
	char *p = buf;

	while (start > 0) {
		size_t cw = esc_width((unsigned char)s[start - 1]);

		if (w + cw > ESC_PATH_MAX)
			break;
		w += cw;
		start--;
	}
	if (start > 0) {
		memcpy(p, "...", 3);
		p += 3;
	}
	escape(p, s + start, len - start);
	return buf;
}
