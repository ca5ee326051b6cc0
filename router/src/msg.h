/* SPDX-License-Identifier: MIT */
/*
 * The control protocol between mcroutectl and mcrouted, over a UNIX stream
 * socket.  One request per connection:
 *
 *   request:  [-j] WORD [WORD ...] '\n'     printable ASCII, single spaces,
 *                                           at most MSG_MAX bytes and
 *                                           MSG_MAX_WORDS words
 *   reply:    "OK\n" BODY                   then the daemon closes
 *             "ERR " MESSAGE "\n"
 *
 * -j asks for JSON instead of a table.  Pure encode/decode, unit-tested and
 * fuzzed; the daemon answers anything it cannot decode with ERR.
 */
#ifndef MCR_MSG_H
#define MCR_MSG_H

#include <stdbool.h>
#include <stddef.h>

#define MSG_MAX 4096
#define MSG_MAX_WORDS 64

struct msg_req {
	bool json;
	size_t argc;
	char *argv[MSG_MAX_WORDS + 1]; /* point into buf; argv[argc] NULL */
	char buf[MSG_MAX + 1];
};

enum {
	MSG_OK = 0,
	MSG_INCOMPLETE = 1, /* no newline yet: read more */
	MSG_BAD = -1, /* malformed: err says why */
};

/* Decode a request from len bytes.  Returns MSG_OK, MSG_INCOMPLETE or
 * MSG_BAD (with err filled in). */
int msg_decode(const char *data, size_t len, struct msg_req *r, char *err,
	       size_t errlen);

/* Encode words into out.  Returns the length, or -1 when a word is empty,
 * has a byte outside 0x21..0x7e, or it all does not fit. */
int msg_encode(bool json, size_t argc, char *const argv[], char *out,
	       size_t outlen);

/*
 * Split a reply: returns 0 for "OK" (*body after the first line), 1 for
 * "ERR" (*body = the message, without "ERR "), -1 for anything else.
 */
int msg_reply(const char *data, size_t len, const char **body, size_t *bodylen);

#endif
