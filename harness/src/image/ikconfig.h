/* SPDX-License-Identifier: MIT */
/*
 * A kernel's embedded configuration (CONFIG_IKCONFIG): the gzip'ed
 * .config between the markers "IKCFG_ST" and "IKCFG_ED" in the kernel
 * image, found the way the kernel's scripts/extract-ikconfig finds it: in
 * the file as it is (an uncompressed arm64 Image), else inside each gzip
 * or xz stream in the file (a zImage's or bzImage's compressed payload,
 * an Image.gz).  zlib and liblzma do the decompressing.
 *
 * Pure: bytes in, text out.
 */
#ifndef MCLAB_IKCONFIG_H
#define MCLAB_IKCONFIG_H

#include <stddef.h>

enum ikc_result {
	IKC_FOUND = 0,
	IKC_NONE = 1, /* searched everything: the kernel has no IKCONFIG */
	IKC_ERROR = -1, /* out of memory, or a corrupt embedded config */
};

/*
 * Find the config in a kernel image of len bytes.  IKC_FOUND: *config is
 * the malloc'ed .config text (NUL-terminated, free it), how says where
 * it was ("uncompressed image", "gzip stream at 0x4a3c"...).  IKC_NONE:
 * how says what was searched, and names a compression found but not
 * readable here (lzo, lz4, zstd, lzma, bzip2).
 */
enum ikc_result ikconfig_extract(const void *img, size_t len, char **config,
				 char *how, size_t howlen);

/* Output of one stream is capped at this (a decompressed kernel). */
#define IKC_MAX_PAYLOAD (256u << 20)

#endif
