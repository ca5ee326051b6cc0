/* SPDX-License-Identifier: MIT */
/*
 * Growing arrays: room for one more element.  vec_grow() doubles a
 * capacity the caller keeps (from first); vec_grow2() is for arrays that
 * keep none, which grow to the next power of two.  Pure.
 */
#ifndef MCR_VEC_H
#define MCR_VEC_H

#include <stddef.h>

/*
 * *arrp (an array of elements of size bytes, n of them in use, room for
 * *cap) made to hold one more.  Returns 0, or -1 when out of memory (the
 * array as it was).
 */
int vec_grow(void *arrp, size_t n, size_t *cap, size_t size, size_t first);
/* The same for an array whose capacity is n rounded up to a power of two. */
int vec_grow2(void *arrp, size_t n, size_t size);

#endif
