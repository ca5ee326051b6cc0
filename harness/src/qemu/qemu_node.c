// SPDX-License-Identifier: MIT
/*
 * The VM backend: a qemu guest in place of a node, over our agent (or over
 * its serial console when the guest has none, node_console.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node_guest.h"
#include "qemu.h"

static int vm_run(void *ctx, unsigned int timeout_ms, char **out,
		  const char *cmd)
{
	return qemu_exec(ctx, timeout_ms, out, "%s", cmd);
}

static int vm_read(void *ctx, const char *path, char **buf, size_t *len)
{
	return qemu_read_file(ctx, path, buf, len);
}

static int vm_write(void *ctx, const char *path, const char *value)
{
	return qemu_write_file(ctx, path, value, strlen(value));
}

static void vm_halt(void *ctx)
{
	qemu_halt(ctx);
}

const struct node_ops node_vm_ops = NODE_GUEST_OPS("vm");

int lab_replace_node_vm(struct lab *lab, struct node *n, struct qemu_vm *vm,
			bool halt)
{
	struct node_guest g = {
		.ctx = vm,
		.run = vm_run,
		.read_file = vm_read,
		.write_file = vm_write,
		.release = halt ? vm_halt : NULL,
	};

	if (!vm) {
		errno = EINVAL;
		return -1;
	}
	if (vm->agent < 0 && vm->con)
		return lab_replace_node_console(lab, n, vm->con);
	return node_guest_replace(lab, n, &node_vm_ops, &g);
}
