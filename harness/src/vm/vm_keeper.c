// SPDX-License-Identifier: MIT
/*
 * The lab's VM: qemu's command line and the keeper, which owns qemu and
 * the control port and serves the clients' sessions (vm.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

#define MAX_CLIENTS 64

/* ---- the keeper ---------------------------------------------------- */

struct client {
	int fd; /* -1: free */
	uint16_t sid; /* 0 until its N frame */
	struct vm_rx rx;
};

static volatile sig_atomic_t keeper_stop;

static void on_stop(int sig)
{
	(void)sig;
	keeper_stop = 1;
}

static void close_client(struct client *c, int port, bool tell_guest)
{
	if (c->fd < 0)
		return;
	if (tell_guest && c->sid)
		vmp_send(port, 'C', c->sid, NULL, 0);
	close(c->fd);
	free(c->rx.b);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static uint16_t next_sid(const struct client *cl)
{
	static uint16_t last;

	for (;;) {
		bool used = false;

		if (++last == 0)
			last = 1;
		for (int i = 0; i < MAX_CLIENTS; i++)
			used |= cl[i].fd >= 0 && cl[i].sid == last;
		if (!used)
			return last;
	}
}

/* The words up to a NULL to argv[a..]; the new a. */
static int add_args(char **argv, int a, ...)
{
	const char *w;
	va_list ap;

	va_start(ap, a);
	while ((w = va_arg(ap, const char *)))
		argv[a++] = (char *)w;
	va_end(ap);
	return a;
}

static pid_t spawn_qemu(const struct vm_opts *o, const char *dir,
			const char *kernel, const char *accel)
{
	bool kvm = !strcmp(accel, "kvm");
	const char *top = vm_top();
	char *argv[96], append[4096], rwlist[2048] = "",
				      fs[VM_MAX_RW + 1][PATH_MAX + 128];
	char dev[VM_MAX_RW + 1][96], serial[PATH_MAX + 16],
		chardev[PATH_MAX + 64];
	char smp[16], mem[16], vmd[PATH_MAX], exe[PATH_MAX], log[PATH_MAX];
	char *slash;
	int a = 0, nfs = 0;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(vmd, sizeof(vmd), "%.4000s/mcvmd", exe);
	if (access(vmd, X_OK) < 0 && top)
		snprintf(vmd, sizeof(vmd), "%s/build/cc/mcvmd", top);

	/* the tree first, then the other read-write folders */
	{
		const char *rw[VM_MAX_RW + 1];
		int nrw = 0;

		if (top)
			rw[nrw++] = top;
		for (int i = 0; i < o->nrw && nrw < VM_MAX_RW + 1; i++) {
			bool inside = false;

			/* a folder inside one already shared is shared */
			for (int k = 0; k < nrw; k++) {
				size_t l = strlen(rw[k]);

				inside |= !strncmp(o->rw[i], rw[k], l) &&
					  (o->rw[i][l] == '/' || !o->rw[i][l]);
			}
			if (!inside)
				rw[nrw++] = o->rw[i];
		}
		for (int i = 0; i < nrw; i++) {
			size_t l = strlen(rwlist);

			snprintf(
				fs[nfs], sizeof(fs[nfs]),
				"local,id=w%d,path=%s,security_model=none,multidevs=remap",
				i, rw[i]);
			snprintf(dev[nfs], sizeof(dev[nfs]),
				 "virtio-9p-pci,fsdev=w%d,mount_tag=mclabw%d",
				 i, i);
			nfs++;
			snprintf(rwlist + l, sizeof(rwlist) - l,
				 "%smclabw%d:%s", i ? "," : "", i, rw[i]);
		}
	}
	snprintf(
		append, sizeof(append),
		"console=ttyS0 root=/dev/root rootfstype=9p "
		"rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose "
		"ro init=%.1000s/qemu/vm/init panic=-1 quiet loglevel=4 "
		"mclab_vmd=%.1000s mclab_rw=%.1500s",
		top ? top : "", vmd, rwlist);
	snprintf(smp, sizeof(smp), "%d", o->cpus ? o->cpus : 2);
	snprintf(mem, sizeof(mem), "%d", o->mem_mb ? o->mem_mb : 3072);
	snprintf(serial, sizeof(serial), "file:%s/console.log", dir);
	snprintf(chardev, sizeof(chardev),
		 "socket,id=ctl,path=%s/qemu.sock,server=on,wait=off", dir);

	a = add_args(
		argv, a, "qemu-system-x86_64", "-M", "pc", "-accel",
		kvm ? "kvm" : "tcg,thread=multi", "-cpu", kvm ? "host" : "max",
		"-smp", smp, "-m", mem, "-nodefaults", "-no-user-config",
		"-nographic", "-no-reboot", "-kernel", kernel, "-append",
		append, "-serial", serial, "-fsdev",
		"local,id=root,path=/,security_model=none,readonly=on,multidevs=remap",
		"-device", "virtio-9p-pci,fsdev=root,mount_tag=/dev/root",
		NULL);
	for (int i = 0; i < nfs; i++)
		a = add_args(argv, a, "-fsdev", fs[i], "-device", dev[i], NULL);
	a = add_args(argv, a, "-device", "virtio-serial-pci", "-chardev",
		     chardev, "-device",
		     "virtserialport,chardev=ctl,name=mclab.ctl", "-device",
		     "virtio-rng-pci", NULL);
	argv[a] = NULL;

	vm_path_in(dir, "qemu.log", log, sizeof(log));
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (nul >= 0)
			dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fprintf(stderr, "mclab vm:");
		for (int i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
		execvp(argv[0], argv);
		fprintf(stderr,
			"qemu-system-x86_64: %s (apt-get install qemu-system-x86)\n",
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Tell the parent how the boot went: "ok READY..." or "err REASON". */
static void report(int fd, const char *what)
{
	if (fd >= 0) {
		mclab_write_all(fd, what, strlen(what));
		close(fd);
	}
}

static void keeper_cleanup(const char *dir, pid_t qemu, int port)
{
	char path[PATH_MAX];
	int st;

	if (vm_pid_alive(qemu)) {
		uint64_t dl = deadline_in(5000);

		if (port >= 0)
			vmp_send(port, 'Q', 0, NULL, 0);
		while (!deadline_passed(dl) &&
		       waitpid(qemu, &st, WNOHANG) == 0) {
			struct pollfd none;

			poll(&none, 0, 20);
		}
		if (waitpid(qemu, &st, WNOHANG) == 0) {
			kill(qemu, SIGKILL);
			waitpid(qemu, &st, 0);
		}
	}
	static const char *const files[] = { "qemu.sock", "ctl.sock" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		vm_path_in(dir, files[i], path, sizeof(path));
		unlink(path);
	}
}

/* The keeper's loop: returns when it is told to stop or qemu is gone. */
static void keeper_loop(int port, int lfd, pid_t qemu, bool once,
			struct vm_rx *prx)
{
	struct client cl[MAX_CLIENTS];
	bool served = false;
	sigset_t mask;
	int sfd;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].fd = -1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	while (!keeper_stop) {
		struct pollfd pfd[3 + MAX_CLIENTS];
		int idx[3 + MAX_CLIENTS];
		nfds_t n = 0;
		size_t off = 0;
		struct vmp_frame f;
		int st;

		pfd[n++] = (struct pollfd){ port, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ lfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ sfd, POLLIN, 0 };
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (cl[i].fd < 0)
				continue;
			idx[n] = i;
			pfd[n++] = (struct pollfd){ cl[i].fd, POLLIN, 0 };
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
			if (waitpid(qemu, &st, WNOHANG) == qemu)
				break; /* qemu is gone: so is every session */
		}
		if (pfd[0].revents) {
			int r = vm_rx_fill(prx, port);

			if (r <= 0)
				break;
			while (vm_rx_next(prx, &off, &f)) {
				struct client *c = NULL;

				for (int i = 0; i < MAX_CLIENTS && f.sid; i++)
					if (cl[i].fd >= 0 && cl[i].sid == f.sid)
						c = &cl[i];
				if (!c)
					continue;
				if (vmp_send(c->fd, f.type, 0, f.payload,
					     f.len) < 0 ||
				    f.type == 'X') {
					/* done, or its reader went away */
					close_client(c, port, f.type != 'X');
					served = true;
				}
			}
			vm_rx_drop(prx, off);
		}
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			int i;

			for (i = 0; fd >= 0 && i < MAX_CLIENTS; i++) {
				if (cl[i].fd < 0) {
					cl[i].fd = fd;
					break;
				}
			}
			if (fd >= 0 && i == MAX_CLIENTS)
				close(fd);
		}
		for (nfds_t k = 3; k < n; k++) {
			struct client *c = &cl[idx[k]];
			int r;

			if (!pfd[k].revents || c->fd != pfd[k].fd)
				continue;
			r = vm_rx_fill(&c->rx, c->fd);
			off = 0;
			while (r > 0 && vm_rx_next(&c->rx, &off, &f)) {
				if (f.type == 'N' && !c->sid)
					c->sid = next_sid(cl);
				if (!c->sid)
					continue;
				if (strchr("NIKW", f.type))
					vmp_send(port, f.type, c->sid,
						 f.payload, f.len);
			}
			if (r > 0) {
				vm_rx_drop(&c->rx, off);
				continue;
			}
			close_client(c, port, true);
			served = true;
		}
		if (once && served) {
			bool any = false;

			for (int i = 0; i < MAX_CLIENTS; i++)
				any |= cl[i].fd >= 0;
			if (!any)
				break;
		}
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		close_client(&cl[i], port, false);
	close(sfd);
}

/* The keeper process: boot qemu, report to fd, serve, clean up. */
static void keeper_main(const struct vm_opts *o, const char *dir,
			const char *kernel, int fd)
{
	const char *accel = vm_accel();
	char path[PATH_MAX], buf[64], msg[4096], tail[3000];
	struct vm_rx prx = { 0 };
	uint64_t dl;
	sigset_t mask;
	pid_t qemu;
	int port = -1, lfd;
	bool ready = false;

	setsid();
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	vm_write_text(dir, "keeper.pid", buf);
	vm_write_text(dir, "accel", accel);
	vm_path_in(dir, "ctl.sock", path, sizeof(path));
	lfd = vm_listen_unix(path);
	if (lfd < 0) {
		snprintf(msg, sizeof(msg), "err %.200s: %s", path,
			 strerror(errno));
		report(fd, msg);
		_exit(1);
	}
	qemu = spawn_qemu(o, dir, kernel, accel);
	snprintf(buf, sizeof(buf), "%d\n", (int)qemu);
	vm_write_text(dir, "qemu.pid", buf);
	dl = deadline_in(o->boot_ms ? o->boot_ms : 60000);
	vm_path_in(dir, "qemu.sock", path, sizeof(path));
	/* qemu listens as soon as it starts; the guest's READY follows */
	while (!deadline_passed(dl) && !keeper_stop) {
		struct pollfd p;
		int st;

		if (waitpid(qemu, &st, WNOHANG) == qemu) {
			qemu = 0;
			break;
		}
		if (port < 0) {
			port = vm_connect_unix(path);
			if (port < 0) {
				poll(NULL, 0, 10);
				continue;
			}
		}
		p = (struct pollfd){ port, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (vm_rx_fill(&prx, port) <= 0)
			break;
		size_t off = 0;
		struct vmp_frame f;

		while (vm_rx_next(&prx, &off, &f)) {
			if (f.type == 'R') {
				snprintf(msg, sizeof(msg), "ok %.*s",
					 (int)f.len, (const char *)f.payload);
				snprintf(buf, sizeof(buf), "%.*s\n", (int)f.len,
					 (const char *)f.payload);
				vm_write_text(dir, "ready", buf);
				ready = true;
			}
		}
		vm_rx_drop(&prx, off);
		if (ready)
			break;
	}
	if (!ready) {
		vm_path_in(dir, "qemu.log", path, sizeof(path));
		vm_console_tail(dir, 15, tail, sizeof(tail));
		snprintf(
			msg, sizeof(msg),
			"err the VM (%s, %s) did not become ready%s; console:\n%s",
			accel, kernel,
			qemu ? " in time" :
			       " (qemu exited: see its log in the state folder)",
			tail);
		{
			char *ql = mclab_read_file(path);

			if (ql && !qemu) {
				size_t l = strlen(msg);

				snprintf(msg + l, sizeof(msg) - l,
					 "qemu said:\n%.1500s", ql);
			}
			free(ql);
		}
		report(fd, msg);
		keeper_cleanup(dir, qemu, port);
		_exit(1);
	}
	report(fd, msg);
	keeper_loop(port, lfd, qemu, o->once, &prx);
	keeper_cleanup(dir, qemu, port);
	close(lfd);
	_exit(0);
}

pid_t vm_start(const struct vm_opts *o, char *dir, size_t dirlen, char *ready,
	       size_t readylen, char *err, size_t errlen)
{
	const char *kernel = vm_kernel(o, err, errlen);
	char tmpl[] = VM_STATE_ROOT "/vm.XXXXXX", *msg;
	size_t len = 0;
	int p[2];
	pid_t pid;

	if (!kernel)
		return -1;
	if (!vm_top()) {
		snprintf(err, errlen,
			 "cannot find the mcast-lab tree (MCLAB_TOP)");
		return -1;
	}
	vm_sweep();
	if (mkdir_p(VM_STATE_ROOT, 0755) < 0 || !mkdtemp(tmpl)) {
		snprintf(err, errlen, "%s: %s", VM_STATE_ROOT, strerror(errno));
		return -1;
	}
	chmod(tmpl, 0755);
	snprintf(dir, dirlen, "%s", tmpl);
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC), log;
		char path[4096];

		/* The keeper outlives the command that started it ("mclab up"):
		 * none of that command's stdio, or a reader of its output
		 * would wait for the VM to stop. */
		close(p[0]);
		vm_path_in(tmpl, "keeper.log", path, sizeof(path));
		log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0644);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(log >= 0 ? log : nul, 2);
		}
		keeper_main(o, tmpl, kernel, p[1]);
	}
	close(p[1]);
	msg = mclab_read_fd(p[0], &len);
	close(p[0]);
	if (!msg || strncmp(msg, "ok ", 3)) {
		int st;

		snprintf(err, errlen, "%s",
			 msg && len > 4 ? msg + 4 : "the VM's keeper died");
		free(msg);
		waitpid(pid, &st, 0);
		vm_sweep();
		return -1;
	}
	if (ready)
		snprintf(ready, readylen, "%s", msg + 3);
	free(msg);
	return pid;
}
