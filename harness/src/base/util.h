/* SPDX-License-Identifier: MIT */
/*
 * Small helpers of the whole harness, with no knowledge of topologies or
 * labs: checked snprintf, mkdir -p, whole files in and out.
 */
#ifndef MCLAB_UTIL_H
#define MCLAB_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* snprintf whose truncation is checked (and so not warned about) */
#define SNP(buf, ...)                                          \
	do {                                                   \
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= \
		    (int)sizeof(buf))                          \
			buf[sizeof(buf) - 2] = '~';            \
	} while (0)

/* mkdir -p */
int mkdir_p(const char *path, mode_t mode);
/* A whole file (any size, /proc too) as a NUL-terminated malloc()ed
 * string, or NULL with errno. */
char *mclab_read_file(const char *path);
/* What fd gives until end of file (a pipe, a file), read again when
 * interrupted, as a NUL-terminated malloc()ed string of *len bytes (len
 * may be NULL), or NULL with errno.  fd stays open. */
char *mclab_read_fd(int fd, size_t *len);
/* Write text to an existing file (/proc/sys, /proc/PID/uid_map): 0, or
 * -1 with errno when it cannot be opened or takes less than all of it. */
int mclab_write_file(const char *path, const char *text);
/*
 * All n bytes of p to fd, again when interrupted, waiting (1 s at a time)
 * when fd is non-blocking and full; a socket is sent to with
 * MSG_NOSIGNAL, so a gone peer is EPIPE and not SIGPIPE.  0, or -1 with
 * errno.
 */
int mclab_write_all(int fd, const void *p, size_t n);
/*
 * Room for at least room more bytes after the first len of the malloc()ed
 * *buf of *cap bytes: doubled when short, first bytes when still empty.
 * 0, or -1 with errno (ENOMEM; *buf and *cap kept).
 */
/*
 * The malloc()ed array arr of n elements of sz bytes grown by one, the
 * new last element zeroed: the array (maybe moved), or NULL with arr
 * still the caller's (realloc).
 */
void *mclab_grow(void *arr, int n, size_t sz);
int mclab_reserve(char **buf, size_t *cap, size_t len, size_t room,
		  size_t first);
/*
 * The nearest folder above this program (/proc/self/exe) in which rel
 * passes access(mode), into dir[len].  0, or -1 (ENOENT) when none does.
 */
int mclab_exe_ancestor(const char *rel, int mode, char *dir, size_t len);

#endif
