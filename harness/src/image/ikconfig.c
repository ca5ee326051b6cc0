// SPDX-License-Identifier: MIT
/*
 * A kernel's embedded configuration (see ikconfig.h).
 */
#include "ikconfig.h"

#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ST "IKCFG_ST"
#define ED "IKCFG_ED"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static int grow(struct buf *b, size_t want)
{
	size_t cap = b->cap ? b->cap : 1u << 20;
	unsigned char *p;

	while (cap < want)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

enum { STEP_MORE = 2 };

/*
 * Run step (one inflate or lzma_code into b's free room) over the stream
 * z until it ends, b grown as it needs up to max: 1 with the output in
 * *b, 0 when it is not a valid stream (or has no end, or is longer than
 * max), -1 on ENOMEM.
 */
static int decode(int (*step)(void *z, struct buf *b), void *z, size_t max,
		  struct buf *b)
{
	int rc = STEP_MORE;

	while (rc == STEP_MORE) {
		if (b->len == b->cap && (b->len >= max || grow(b, b->len + 1)))
			return b->len >= max ? 0 : -1;
		rc = step(z, b);
	}
	return rc;
}

static int gunzip_step(void *arg, struct buf *b)
{
	z_stream *z = arg;
	int rc;

	z->next_out = b->p + b->len;
	z->avail_out = (uInt)(b->cap - b->len);
	rc = inflate(z, Z_NO_FLUSH);
	b->len = b->cap - z->avail_out;
	if (rc == Z_STREAM_END)
		return 1;
	/* Z_BUF_ERROR with room left: input ended inside the stream */
	if (rc == Z_OK || (rc == Z_BUF_ERROR && !z->avail_out))
		return STEP_MORE;
	return 0;
}

/*
 * Inflate one gzip member at p; 1 with the output in *b, 0 when it is not
 * a valid gzip stream (or has no end), -1 on ENOMEM.  max caps the output.
 */
static int gunzip(const unsigned char *p, size_t len, size_t max, struct buf *b)
{
	z_stream z;
	int ret;

	memset(&z, 0, sizeof(z));
	b->len = 0;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)p;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	ret = decode(gunzip_step, &z, max, b);
	inflateEnd(&z);
	return ret;
}

static int unxz_step(void *arg, struct buf *b)
{
	lzma_stream *z = arg;
	lzma_ret rc;

	z->next_out = b->p + b->len;
	z->avail_out = b->cap - b->len;
	rc = lzma_code(z, LZMA_FINISH);
	b->len = b->cap - z->avail_out;
	switch (rc) {
	case LZMA_STREAM_END:
		return 1;
	case LZMA_OK:
		return STEP_MORE;
	case LZMA_MEM_ERROR:
		return -1;
	default:
		return 0;
	}
}

/* The same for one xz stream. */
static int unxz(const unsigned char *p, size_t len, size_t max, struct buf *b)
{
	lzma_stream z = LZMA_STREAM_INIT;
	int ret;

	b->len = 0;
	if (lzma_stream_decoder(&z, UINT64_MAX, 0) != LZMA_OK)
		return -1;
	z.next_in = p;
	z.avail_in = len;
	ret = decode(unxz_step, &z, max, b);
	lzma_end(&z);
	return ret;
}

static const unsigned char *find(const unsigned char *p, size_t len,
				 const void *what, size_t wlen)
{
	return len >= wlen ? memmem(p, len, what, wlen) : NULL;
}

/*
 * The config after an IKCFG_ST marker in p: 1 found (*config set), 0 no
 * marker with a valid config, -1 ENOMEM.
 */
static int from_marker(const unsigned char *p, size_t len, char **config,
		       size_t *at)
{
	const unsigned char *m = p;
	struct buf b = { 0 };

	while ((m = find(m, len - (size_t)(m - p), ST, 8))) {
		const unsigned char *z = m + 8;
		int rc = gunzip(z, len - (size_t)(z - p), 16u << 20, &b);

		if (rc < 0) {
			free(b.p);
			return -1;
		}
		if (rc == 1 && b.len && memmem(b.p, b.len, "CONFIG_", 7)) {
			char *t = malloc(b.len + 1);

			if (!t) {
				free(b.p);
				return -1;
			}
			memcpy(t, b.p, b.len);
			t[b.len] = '\0';
			free(b.p);
			*config = t;
			*at = (size_t)(m - p);
			return 1;
		}
		m++;
	}
	free(b.p);
	return 0;
}

enum ikc_result ikconfig_extract(const void *img, size_t len, char **config,
				 char *how, size_t howlen)
{
	static const struct {
		const char *name;
		const char *magic;
		size_t len;
	} other[] = {
		{ "lzo", "\x89LZO", 4 },
		{ "lz4", "\x02\x21\x4c\x18", 4 },
		{ "zstd", "\x28\xb5\x2f\xfd", 4 },
		{ "bzip2", "BZh91AY&SY", 10 },
	};
	const unsigned char *p = img;
	struct buf b = { 0 };
	size_t at, streams = 0;
	int rc;

	*config = NULL;
	rc = from_marker(p, len, config, &at);
	if (rc) {
		if (rc > 0)
			snprintf(how, howlen,
				 "embedded IKCONFIG at 0x%zx of the image", at);
		return rc > 0 ? IKC_FOUND : IKC_ERROR;
	}
	for (size_t i = 0; i + 6 <= len; i++) {
		bool gz = p[i] == 0x1f && p[i + 1] == 0x8b && p[i + 2] == 8 &&
			  p[i + 3] < 0x20;
		bool xz = !memcmp(p + i,
				  "\xfd"
				  "7zXZ\0",
				  6);

		if (!gz && !xz)
			continue;
		rc = gz ? gunzip(p + i, len - i, IKC_MAX_PAYLOAD, &b) :
			  unxz(p + i, len - i, IKC_MAX_PAYLOAD, &b);
		if (rc < 0)
			goto nomem;
		if (rc == 0 || b.len < 1024)
			continue;
		streams++;
		rc = from_marker(b.p, b.len, config, &at);
		if (rc < 0)
			goto nomem;
		if (rc > 0) {
			snprintf(how, howlen,
				 "embedded IKCONFIG at 0x%zx of the %s "
				 "payload at 0x%zx (%zu bytes decompressed)",
				 at, gz ? "gzip" : "xz", i, b.len);
			free(b.p);
			return IKC_FOUND;
		}
	}
	free(b.p);
	/* A compressed kernel's payload starts after its decompressor, in
	 * the first few KiB; an uncompressed one holds these magics as data */
	for (size_t k = 0; !streams && k < sizeof(other) / sizeof(other[0]);
	     k++)
		if (find(p, len < 65536 ? len : 65536, other[k].magic,
			 other[k].len)) {
			snprintf(how, howlen,
				 "no IKCONFIG in the image or its %zu gzip/xz "
				 "payload(s); it holds %s data, which is not "
				 "searched",
				 streams, other[k].name);
			return IKC_NONE;
		}
	snprintf(how, howlen,
		 "no IKCONFIG in the image or its %zu gzip/xz payload(s) "
		 "(CONFIG_IKCONFIG is not set)",
		 streams);
	return IKC_NONE;
nomem:
	free(b.p);
	snprintf(how, howlen, "out of memory");
	return IKC_ERROR;
}
