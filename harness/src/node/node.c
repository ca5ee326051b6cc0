// SPDX-License-Identifier: MIT
/*
 * Nodes over their backends (struct node_ops): the dispatch, what every
 * backend shares (sh -c, sysctls, waits), and the one way to replace a
 * node's backend.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "node.h"

const struct node_ops *node_ops_of(const struct node *n)
{
	return n && n->ops ? n->ops : &node_netns_ops;
}

bool node_can(const struct node *n, unsigned int caps)
{
	return (node_ops_of(n)->caps & caps) == caps;
}

const char *node_ops_cannot(const struct node_ops *ops, unsigned int caps,
			    char *buf, size_t len)
{
	static const struct {
		unsigned int cap;
		const char *what;
	} names[] = {
		{ NODE_CAP_CALL, "no host code inside it (node_call)" },
		{ NODE_CAP_HOST_FS, "not the host's files (our binaries)" },
		{ NODE_CAP_HOST_PROC, "its processes are not this host's" },
		{ NODE_CAP_TTY, "no terminal (node_exec_tty)" },
	};
	unsigned int missing = caps & ~ops->caps;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (missing & names[i].cap) {
			snprintf(buf, len, "the %s backend has %s: %s",
				 ops->name, names[i].what, strerror(ENOTSUP));
			return buf;
		}
	return NULL;
}

int node_exec(struct node *n, const char *const argv[], unsigned int timeout_ms,
	      struct node_result *r)
{
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	if (!n || !argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	return node_ops_of(n)->exec(n, argv, timeout_ms, r);
}

int node_exec_tty(struct node *n, const char *const argv[])
{
	if (!n || !argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	return node_ops_of(n)->exec_tty(n, argv);
}

pid_t node_spawn(struct node *n, const char *const argv[], const char *logname,
		 char *logpath, size_t logpath_len)
{
	if (!n || !argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	return node_ops_of(n)->spawn(n, argv, logname, logpath, logpath_len);
}

int node_signal(struct node *n, pid_t pid, int sig)
{
	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	return node_ops_of(n)->signal(n, pid, sig);
}

int node_wait(struct node *n, pid_t pid, unsigned int timeout_ms, int *code)
{
	if (pid <= 0) {
		errno = ECHILD;
		return -1;
	}
	return node_ops_of(n)->wait(n, pid, timeout_ms, code);
}

bool node_running(struct node *n, pid_t pid)
{
	int code;

	if (pid <= 0)
		return false;
	/* a look, not a wait: ETIMEDOUT says it still runs */
	return node_ops_of(n)->wait(n, pid, 0, &code) < 0 && errno == ETIMEDOUT;
}

int node_stop(struct node *n, pid_t pid, int sig, unsigned int timeout_ms)
{
	if (pid <= 0)
		return -1;
	return node_ops_of(n)->stop(n, pid, sig, timeout_ms);
}

/* An optional operation: 0 when there is a node n and its backend has
 * the operation (has), else -1 with errno EINVAL (no node) or ENOTSUP. */
static int optional_op(const struct node *n, bool has)
{
	if (!n) {
		errno = EINVAL;
		return -1;
	}
	if (!has) {
		errno = ENOTSUP;
		return -1;
	}
	return 0;
}

int node_call(struct node *n, int (*fn)(void *arg), void *arg)
{
	const struct node_ops *o = node_ops_of(n);

	if (optional_op(n, o->call) < 0)
		return -1;
	return o->call(n, fn, arg);
}

int node_socket(struct node *n, int domain, int type, int protocol)
{
	const struct node_ops *o = node_ops_of(n);

	if (optional_op(n, o->socket) < 0)
		return -1;
	return o->socket(n, domain, type, protocol);
}

int node_read_file(struct node *n, const char *path, char **buf, size_t *len)
{
	*buf = NULL;
	if (!n || !path) {
		errno = EINVAL;
		return -1;
	}
	return node_ops_of(n)->read_file(n, path, buf, len);
}

int node_write_file(struct node *n, const char *path, const char *value)
{
	if (!n || !path || !value) {
		errno = EINVAL;
		return -1;
	}
	return node_ops_of(n)->write_file(n, path, value);
}

