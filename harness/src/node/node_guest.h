/* SPDX-License-Identifier: MIT */
/*
 * Backends for a guest reached by shell command lines: a qemu VM over our
 * agent (qemu_node.c), or any serial console with a logged-in shell
 * (node_console.c).  What they share is here (node_guest.c): argv as a
 * command line, background processes with their exit status kept in the
 * guest, signals, waits with deadlines.
 */
#ifndef MCLAB_NODE_GUEST_H
#define MCLAB_NODE_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "node.h"

struct console;
struct qemu_vm;

/* A guest's primitives: a node's impl for node_vm_ops, node_console_ops
 * and node_fwd_ops. */
struct node_guest {
	void *ctx; /* struct qemu_vm, struct console, a forwarder's socket */
	/* "sh -c CMD": its exit code (124 at the deadline), -1 with errno */
	int (*run)(void *ctx, unsigned int timeout_ms, char **out,
		   const char *cmd);
	int (*read_file)(void *ctx, const char *path, char **buf, size_t *len);
	int (*write_file)(void *ctx, const char *path, const char *value);
	void (*release)(void *ctx); /* NULL: nothing to do */
	unsigned long spawned; /* node_spawn() calls, for log names */
};

extern const struct node_ops node_console_ops;

/*
 * A node held by another process, forwarded over a unix socket
 * (node_fwd.c): the holder listens (node_fwd_listen: a socket file, mode
 * 0600) and answers each request with node_fwd_serve() on its own node,
 * through that node's backend; lab_replace_node_fwd() puts a client in for
 * node n, so that node_exec, node_spawn, node_read_file, ... on it reach
 * the holder's node ("mclab exec rtr" on a VM "mclab qemu up" holds).
 */
enum { NODE_FWD_RUN = 1, NODE_FWD_READ, NODE_FWD_WRITE };
extern const struct node_ops node_fwd_ops;
int node_fwd_listen(const char *path);
/* One request read from conn and answered: 0, or -1 (EOF, a bad or slow
 * request: close conn). */
int node_fwd_serve(struct node *n, int conn);
int lab_replace_node_fwd(struct lab *lab, struct node *n, const char *path);

/* A serial console (logged in) in for node n. */
int lab_replace_node_console(struct lab *lab, struct node *n,
			     struct console *c);

/* ---- node_guest.c: the ops both guest backends use ------------------ */

int node_guest_exec(struct node *n, const char *const argv[],
		    unsigned int timeout_ms, struct node_result *r);
int node_guest_exec_tty(struct node *n, const char *const argv[]);
pid_t node_guest_spawn(struct node *n, const char *const argv[],
		       const char *logname, char *logpath, size_t logpath_len);
int node_guest_signal(struct node *n, pid_t pid, int sig);
int node_guest_wait(struct node *n, pid_t pid, unsigned int timeout_ms,
		    int *code);
int node_guest_stop(struct node *n, pid_t pid, int sig,
		    unsigned int timeout_ms);
int node_guest_read_file(struct node *n, const char *path, char **buf,
			 size_t *len);
int node_guest_write_file(struct node *n, const char *path, const char *value);
void node_guest_release(void *impl);

/* The ops table of a guest backend named nm: every operation above. */
#define NODE_GUEST_OPS(nm)                                                  \
	{                                                                   \
		.name = nm, .caps = 0, .exec = node_guest_exec,             \
		.exec_tty = node_guest_exec_tty, .spawn = node_guest_spawn, \
		.signal = node_guest_signal, .wait = node_guest_wait,       \
		.stop = node_guest_stop, .read_file = node_guest_read_file, \
		.write_file = node_guest_write_file,                        \
		.release = node_guest_release,                              \
	}
/* Node n's guest primitives when its backend is a guest's (its ops are a
 * NODE_GUEST_OPS), else NULL: a caller holding a VM or a console asks
 * whether it is in for n without naming the backends. */
const struct node_guest *node_guest_of(const struct node *n);

/* lab_replace_node() with ops and a copy of g (malloc'ed, released). */
int node_guest_replace(struct lab *lab, struct node *n,
		       const struct node_ops *ops, const struct node_guest *g);

/* Shell-quote argv into one command line (malloc'ed); pure, for tests.
 * "sh -c TEXT" comes out as TEXT. */
char *node_guest_cmdline(const char *const argv[]);

#endif
