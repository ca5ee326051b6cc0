/* SPDX-License-Identifier: MIT */
/*
 * The target: where the router node runs.  TARGET=netns (the default)
 * keeps it a network namespace; TARGET=qemu-virt or TARGET=qemu-raspi3b
 * boots the emulated Pi (qemu.h) in its place, wired into the same links,
 * and puts it in as the node's backend (lab_replace_node(), qemu_node.c), so
 * that cases written against the harness run unchanged: every node_*,
 * proc_*, nf_* and router_* call on the router node then reaches the
 * guest.  What the VM backend cannot do (node_call: host code inside the
 * node) fails with ENOTSUP, and the cases that need it skip with the
 * reason (fx_up's needs).
 */
#ifndef MCLAB_TARGET_H
#define MCLAB_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"
#include "node.h"

enum target_kind {
	TARGET_NETNS,
	TARGET_QEMU_VIRT,
	TARGET_QEMU_RASPI3B,
};

/* $TARGET: netns (default), qemu-virt, qemu-raspi3b; -1 when unknown. */
int target_kind_from_env(void);
const char *target_kind_name(enum target_kind k);
/* NULL when kind can run here, else why not (a skip reason). */
const char *target_available(enum target_kind k);

/* The backend the router node gets for kind (node.h). */
const struct node_ops *target_ops(enum target_kind k);

/*
 * Put the target in place of lab's router node: nothing for netns; for
 * qemu, qemu_up(): boot the VM wired into the node's links, configure it,
 * wait until it has settled and replace the node.  0, or -1 with the
 * reason in err.  target_lab_down() gives the node its namespace back,
 * which halts the VM (lab_down() of the lab kills it anyway: its pid is
 * tracked).
 */
int target_lab_up(struct lab *lab, enum target_kind k, char *err,
		  size_t errlen);
void target_lab_down(struct lab *lab);

#endif
