/* SPDX-License-Identifier: MIT */
/* Between qemu.c (boot) and qemu_agent.c (the guest channel) only. */
#ifndef MCLAB_QEMU_INT_H
#define MCLAB_QEMU_INT_H

#include <stddef.h>
#include <stdint.h>

#include "qemu.h"

/*
 * Wait for the agent's response with this seq (0: the READY frame) until
 * deadline (mono_ns()).  0 with its status and payload in *out
 * (malloc'ed, NUL-terminated) when out is set; -1 with errno (ETIMEDOUT,
 * EPROTO, EPIPE).
 */
int qemu_agent_wait(struct qemu_vm *vm, unsigned long want, uint64_t deadline,
		    long *status, char **out, size_t *outlen);

#endif
