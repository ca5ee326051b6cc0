// SPDX-License-Identifier: MIT
/*
 * The lab's VM: a session from the client's side (vm_exec), relaying
 * stdio, signals and the terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "util.h"
#include "vm.h"
#include "vm_int.h"
#include "vmproto.h"

extern char **environ;

/* ---- a session, from the client's side ----------------------------- */

static struct termios saved_tio;
static bool tio_saved;

static void tty_restore(void)
{
	if (tio_saved)
		tcsetattr(0, TCSAFLUSH, &saved_tio);
	tio_saved = false;
}

static void winsize_text(char *buf, size_t len)
{
	struct winsize ws = { 0 };

	ioctl(1, TIOCGWINSZ, &ws);
	snprintf(buf, len, "%d %d", ws.ws_row, ws.ws_col);
}

unsigned int vm_guest_mult(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX], *accel;
	const char *over = getenv("MCLAB_VM_TIMEOUT_MULT");
	unsigned int m = timeout_mult();

	vm_path_in(dir, "accel", path, sizeof(path));
	accel = mclab_read_file(path);
	if (over && atoi(over) > 0)
		m = (unsigned int)atoi(over);
	else if (!accel || strncmp(accel, "kvm", 3))
		m *= VM_TCG_MULT;
	free(accel);
	snprintf(buf, len, "MCLAB_TIMEOUT_MULT=%u", m);
	return m;
}

int vm_exec(const char *dir, char *const argv[], bool tty,
	    unsigned int timeout_ms, char *err, size_t errlen)
{
	static char req[VMP_MAX_PAYLOAD];
	struct vmp_req r = { 0 };
	char path[PATH_MAX], cwd[PATH_MAX], ws[32],
		envbuf[32] = "MCLAB_IN_VM=1";
	char multbuf[48];
	struct vm_rx rx = { 0 };
	sigset_t mask, old;
	uint64_t dl = timeout_ms ? mono_ns() + (uint64_t)timeout_ms * 1000000 :
				   0;
	int fd, sfd, status = -1;
	bool in_open = true;
	long n;

	vm_path_in(dir, "ctl.sock", path, sizeof(path));
	fd = vm_connect_unix(path);
	if (fd < 0) {
		snprintf(err, errlen, "the VM at %s does not answer: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (tty && isatty(0)) {
		struct winsize w = { 0 };

		ioctl(1, TIOCGWINSZ, &w);
		r.tty = 1;
		r.rows = w.ws_row;
		r.cols = w.ws_col;
	}
	r.cwd = getcwd(cwd, sizeof(cwd));
	vm_guest_mult(dir, multbuf, sizeof(multbuf));
	for (char **e = environ; *e && r.envc < VMP_MAX_ENV - 2; e++)
		if (strncmp(*e, "MCLAB_IN_VM=", 12) &&
		    strncmp(*e, "MCLAB_TIMEOUT_MULT=", 19))
			r.envp[r.envc++] = *e;
	r.envp[r.envc++] = envbuf;
	r.envp[r.envc++] = multbuf;
	for (int i = 0; argv[i] && r.argc < VMP_MAX_ARGS; i++)
		r.argv[r.argc++] = argv[i];
	n = vmp_req_encode(&r, req, sizeof(req));
	if (n < 0 || vmp_send(fd, 'N', 0, req, (size_t)n) < 0) {
		snprintf(err, errlen, "cannot send the command to the VM");
		close(fd);
		return -1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r.tty && tcgetattr(0, &saved_tio) == 0) {
		struct termios raw = saved_tio;

		tio_saved = true;
		cfmakeraw(&raw);
		tcsetattr(0, TCSAFLUSH, &raw);
	}
	for (;;) {
		struct pollfd pfd[3] = { { fd, POLLIN, 0 },
					 { sfd, POLLIN, 0 },
					 { in_open ? 0 : -1, POLLIN, 0 } };
		int left = dl ? deadline_left_ms(dl) : -1;
		size_t off = 0;
		struct vmp_frame f;
		bool done = false;

		if (dl && left == 0) {
			vmp_send(fd, 'K', 0, "\x09", 1);
			snprintf(err, errlen, "timed out after %u s",
				 timeout_ms / 1000);
			status = 124;
			break;
		}
		if (poll(pfd, 3, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				unsigned char sig = (unsigned char)si.ssi_signo;

				if (si.ssi_signo == SIGWINCH) {
					winsize_text(ws, sizeof(ws));
					vmp_send(fd, 'W', 0, ws, strlen(ws));
				} else {
					vmp_send(fd, 'K', 0, &sig, 1);
				}
			}
		}
		if (pfd[2].revents) {
			char buf[16384];
			ssize_t k = read(0, buf, sizeof(buf));

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				in_open = false;
				vmp_send(fd, 'I', 0, NULL, 0);
			} else {
				vmp_send(fd, 'I', 0, buf, (size_t)k);
			}
		}
		if (!pfd[0].revents)
			continue;
		if (vm_rx_fill(&rx, fd) <= 0) {
			snprintf(err, errlen,
				 "the VM went away before the command ended");
			break;
		}
		while (vm_rx_next(&rx, &off, &f)) {
			if (f.type == 'O')
				mclab_write_all(1, f.payload, f.len);
			else if (f.type == 'E')
				mclab_write_all(2, f.payload, f.len);
			else if (f.type == 'X') {
				char st[16];

				snprintf(st, sizeof(st), "%.*s",
					 (int)(f.len < 15 ? f.len : 15),
					 (const char *)f.payload);
				status = atoi(st);
				done = true;
			}
		}
		vm_rx_drop(&rx, off);
		if (done)
			break;
	}
	tty_restore();
	close(sfd);
	close(fd);
	free(rx.b);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
