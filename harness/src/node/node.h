/* SPDX-License-Identifier: MIT */
/*
 * Running things in a node: commands with collected output and a deadline,
 * background processes (daemons) with their output logged, files read and
 * written as the node sees them, code run in the node's namespace from the
 * calling thread, and waits for conditions with deadlines.
 *
 * Every operation goes through the node's backend, struct node_ops:
 *   node_netns.c    the namespace itself (the default): a forked child
 *                   enters it with setns(2) and, as "ip netns exec" does,
 *                   gets its own mount namespace with /sys remounted;
 *   qemu_node.c       a qemu guest standing in for the node, over its agent;
 *   node_console.c  a guest reached only by its serial console (a user's
 *                   SD card image: no agent of ours).
 * lab_replace_node() is the only way to put a backend other than the
 * namespace in.  An operation a backend cannot do fails with ENOTSUP, and
 * node_cannot() gives the reason a case skips with.
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

/*
 * Run argv in the node with the caller's terminal (mclab shell/exec).
 * Returns its exit code, -1 with errno (ENOTSUP where the backend has no
 * terminal to give: the output is then copied instead, see qemu_node.c).
 */
int node_exec_tty(struct node *n, const char *const argv[]);

/*
 * Start argv in the background in node n, with stdout and stderr appended
 * to a log: <lab results>/<node>-<logname>.log for the namespace, a file in
 * the guest for a VM.  logpath receives the log's path as node_read_file()
 * reads it, when not NULL.  The namespace's processes are in their own
 * process group and tracked: they are killed when the lab goes down or the
 * program exits.  Returns the pid (in the node's own pid space) or -1.
 */
pid_t node_spawn(struct node *n, const char *const argv[], const char *logname,
		 char *logpath, size_t logpath_len);
/* Signal a process node_spawn() started: kill(2) as the node sees it. */
int node_signal(struct node *n, pid_t pid, int sig);
/*
 * Wait for it to exit, until the deadline (0: just look).  0 and the exit
 * code (128+N for signal N) in *code, or -1 (ETIMEDOUT).
 */
int node_wait(struct node *n, pid_t pid, unsigned int timeout_ms, int *code);
bool node_running(struct node *n, pid_t pid);
/*
 * Stop it: sig (SIGTERM) to it, wait until the deadline, then SIGKILL (to
 * its group in a namespace).  Untracks it.  Returns its exit code (128+N
 * for signal N), or -1.
 */
int node_stop(struct node *n, pid_t pid, int sig, unsigned int timeout_ms);

/*
 * Wait for pid (a child of ours) to exit, until the deadline.  Returns 0
 * and the exit code (128+N for signal N) in *code, or -1 (ETIMEDOUT).
 */
int proc_wait(pid_t pid, unsigned int timeout_ms, int *code);
/* Is this child still running (not reaped, not a zombie)? */
bool proc_running(pid_t pid);
/* proc_wait, proc_running, proc_stop: a child of this process, e.g. one
 * that node_spawn() started in a namespace (node_wait() etc. for any
 * node).  proc_stop: as node_stop(). */
int proc_stop(pid_t pid, int sig, unsigned int timeout_ms);

/*
 * Call fn(arg) with the calling thread inside node n's namespace and
 * return its result; -1 with errno when the namespace cannot be entered
 * (ENOTSUP: the node is a guest, whose kernel host code cannot enter).
 */
int node_call(struct node *n, int (*fn)(void *arg), void *arg);
/* A socket(2) created inside node n (ENOTSUP for a guest). */
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

/* ---- backends ------------------------------------------------------ */

/* What a backend can do beyond the operations every one has. */
enum node_cap {
	NODE_CAP_CALL = 1 << 0, /* node_call, node_socket: host code inside */
	NODE_CAP_HOST_FS = 1 << 1, /* the host's files: our binaries, results */
	NODE_CAP_HOST_PROC = 1 << 2, /* its processes are this host's (ptrace,
				      * valgrind, /proc/PID, RSS) */
	NODE_CAP_TTY = 1 << 3, /* node_exec_tty */
};

/*
 * One backend.  Every operation is required but call and socket (NULL:
 * ENOTSUP).  release (may be NULL) frees impl when the node gets its
 * namespace back.
 */
struct node_ops {
	const char *name; /* "netns", "vm", "console": for messages */
	unsigned int caps; /* enum node_cap */
	int (*exec)(struct node *n, const char *const argv[],
		    unsigned int timeout_ms, struct node_result *r);
	int (*exec_tty)(struct node *n, const char *const argv[]);
	pid_t (*spawn)(struct node *n, const char *const argv[],
		       const char *logname, char *logpath, size_t logpath_len);
	int (*signal)(struct node *n, pid_t pid, int sig);
	int (*wait)(struct node *n, pid_t pid, unsigned int timeout_ms,
		    int *code);
	int (*stop)(struct node *n, pid_t pid, int sig,
		    unsigned int timeout_ms);
	int (*read_file)(struct node *n, const char *path, char **buf,
			 size_t *len);
	int (*write_file)(struct node *n, const char *path, const char *value);
	int (*call)(struct node *n, int (*fn)(void *arg), void *arg);
	int (*socket)(struct node *n, int domain, int type, int protocol);
	void (*release)(void *impl);
};

/* The namespace backend (node_netns.c): every node's until replaced. */
extern const struct node_ops node_netns_ops;

const struct node_ops *node_ops_of(const struct node *n);
/* Does node n's backend have all of caps? */
bool node_can(const struct node *n, unsigned int caps);
/*
 * NULL when ops has all of caps, else why not, for a skip: "the router
 * node is a vm: no host code inside it (node_call: Operation not
 * supported)".
 */
const char *node_ops_cannot(const struct node_ops *ops, unsigned int caps,
			    char *buf, size_t len);

/*
 * Put backend ops (with its impl) in for lab's node n: the only way a VM
 * or a console stands in for a node.  The node's namespace stays (its
 * links end there, wired to the guest).  0, or -1 (EBUSY: already
 * replaced; EINVAL).  node_restore() gives it its namespace back and calls
 * the backend's release; lab_restore_nodes() does that for every node.
 */
int lab_replace_node(struct lab *lab, struct node *n,
		     const struct node_ops *ops, void *impl);
void node_restore(struct node *n);
void lab_restore_nodes(struct lab *lab);

#endif