int lab_replace_node(struct lab *lab, struct node *n,
		     const struct node_ops *ops, void *impl)
{
	if (!lab || !n || n->lab != lab || !ops || n->is_switch) {
		errno = EINVAL;
		return -1;
	}
	if (n->ops) {
		errno = EBUSY;
		return -1;
	}
	n->ops = ops;
	n->impl = impl;
	return 0;
}

void node_restore(struct node *n)
{
	const struct node_ops *o;

	if (!n || !n->ops)
		return;
	o = n->ops;
	/* the namespace first: the release may clean up inside it */
	n->ops = NULL;
	if (o->release)
		o->release(n->impl);
	n->impl = NULL;
}

void lab_restore_nodes(struct lab *lab)
{
	if (!lab)
		return;
	for (int i = 0; i < lab->nnodes + lab->nswitches; i++)
		node_restore(&lab->nodes[i]);
}

void node_result_free(struct node_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static int vnode_sh(struct node *n, unsigned int timeout_ms,
		    struct node_result *r, const char *fmt, va_list ap)
{
	char *cmd = NULL;
	int rc;

	if (vasprintf(&cmd, fmt, ap) < 0)
		return -1;
	{
		const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

		rc = node_exec(n, argv, timeout_ms, r);
	}
	free(cmd);
	return rc;
}

int node_sh(struct node *n, unsigned int timeout_ms, struct node_result *r,
	    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vnode_sh(n, timeout_ms, r, fmt, ap);
	va_end(ap);
	return rc;
}

int node_run_cmd(struct node *n, unsigned int timeout_ms, const char *fmt, ...)
{
	struct node_result r;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vnode_sh(n, timeout_ms, &r, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = r.exit_code;
	node_result_free(&r);
	return rc;
}

static void sysctl_path(const char *key, char *out, size_t len)
{
	size_t i, base = strlen("/proc/sys/");

	snprintf(out, len, "/proc/sys/%s", key);
	if (strchr(key, '/'))
		return;
	for (i = base; out[i]; i++)
		if (out[i] == '.')
			out[i] = '/';
}

int node_sysctl_set(struct node *n, const char *key, const char *value)
{
	char path[PATH_MAX];

	sysctl_path(key, path, sizeof(path));
	return node_write_file(n, path, value);
}

int node_sysctl_get(struct node *n, const char *key, char *buf, size_t len)
{
	char path[PATH_MAX], *text;
	size_t l;

	sysctl_path(key, path, sizeof(path));
	if (node_read_file(n, path, &text, &l) < 0)
		return -1;
	while (l && (text[l - 1] == '\n' || text[l - 1] == ' '))
		text[--l] = '\0';
	snprintf(buf, len, "%s", text);
	free(text);
	return 0;
}

long node_sysctl_int(struct node *n, const char *key)
{
	char buf[64], *end;
	long v;

	if (node_sysctl_get(n, key, buf, sizeof(buf)) < 0)
		return -1;
	v = strtol(buf, &end, 10);
	return end == buf ? -1 : v;
}

struct wait_exec_arg {
	struct node *n;
	const char *const *argv;
	unsigned int timeout_ms;
};

static bool exec_ok(void *arg)
{
	struct wait_exec_arg *a = arg;
	struct node_result r;
	bool ok;

	if (node_exec(a->n, a->argv, a->timeout_ms, &r) < 0)
		return false;
	ok = r.exit_code == 0;
	node_result_free(&r);
	return ok;
}

bool node_wait_exec(struct node *n, const char *const argv[],
		    unsigned int timeout_ms)
{
	struct wait_exec_arg a = { n, argv, timeout_ms };

	return wait_until(exec_ok, &a, timeout_ms, 5);
}

struct wait_file_arg {
	struct node *n;
	const char *path;
	bool (*pred)(const char *text, void *arg);
	void *arg;
};

static bool file_ok(void *arg)
{
	struct wait_file_arg *a = arg;
	char *text = NULL;
	bool ok;

	if (node_read_file(a->n, a->path, &text, NULL) < 0)
		text = NULL;
	ok = a->pred(text, a->arg);
	free(text);
	return ok;
}

bool node_wait_file(struct node *n, const char *path,
		    bool (*pred)(const char *text, void *arg), void *arg,
		    unsigned int timeout_ms)
{
	struct wait_file_arg a = { n, path, pred, arg };

	return wait_until(file_ok, &a, timeout_ms, 2);
}
