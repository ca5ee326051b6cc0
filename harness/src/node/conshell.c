// SPDX-License-Identifier: MIT
/*
 * A shell on a serial console: the pure part (see conshell.h).
 */
#include "conshell.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int cs_command(char *out, size_t len, const char *marker, const char *cmd)
{
	int n;

	if (strpbrk(cmd, "\r\n"))
		return -1;
	n = snprintf(out, len,
		     "echo '%s''S'; { %s ; } </dev/null 2>&1; echo '%s''E'$?\n",
		     marker, cmd, marker);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

static const char *find(const char *hay, size_t len, const char *needle,
			size_t nlen)
{
	return len >= nlen ? memmem(hay, len, needle, nlen) : NULL;
}

int cs_parse(const char *buf, size_t len, const char *marker,
	     struct cs_result *r)
{
	char start[CS_MARKER_LEN + 8], end[CS_MARKER_LEN + 8];
	size_t sl = (size_t)snprintf(start, sizeof(start), "%sS", marker);
	size_t el = (size_t)snprintf(end, sizeof(end), "%sE", marker);
	const char *p = buf, *s = NULL, *e, *lim = buf + len;

	/* the start marker alone on its line */
	while ((p = find(p, (size_t)(lim - p), start, sl))) {
		const char *q = p + sl;

		if (q < lim && (*q == '\r' || *q == '\n')) {
			while (q < lim && *q == '\r')
				q++;
			if (q < lim && *q == '\n') {
				s = q + 1;
				break;
			}
		}
		p += sl;
	}
	if (!s)
		return 0;
	/* the end marker, then the status and the line's end */
	for (p = s; (e = find(p, (size_t)(lim - p), end, el)); p = e + el) {
		const char *q = e + el;
		int status = 0, digits = 0;

		while (q < lim && *q >= '0' && *q <= '9' && digits < 4) {
			status = status * 10 + (*q++ - '0');
			digits++;
		}
		if (q >= lim)
			return 0; /* the line is not complete yet */
		if (!digits || (*q != '\r' && *q != '\n'))
			continue;
		while (q < lim && *q == '\r')
			q++;
		if (q >= lim)
			return 0;
		if (*q != '\n')
			continue;
		r->out_off = (size_t)(s - buf);
		r->out_len = (size_t)(e - s);
		r->status = status;
		r->used = (size_t)(q + 1 - buf);
		return 1;
	}
	return 0;
}

size_t cs_clean(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\r') {
			if (i + 1 < len && in[i + 1] == '\n')
				continue;
			out[o++] = '\n';
		} else if (c == 0x1b) {
			/* CSI: ESC [ params final; others: ESC x */
			if (i + 1 < len && in[i + 1] == '[') {
				i += 2;
				while (i < len &&
				       ((unsigned char)in[i] < 0x40 ||
					(unsigned char)in[i] > 0x7e))
					i++;
			} else {
				i++;
			}
		} else if (c == '\n' || c == '\t' || c >= 0x20) {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

static bool ends_with(const char *s, size_t len, const char *suf)
{
	size_t l = strlen(suf);

	return len >= l && !memcmp(s + len - l, suf, l);
}

enum cs_prompt cs_prompt(const char *buf, size_t len)
{
	char tail[512];
	size_t from = len > sizeof(tail) - 1 ? len - (sizeof(tail) - 1) : 0;
	size_t n = cs_clean(buf + from, len - from, tail);

	bool shell;

	if (strstr(tail, "Login incorrect"))
		return CS_INCORRECT;
	/* a prompt ends in "# " or "$ " */
	shell = n >= 2 && tail[n - 1] == ' ' &&
		(tail[n - 2] == '#' || tail[n - 2] == '$');
	while (n && (tail[n - 1] == ' ' || tail[n - 1] == '\n' ||
		     tail[n - 1] == '\t'))
		n--;
	tail[n] = '\0';
	if (ends_with(tail, n, "login:"))
		return CS_LOGIN;
	if (ends_with(tail, n, "assword:"))
		return CS_PASSWORD;
	if (strstr(tail, "Please press Enter to activate this console"))
		return CS_ACTIVATE;
	return shell ? CS_SHELL : CS_NOTHING;
}

void cs_marker(char *out, unsigned long long seed)
{
	for (int i = 0; i < CS_MARKER_LEN; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (char)('A' + (seed >> 33) % 26);
	}
	out[CS_MARKER_LEN] = '\0';
}
