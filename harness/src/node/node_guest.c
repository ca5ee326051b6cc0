// SPDX-License-Identifier: MIT
/*
 * What the guest backends share: every operation as a shell command line
 * run through the guest's primitive (struct node_guest).
 *
 * A background process: "sh -c 'echo $$ >T; exec ARGV'" in a subshell
 * that, when it ends, writes its exit status to /run/mclab/PID.rc; the
 * pid is read back from T.  So node_wait() sees the status of a process
 * that is not a child of ours, and a signal reaches the daemon itself
 * (the exec), not a shell around it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "node_guest.h"

#define GUEST_RUN "/run/mclab"
#define GUEST_LOGS "/tmp/mclab"
/* the guest polls in steps of this many ms */
#define STEP_MS 10

static struct node_guest *guest(struct node *n)
{
	return n->impl;
}

/* argv as single-quoted words */
static char *shell_join(const char *const argv[])
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; argv[i]; i++) {
		len += 3; /* quotes and a space */
		for (const char *c = argv[i]; *c; c++)
			len += *c == '\'' ? 4 : 1;
	}
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (int i = 0; argv[i]; i++) {
		if (i)
			*p++ = ' ';
		*p++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

char *node_guest_cmdline(const char *const argv[])
{
	/* "sh -c TEXT" (node_sh) goes over as TEXT */
	if (argv[0] && argv[1] && argv[2] && !argv[3] &&
	    (!strcmp(argv[0], "/bin/sh") || !strcmp(argv[0], "sh")) &&
	    !strcmp(argv[1], "-c"))
		return strdup(argv[2]);
	return shell_join(argv);
}

/* run a printf-built command; its exit code, output in *out (may be NULL) */
static int grun(struct node *n, unsigned int timeout_ms, char **out,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int grun(struct node *n, unsigned int timeout_ms, char **out,
		const char *fmt, ...)
{
	struct node_guest *g = guest(n);
	char *cmd = NULL, *o = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = g->run(g->ctx, timeout_ms, &o, cmd);
	free(cmd);
	if (out)
		*out = o;
	else
		free(o);
	return rc;
}

int node_guest_exec(struct node *n, const char *const argv[],
		    unsigned int timeout_ms, struct node_result *r)
{
	struct node_guest *g = guest(n);
	char *cmd = node_guest_cmdline(argv), *out = NULL;
	int rc;

	if (!cmd)
		return -1;
	rc = g->run(g->ctx, timeout_ms, &out, cmd);
	free(cmd);
	if (rc < 0 && errno != ETIMEDOUT) {
		free(out);
		return -1;
	}
	r->exit_code = rc < 0 ? -1 : rc;
	r->timed_out = rc == 124 || rc < 0;
	r->out = out ? out : strdup("");
	r->out_len = r->out ? strlen(r->out) : 0;
	r->err = strdup(""); /* the guest merges stderr into stdout */
	r->err_len = 0;
	return r->out && r->err ? 0 : -1;
}

int node_guest_exec_tty(struct node *n, const char *const argv[])
{
	struct node_result r;
	int code;

	/* no terminal in the guest: the command's output, copied */
	if (node_guest_exec(n, argv, 600000, &r) < 0)
		return -1;
	fputs(r.out, stdout);
	fflush(stdout);
	code = r.exit_code;
	node_result_free(&r);
	return code;
}

pid_t node_guest_spawn(struct node *n, const char *const argv[],
		       const char *logname, char *logpath, size_t logpath_len)
{
	struct node_guest *g = guest(n);
	char log[256], *cmd = shell_join(argv), *out = NULL;
	const char *base = strrchr(argv[0], '/');
	long pid;
	int rc;

	if (!cmd)
		return -1;
	snprintf(log, sizeof(log), GUEST_LOGS "/%s-%s.log", n->name,
		 logname ? logname :
		 base	 ? base + 1 :
			   argv[0]);
	if (logpath)
		snprintf(logpath, logpath_len, "%s", log);
	g->spawned++;
	/*
	 * T holds the pid once the process is started; the subshell keeps
	 * its exit status.  The caller waits for T with a deadline.
	 */
	rc = grun(n, 10000, &out,
		  "mkdir -p " GUEST_RUN " " GUEST_LOGS " || exit 1; "
		  "t=" GUEST_RUN "/spawn.$$.%lu; rm -f \"$t\"; "
		  "( sh -c 'rm -f " GUEST_RUN "/$$.rc; echo $$ >\"$0.new\" && "
		  "mv \"$0.new\" \"$0\" && exec \"$@\"' \"$t\" %s "
		  ">>%s 2>&1 </dev/null; rc=$?; "
		  "echo $rc >" GUEST_RUN "/$(cat \"$t\").rc ) "
		  ">/dev/null 2>&1 </dev/null & "
		  "i=0; while [ ! -s \"$t\" ]; do [ $i -lt 500 ] || exit 1; "
		  "sleep 0.01; i=$((i+1)); done; cat \"$t\"",
		  g->spawned, cmd, log);
	free(cmd);
	if (rc != 0 || !out || sscanf(out, "%ld", &pid) != 1 || pid <= 0) {
		free(out);
		errno = rc == 0 ? EPROTO : rc < 0 ? errno : ECHILD;
		return -1;
	}
	free(out);
	return (pid_t)pid;
}

int node_guest_signal(struct node *n, pid_t pid, int sig)
{
	int rc =
		grun(n, 5000, NULL, "kill -%d %ld 2>/dev/null", sig, (long)pid);

	if (rc == 0)
		return 0;
	errno = rc < 0 ? errno : ESRCH;
	return -1;
}

int node_guest_wait(struct node *n, pid_t pid, unsigned int timeout_ms,
		    int *code)
{
	unsigned int steps = timeout_ms * timeout_mult() / STEP_MS;
	char *out = NULL;
	long c = -1;
	int rc;

	/*
	 * 0 and the status when it has ended; 3 while it runs at the
	 * deadline; 4 when it is gone without a status (not one of ours):
	 * the status file comes a moment after the process has gone, so
	 * that is looked for a little longer.
	 */
	rc = grun(n, timeout_ms + 5000, &out,
		  "f=" GUEST_RUN "/%ld.rc; i=0; g=0; "
		  "while [ ! -s $f ]; do "
		  "if kill -0 %ld 2>/dev/null; then [ $i -lt %u ] || exit 3; "
		  "else [ $g -lt 20 ] || exit 4; g=$((g+1)); fi; "
		  "sleep 0.01; i=$((i+1)); done; cat $f",
		  (long)pid, (long)pid, steps);
	if (rc == 0 && out)
		sscanf(out, "%ld", &c);
	free(out);
	if (rc == 3) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (rc != 0 && rc != 4) {
		errno = rc < 0 ? errno : EPROTO;
		return -1;
	}
	if (code)
		*code = (int)c;
	return 0;
}

int node_guest_stop(struct node *n, pid_t pid, int sig, unsigned int timeout_ms)
{
	int code = -1;

	if (node_guest_signal(n, pid, sig) < 0 && errno != ESRCH)
		return -1;
	if (node_guest_wait(n, pid, timeout_ms, &code) == 0)
		return code;
	node_guest_signal(n, pid, SIGKILL);
	if (node_guest_wait(n, pid, 5000, &code) < 0)
		return -1;
	return code;
}

int node_guest_read_file(struct node *n, const char *path, char **buf,
			 size_t *len)
{
	struct node_guest *g = guest(n);

	return g->read_file(g->ctx, path, buf, len);
}

int node_guest_write_file(struct node *n, const char *path, const char *value)
{
	struct node_guest *g = guest(n);

	return g->write_file(g->ctx, path, value);
}

void node_guest_release(void *impl)
{
	struct node_guest *g = impl;

	if (!g)
		return;
	if (g->release)
		g->release(g->ctx);
	free(g);
}

const struct node_guest *node_guest_of(const struct node *n)
{
	if (!n || !n->ops || n->ops->release != node_guest_release)
		return NULL;
	return n->impl;
}

int node_guest_replace(struct lab *lab, struct node *n,
		       const struct node_ops *ops, const struct node_guest *g)
{
	struct node_guest *copy = malloc(sizeof(*copy));

	if (!copy)
		return -1;
	*copy = *g;
	if (lab_replace_node(lab, n, ops, copy) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}
