// SPDX-License-Identifier: MIT
/*
 * The lab's VM: boot, the keeper, and the client side of a session.
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
#include "topo.h"
#include "vm.h"
#include "vmproto.h"

extern char **environ;

#define MAX_CLIENTS 64

/* ---- small helpers ------------------------------------------------- */

/* A growing receive buffer with the frames it holds. */
struct rx {
	unsigned char *b;
	size_t len, cap;
};

/* Read what fd has into r: 1 read, 0 EOF, -1 error (EAGAIN: 1). */
static int rx_fill(struct rx *r, int fd)
{
	ssize_t n;

	if (r->cap - r->len < 65536) {
		size_t nc = r->cap ? r->cap * 2 : 131072;
		unsigned char *nb;

		if (nc > 4 * (VMP_HDR + VMP_MAX_PAYLOAD) && r->cap)
			nc = r->cap + 65536;
		nb = realloc(r->b, nc);
		if (!nb)
			return -1;
		r->b = nb;
		r->cap = nc;
	}
	n = read(fd, r->b + r->len, r->cap - r->len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0)
		return 0;
	r->len += (size_t)n;
	return 1;
}

/* The next whole frame in r (consumed after the call's use), else false. */
static bool rx_next(struct rx *r, size_t *off, struct vmp_frame *f)
{
	while (*off < r->len) {
		long k = vmp_parse(r->b + *off, r->len - *off, f);

		if (k == 0)
			return false;
		if (k < 0) {
			(*off)++;
			continue;
		}
		*off += (size_t)k;
		return true;
	}
	return false;
}

static void rx_drop(struct rx *r, size_t off)
{
	memmove(r->b, r->b + off, r->len - off);
	r->len -= off;
}

static void path_in(const char *dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%.3900s/%.100s", dir, name);
}

