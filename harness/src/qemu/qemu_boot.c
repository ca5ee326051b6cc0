// SPDX-License-Identifier: MIT
/*
 * Booting the emulated Pi (qemu_boot, in phases), its NICs wired into the
 * lab as taps in the replaced node's namespace, and stopping it.  The
 * images: qemu_image.c; the guest channel: qemu_agent.c; its set-up:
 * qemu_guest.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "deadline.h"
#include "node_guest.h"
#include "qemu.h"
#include "qemu_int.h"

struct tap_arg {
	const char *name;
	int fd;
};

static int open_tap(void *arg)
{
	struct tap_arg *t = arg;
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	t->fd = fd;
	return 0;
}

void qemu_tail_file(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	long sz;
	size_t n;

	out[0] = '\0';
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	if (sz > (long)len - 1)
		fseek(f, sz - (long)len + 1, SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\0' || out[i] == '\r' || out[i] == '\x02')
			out[i] = ' ';
}

bool qemu_file_has(const char *path, const char *text)
{
	char buf[8192];

	qemu_tail_file(path, buf, sizeof(buf));
	return strstr(buf, text) != NULL;
}

/* Run a host command (argv) and wait; its exit code or -1. */
static unsigned int vm_counter;

/* Work folders of runs that died (SIGKILL): /run/mclab/qemu-<dead pid>.N */
static void sweep_run_dirs(void)
{
	DIR *d = opendir("/run/mclab");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[300];
		int pid;

		if (sscanf(de->d_name, "qemu-%d.", &pid) != 1 || pid <= 0 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/run/mclab/%s/agent.sock",
			 de->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "/run/mclab/%s/console.sock",
			 de->d_name);
		unlink(path);
		snprintf(path, sizeof(path), SD_COPY_DIR "/mclab-%s.sd.img",
			 de->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "/run/mclab/%s", de->d_name);
		rmdir(path);
	}
	closedir(d);
}

/* Bridge the node's veth end IF with tap TAP inside the node. */
static int wire_if(struct node *n, int i, const char *ifname, const char *tap)
{
	return node_run_cmd(
		n, 5000,
		"set -e; sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		"net.ipv6.conf.default.disable_ipv6=1 "
		"net.ipv6.conf.%s.disable_ipv6=1; "
		"ip addr flush dev %s; "
		"ip link add qb%d type bridge mcast_snooping 0 stp_state 0 forward_delay 0; "
		"ip link set %s master qb%d; ip link set %s master qb%d; "
		"ip link set %s up; ip link set %s up; ip link set qb%d up",
		ifname, ifname, i, ifname, i, tap, i, ifname, tap, i);
}

/*
 * qemu_boot's work, in phases over one context: the VM's folders, its
 * boot files, the agent's socket, the NICs, qemu's command line, qemu
 * started, and the wait until the guest is ready.  Each phase returns 0,
 * or -1 with the reason in b->err.
 */
struct boot {
	const struct qemu_opts *o;
	struct qemu_vm *vm;
	char *err;
	size_t errlen;
	unsigned int tmo;
	const char *argv[96];
	int a;
	char kernel[PATH_MAX], dtb[PATH_MAX], initrd[PATH_MAX], append[2048];
	char cmdline[1024], agent_sock[160], con_opt[1024], agent_opt[200];
	char tapopt[QEMU_MAX_NICS][64], devopt[QEMU_MAX_NICS][128];
	char drive[PATH_MAX + 64], qlog[600];
	int tapfd[QEMU_MAX_NICS], lfd;
	uint64_t t0;
};

static int boot_dirs(struct boot *b)
{
	struct qemu_vm *vm = b->vm;
	const struct qemu_opts *o = b->o;

	vm->profile = o->profile;
	vm->agent = -1;
	SNP(vm->machine, "%s", o->profile == QEMU_VIRT ? "virt" : "raspi3b");
	SNP(vm->qemu_bin, "qemu-system-aarch64");
	vm->lab = o->lab;
	vm_counter++;
	sweep_run_dirs();
	snprintf(vm->run_dir, sizeof(vm->run_dir), "/run/mclab/qemu-%d.%u",
		 (int)getpid(), vm_counter);
	SNP(vm->log_dir, "%s/qemu-%s-%u",
	    o->lab ? o->lab->results : mclab_results_dir(),
	    qemu_profile_name(o->profile), vm_counter);
	if (mkdir_p(vm->run_dir, 0700) < 0 || mkdir_p(vm->log_dir, 0755) < 0) {
		snprintf(b->err, b->errlen, "%s: %s", vm->run_dir,
			 strerror(errno));
		return -1;
	}
	snprintf(vm->console_log, sizeof(vm->console_log), "%s/console.log",
		 vm->log_dir);
	snprintf(vm->console_sock, sizeof(vm->console_sock), "%s/console.sock",
		 vm->run_dir);
	snprintf(b->agent_sock, sizeof(b->agent_sock), "%s/agent.sock",
		 vm->run_dir);
	snprintf(b->qlog, sizeof(b->qlog), "%s/qemu.log", vm->log_dir);
	return 0;
}

