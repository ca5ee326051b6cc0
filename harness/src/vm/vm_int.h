/* SPDX-License-Identifier: MIT */
/*
 * Inside the lab's VM code (vm.c, vm_keeper.c, vm_exec.c): the helpers
 * they share.  Not part of libmclab's interface.
 */
#ifndef MCLAB_VM_INT_H
#define MCLAB_VM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vmproto.h"

/* A growing receive buffer with the frames it holds. */
struct vm_rx {
	unsigned char *b;
	size_t len, cap;
};

/* Read what fd has into r: 1 read, 0 EOF, -1 error (EAGAIN: 1). */
int vm_rx_fill(struct vm_rx *r, int fd);

/* The next whole frame in r (consumed after the call's use), else false. */
bool vm_rx_next(struct vm_rx *r, size_t *off, struct vmp_frame *f);

void vm_rx_drop(struct vm_rx *r, size_t off);

void vm_path_in(const char *dir, const char *name, char *out, size_t len);

pid_t vm_read_pid(const char *dir, const char *name);

void vm_write_text(const char *dir, const char *name, const char *text);

bool vm_pid_alive(pid_t pid);

int vm_connect_unix(const char *path);

int vm_listen_unix(const char *path);

#endif
