// SPDX-License-Identifier: MIT
/*
 * mcvmd: PID 1's server in the lab's VM (started by qemu/vm/init).  It
 * runs the host's commands, many at once, each with its stdio and exit
 * status relayed over one virtio-serial port (the frames of vmproto.h),
 * and reaps every orphan.  On 'Q', or when the port goes away, it syncs
 * and reboots, which ends qemu (-no-reboot).
 *
 * usage: mcvmd [PORTNAME]   (default mclab.ctl)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include "vmproto.h"

#define MAX_SESS 64

struct sess {
	uint16_t sid; /* 0: free */
	pid_t pid;
	int in, out, err; /* -1 when closed; a pty: in == out */
	unsigned char *inbuf; /* stdin not yet written */
	size_t inlen;
	int in_eof; /* close stdin once inbuf is written */
	int exited, status;
};

static struct sess sess[MAX_SESS];
static int port = -1;
static unsigned char rbuf[VMP_HDR + VMP_MAX_PAYLOAD];
static size_t rlen;

static void logmsg(const char *fmt, const char *arg)
{
	fprintf(stderr, "mcvmd: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

static void send_frame(char type, uint16_t sid, const void *p, size_t n)
{
	if (vmp_send(port, type, sid, p, n) < 0)
		logmsg("port write failed: %s", strerror(errno));
}

/* /dev/vportNpM whose name (sysfs) is name */
static int open_port(const char *name)
{
	for (int tries = 0; tries < 100; tries++) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *de;

		while (d && (de = readdir(d))) {
			char path[300], got[64] = "";
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path),
				 "/sys/class/virtio-ports/%s/name", de->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (fgets(got, sizeof(got), f))
				got[strcspn(got, "\n")] = '\0';
			fclose(f);
			if (!strcmp(got, name)) {
				int fd;

				snprintf(path, sizeof(path), "/dev/%s",
					 de->d_name);
				closedir(d);
				fd = open(path, O_RDWR | O_CLOEXEC);
				if (fd >= 0)
					return fd;
				d = NULL;
				break;
			}
		}
		if (d)
			closedir(d);
		usleep(100000); /* the port's device node is being made */
	}
	return -1;
}

static struct sess *find(uint16_t sid)
{
	for (int i = 0; i < MAX_SESS; i++)
		if (sess[i].sid == sid)
			return &sess[i];
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void sess_free(struct sess *s)
{
	if (s->in == s->out)
		s->out = -1;
	close_fd(&s->in);
	close_fd(&s->out);
	close_fd(&s->err);
	free(s->inbuf);
	memset(s, 0, sizeof(*s));
	s->in = s->out = s->err = -1;
}

static void child_exec(const struct vmp_req *r)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(r->cwd && *r->cwd ? r->cwd : "/") < 0 && chdir("/") < 0)
		_exit(127);
	clearenv();
	for (int i = 0; i < r->envc; i++)
		putenv((char *)r->envp[i]);
	execvp(r->argv[0], (char *const *)r->argv);
	fprintf(stderr, "mcvmd: %s: %s\n", r->argv[0], strerror(errno));
	_exit(127);
}

