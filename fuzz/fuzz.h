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

#endif