/* kernel, DTB, initrd: a user's SD card image's, or our image's */
static int boot_files(struct boot *b)
{
	const struct qemu_opts *o = b->o;
	const char *dir = qemu_image_dir();

	b->dtb[0] = b->initrd[0] = '\0';
	if (o->image) {
		if (qemu_extract_boot(o, b->vm, b->kernel, b->dtb, b->initrd,
				      b->cmdline, sizeof(b->kernel), b->err,
				      b->errlen) < 0)
			return -1;
	} else {
		if (!dir && (!o->kernel || !o->initrd)) {
			snprintf(b->err, b->errlen,
				 "no Pi image (make -C qemu image)");
			return -1;
		}
		snprintf(b->kernel, sizeof(b->kernel), "%s",
			 o->kernel ? o->kernel : "");
		if (!o->kernel)
			qemu_our_kernel(dir, b->kernel, sizeof(b->kernel));
		if (o->initrd)
			SNP(b->initrd, "%s", o->initrd);
		else
			SNP(b->initrd, "%s/initramfs.cpio", dir);
		if (o->dtb)
			SNP(b->dtb, "%s", o->dtb);
		else if (o->profile == QEMU_RASPI3B && dir)
			SNP(b->dtb, "%s/bcm2837-rpi-3-b-qemu.dtb", dir);
	}
	if (o->profile == QEMU_VIRT && o->image)
		b->dtb[0] = '\0'; /* the board's DTB is qemu's own */
	if (o->profile == QEMU_RASPI3B && o->image && b->dtb[0]) {
		/*
		 * The PL011's Bluetooth node kills console input under qemu
		 * (the DTB is the copy in the log folder, or the user's own
		 * --dtb, which is copied there first)
		 */
		if (o->dtb) {
			char cp[PATH_MAX];
			const char *ca[] = { "cp", o->dtb, cp, NULL };

			SNP(cp, "%s/board.dtb", b->vm->log_dir);
			if (qemu_run_host(ca, NULL) == 0)
				SNP(b->dtb, "%s", cp);
		}
		const char *fa[] = { "fdtput", "-r", b->dtb,
				     "/soc/serial@7e201000/bluetooth", NULL };

		qemu_run_host(fa, NULL);
	}
	if (o->profile == QEMU_RASPI3B && !b->dtb[0]) {
		snprintf(b->err, b->errlen, "%s needs a DTB (--dtb)",
			 b->vm->machine);
		return -1;
	}
	return 0;
}

