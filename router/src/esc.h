/* SPDX-License-Identifier: MIT */
/*
 * Words and file names as error messages show them: bytes below 0x20 and
 * 0x7f as \xNN, a long word cut after ESC_WORD_MAX bytes ("..."), a long
 * file name cut from the left, keeping its end, which says the most.
 * Pure; for the config parser and the route validator.
 */
#ifndef MCR_ESC_H
#define MCR_ESC_H

#include <stddef.h>

#define ESC_WORD_MAX 64 /* bytes of a word quoted in a message */
#define ESC_WORD_BUF (ESC_WORD_MAX * 4 + 8)
#define ESC_PATH_MAX 120 /* bytes of a file name in a message */
#define ESC_PATH_BUF (ESC_PATH_MAX + 8)

/* s[0..len) (need not be NUL-terminated), escaped and cut, in buf. */
const char *esc_word(const char *s, size_t len, char buf[ESC_WORD_BUF]);
/* A file name, escaped, its end kept when long ("...end"), in buf. */
const char *esc_path(const char *s, char buf[ESC_PATH_BUF]);

#endif
