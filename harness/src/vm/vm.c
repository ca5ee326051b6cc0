// SPDX-License-Identifier: MIT
/*
 * The lab's VM: where things are, the state folder's helpers, stop, sweep
 * and the console.  The keeper is vm_keeper.c, a session's client side
 * vm_exec.c.
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

/* ---- small helpers ------------------------------------------------- */

/* Read what fd has into r: 1 read, 0 EOF, -1 error (EAGAIN: 1). */
int vm_rx_fill(struct vm_rx *r, int fd)
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
bool vm_rx_next(struct vm_rx *r, size_t *off, struct vmp_frame *f)
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

void vm_rx_drop(struct vm_rx *r, size_t off)
{
	memmove(r->b, r->b + off, r->len - off);
	r->len -= off;
}

void vm_path_in(const char *dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%.3900s/%.100s", dir, name);
}

pid_t vm_read_pid(const char *dir, const char *name)
{
	char path[PATH_MAX], *t;
	pid_t pid;

	vm_path_in(dir, name, path, sizeof(path));
	t = mclab_read_file(path);
	pid = t ? (pid_t)atoi(t) : 0;
	free(t);
	return pid;
}

void vm_write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	vm_path_in(dir, name, path, sizeof(path));
	f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

bool vm_pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
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

int vm_connect_unix(const char *path)
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

int vm_listen_unix(const char *path)
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

/* ---- where things are ---------------------------------------------- */

const char *vm_top(void)
{
	static char top[PATH_MAX];
	const char *env = getenv("MCLAB_TOP");

	if (top[0])
		return top;
	if (env && *env) {
		if (!realpath(env, top))
			return NULL;
		return top;
	}
	if (mclab_exe_ancestor("qemu/vm/init", X_OK, top, sizeof(top)) < 0) {
		top[0] = '\0';
		return NULL;
	}
	return top;
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

/* ---- stop, sweep, console ------------------------------------------ */

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		vm_path_in(dir, de->d_name, path, sizeof(path));
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
	pid_t q = vm_read_pid(dir, "qemu.pid");
	char path[64], arg[8192];
	bool mine = false;
	size_t n = 0;
	FILE *f;

	if (!vm_pid_alive(q))
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
	return vm_pid_alive(vm_read_pid(dir, "keeper.pid"));
}

int vm_stop(const char *dir, unsigned int timeout_ms)
{
	pid_t k = vm_read_pid(dir, "keeper.pid"), q;
	uint64_t dl = deadline_in(timeout_ms ? timeout_ms : 10000);

	if (vm_pid_alive(k))
		kill(k, SIGTERM);
	while (vm_pid_alive(k) && !deadline_passed(dl)) {
		int st;

		/* our own child: reap it, or it stays a zombie that kill(0)
		 * calls alive */
		if (waitpid(k, &st, WNOHANG) == k)
			break;
		poll(NULL, 0, 20);
	}
	if (vm_pid_alive(k))
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
			    !vm_read_pid(dir, "keeper.pid"))
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
	vm_path_in(dir, "console.log", path, sizeof(path));
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
