// SPDX-License-Identifier: MIT
/*
 * Unit tests for ikconfig.c on kernel images made here: an uncompressed
 * arm64 Image with IKCONFIG, a zImage-like file whose payload (gzip or
 * xz) holds it, an Image.gz, one without IKCONFIG, one whose payload is
 * lz4 (named, not searched), and a marker followed by garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include "ikconfig.h"

static const char config[] = "#\n# Automatically generated file; DO NOT EDIT.\n"
			     "CONFIG_IP_MROUTE=y\n"
			     "CONFIG_IP_MROUTE_MULTIPLE_TABLES=y\n"
			     "# CONFIG_IPV6_MROUTE is not set\n"
			     "CONFIG_IKCONFIG=y\n";

struct img {
	unsigned char *p;
	size_t len;
};

static void put(struct img *m, const void *d, size_t n)
{
	m->p = realloc(m->p, m->len + n);
	assert_non_null(m->p);
	memcpy(m->p + m->len, d, n);
	m->len += n;
}

/* Bytes that look like code: no accidental magic. */
static void noise(struct img *m, size_t n, unsigned int seed)
{
	unsigned char *b = malloc(n);

	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(0x20 + (seed >> 16) % 0x5e);
	}
	put(m, b, n);
	free(b);
}

static void gz(struct img *out, const void *d, size_t n)
{
	z_stream z;
	unsigned char *o = malloc(n + 1024);

	assert_non_null(o);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)d;
	z.avail_in = (uInt)n;
	z.next_out = o;
	z.avail_out = (uInt)(n + 1024);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	put(out, o, z.total_out);
	deflateEnd(&z);
	free(o);
}

static void xz(struct img *out, const void *d, size_t n)
{
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	unsigned char *o = malloc(cap);

	assert_non_null(o);
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, d,
						 n, o, &pos, cap),
			 LZMA_OK);
	put(out, o, pos);
	free(o);
}

/* A kernel with IKCONFIG in it: code, the markers, code. */
static struct img kernel(bool with_config)
{
	struct img k = { 0 };

	noise(&k, 200000, 1);
	if (with_config) {
		put(&k, "IKCFG_ST", 8);
		gz(&k, config, sizeof(config) - 1);
		put(&k, "IKCFG_ED", 8);
	}
	noise(&k, 100000, 2);
	return k;
}

static void check(struct img *m, enum ikc_result want, const char *how_has)
{
	char *text = NULL, how[300];
	enum ikc_result r =
		ikconfig_extract(m->p, m->len, &text, how, sizeof(how));

	print_message("# %s\n", how);
	assert_int_equal(r, want);
	assert_non_null(strstr(how, how_has));
	if (want == IKC_FOUND) {
		assert_non_null(text);
		assert_string_equal(text, config);
	} else {
		assert_null(text);
	}
	free(text);
}

static void test_uncompressed(void **state)
{
	struct img k = kernel(true);

	(void)state;
	check(&k, IKC_FOUND, "at 0x30d40 of the image");
	free(k.p);
}

/* check(), then the image is freed and empty again for the next. */
static void check_next(struct img *m, enum ikc_result want, const char *how_has)
{
	check(m, want, how_has);
	free(m->p);
	*m = (struct img){ 0 };
}

/* A zImage: decompressor code, then the compressed kernel. */
static void test_zimage_payloads(void **state)
{
	struct img k = kernel(true), z = { 0 };

	(void)state;
	noise(&z, 5000, 3);
	put(&z, "\x1f\x8b\x08\x00 not a stream", 18); /* a false start */
	gz(&z, k.p, k.len);
	noise(&z, 64, 4);
	check_next(&z, IKC_FOUND, "gzip payload at 0x139a");
	noise(&z, 5000, 3);
	xz(&z, k.p, k.len);
	check_next(&z, IKC_FOUND, "xz payload at 0x1388");
	gz(&z, k.p, k.len); /* Image.gz */
	check_next(&z, IKC_FOUND, "gzip payload at 0x0");
	free(k.p);
}

static void test_none(void **state)
{
	struct img k = kernel(false), z = { 0 };

	(void)state;
	check(&k, IKC_NONE,
	      "0 gzip/xz payload(s) (CONFIG_IKCONFIG is not set)");
	noise(&z, 5000, 3);
	gz(&z, k.p, k.len);
	check_next(&z, IKC_NONE, "1 gzip/xz payload(s) (CONFIG_IKCONFIG");
	noise(&z, 5000, 3);
	put(&z, "\x02\x21\x4c\x18", 4);
	noise(&z, 5000, 5);
	check_next(&z, IKC_NONE, "lz4 data, which is not searched");
	/* a marker, then garbage: not a config */
	noise(&z, 100, 3);
	put(&z, "IKCFG_ST\x1f\x8b\x08\x00garbage", 19);
	noise(&z, 100, 3);
	check_next(&z, IKC_NONE, "CONFIG_IKCONFIG is not set");
	check(&z, IKC_NONE, "not set");
	free(k.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncompressed),
		cmocka_unit_test(test_zimage_payloads),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests_name("ikconfig", tests, NULL, NULL);
}
