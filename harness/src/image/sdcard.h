/* SPDX-License-Identifier: MIT */
/*
 * A Raspberry Pi SD card image, read without writing it: the MBR's first
 * partition (the vfat boot partition, as Buildroot's genimage and the
 * Foundation lay it out), its files through mtools (mdir, mcopy), and
 * what they say about the board (piboard.c).
 */
#ifndef MCLAB_SDCARD_H
#define MCLAB_SDCARD_H

#include <stdbool.h>
#include <stddef.h>

#include "piboard.h"

/*
 * Byte offset of the first partition in an MBR sector (pure): -1 when
 * the sector has no 55AA signature or the first entry is empty.
 */
long long sd_mbr_first(const unsigned char *sector, size_t len);
/* The same, read from an image file. */
long long sd_boot_offset(const char *img);

/* The boot partition's top-level file names; -1 with errno. */
int sd_list(const char *img, long long off, char ***names, size_t *n);
void sd_names_free(char **names, size_t n);
/*
 * Up to max bytes of a boot partition file into a malloc'ed *buf (NUL
 * added); the count, or -1 when it is not there.
 */
long sd_read(const char *img, long long off, const char *name, size_t max,
	     unsigned char **buf);
/* Copy a boot partition file to dest; 0 when it was there. */
int sd_get(const char *img, long long off, const char *name, const char *dest);

/* What an image's boot partition holds, and the board it is for. */
struct sd_boot {
	long long off; /* the boot partition's offset */
	char **names;
	size_t nnames;
	char *config; /* config.txt, NULL when none */
	char cmdline[1024]; /* cmdline.txt (or config.txt's cmdline=) */
	struct pi_config cfg; /* config.txt for the board */
	struct pi_board board;
};

/*
 * Read img's boot partition and pick the board (board, dtb: --board and
 * --dtb, or NULL).  0, or -1 with one line in err; sd_boot_free() after
 * either.
 */
int sd_inspect(const char *img, const char *board, const char *dtb,
	       struct sd_boot *b, char *err, size_t errlen);
void sd_boot_free(struct sd_boot *b);

#endif