/* the agent's socket: qemu connects to it */
static int boot_agent_listen(struct boot *b)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	b->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	SNP(sun.sun_path, "%s", b->agent_sock);
	unlink(b->agent_sock);
	if (b->lfd < 0 ||
	    bind(b->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(b->lfd, 1) < 0) {
		snprintf(b->err, b->errlen, "%s: %s", b->agent_sock,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* NICs: taps in the replaced node's namespace, bridged to its veths */
static int boot_nics(struct boot *b)
{
	const struct qemu_opts *o = b->o;
	struct qemu_vm *vm = b->vm;
	const struct topo_if *ifs[QEMU_MAX_NICS];

	if (!o->lab)
		return 0;
	vm->node = o->node ? lab_node(o->lab, o->node) : lab_router(o->lab);
	if (!vm->node || vm->node->index < 0) {
		snprintf(b->err, b->errlen, "no node %s in the lab",
			 o->node ? o->node : "with the router role");
		return -1;
	}
	vm->nnics = topo_node_ifs(o->lab->topo, vm->node->index, ifs,
				  QEMU_MAX_NICS);
	if (vm->nnics > QEMU_MAX_NICS)
		vm->nnics = QEMU_MAX_NICS;
	for (int i = 0; i < vm->nnics; i++) {
		char tap[IFNAMSIZ];
		struct tap_arg ta = { tap, -1 };

		snprintf(tap, sizeof(tap), "qt%d", i);
		snprintf(vm->ifnames[i], IFNAMSIZ, "%s", ifs[i]->ifname);
		if (node_call(vm->node, open_tap, &ta) < 0) {
			snprintf(b->err, b->errlen, "tap %s in %s: %s", tap,
				 vm->node->ns, strerror(errno));
			return -1;
		}
		b->tapfd[i] = ta.fd;
		if (wire_if(vm->node, i, ifs[i]->ifname, tap) != 0) {
			snprintf(b->err, b->errlen,
				 "cannot bridge %s and %s in %s",
				 ifs[i]->ifname, tap, vm->node->ns);
			return -1;
		}
	}
	return 0;
}

/* the kernel command line: the image's (or ours) and what the lab adds */
static void boot_append(struct boot *b)
{
	const struct qemu_opts *o = b->o;
	struct qemu_vm *vm = b->vm;
	char *ap = b->append;
	size_t l = 0, len = sizeof(b->append);

	l += (size_t)snprintf(ap + l, len - l, "%s",
			      b->cmdline[0] ? b->cmdline : QEMU_BOOT_ARGS);
	if (o->profile == QEMU_RASPI3B && l < len)
		l += (size_t)snprintf(ap + l, len - l,
				      " mclab.agent=/dev/ttyS1");
	/*
	 * A user's image on the Pi boards: the Foundation kernel's dwc_otg
	 * driver hangs on qemu's DWC2 model with its FIQ FSM (mainline's
	 * dwc2 ignores the option).  Only this copy of the command line is
	 * changed, never the image's.
	 */
	if (o->profile == QEMU_RASPI3B && o->image &&
	    !strstr(ap, "dwc_otg.fiq_fsm_enable") && l < len)
		l += (size_t)snprintf(ap + l, len - l,
				      " dwc_otg.fiq_fsm_enable=0");
	if (o->rootfs && !o->image && l < len)
		l += (size_t)snprintf(ap + l, len - l, " mclab.root=%s",
				      o->profile == QEMU_RASPI3B ?
					      "/dev/mmcblk0" :
					      "/dev/vda");
	for (int i = 0; i < vm->nnics && l < len; i++)
		l += (size_t)snprintf(ap + l, len - l,
				      " mclab.if=52:54:00:4d:43:%02x=%s", i + 1,
				      vm->ifnames[i]);
	if (o->append && l < len)
		snprintf(ap + l, len - l, " %s", o->append);
}

static int boot_argv(struct boot *b)
{
	const struct qemu_opts *o = b->o;
	struct qemu_vm *vm = b->vm;
	const char **argv = b->argv;
	int a = 0;

	argv[a++] = vm->qemu_bin;
	if (o->profile == QEMU_VIRT) {
		static const char *const virt[] = { "-M",   "virt",
						    "-cpu", "cortex-a72",
						    "-smp", "1",
						    "-m",   "512" };

		for (size_t k = 0; k < sizeof(virt) / sizeof(*virt); k++)
			argv[a++] = virt[k];
	} else {
		argv[a++] = "-M";
		argv[a++] = vm->machine;
		argv[a++] = "-accel";
		argv[a++] = "tcg,thread=single";
	}
	argv[a++] = "-nographic";
	argv[a++] = "-nodefaults";
	argv[a++] = "-no-user-config";
	argv[a++] = "-kernel";
	argv[a++] = b->kernel;
	if (b->initrd[0]) {
		argv[a++] = "-initrd";
		argv[a++] = b->initrd;
	}
	if (b->dtb[0]) {
		argv[a++] = "-dtb";
		argv[a++] = b->dtb;
	}
	SNP(b->con_opt, "socket,id=con,path=%s,server=on,wait=off,logfile=%s",
	    vm->console_sock, vm->console_log);
	argv[a++] = "-chardev";
	argv[a++] = b->con_opt;
	argv[a++] = "-serial";
	argv[a++] = "chardev:con";
	SNP(b->agent_opt, "socket,id=agent,path=%s", b->agent_sock);
	argv[a++] = "-chardev";
	argv[a++] = b->agent_opt;
	if (o->profile == QEMU_VIRT) {
		argv[a++] = "-device";
		argv[a++] = "virtio-serial-pci";
		argv[a++] = "-device";
		argv[a++] = "virtserialport,chardev=agent,name=mclab.agent";
	} else {
		argv[a++] = "-serial";
		argv[a++] = "chardev:agent";
	}
	if (o->image || o->rootfs) {
		const char *disk = o->image ? o->image : o->rootfs;

		if (o->profile == QEMU_RASPI3B &&
		    !(disk = qemu_sd_disk(vm, disk, b->err, b->errlen)))
			return -1;
		snprintf(b->drive, sizeof(b->drive),
			 o->profile == QEMU_RASPI3B ?
				 "if=sd,format=raw,snapshot=on,file=%s" :
				 "if=virtio,format=raw,snapshot=on,file=%s",
			 disk);
		argv[a++] = "-drive";
		argv[a++] = b->drive;
	}
	for (int i = 0; i < vm->nnics; i++) {
		snprintf(b->tapopt[i], sizeof(b->tapopt[i]),
			 "tap,id=n%d,fd=%d,vhost=off", i, 10 + i);
		snprintf(
			b->devopt[i], sizeof(b->devopt[i]),
			o->profile == QEMU_VIRT ?
				"virtio-net-pci,netdev=n%d,mac=52:54:00:4d:43:%02x,romfile=" :
				"usb-net,netdev=n%d,mac=52:54:00:4d:43:%02x",
			i, i + 1);
		argv[a++] = "-netdev";
		argv[a++] = b->tapopt[i];
		argv[a++] = "-device";
		argv[a++] = b->devopt[i];
	}
	boot_append(b);
	argv[a++] = "-append";
	argv[a++] = b->append;
	argv[a] = NULL;
	b->a = a;
	{
		FILE *f = fopen(b->qlog, "we");

		for (int i = 0; f && argv[i]; i++)
			fprintf(f, "%s%s", i ? " " : "", argv[i]);
		if (f) {
			fputc('\n', f);
			fclose(f);
		}
	}
	return 0;
}

/* qemu, with the taps as fds 10, 11, ... */
static int boot_start(struct boot *b)
{
	struct qemu_vm *vm = b->vm;

	b->t0 = mono_ns();
	fflush(NULL);
	vm->pid = fork();
	if (vm->pid < 0) {
		snprintf(b->err, b->errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (vm->pid == 0) {
		int fd = open(b->qlog, O_WRONLY | O_APPEND | O_CREAT, 0644);
		int nul = open("/dev/null", O_RDONLY);

		setsid();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* out of the way first: a tap fd may already be 10 + k */
		for (int i = 0; i < vm->nnics; i++) {
			b->tapfd[i] = fcntl(b->tapfd[i], F_DUPFD_CLOEXEC, 200);
			if (b->tapfd[i] < 0)
				_exit(126);
		}
		for (int i = 0; i < vm->nnics; i++)
			if (dup2(b->tapfd[i], 10 + i) < 0) /* no CLOEXEC */
				_exit(126);
		execvp(b->argv[0], (char *const *)b->argv);
		_exit(127);
	}
	lab_track_pid(b->o->lab, vm->pid);
	for (int i = 0; i < QEMU_MAX_NICS; i++)
		if (b->tapfd[i] >= 0) {
			close(b->tapfd[i]);
			b->tapfd[i] = -1;
		}
	return 0;
}

/* the READY frame's "READY <release> <uptime>" */
static void boot_ready_frame(struct qemu_vm *vm, const char *ready)
{
	if (strncmp(ready, "READY ", 6))
		return;
	snprintf(vm->release, sizeof(vm->release), "%s", ready + 6);
	vm->release[strcspn(vm->release, " ")] = '\0';
	vm->guest_uptime = strtod(ready + 6 + strcspn(ready + 6, " "), NULL);
}

/* ready: the agent's READY frame, or the login prompt when asked */
static int boot_wait_ready(struct boot *b)
{
	const struct qemu_opts *o = b->o;
	struct qemu_vm *vm = b->vm;
	uint64_t deadline = deadline_in(b->tmo);

	/* qemu connects the agent's port at its start */
	if (b->lfd >= 0) {
		struct pollfd pfd = { b->lfd, POLLIN, 0 };

		while (poll(&pfd, 1, 50) == 0) {
			if (deadline_passed(deadline) ||
			    waitpid(vm->pid, NULL, WNOHANG) == vm->pid) {
				snprintf(b->err, b->errlen,
					 "qemu did not connect the agent port");
				return -1;
			}
		}
		vm->agent = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (vm->agent < 0) {
			snprintf(b->err, b->errlen, "accept: %s",
				 strerror(errno));
			return -1;
		}
	}
	for (;;) {
		long st;
		char *ready = NULL;

		if (vm->agent >= 0) {
			uint64_t step =
				deadline_in(o->login_prompt ? 100 : b->tmo);

			if (qemu_agent_wait(vm, 0,
					    step < deadline ? step : deadline,
					    &st, &ready, NULL) == 0) {
				boot_ready_frame(vm, ready);
				free(ready);
				break;
			}
			if (errno != ETIMEDOUT) {
				snprintf(b->err, b->errlen,
					 "no READY from the agent: %s",
					 strerror(errno));
				return -1;
			}
		} else {
			poll(NULL, 0, 20);
		}
		if (o->login_prompt &&
		    qemu_file_has(vm->console_log, o->login_prompt)) {
			/* an image without our agent */
			if (vm->agent >= 0)
				close(vm->agent);
			vm->agent = -1;
			break;
		}
		if (deadline_passed(deadline) ||
		    (vm->pid > 0 &&
		     waitpid(vm->pid, NULL, WNOHANG) == vm->pid)) {
			snprintf(b->err, b->errlen, "not ready: no agent%s%s%s",
				 o->login_prompt ? " and no \"" : "",
				 o->login_prompt ? o->login_prompt : "",
				 o->login_prompt ? "\" on the console" : "");
			return -1;
		}
	}
	vm->boot_ns = mono_ns() - b->t0;
	return 0;
}

struct qemu_vm *qemu_boot(const struct qemu_opts *o, char *err, size_t errlen)
{
	struct boot *b = calloc(1, sizeof(*b));
	struct qemu_vm *vm = calloc(1, sizeof(*vm));
	bool started = false;
	int rc;

	if (!b || !vm) {
		free(b);
		free(vm);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->o = o;
	b->vm = vm;
	b->err = err;
	b->errlen = errlen;
	b->tmo = o->timeout_ms ? o->timeout_ms : 30000;
	b->lfd = -1;
	for (int i = 0; i < QEMU_MAX_NICS; i++)
		b->tapfd[i] = -1;
	if (boot_dirs(b) < 0) {
		free(vm);
		free(b);
		return NULL;
	}
	rc = boot_files(b);
	if (!rc)
		rc = boot_agent_listen(b);
	if (!rc)
		rc = boot_nics(b);
	if (!rc)
		rc = boot_argv(b);
	if (!rc)
		rc = boot_start(b);
	started = !rc;
	if (!rc)
		rc = boot_wait_ready(b);
	if (rc && started) {
		/* what the console showed, for the reason */
		char tail[2048];
		size_t l = strlen(err);

		qemu_tail_file(vm->console_log, tail, sizeof(tail));
		snprintf(err + l, errlen - l, " (%s); console:\n%s", b->qlog,
			 tail);
	}
	if (b->lfd >= 0)
		close(b->lfd);
	unlink(b->agent_sock);
	for (int i = 0; i < QEMU_MAX_NICS; i++)
		if (b->tapfd[i] >= 0)
			close(b->tapfd[i]);
	free(b);
	if (rc) {
		qemu_halt(vm);
		return NULL;
	}
	return vm;
}

void qemu_halt(struct qemu_vm *vm)
{
	if (!vm)
		return;
	if (vm->node) {
		const struct node_guest *g = node_guest_of(vm->node);

		/* in for its node: the node's namespace back first, whose
		 * release (a VM put in with halt) comes back here */
		if (g && (g->ctx == vm || g->ctx == vm->con)) {
			bool halts = g->release != NULL;

			node_restore(vm->node);
			if (halts)
				return;
		}
	}
	if (vm->agent >= 0)
		close(vm->agent);
	if (vm->con) {
		console_close(vm->con);
		free(vm->con);
	}
	if (vm->pid > 0) {
		kill(-vm->pid, SIGKILL);
		kill(vm->pid, SIGKILL);
		while (waitpid(vm->pid, NULL, 0) < 0 && errno == EINTR)
			;
		lab_untrack_pid(vm->pid);
	}
	if (vm->node)
		for (int i = 0; i < vm->nnics; i++)
			node_run_cmd(vm->node, 2000,
				     "ip link del qb%d 2>/dev/null", i);
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/agent.sock", vm->run_dir);
		unlink(p);
		unlink(vm->console_sock);
		if (vm->image_copy[0])
			unlink(vm->image_copy);
		rmdir(vm->run_dir);
	}
	free(vm->rx);
	free(vm);
}
