// SPDX-License-Identifier: MIT
/*
 * The namespace backend: commands, daemons, files and code inside a
 * node's network namespace, via setns(2).  Also host_exec() and the waits
 * on this process's children (proc_wait, proc_running).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "netns.h"
#include "node.h"
#include "util.h"

static int code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/*
 * In the forked child: enter the node as "ip netns exec" would.  Only
 * async-signal-safe calls (the parent may have threads).
 */
static void child_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

static void child_enter(struct node *n)
{
	child_signals();
	if (setns(n->nsfd, CLONE_NEWNET) < 0) {
		static const char msg[] = "mclab: setns failed\n";

		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(127);
		_exit(127);
	}
	/* /sys shows the node's interfaces; failures only lose that */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount("", "/", "none", MS_SLAVE | MS_REC, NULL) == 0) {
		umount2("/sys", MNT_DETACH);
		mount(n->ns, "/sys", "sysfs", 0, NULL);
	}
}

static int open_devnull(void)
{
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_read(struct buf *b, int fd)
{
	ssize_t n;

	if (mclab_reserve(&b->p, &b->cap, b->len, 4096, 8192) < 0)
		return -1;
	n = read(fd, b->p + b->len, b->cap - b->len - 1);
	if (n > 0)
		b->len += (size_t)n;
	return (int)n;
}

static char *buf_finish(struct buf *b, size_t *len)
{
	if (!b->p) {
		b->p = malloc(1);
		if (!b->p)
			return NULL;
	}
	b->p[b->len] = '\0';
	*len = b->len;
	return b->p;
}

/* node_exec's work, in node n or (NULL) where the caller is. */
static int exec_collect(struct node *n, const char *const argv[],
			unsigned int timeout_ms, struct node_result *r)
{
	uint64_t deadline = deadline_in(timeout_ms);
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, null, status = 0;
	int code = -1;
	struct buf bo = { 0 }, be = { 0 };
	struct pollfd pfd[2];
	bool killed = false;
	pid_t pid;

	null = open_devnull();
	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (n)
			child_enter(n);
		else
			child_signals();
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "mclab: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	close(null);
	out[1] = err[1] = null = -1;
	pfd[0].fd = out[0];
	pfd[1].fd = err[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		int left = deadline_left_ms(deadline), i;

		if (left == 0 && !killed) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = true;
		}
		if (poll(pfd, 2, killed ? 1000 : left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (buf_read(i ? &be : &bo, pfd[i].fd) <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
		if (killed && deadline_left_ms(deadline) == 0 &&
		    (pfd[0].fd >= 0 || pfd[1].fd >= 0)) {
			/* a grandchild outside the group keeps the pipe */
			int w = waitpid(pid, &status, WNOHANG);

			if (w == pid) {
				pid = 0;
				break;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	if (pid > 0) {
		unsigned int left = (unsigned int)deadline_left_ms(deadline);

		/* output closed: normally the end, still bounded */
		if (killed ||
		    proc_wait(pid, left / timeout_mult() + 1, &code) < 0) {
			if (!killed) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				killed = true;
			}
			waitpid(pid, &status, 0);
			code = code_of(status);
		}
	} else {
		code = code_of(status);
	}
	r->exit_code = code;
	r->timed_out = killed;
	r->out = buf_finish(&bo, &r->out_len);
	r->err = buf_finish(&be, &r->err_len);
	return 0;
fail : {
	int e = errno;

	if (null >= 0)
		close(null);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	errno = e;
	return -1;
}
}

static int netns_exec(struct node *n, const char *const argv[],
		      unsigned int timeout_ms, struct node_result *r)
{
	if (n->nsfd < 0) {
		errno = EINVAL;
		return -1;
	}
	return exec_collect(n, argv, timeout_ms, r);
}

int host_exec(const char *const argv[], unsigned int timeout_ms,
	      struct node_result *r)
{
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	if (!argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	return exec_collect(NULL, argv, timeout_ms, r);
}

static int netns_exec_tty(struct node *n, const char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		child_enter(n);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "mclab: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	{
		/* the terminal's ^C is for the child */
		struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;

		sigaction(SIGINT, &ign, &oint);
		sigaction(SIGQUIT, &ign, &oquit);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
	}
	return code_of(status);
}

static pid_t netns_spawn(struct node *n, const char *const argv[],
			 const char *logname, char *logpath, size_t logpath_len)
{
	char path[PATH_MAX];
	int logfd, null;
	pid_t pid;

	if (!n || n->nsfd < 0 || !argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	mkdir_p(n->lab->results, 0755);
	snprintf(path, sizeof(path), "%s/%s-%s.log", n->lab->results, n->name,
		 logname ? logname : argv[0]);
	if (logpath)
		snprintf(logpath, logpath_len, "%s", path);
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0)
		return -1;
	null = open_devnull();
	if (null < 0) {
		close(logfd);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_enter(n);
		dup2(null, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "mclab: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	close(null);
	if (pid < 0)
		return -1;
	setpgid(pid, pid);
	lab_track_pid(n->lab, pid);
	return pid;
}

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int proc_wait(pid_t pid, unsigned int timeout_ms, int *code)
{
	uint64_t deadline = deadline_in(timeout_ms);
	int status, pfd = pidfd_open_(pid);

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			if (pfd >= 0)
				close(pfd);
			if (code)
				*code = code_of(status);
			return 0;
		}
		if (w < 0 && errno != EINTR) {
			if (pfd >= 0)
				close(pfd);
			return -1;
		}
		if (deadline_passed(deadline)) {
			if (pfd >= 0)
				close(pfd);
			errno = ETIMEDOUT;
			return -1;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, deadline_left_ms(deadline));
		} else {
			poll(NULL, 0, 1);
		}
	}
}

bool proc_running(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return false;
	return si.si_pid == 0;
}

int proc_stop(pid_t pid, int sig, unsigned int timeout_ms)
{
	int code = -1;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	if (proc_wait(pid, timeout_ms, &code) < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (proc_wait(pid, 5000, &code) < 0)
			code = -1;
	} else {
		/* whatever it left in its group */
		kill(-pid, SIGKILL);
	}
	lab_untrack_pid(pid);
	return code;
}

static int netns_stop(struct node *n, pid_t pid, int sig,
		      unsigned int timeout_ms)
{
	(void)n;
	return proc_stop(pid, sig, timeout_ms);
}

static int netns_signal(struct node *n, pid_t pid, int sig)
{
	(void)n;
	return kill(pid, sig);
}

static int netns_wait(struct node *n, pid_t pid, unsigned int timeout_ms,
		      int *code)
{
	siginfo_t si;

	(void)n;
	if (timeout_ms)
		return proc_wait(pid, timeout_ms, code);
	/* a look: an ended child stays unreaped, for node_stop's status */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return -1;
	if (si.si_pid == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (code)
		*code = si.si_code == CLD_EXITED ? si.si_status :
						   128 + si.si_status;
	return 0;
}

static int netns_call(struct node *n, int (*fn)(void *arg), void *arg)
{
	int saved, rc;

	if (!n || n->nsfd < 0) {
		errno = EINVAL;
		return -1;
	}
	if (netns_enter_fd(n->nsfd, &saved) < 0)
		return -1;
	rc = fn(arg);
	netns_return(saved);
	return rc;
}

struct sock_arg {
	int domain, type, protocol;
};

static int do_socket(void *arg)
{
	struct sock_arg *a = arg;

	return socket(a->domain, a->type | SOCK_CLOEXEC, a->protocol);
}

static int ns_socket(struct node *n, int domain, int type, int protocol)
{
	struct sock_arg a = { domain, type, protocol };

	return netns_call(n, do_socket, &a);
}

struct file_arg {
	const char *path;
	char **buf;
	size_t *len;
	const char *value;
};

static void thread_path(const char *path, char *out, size_t len)
{
	if (!strncmp(path, "/proc/net/", 10))
		snprintf(out, len, "/proc/thread-self/net/%s", path + 10);
	else
		snprintf(out, len, "%s", path);
}

static int do_read(void *arg)
{
	struct file_arg *a = arg;
	char path[PATH_MAX];
	struct buf b = { 0 };
	int fd, n;

	thread_path(a->path, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = buf_read(&b, fd)) > 0)
		;
	close(fd);
	if (n < 0 || !buf_finish(&b, a->len)) {
		free(b.p);
		return -1;
	}
	*a->buf = b.p;
	return 0;
}

static int netns_read_file(struct node *n, const char *path, char **buf,
			   size_t *len)
{
	size_t dummy;
	struct file_arg a = { path, buf, len ? len : &dummy, NULL };

	return netns_call(n, do_read, &a);
}

static int do_write(void *arg)
{
	struct file_arg *a = arg;
	char path[PATH_MAX];
	size_t l = strlen(a->value);
	ssize_t w;
	int fd, e;

	thread_path(a->path, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	w = write(fd, a->value, l);
	e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)l ? 0 : -1;
}

static int netns_write_file(struct node *n, const char *path, const char *value)
{
	struct file_arg a = { path, NULL, NULL, value };

	return netns_call(n, do_write, &a);
}

const struct node_ops node_netns_ops = {
	.name = "netns",
	.caps = NODE_CAP_CALL | NODE_CAP_HOST_FS | NODE_CAP_HOST_PROC |
		NODE_CAP_TTY,
	.exec = netns_exec,
	.exec_tty = netns_exec_tty,
	.spawn = netns_spawn,
	.signal = netns_signal,
	.wait = netns_wait,
	.stop = netns_stop,
	.read_file = netns_read_file,
	.write_file = netns_write_file,
	.call = netns_call,
	.socket = ns_socket,
};
