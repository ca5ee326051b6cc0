// SPDX-License-Identifier: MIT
/*
 * Control protocol codec.
 */
#include <stdio.h>
#include <string.h>

#include "msg.h"

static bool word_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

int msg_decode(const char *data, size_t len, struct msg_req *r, char *err,
	       size_t errlen)
{
	const char *nl = memchr(data, '\n', len);
	size_t n, i;
	char *p;

	memset(r, 0, offsetof(struct msg_req, buf));
	r->buf[0] = '\0';
	if (!nl) {
		if (len > MSG_MAX) {
			snprintf(err, errlen, "request longer than %d bytes",
				 MSG_MAX);
			return MSG_BAD;
		}
		return MSG_INCOMPLETE;
	}
	n = (size_t)(nl - data);
	if (n > MSG_MAX) {
		snprintf(err, errlen, "request longer than %d bytes", MSG_MAX);
		return MSG_BAD;
	}
	if (n + 1 != len) {
		snprintf(err, errlen, "one request per connection");
		return MSG_BAD;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c != ' ' && !word_char(c)) {
			snprintf(err, errlen,
				 "byte 0x%02x at offset %zu is not allowed", c,
				 i);
			return MSG_BAD;
		}
	}
	memcpy(r->buf, data, n);
	r->buf[n] = '\0';
	for (p = r->buf; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (r->argc == MSG_MAX_WORDS) {
			snprintf(err, errlen, "more than %d words",
				 MSG_MAX_WORDS);
			return MSG_BAD;
		}
		r->argv[r->argc++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (r->argc && !strcmp(r->argv[0], "-j")) {
		r->json = true;
		memmove(r->argv, r->argv + 1, r->argc * sizeof(r->argv[0]));
		r->argc--;
	}
	r->argv[r->argc] = NULL;
	if (!r->argc) {
		snprintf(err, errlen, "empty request");
		return MSG_BAD;
	}
	return MSG_OK;
}

int msg_encode(bool json, size_t argc, char *const argv[], char *out,
	       size_t outlen)
{
	size_t len = 0;

	if (outlen == 0 || argc == 0 || argc > MSG_MAX_WORDS)
		return -1;
	if (json) {
		if (outlen < 4)
			return -1;
		memcpy(out, "-j ", 3);
		len = 3;
	}
	for (size_t i = 0; i < argc; i++) {
		size_t wl = strlen(argv[i]);

		if (!wl)
			return -1;
		for (size_t k = 0; k < wl; k++)
			if (!word_char((unsigned char)argv[i][k]))
				return -1;
		if (len + wl + 1 >= outlen || len + wl + 1 > MSG_MAX + 1)
			return -1;
		memcpy(out + len, argv[i], wl);
		len += wl;
		out[len++] = i + 1 == argc ? '\n' : ' ';
	}
	out[len] = '\0';
	return (int)len;
}

int msg_reply(const char *data, size_t len, const char **body, size_t *bodylen)
{
	const char *nl = memchr(data, '\n', len);

	if (!nl)
		return -1;
	if (nl - data == 2 && !memcmp(data, "OK", 2)) {
		*body = nl + 1;
		*bodylen = len - (size_t)(nl + 1 - data);
		return 0;
	}
	if (nl - data >= 4 && !memcmp(data, "ERR ", 4)) {
		*body = data + 4;
		*bodylen = (size_t)(nl - data) - 4;
		return 1;
	}
	return -1;
}