static pid_t read_pid(const char *dir, const char *name)
{
	char path[PATH_MAX], *t;
	pid_t pid;

	path_in(dir, name, path, sizeof(path));
	t = mclab_read_file(path);
	pid = t ? (pid_t)atoi(t) : 0;
	free(t);
	return pid;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	path_in(dir, name, path, sizeof(path));
	f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* ---- where things are ---------------------------------------------- */

const char *vm_top(void)
{
	static char top[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env = getenv("MCLAB_TOP");
	ssize_t n;

	if (top[0])
		return top;
	if (env && *env) {
		if (!realpath(env, top))
			return NULL;
		return top;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (char *s = strrchr(exe, '/'); s; s = strrchr(exe, '/')) {
		*s = '\0';
		snprintf(probe, sizeof(probe), "%s/qemu/vm/init",
			 exe[0] ? exe : "");
		if (access(probe, X_OK) == 0) {
			snprintf(top, sizeof(top), "%s", exe[0] ? exe : "/");
			return top;
		}
	}
	return NULL;
}

const char *vm_kernel(const struct vm_opts *o, char *err, size_t errlen)
{
	static char k[PATH_MAX + 32];
	const char *top = vm_top();

	if (o && o->kernel) {
		if (access(o->kernel, R_OK) < 0) {
			snprintf(err, errlen, "%s: %s", o->kernel,
				 strerror(errno));
			return NULL;
		}
		return o->kernel;
	}
	if (!top) {
		snprintf(err, errlen,
			 "cannot find the mcast-lab tree (set MCLAB_TOP)");
		return NULL;
	}
	snprintf(k, sizeof(k), "%s/qemu/out/bzImage-vm", top);
	if (access(k, R_OK) < 0) {
		snprintf(
			err, errlen,
			"no VM kernel %s (make -C qemu vm-kernel, as root: ~5 min once)",
			k);
		return NULL;
	}
	return k;
}

const char *vm_accel(void)
{
	const char *env = getenv("MCLAB_VM_ACCEL");
	int fd, v;

	if (env && (!strcmp(env, "kvm") || !strcmp(env, "tcg")))
		return env;
	/* A /dev/kvm on a CPU that shows no vmx/svm (a nested VM without
	 * nested virtualisation) opens and answers, then hangs the guest
	 * right after the BIOS: seen on this project's CI machine. */
	{
		char *cpu = mclab_read_file("/proc/cpuinfo");
		bool virt = cpu && (strstr(cpu, " vmx") || strstr(cpu, " svm"));

		free(cpu);
		if (!virt)
			return "tcg";
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return "tcg";
	v = ioctl(fd, 0xAE00 /* KVM_GET_API_VERSION */, 0);
	close(fd);
	return v == 12 ? "kvm" : "tcg";
}

/* ---- the keeper ---------------------------------------------------- */

struct client {
	int fd; /* -1: free */
	uint16_t sid; /* 0 until its N frame */
	struct rx rx;
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

/* A stream socket and @sa filled in for @path; -1 (errno set) on error. */
static int unix_socket(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa->sun_path, path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd = unix_socket(&sa, path);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd = unix_socket(&sa, path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static pid_t spawn_qemu(const struct vm_opts *o, const char *dir,
			const char *kernel, const char *accel)
{
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

	argv[a++] = "qemu-system-x86_64";
	argv[a++] = "-M";
	argv[a++] = "pc";
	argv[a++] = "-accel";
	argv[a++] = !strcmp(accel, "kvm") ? "kvm" : "tcg,thread=multi";
	argv[a++] = "-cpu";
	argv[a++] = !strcmp(accel, "kvm") ? "host" : "max";
	argv[a++] = "-smp";
	argv[a++] = smp;
	argv[a++] = "-m";
	argv[a++] = mem;
	argv[a++] = "-nodefaults";
	argv[a++] = "-no-user-config";
	argv[a++] = "-nographic";
	argv[a++] = "-no-reboot";
	argv[a++] = "-kernel";
	argv[a++] = (char *)kernel;
	argv[a++] = "-append";
	argv[a++] = append;
	argv[a++] = "-serial";
	argv[a++] = serial;
	argv[a++] = "-fsdev";
	argv[a++] =
		"local,id=root,path=/,security_model=none,readonly=on,multidevs=remap";
	argv[a++] = "-device";
	argv[a++] = "virtio-9p-pci,fsdev=root,mount_tag=/dev/root";
	for (int i = 0; i < nfs; i++) {
		argv[a++] = "-fsdev";
		argv[a++] = fs[i];
		argv[a++] = "-device";
		argv[a++] = dev[i];
	}
	argv[a++] = "-device";
	argv[a++] = "virtio-serial-pci";
	argv[a++] = "-chardev";
	argv[a++] = chardev;
	argv[a++] = "-device";
	argv[a++] = "virtserialport,chardev=ctl,name=mclab.ctl";
	argv[a++] = "-device";
	argv[a++] = "virtio-rng-pci";
	argv[a] = NULL;

	path_in(dir, "qemu.log", log, sizeof(log));
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
		vmp_write_all(fd, what, strlen(what));
		close(fd);
	}
}

static void keeper_cleanup(const char *dir, pid_t qemu, int port)
{
	char path[PATH_MAX];
	int st;

	if (pid_alive(qemu)) {
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
		path_in(dir, files[i], path, sizeof(path));
		unlink(path);
	}
}

/* The keeper's loop: returns when it is told to stop or qemu is gone. */
static void keeper_loop(int port, int lfd, pid_t qemu, bool once,
			struct rx *prx)
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
			int r = rx_fill(prx, port);

			if (r <= 0)
				break;
			while (rx_next(prx, &off, &f)) {
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
			rx_drop(prx, off);
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
			r = rx_fill(&c->rx, c->fd);
			off = 0;
			while (r > 0 && rx_next(&c->rx, &off, &f)) {
				if (f.type == 'N' && !c->sid)
					c->sid = next_sid(cl);
				if (!c->sid)
					continue;
				if (strchr("NIKW", f.type))
					vmp_send(port, f.type, c->sid,
						 f.payload, f.len);
			}
			if (r > 0) {
				rx_drop(&c->rx, off);
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
	struct rx prx = { 0 };
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
	write_text(dir, "keeper.pid", buf);
	write_text(dir, "accel", accel);
	path_in(dir, "ctl.sock", path, sizeof(path));
	lfd = listen_unix(path);
	if (lfd < 0) {
		snprintf(msg, sizeof(msg), "err %.200s: %s", path,
			 strerror(errno));
		report(fd, msg);
		_exit(1);
	}
	qemu = spawn_qemu(o, dir, kernel, accel);
	snprintf(buf, sizeof(buf), "%d\n", (int)qemu);
	write_text(dir, "qemu.pid", buf);
	dl = deadline_in(o->boot_ms ? o->boot_ms : 60000);
	path_in(dir, "qemu.sock", path, sizeof(path));
	/* qemu listens as soon as it starts; the guest's READY follows */
	while (!deadline_passed(dl) && !keeper_stop) {
		struct pollfd p;
		int st;

		if (waitpid(qemu, &st, WNOHANG) == qemu) {
			qemu = 0;
			break;
		}
		if (port < 0) {
			port = connect_unix(path);
			if (port < 0) {
				poll(NULL, 0, 10);
				continue;
			}
		}
		p = (struct pollfd){ port, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (rx_fill(&prx, port) <= 0)
			break;
		size_t off = 0;
		struct vmp_frame f;

		while (rx_next(&prx, &off, &f)) {
			if (f.type == 'R') {
				snprintf(msg, sizeof(msg), "ok %.*s",
					 (int)f.len, (const char *)f.payload);
				snprintf(buf, sizeof(buf), "%.*s\n", (int)f.len,
					 (const char *)f.payload);
				write_text(dir, "ready", buf);
				ready = true;
			}
		}
		rx_drop(&prx, off);
		if (ready)
			break;
	}
	if (!ready) {
		path_in(dir, "qemu.log", path, sizeof(path));
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
	char tmpl[] = VM_STATE_ROOT "/vm.XXXXXX", msg[8192];
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
		path_in(tmpl, "keeper.log", path, sizeof(path));
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
	for (;;) {
		ssize_t n = read(p[0], msg + len, sizeof(msg) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	msg[len] = '\0';
	if (strncmp(msg, "ok ", 3)) {
		int st;

		snprintf(err, errlen, "%s",
			 len > 4 ? msg + 4 : "the VM's keeper died");
		waitpid(pid, &st, 0);
		vm_sweep();
		return -1;
	}
	if (ready)
		snprintf(ready, readylen, "%s", msg + 3);
	return pid;
}

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

	path_in(dir, "accel", path, sizeof(path));
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
	struct rx rx = { 0 };
	sigset_t mask, old;
	uint64_t dl = timeout_ms ? mono_ns() + (uint64_t)timeout_ms * 1000000 :
				   0;
	int fd, sfd, status = -1;
	bool in_open = true;
	long n;

	path_in(dir, "ctl.sock", path, sizeof(path));
	fd = connect_unix(path);
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
		if (rx_fill(&rx, fd) <= 0) {
			snprintf(err, errlen,
				 "the VM went away before the command ended");
			break;
		}
		while (rx_next(&rx, &off, &f)) {
			if (f.type == 'O')
				vmp_write_all(1, f.payload, f.len);
			else if (f.type == 'E')
				vmp_write_all(2, f.payload, f.len);
			else if (f.type == 'X') {
				char st[16];

				snprintf(st, sizeof(st), "%.*s",
					 (int)(f.len < 15 ? f.len : 15),
					 (const char *)f.payload);
				status = atoi(st);
				done = true;
			}
		}
		rx_drop(&rx, off);
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

/* ---- stop, sweep, console ------------------------------------------ */

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		path_in(dir, de->d_name, path, sizeof(path));
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* qemu's pid from dir, when it is still that qemu (its command line
 * names dir) */
static pid_t dir_qemu(const char *dir)
{
	pid_t q = read_pid(dir, "qemu.pid");
	char path[64], arg[8192];
	bool mine = false;
	size_t n = 0;
	FILE *f;

	if (!pid_alive(q))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)q);
	f = fopen(path, "re");
	if (f) {
		n = fread(arg, 1, sizeof(arg) - 1, f);
		fclose(f);
	}
	arg[n] = '\0';
	/* NULs between the arguments: look through all of them */
	for (size_t i = 0; i < n; i += strlen(arg + i) + 1)
		mine |= strstr(arg + i, dir) != NULL;
	return mine ? q : 0;
}

bool vm_alive(const char *dir)
{
	return pid_alive(read_pid(dir, "keeper.pid"));
}

int vm_stop(const char *dir, unsigned int timeout_ms)
{
	pid_t k = read_pid(dir, "keeper.pid"), q;
	uint64_t dl = deadline_in(timeout_ms ? timeout_ms : 10000);

	if (pid_alive(k))
		kill(k, SIGTERM);
	while (pid_alive(k) && !deadline_passed(dl)) {
		int st;

		/* our own child: reap it, or it stays a zombie that kill(0)
		 * calls alive */
		if (waitpid(k, &st, WNOHANG) == k)
			break;
		poll(NULL, 0, 20);
	}
	if (pid_alive(k))
		kill(k, SIGKILL);
	q = dir_qemu(dir);
	if (q)
		kill(q, SIGKILL);
	rm_dir(dir);
	return 0;
}

int vm_sweep(void)
{
	DIR *d = opendir(VM_STATE_ROOT);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		char dir[PATH_MAX];

		if (strncmp(de->d_name, "vm.", 3))
			continue;
		snprintf(dir, sizeof(dir), VM_STATE_ROOT "/%s", de->d_name);
		if (vm_alive(dir))
			continue;
		/* a keeper that is still writing its pid: leave it be */
		{
			struct stat sb;

			if (stat(dir, &sb) == 0 &&
			    time(NULL) - sb.st_mtime < 5 &&
			    !read_pid(dir, "keeper.pid"))
				continue;
		}
		vm_stop(dir, 1000);
		n++;
	}
	if (d)
		closedir(d);
	{
		char link[PATH_MAX];
		ssize_t l = readlink(VM_LAB_LINK, link, sizeof(link) - 1);

		if (l > 0) {
			link[l] = '\0';
			if (!vm_alive(link))
				unlink(VM_LAB_LINK);
		}
	}
	return n;
}

void vm_console_tail(const char *dir, int n, char *out, size_t outlen)
{
	char path[PATH_MAX], *t, *p;
	int lines = 0;

	out[0] = '\0';
	path_in(dir, "console.log", path, sizeof(path));
	t = mclab_read_file(path);
	if (!t) {
		snprintf(out, outlen, "(no console output)\n");
		return;
	}
	p = t + strlen(t);
	while (p > t && lines <= n) {
		p--;
		if (*p == '\n')
			lines++;
	}
	if (*p == '\n')
		p++;
	snprintf(out, outlen, "%s", p);
	free(t);
}
