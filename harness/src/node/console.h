/* SPDX-License-Identifier: MIT */
/*
 * A user's image driven over its serial console (qemu's console socket):
 * log in at its getty and run shell commands with their output and exit
 * status (the framing is conshell.c's).  For images without our agent:
 * nothing of ours runs in the guest, only its own shell and tools.
 */
#ifndef MCLAB_CONSOLE_H
#define MCLAB_CONSOLE_H

#include <stddef.h>

struct console {
	int fd;
	char marker[16];
	char *buf; /* console text not consumed yet */
	size_t len, cap;
	int logged_in;
	int resyncing; /* inside the resync after a timed-out command */
};

/* Connect to a qemu chardev socket (server=on).  0, or -1 with errno. */
int console_open(struct console *c, const char *sock_path);
void console_close(struct console *c);

/*
 * Log in: answer the getty (user, and password when asked; "" for none),
 * busybox's "press Enter", until a shell prompt shows, then quiet the
 * kernel's console messages (dmesg -n 1) so they cannot split a
 * command's output.  0, or -1 with the reason in err.
 */
int console_login(struct console *c, const char *user, const char *password,
		  unsigned int timeout_ms, char *err, size_t errlen);

/*
 * Run "sh -c"-like CMD at the prompt (one line, under ~900 bytes: a
 * busybox shell's line editor takes 1024).  Its exit status, output in
 * *out (cleaned text, free it) when out is not NULL; -1 with errno
 * (ETIMEDOUT, EPIPE) when no framed answer came by the deadline.
 */
int console_run(struct console *c, unsigned int timeout_ms, char **out,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * console_run of a command line of any length (a long one goes over as a
 * script), in a subshell, with timeout_ms scaled; as console_run returns.
 */
int console_sh(struct console *c, unsigned int timeout_ms, char **out,
	       const char *cmd);
/* A guest text file's content (cat); 0, or -1 with errno (ENOENT). */
int console_cat(struct console *c, const char *path, char **buf, size_t *len);

/* Write data to a guest file through printf in chunks; 0 or -1. */
int console_write_file(struct console *c, const char *path, const void *data,
		       size_t len);

#endif
