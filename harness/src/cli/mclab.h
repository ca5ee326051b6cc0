/* SPDX-License-Identifier: MIT */
/*
 * libmclab, all of it: include this one header in a case.
 *
 *   topo.h     .topo parser
 *   lab.h      lab_up()/lab_down(), nodes, sweep, the results folder
 *   util.h     mkdir_p(), whole files, SNP()
 *   node.h     commands, daemons and code inside a node; waits
 *   proc.h     ip_mr_vif/cache, ip6_mr_*, mc_forwarding, igmp/igmp6
 *   nf.h       iptables TTL/HL/MASQUERADE, conntrack list/count/flush
 *   router.h   the router under test (ROUTER=mcrouted|smcroute|igmpproxy)
 *   userns.h   rootless re-entry in a user+net+mount namespace
 *   traffic.h  multicast ping, UDP sender, receivers
 *   capture.h  live capture with records and tcpdump text
 *   deadline.h scaled deadlines and wait_until()
 *   netns.h    setns helpers
 *
 * And the mclab CLI's own declarations (harness/src/mclab*.c, not in the
 * library): its commands and what they share.
 */
#ifndef MCLAB_H
#define MCLAB_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "deadline.h"
#include "lab.h"
#include "netns.h"
#include "nf.h"
#include "node.h"
#include "proc.h"
#include "router.h"
#include "topo.h"
#include "userns.h"
#if __has_include("traffic.h")
#include "traffic.h"
#endif
#if __has_include("capture.h")
#include "capture.h"
#endif

/* ---- the mclab CLI ---------------------------------------------------- */

/* the labs' state files, STATE_DIR/<id>.state */
#define STATE_DIR LAB_STATE_DIR

/* --lab ID, before the command (NULL when not given) */
extern const char *mclab_lab_opt;
extern const char mclab_usage_text[];
/* "mclab: " and the message on stderr, exit 1 */
__attribute__((format(printf, 1, 2), noreturn)) void mclab_die(const char *fmt,
							       ...);

/* mclab_state.c: a lab that is up, as its keeper wrote it down */
struct mclab_state {
	char id[64];
	pid_t pid;
	char topo[PATH_MAX];
	char router[32];
	pid_t router_pid;
	char router_node[32];
	char router_sock[512];
	char router_conf[512];
	char router_log[512];
	char results[512];
};
void mclab_state_path(const char *id, char *out, size_t len);
/* Write s (atomically: a temporary file renamed): 0, or -1 with errno. */
int mclab_state_write(const struct mclab_state *s);
/* s's router fields from a started router r */
void mclab_state_router(struct mclab_state *s, const struct router *r);
bool mclab_alive(pid_t pid);
/* Labs up: fills up to max states, returns how many. */
int mclab_states_list(struct mclab_state *out, int max);
/* The lab of --lab ID, MCLAB_LAB or the only one up; dies when none is. */
void mclab_find_lab(struct mclab_state *s);
/* That lab, attached (lab_attach()), its state in s (NULL: not wanted);
 * dies when there is none or attaching fails. */
struct lab *mclab_attach(struct mclab_state *s);
/* And its end: every node's own backend back, then lab_detach(). */
void mclab_detach(struct lab *lab);
/* mclab_qemu.c: in an attached lab, the node a "mclab qemu up" keeper
 * holds, put in over the keeper's forwarder (nothing when there is none). */
void mclab_qemu_attach(struct lab *lab);
/*
 * In a keeper (the process that holds a lab up): its own session, and
 * SIGTERM, SIGINT and SIGHUP blocked into set, for sigtimedwait().
 */
void mclab_keeper_signals(sigset_t *set);
/* A node (not a switch) of the lab by name; dies listing the nodes. */
struct node *mclab_node_or_die(struct lab *lab, const char *name);

/* mclab_lab.c: a lab's life */
int mclab_cmd_up(int argc, char **argv);
int mclab_cmd_down(int argc, char **argv);
int mclab_cmd_list(int argc, char **argv);
int mclab_cmd_clean(int argc, char **argv);
int mclab_cmd_bench(int argc, char **argv);
/* mclab_node.c: inside nodes */
int mclab_cmd_exec(int argc, char **argv);
int mclab_cmd_shell(int argc, char **argv);
int mclab_cmd_status(int argc, char **argv);
/* mclab_traffic.c */
int mclab_cmd_ping(int argc, char **argv);
int mclab_cmd_send(int argc, char **argv);
int mclab_cmd_join(int argc, char **argv);
int mclab_cmd_capture(int argc, char **argv);
/* mclab_qemu.c: "mclab qemu ..." (the emulated Pi) and "mclab kconfig" */
int mclab_cmd_qemu(int argc, char **argv, const char *lab_opt);
int mclab_cmd_kconfig(int argc, char **argv);
/* mclab_check.c: "mclab check --image" */
int mclab_cmd_check(int argc, char **argv);
/* mclab_vm.c: "mclab preflight", "mclab vm ...", and lab commands taken
 * into the lab's VM on a kernel that cannot run the lab */
int mclab_cmd_preflight(int argc, char **argv);
int mclab_cmd_vm(int argc, char **argv);
int mclab_vm_forward(const char *cmd, int argc, char **argv, int *status);

#endif
