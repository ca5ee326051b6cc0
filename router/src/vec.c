// SPDX-License-Identifier: MIT
/*
 * Growing arrays (vec.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "vec.h"

static int resize(void **arr, size_t cap, size_t size)
{
	void *p;

	if (cap > SIZE_MAX / size)
		return -1;
	p = realloc(*arr, cap * size);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

int vec_grow(void *arrp, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : first;
	if (resize(arrp, nc, size))
		return -1;
	*cap = nc;
	return 0;
}

int vec_grow2(void *arrp, size_t n, size_t size)
{
	if (n & (n - 1))
		return 0;
	return resize(arrp, n ? n * 2 : 1, size);
}
