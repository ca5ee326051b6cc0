/* SPDX-License-Identifier: MIT */
/*
 * Running things in a node: commands with collected output and a deadline,
 * background processes (daemons) logging to the results folder, code run
 * in the node's namespace from the calling thread, and waits for
 * conditions with deadlines.  No "ip netns exec": a forked child enters
 * the namespace with setns(2), and, as "ip netns exec" does, gets its own
 * mount namespace with /sys remounted for the node.
 */
#ifndef MCLAB_NODE_H
#define MCLAB_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lab.h"

struct node_result {
	int exit_code; /* exit status, 128+N when killed by signal N, -1 */
	bool timed_out; /* killed at the deadline */
	char *out; /* stdout, NUL-terminated, never NULL after node_exec */
	size_t out_len;
	char *err; /* stderr, likewise */
	size_t err_len;
};

/*
 * Run argv (PATH is searched) in node n, stdin from /dev/null, and collect
 * stdout and stderr.  At the deadline (timeout_ms, scaled) the process
 * group is killed and timed_out set.  Returns 0 when the command ran (look
 * at exit_code), -1 when it could not be started (errno).  Free r with
 * node_result_free().
 */
int node_exec(struct node *n, const char *const argv[], unsigned int timeout_ms,
	      struct node_result *r);
/* node_exec where the caller is: the host, not a node (no target VM). */
int host_exec(const char *const argv[], unsigned int timeout_ms,
	      struct node_result *r);
/* node_exec of "/bin/sh -c FMT...". */
int node_sh(struct node *n, unsigned int timeout_ms, struct node_result *r,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void node_result_free(struct node_result *r);
/* Convenience: run and return the exit code (-1 when not started). */
int node_run_cmd(struct node *n, unsigned int timeout_ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run argv in the node with the caller's terminal (mclab shell/exec). */
int node_exec_tty(struct node *n, const char *const argv[]);

/*
 * Start argv in the background in node n, in its own process group, with
 * stdout and stderr appended to <lab results>/<node>-<logname>.log (path
 * returned in logpath when not NULL).  The process is tracked: it is killed
 * when the lab goes down or the program exits.  Returns the pid or -1.
 */
pid_t node_spawn(struct node *n, const char *const argv[], const char *logname,
		 char *logpath, size_t logpath_len);

/*
 * Wait for pid (a child of ours) to exit, until the deadline.  Returns 0
 * and the exit code (128+N for signal N) in *code, or -1 (ETIMEDOUT).
 */
int proc_wait(pid_t pid, unsigned int timeout_ms, int *code);
/* Is this child still running (not reaped, not a zombie)? */
bool proc_running(pid_t pid);
/*
 * Stop a process started by node_spawn: sig (SIGTERM) to it, wait until the
 * deadline, then SIGKILL to its group.  Untracks it.  Returns its exit code
 * (128+N for signal N), or -1.
 */
int node_stop(pid_t pid, int sig, unsigned int timeout_ms);

/*
 * Call fn(arg) with the calling thread inside node n's namespace and
 * return its result; -1 with errno when the namespace cannot be entered.
 */
int node_call(struct node *n, int (*fn)(void *arg), void *arg);
/* A socket(2) created inside node n. */
int node_socket(struct node *n, int domain, int type, int protocol);

/*
 * Read a whole file (e.g. /proc/net/ip_mr_vif or /proc/sys/...) as seen
 * from node n.  "/proc/net/" paths are read through /proc/thread-self/net.
 * *buf is NUL-terminated, free() it.  Returns 0 or -1 with errno.
 */
int node_read_file(struct node *n, const char *path, char **buf, size_t *len);
int node_write_file(struct node *n, const char *path, const char *value);
/* net.ipv4.ip_forward style keys.  get trims the trailing newline. */
int node_sysctl_set(struct node *n, const char *key, const char *value);
int node_sysctl_get(struct node *n, const char *key, char *buf, size_t len);
/* Integer value of a sysctl, or -1 when it cannot be read. */
long node_sysctl_int(struct node *n, const char *key);

/*
 * Waits, polling every step until the deadline (timeout_ms, scaled):
 * - until argv exits 0 in the node;
 * - until pred(text of path in node, arg) is true (the file may not exist
 *   yet: pred is then called with NULL).
 */
bool node_wait_exec(struct node *n, const char *const argv[],
		    unsigned int timeout_ms);
bool node_wait_file(struct node *n, const char *path,
		    bool (*pred)(const char *text, void *arg), void *arg,
		    unsigned int timeout_ms);

#endif
