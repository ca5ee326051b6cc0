/* SPDX-License-Identifier: MIT */
/*
 * The target backend: where the router node runs.  TARGET=netns (the
 * default) keeps it a network namespace; TARGET=qemu-virt or
 * TARGET=qemu-raspi3b boots the emulated Pi (qemu.h) in its place, wired
 * into the same links, so that cases written against the harness run
 * unchanged.
 *
 * The harness asks target_vm(node) at its few points of contact with the
 * router node, and goes through the agent when a VM stands in for it:
 *   node_exec / node_sh / node_run_cmd   -> "sh -c" in the guest
 *   node_read_file / node_write_file     -> the agent's read / write
 *     (so proc_read_*, node_sysctl_*, nf_* and router_ctl follow)
 *   router_start / stop / reload / signal / running / write_conf
 *                                        -> mcrouted or smcrouted in the guest
 *   nf_ct_list / count                   -> /proc/net/nf_conntrack
 *   nf_ct_flush                          -> conntrack -F in the guest
 *   proc_read_mc_forwarding_list         -> grep -H over conf/IF/
 * node_call() cannot cross (it runs host code in the namespace): nothing
 * that reads the router node uses it for a VM; node_socket() on a VM
 * node still opens the socket in the namespace.
 */
#ifndef MCLAB_TARGET_H
#define MCLAB_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "lab.h"
#include "node.h"
#include "router.h"

struct qemu_vm;

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

/*
 * Put the target in place of lab's router node: nothing for netns; for
 * qemu, boot the VM wired into the node's links and configure it.  0, or
 * -1 with the reason in err.  target_lab_down() halts it (lab_down() of
 * the lab kills it anyway: its pid is tracked).
 */
int target_lab_up(struct lab *lab, enum target_kind k, char *err,
		  size_t errlen);
void target_lab_down(struct lab *lab);

/* The VM standing in for node n, NULL when n is a namespace. */
struct qemu_vm *target_vm(const struct node *n);

/* ---- what the harness calls when target_vm() is not NULL ------------ */

int target_exec(struct qemu_vm *vm, const char *const argv[],
		unsigned int timeout_ms, struct node_result *r);
int target_router_start(struct router *r, enum router_kind kind, struct node *n,
			const char *conf_text, const char *const *extra_args,
			unsigned int timeout_ms, char *err, size_t errlen);
int target_router_stop(struct router *r);
int target_router_write_conf(struct router *r, const char *conf_text);
int target_router_signal(struct router *r, int sig);
bool target_router_running(const struct router *r);

/* Shell-quote argv into one command line (malloc'ed); pure, for tests. */
char *target_shell_join(const char *const argv[]);

#endif