static void sess_start(uint16_t sid, unsigned char *p, size_t n)
{
	struct sess *s = find(0);
	struct vmp_req r;
	int ip[2] = { -1, -1 }, op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int master = -1;
	pid_t pid;
	char st[16];

	if (!s || find(sid) || vmp_req_decode((char *)p, n, &r) < 0) {
		static const char msg[] = "mcvmd: bad or too many sessions\n";

		send_frame('E', sid, msg, sizeof(msg) - 1);
		send_frame('X', sid, "125", 3);
		return;
	}
	if (r.tty) {
		struct winsize ws = { .ws_row = (unsigned short)r.rows,
				      .ws_col = (unsigned short)r.cols };

		pid = forkpty(&master, NULL, NULL, r.rows ? &ws : NULL);
		if (pid == 0)
			child_exec(&r);
	} else {
		if (pipe2(ip, O_CLOEXEC) < 0 || pipe2(op, O_CLOEXEC) < 0 ||
		    pipe2(ep, O_CLOEXEC) < 0)
			pid = -1;
		else
			pid = fork();
		if (pid == 0) {
			setsid();
			dup2(ip[0], 0);
			dup2(op[1], 1);
			dup2(ep[1], 2);
			child_exec(&r);
		}
	}
	if (pid < 0) {
		snprintf(st, sizeof(st), "%d", 126);
		send_frame('E', sid, "mcvmd: fork failed\n", 19);
		send_frame('X', sid, st, strlen(st));
		for (int i = 0; i < 2; i++) {
			close_fd(&ip[i]);
			close_fd(&op[i]);
			close_fd(&ep[i]);
		}
		return;
	}
	s->sid = sid;
	s->pid = pid;
	if (r.tty) {
		s->in = s->out = master;
		s->err = -1;
		fcntl(master, F_SETFD, FD_CLOEXEC);
	} else {
		close(ip[0]);
		close(op[1]);
		close(ep[1]);
		s->in = ip[1];
		s->out = op[0];
		s->err = ep[0];
	}
	fcntl(s->in, F_SETFL, O_NONBLOCK);
}

static void sess_input(struct sess *s, const unsigned char *p, size_t n)
{
	unsigned char *nb;

	if (s->in < 0 || s->in_eof)
		return;
	if (!n) {
		s->in_eof = 1;
		return;
	}
	nb = realloc(s->inbuf, s->inlen + n);
	if (!nb)
		return;
	memcpy(nb + s->inlen, p, n);
	s->inbuf = nb;
	s->inlen += n;
}

static void flush_input(struct sess *s)
{
	while (s->inlen && s->in >= 0) {
		ssize_t w = write(s->in, s->inbuf, s->inlen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			s->inlen = 0;
			break;
		}
		memmove(s->inbuf, s->inbuf + w, s->inlen - (size_t)w);
		s->inlen -= (size_t)w;
	}
	if (!s->inlen && s->in_eof && s->in >= 0 && s->in != s->out)
		close_fd(&s->in);
}

/* Relay what fd has; at EOF (or EIO: a pty's last writer closed) close it. */
static void relay(struct sess *s, int *fd, char type, int once)
{
	unsigned char buf[65536];

	while (*fd >= 0) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (s->in == *fd)
				s->in = -1;
			close_fd(fd);
			return;
		}
		send_frame(type, s->sid, buf, (size_t)n);
		if (once)
			return;
	}
}

/* A session whose command exited: what is left in its pipes, then X. */
static void sess_finish(struct sess *s)
{
	char st[16];

	if (s->out >= 0)
		fcntl(s->out, F_SETFL, O_NONBLOCK);
	if (s->err >= 0)
		fcntl(s->err, F_SETFL, O_NONBLOCK);
	relay(s, &s->out, 'O', 0);
	relay(s, &s->err, 'E', 0);
	snprintf(st, sizeof(st), "%d",
		 WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
					128 + WTERMSIG(s->status));
	send_frame('X', s->sid, st, strlen(st));
	sess_free(s);
}

static void reap(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_SESS; i++) {
			if (sess[i].sid && sess[i].pid == pid) {
				sess[i].exited = 1;
				sess[i].status = st;
			}
		}
	}
}

static void shutdown_now(void)
{
	for (int i = 0; i < MAX_SESS; i++)
		if (sess[i].sid)
			kill(-sess[i].pid, SIGKILL);
	sync();
	reboot(RB_AUTOBOOT);
	_exit(0);
}

static void handle(const struct vmp_frame *f)
{
	struct sess *s = f->sid ? find(f->sid) : NULL;
	char buf[128];

	switch (f->type) {
	case 'N':
		if (f->sid)
			sess_start(f->sid, (unsigned char *)f->payload, f->len);
		break;
	case 'I':
		if (s)
			sess_input(s, f->payload, f->len);
		break;
	case 'K':
		if (s && f->len == 1)
			kill(-s->pid, f->payload[0]);
		break;
	case 'W':
		if (s && s->in >= 0 && s->in == s->out && f->len < 32) {
			struct winsize ws = { 0 };
			int r = 0, c = 0;

			memcpy(buf, f->payload, f->len);
			buf[f->len] = '\0';
			if (sscanf(buf, "%d %d", &r, &c) == 2) {
				ws.ws_row = (unsigned short)r;
				ws.ws_col = (unsigned short)c;
				ioctl(s->in, TIOCSWINSZ, &ws);
			}
		}
		break;
	case 'C':
		if (s) {
			kill(-s->pid, SIGKILL);
			sess_free(s);
		}
		break;
	case 'H': {
		struct utsname u;

		uname(&u);
		send_frame('h', 0, u.release, strlen(u.release));
		break;
	}
	case 'Q':
		shutdown_now();
		break;
	default:
		break;
	}
}

