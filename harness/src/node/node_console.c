// SPDX-License-Identifier: MIT
/*
 * The console backend: a node reached only by a logged-in serial console
 * (console.c), as a user's own SD card image is: its shell and tools, no
 * agent of ours.  Commands go over with end markers; files are read with
 * cat and written with printf (text only).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "node_guest.h"

static int con_run(void *ctx, unsigned int timeout_ms, char **out,
		   const char *cmd)
{
	return console_sh(ctx, timeout_ms, out, cmd);
}

static int con_read(void *ctx, const char *path, char **buf, size_t *len)
{
	return console_cat(ctx, path, buf, len);
}

static int con_write(void *ctx, const char *path, const char *value)
{
	return console_write_file(ctx, path, value, strlen(value));
}

const struct node_ops node_console_ops = NODE_GUEST_OPS("console");

int lab_replace_node_console(struct lab *lab, struct node *n, struct console *c)
{
	struct node_guest g = {
		.ctx = c,
		.run = con_run,
		.read_file = con_read,
		.write_file = con_write,
	};

	if (!c || !c->logged_in) {
		errno = EINVAL;
		return -1;
	}
	return node_guest_replace(lab, n, &node_console_ops, &g);
}
