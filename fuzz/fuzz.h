/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: the input as a C string.
 */
#ifndef MCLAB_FUZZ_H
#define MCLAB_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* data[0..size) as a malloc()ed NUL-terminated string, or NULL. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
	}
	return text;
}

/*
 * For the targets whose first byte picks what to run: that byte into
 * *pick and the rest as fuzz_text(); NULL when there is no first byte.
 */
static inline char *fuzz_pick(const uint8_t *data, size_t size, uint8_t *pick)
{
	if (size < 1)
		return NULL;
	*pick = data[0];
	return fuzz_text(data + 1, size - 1);
}

#endif