static void read_port(void)
{
	ssize_t n = read(port, rbuf + rlen, sizeof(rbuf) - rlen);
	size_t off = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* the host closed the port: nobody is left to serve */
		logmsg("%s", "the control port closed; shutting down");
		shutdown_now();
	}
	rlen += (size_t)n;
	while (off < rlen) {
		struct vmp_frame f;
		long k = vmp_parse(rbuf + off, rlen - off, &f);

		if (k == 0)
			break;
		if (k < 0) {
			off++; /* not a frame: skip to the next magic */
			continue;
		}
		handle(&f);
		off += (size_t)k;
	}
	memmove(rbuf, rbuf + off, rlen - off);
	rlen -= off;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "mclab.ctl";
	struct utsname u;
	struct timespec up;
	sigset_t mask;
	int sfd;
	char ready[256];

	for (int i = 0; i < MAX_SESS; i++)
		sess[i].in = sess[i].out = sess[i].err = -1;
	port = open_port(name);
	if (port < 0) {
		logmsg("no virtio-serial port named %s", name);
		sleep(1); /* let the console show it */
		reboot(RB_AUTOBOOT);
		return 1;
	}
	/* the keeper connects to qemu's end as qemu starts; until then the
	 * port reads as hung up */
	for (int tries = 0; tries < 600; tries++) {
		struct pollfd p = { port, POLLOUT, 0 };

		if (poll(&p, 1, 0) == 1 && !(p.revents & POLLHUP))
			break;
		usleep(50000);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	uname(&u);
	clock_gettime(CLOCK_BOOTTIME, &up);
	snprintf(ready, sizeof(ready), "READY %s %ld.%03ld", u.release,
		 (long)up.tv_sec, up.tv_nsec / 1000000);
	send_frame('R', 0, ready, strlen(ready));
	for (;;) {
		struct pollfd pfd[2 + 3 * MAX_SESS];
		struct sess *who[2 + 3 * MAX_SESS];
		char kind[2 + 3 * MAX_SESS];
		nfds_t n = 0;

		pfd[n] = (struct pollfd){ port, POLLIN, 0 };
		who[n++] = NULL;
		pfd[n] = (struct pollfd){ sfd, POLLIN, 0 };
		who[n++] = NULL;
		for (int i = 0; i < MAX_SESS; i++) {
			struct sess *s = &sess[i];

			if (!s->sid)
				continue;
			if (s->out >= 0) {
				pfd[n] = (struct pollfd){ s->out, POLLIN, 0 };
				kind[n] = 'O';
				who[n++] = s;
			}
			if (s->err >= 0) {
				pfd[n] = (struct pollfd){ s->err, POLLIN, 0 };
				kind[n] = 'E';
				who[n++] = s;
			}
			if (s->inlen && s->in >= 0 && s->in != s->out) {
				pfd[n] = (struct pollfd){ s->in, POLLOUT, 0 };
				kind[n] = 'I';
				who[n++] = s;
			}
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			shutdown_now();
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
			reap();
		}
		for (nfds_t i = 2; i < n; i++) {
			struct sess *s = who[i];

			if (!pfd[i].revents || !s->sid)
				continue;
			if (kind[i] == 'O')
				relay(s, &s->out, 'O', 1);
			else if (kind[i] == 'E')
				relay(s, &s->err, 'E', 1);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			read_port();
		for (int i = 0; i < MAX_SESS; i++) {
			if (!sess[i].sid)
				continue;
			flush_input(&sess[i]);
			if (sess[i].exited)
				sess_finish(&sess[i]);
		}
	}
}
