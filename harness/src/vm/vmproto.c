// SPDX-License-Identifier: MIT
/*
 * The lab VM's control protocol: framing and the session request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmproto.h"
#include "util.h"

static const char known_types[] = "NIKWCHQROEXh";

long vmp_parse(const unsigned char *buf, size_t len, struct vmp_frame *f)
{
	uint32_t plen;

	if (len < 1)
		return 0;
	if (buf[0] != VMP_MAGIC)
		return -1;
	if (len < 2)
		return 0;
	if (!buf[1] || !strchr(known_types, buf[1]))
		return -1;
	if (len < VMP_HDR)
		return 0;
	plen = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 |
	       (uint32_t)buf[6] << 8 | buf[7];
	if (plen > VMP_MAX_PAYLOAD)
		return -1;
	if (len < VMP_HDR + (size_t)plen)
		return 0;
	f->type = (char)buf[1];
	f->sid = (uint16_t)(buf[2] << 8 | buf[3]);
	f->len = plen;
	f->payload = buf + VMP_HDR;
	return (long)(VMP_HDR + plen);
}

void vmp_header(unsigned char *hdr, char type, uint16_t sid, uint32_t len)
{
	hdr[0] = VMP_MAGIC;
	hdr[1] = (unsigned char)type;
	hdr[2] = (unsigned char)(sid >> 8);
	hdr[3] = (unsigned char)sid;
	hdr[4] = (unsigned char)(len >> 24);
	hdr[5] = (unsigned char)(len >> 16);
	hdr[6] = (unsigned char)(len >> 8);
	hdr[7] = (unsigned char)len;
}

static int put(char *buf, size_t len, size_t *off, const char *key,
	       const char *val)
{
	int w = snprintf(buf + *off, len - *off, "%s=%s", key, val);

	if (w < 0 || (size_t)w + 1 > len - *off)
		return -1;
	*off += (size_t)w + 1; /* keep the NUL */
	return 0;
}

long vmp_req_encode(const struct vmp_req *r, char *buf, size_t len)
{
	char num[32];
	size_t off = 0;

	snprintf(num, sizeof(num), "%d", r->tty ? 1 : 0);
	if (put(buf, len, &off, "tty", num) < 0)
		return -1;
	snprintf(num, sizeof(num), "%d", r->rows);
	if (put(buf, len, &off, "rows", num) < 0)
		return -1;
	snprintf(num, sizeof(num), "%d", r->cols);
	if (put(buf, len, &off, "cols", num) < 0)
		return -1;
	if (r->cwd && put(buf, len, &off, "cwd", r->cwd) < 0)
		return -1;
	for (int i = 0; i < r->envc; i++)
		if (put(buf, len, &off, "env", r->envp[i]) < 0)
			return -1;
	for (int i = 0; i < r->argc; i++)
		if (put(buf, len, &off, "arg", r->argv[i]) < 0)
			return -1;
	return (long)off;
}

int vmp_req_decode(char *buf, size_t len, struct vmp_req *r)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	while (off < len) {
		char *s = buf + off, *end = memchr(s, '\0', len - off), *v;

		if (!end)
			return -1;
		off += (size_t)(end - s) + 1;
		v = strchr(s, '=');
		if (!v)
			return -1;
		*v++ = '\0';
		if (!strcmp(s, "tty")) {
			r->tty = atoi(v) != 0;
		} else if (!strcmp(s, "rows")) {
			r->rows = atoi(v);
		} else if (!strcmp(s, "cols")) {
			r->cols = atoi(v);
		} else if (!strcmp(s, "cwd")) {
			r->cwd = v;
		} else if (!strcmp(s, "env")) {
			if (r->envc == VMP_MAX_ENV)
				return -1;
			r->envp[r->envc++] = v;
		} else if (!strcmp(s, "arg")) {
			if (r->argc == VMP_MAX_ARGS)
				return -1;
			r->argv[r->argc++] = v;
		} else {
			return -1;
		}
	}
	r->argv[r->argc] = NULL;
	r->envp[r->envc] = NULL;
	return r->argc ? 0 : -1;
}

int vmp_send(int fd, char type, uint16_t sid, const void *p, size_t n)
{
	unsigned char hdr[VMP_HDR];

	vmp_header(hdr, type, sid, (uint32_t)n);
	if (mclab_write_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	return n ? mclab_write_all(fd, p, n) : 0;
}
