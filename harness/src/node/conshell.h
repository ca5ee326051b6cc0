/* SPDX-License-Identifier: MIT */
/*
 * A shell on a serial console, for a user's image that has no agent of
 * ours: log in at its getty and run each command between markers, the
 * way labgrid's ShellDriver does.  The command line sent is
 *
 *     echo 'MARKER''S'; { CMD ; } </dev/null 2>&1; echo 'MARKER''E'$?
 *
 * so the terminal's echo of the typed line never holds MARKERS or
 * MARKERE, and the command's output is what lies between the line
 * "MARKERS" and "MARKERE<status>".  The marker is random per session.
 *
 * This file is pure (text in, decision out) for unit tests; console.c
 * does the I/O on qemu's console socket.
 */
#ifndef MCLAB_CONSHELL_H
#define MCLAB_CONSHELL_H

#include <stddef.h>

#define CS_MARKER_LEN 12

/* Build the line to send for cmd (with its newline); its length, or -1
 * when out is too small or cmd holds a newline. */
int cs_command(char *out, size_t len, const char *marker, const char *cmd);

struct cs_result {
	size_t out_off, out_len; /* the output, in the buffer given */
	int status; /* the command's exit status */
	size_t used; /* bytes of the buffer up to the end marker's line */
};

/*
 * Look for a command's framed output in buf (console text since the
 * command was sent).  1 with *r filled, 0 when more text is needed.
 */
int cs_parse(const char *buf, size_t len, const char *marker,
	     struct cs_result *r);

/*
 * Copy output as text: "\r\n" and lone "\r" become "\n", other control
 * characters but tab and escape sequences are dropped.  Returns the new
 * length (out has room for len + 1 bytes; NUL added).
 */
size_t cs_clean(const char *in, size_t len, char *out);

/* What the console's tail asks for while logging in. */
enum cs_prompt {
	CS_NOTHING = 0, /* nothing to answer yet */
	CS_LOGIN, /* "login:" at the end: send the user name */
	CS_PASSWORD, /* "Password:": send the password */
	CS_ACTIVATE, /* busybox's "Please press Enter to activate" */
	CS_SHELL, /* a shell prompt ("# ", "$ ") at the end */
	CS_INCORRECT, /* "Login incorrect" since the last answer */
};

/*
 * Classify the end of the console text (what came since the last answer
 * sent): pure.
 */
enum cs_prompt cs_prompt(const char *buf, size_t len);

/* A random marker of CS_MARKER_LEN letters (NUL added) from seed bits. */
void cs_marker(char *out, unsigned long long seed);

#endif
