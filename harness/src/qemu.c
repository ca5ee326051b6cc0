// SPDX-License-Identifier: MIT
/*
 * The emulated Pi router: finding the image, booting it, wiring its NICs
 * into the lab, and stopping it (the guest channel: qemu_agent.c; its
 * set-up: qemu_guest.c).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "node.h"
#include "console.h"
#include "node_guest.h"
#include "qemu.h"
#include "qemu_int.h"
#include "sdcard.h"

/* snprintf whose truncation is checked (and so not warned about) */
#define SNP(buf, ...)                                          \
	do {                                                   \
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= \
		    (int)sizeof(buf))                          \
			buf[sizeof(buf) - 2] = '~';            \
	} while (0)

static const char *const profile_names[] = {
	[QEMU_VIRT] = "virt",
	[QEMU_RASPI3B] = "raspi3b",
};

const char *qemu_profile_name(enum qemu_profile p)
{
	return p <= QEMU_RASPI3B ? profile_names[p] : "?";
}

int qemu_profile_parse(const char *name)
{
	if (!name)
		return -1;
	if (!strncmp(name, "qemu-", 5))
		name += 5;
	for (int i = 0; i <= QEMU_RASPI3B; i++)
		if (!strcmp(name, profile_names[i]))
			return i;
	return -1;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *qemu_image_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 16];
	const char *env = getenv("MCLAB_QEMU_OUT");
	ssize_t n;

	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		snprintf(probe, sizeof(probe), "%s/Image", dir);
		return is_file(probe) ? dir : NULL;
	}
	if (is_file("qemu/out/Image") && realpath("qemu/out", dir))
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (char *s = strrchr(exe, '/'); s; s = strrchr(exe, '/')) {
		*s = '\0';
		snprintf(probe, sizeof(probe), "%s/qemu/out/Image", exe);
		if (is_file(probe)) {
			SNP(dir, "%s/qemu/out", exe);
			return dir;
		}
	}
	return NULL;
}

static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t l = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)l, path, name);
		if (access(buf, X_OK) == 0)
			return true;
		path += l;
		if (*path)
			path++;
	}
	return false;
}

const char *qemu_available(enum qemu_profile p)
{
	static char why[256];
	const char *dir;

	(void)p;
	if (!in_path("qemu-system-aarch64"))
		return "no qemu-system-aarch64 (apt-get install qemu-system-arm, or ci/install-deps --qemu)";
	dir = qemu_image_dir();
	if (!dir)
		return "no Pi image (make -C qemu image)";
	snprintf(why, sizeof(why), "%s/initramfs.cpio", dir);
	if (!is_file(why))
		return "no initramfs in the Pi image folder (make -C qemu image)";
	return NULL;
}

/* ---- boot ------------------------------------------------------------- */

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

static void tail_file(const char *path, char *out, size_t len)
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

static bool file_has(const char *path, const char *text)
{
	char buf[8192];

	tail_file(path, buf, sizeof(buf));
	return strstr(buf, text) != NULL;
}

/* Run a host command (argv) and wait; its exit code or -1. */
static int run_host(const char *const argv[], const char *out_path)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(out_path ? out_path : "/dev/null",
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			if (!out_path)
				dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * From a Pi SD card's boot partition (sdcard.c, piboard.c): the kernel
 * and DTB its firmware would boot on the board (--dtb: the user's DTB
 * instead), the initramfs config.txt names, and cmdline.txt.  The image
 * must be one the profile's machine runs: a 32-bit image says which
 * machine it needs.
 */
static int extract_boot(const struct qemu_opts *o, struct qemu_vm *vm,
			char *kernel, char *dtb, char *initrd, char *cmdline,
			size_t len, char *err, size_t errlen)
{
	const char *dir = vm->log_dir;
	struct sd_boot b;
	int rc = -1;

	if (sd_inspect(o->image, o->board, o->dtb, &b, err, errlen) < 0)
		goto out;
	if (!b.board.arm64 && o->profile == QEMU_VIRT) {
		snprintf(err, errlen,
			 "%s: %s, a 32-bit kernel, which -M virt does not boot "
			 "here: use the board's own machine (--profile raspi3b "
			 "picks -M %s)",
			 o->image, b.board.why, b.board.machine);
		goto out;
	}
	if (o->profile != QEMU_VIRT) {
		SNP(vm->machine, "%s", b.board.machine);
		SNP(vm->qemu_bin, "%s", b.board.qemu);
	}
	SNP(vm->board_why, "%s", b.board.why);
	snprintf(kernel, len, "%s/kernel", dir);
	if (sd_get(o->image, b.off, b.board.kernel, kernel) < 0) {
		snprintf(err, errlen, "%s: cannot read %s", o->image,
			 b.board.kernel);
		goto out;
	}
	dtb[0] = '\0';
	if (o->dtb) {
		snprintf(dtb, len, "%s", o->dtb);
	} else if (b.board.dtb[0]) {
		snprintf(dtb, len, "%s/board.dtb", dir);
		if (sd_get(o->image, b.off, b.board.dtb, dtb) < 0)
			dtb[0] = '\0';
	}
	snprintf(initrd, len, "%s/initrd", dir);
	if (!b.cfg.initramfs[0] ||
	    sd_get(o->image, b.off, b.cfg.initramfs, initrd) < 0)
		initrd[0] = '\0';
	snprintf(cmdline, len, "%s", b.cmdline);
	rc = 0;
out:
	sd_boot_free(&b);
	return rc;
}

static unsigned int vm_counter;

/* Where padded SD card copies go (sd_disk()), named after the run folder. */
#define SD_COPY_DIR "/var/tmp"

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

/*
 * Our kernel: Image-mclab (qemu/kernel/mclab.config, for both boards,
 * everything built in: under TCG ~1 s less to boot than Debian's generic
 * kernel and no modules to load) when it was built, else Debian's Image.
 */
static void our_kernel(const char *dir, char *out, size_t len)
{
	snprintf(out, len, "%s/Image-mclab", dir);
	if (!is_file(out))
		snprintf(out, len, "%s/Image", dir);
}

/*
 * Our image's kernel command line.  Under TCG the Debian kernel spends
 * ~0.7 s of its boot in crypto self-tests, the KDF test, kprobe tracing
 * and loading the module-signing certificates (the image's modules carry
 * no signatures): skipped.
 */
#define BOOT_ARGS                                                  \
	"console=ttyAMA0 quiet cryptomgr.notests "                 \
	"initcall_blacklist=crypto_kdf108_init,init_kprobe_trace," \
	"load_system_certificate_list"

/*
 * The disk for qemu's SD card model, which takes only sizes that are a
 * power of two: DISK itself when it is one, else a sparse copy padded up
 * (vm->image_copy, on disk in SD_COPY_DIR rather than in /run's tmpfs: a
 * user's SD image can be large; the user's file is never written either
 * way).  The path to use, or NULL with err.
 */
static const char *sd_disk(struct qemu_vm *vm, const char *disk, char *err,
			   size_t errlen)
{
	struct stat st;
	unsigned long long size = 1;
	char len[32];

	errno = 0;
	if (stat(disk, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", disk,
			 errno ? strerror(errno) : "not a file");
		return NULL;
	}
	while (size < (unsigned long long)st.st_size)
		size <<= 1;
	if (size == (unsigned long long)st.st_size)
		return disk;
	snprintf(vm->image_copy, sizeof(vm->image_copy),
		 SD_COPY_DIR "/mclab-%s.sd.img", strrchr(vm->run_dir, '/') + 1);
	snprintf(len, sizeof(len), "%llu", size);
	{
		const char *cp[] = { "cp", "--sparse=always", disk,
				     vm->image_copy, NULL };
		const char *tr[] = { "truncate", "-s", len, vm->image_copy,
				     NULL };

		if (run_host(cp, NULL) != 0 || run_host(tr, NULL) != 0) {
			snprintf(err, errlen,
				 "cannot pad a copy of %s to %s bytes in %s",
				 disk, len, SD_COPY_DIR);
			unlink(vm->image_copy);
			vm->image_copy[0] = '\0';
			return NULL;
		}
	}
	return vm->image_copy;
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

struct qemu_vm *qemu_boot(const struct qemu_opts *o, char *err, size_t errlen)
{
	const char *argv[96], *dir = qemu_image_dir();
	char kernel[PATH_MAX], dtb[PATH_MAX], initrd[PATH_MAX], append[2048];
	char cmdline[1024] = "", agent_sock[160], con_opt[1024], agent_opt[200];
	char tapopt[QEMU_MAX_NICS][64], devopt[QEMU_MAX_NICS][128];
	char drive[PATH_MAX + 64], qlog[600], tail[2048];
	int tapfd[QEMU_MAX_NICS], lfd = -1, i, a = 0;
	const struct topo_if *ifs[QEMU_MAX_NICS];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct qemu_vm *vm = calloc(1, sizeof(*vm));
	uint64_t t0, deadline;
	unsigned int tmo = o->timeout_ms ? o->timeout_ms : 30000;

	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < QEMU_MAX_NICS; i++)
		tapfd[i] = -1;
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
		snprintf(err, errlen, "%s: %s", vm->run_dir, strerror(errno));
		free(vm);
		return NULL;
	}
	snprintf(vm->console_log, sizeof(vm->console_log), "%s/console.log",
		 vm->log_dir);
	snprintf(vm->console_sock, sizeof(vm->console_sock), "%s/console.sock",
		 vm->run_dir);
	snprintf(agent_sock, sizeof(agent_sock), "%s/agent.sock", vm->run_dir);
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", vm->log_dir);

	/* boot files */
	dtb[0] = initrd[0] = '\0';
	if (o->image) {
		if (extract_boot(o, vm, kernel, dtb, initrd, cmdline,
				 sizeof(kernel), err, errlen) < 0)
			goto fail;
	} else {
		if (!dir && (!o->kernel || !o->initrd)) {
			snprintf(err, errlen,
				 "no Pi image (make -C qemu image)");
			goto fail;
		}
		snprintf(kernel, sizeof(kernel), "%s",
			 o->kernel ? o->kernel : "");
		if (!o->kernel)
			our_kernel(dir, kernel, sizeof(kernel));
		if (o->initrd)
			snprintf(initrd, sizeof(initrd), "%s", o->initrd);
		else
			snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio",
				 dir);
		if (o->dtb)
			snprintf(dtb, sizeof(dtb), "%s", o->dtb);
		else if (o->profile == QEMU_RASPI3B && dir)
			snprintf(dtb, sizeof(dtb),
				 "%s/bcm2837-rpi-3-b-qemu.dtb", dir);
	}
	if (o->profile == QEMU_VIRT && o->image)
		dtb[0] = '\0'; /* the board's DTB is qemu's own */
	if (o->profile == QEMU_RASPI3B && o->image && dtb[0]) {
		/*
		 * The PL011's Bluetooth node kills console input under qemu
		 * (the DTB is the copy in the log folder, or the user's own
		 * --dtb, which is copied there first)
		 */
		if (o->dtb) {
			char cp[PATH_MAX];
			const char *ca[] = { "cp", o->dtb, cp, NULL };

			SNP(cp, "%s/board.dtb", vm->log_dir);
			if (run_host(ca, NULL) == 0)
				SNP(dtb, "%s", cp);
		}
		const char *fa[] = { "fdtput", "-r", dtb,
				     "/soc/serial@7e201000/bluetooth", NULL };

		run_host(fa, NULL);
	}
	if (o->profile == QEMU_RASPI3B && !dtb[0]) {
		snprintf(err, errlen, "%s needs a DTB (--dtb)", vm->machine);
		goto fail;
	}

	/* the agent's socket: qemu connects to it */
	{
		lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		SNP(sun.sun_path, "%s", agent_sock);
		unlink(agent_sock);
		if (lfd < 0 ||
		    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    listen(lfd, 1) < 0) {
			snprintf(err, errlen, "%s: %s", agent_sock,
				 strerror(errno));
			goto fail;
		}
	}

	/* NICs: taps in the replaced node's namespace */
	if (o->lab) {
		vm->node = o->node ? lab_node(o->lab, o->node) :
				     lab_router(o->lab);
		if (!vm->node || vm->node->index < 0) {
			snprintf(err, errlen, "no node %s in the lab",
				 o->node ? o->node : "with the router role");
			goto fail;
		}
		vm->nnics = topo_node_ifs(o->lab->topo, vm->node->index, ifs,
					  QEMU_MAX_NICS);
		if (vm->nnics > QEMU_MAX_NICS)
			vm->nnics = QEMU_MAX_NICS;
		for (i = 0; i < vm->nnics; i++) {
			char tap[IFNAMSIZ];
			struct tap_arg ta = { tap, -1 };

			snprintf(tap, sizeof(tap), "qt%d", i);
			snprintf(vm->ifnames[i], IFNAMSIZ, "%s",
				 ifs[i]->ifname);
			if (node_call(vm->node, open_tap, &ta) < 0) {
				snprintf(err, errlen, "tap %s in %s: %s", tap,
					 vm->node->ns, strerror(errno));
				goto fail;
			}
			tapfd[i] = ta.fd;
			if (wire_if(vm->node, i, ifs[i]->ifname, tap) != 0) {
				snprintf(err, errlen,
					 "cannot bridge %s and %s in %s",
					 ifs[i]->ifname, tap, vm->node->ns);
				goto fail;
			}
		}
	}

	/* the command line */
	argv[a++] = vm->qemu_bin;
	if (o->profile == QEMU_VIRT) {
		argv[a++] = "-M";
		argv[a++] = "virt";
		argv[a++] = "-cpu";
		argv[a++] = "cortex-a72";
		argv[a++] = "-smp";
		argv[a++] = "1";
		argv[a++] = "-m";
		argv[a++] = "512";
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
	argv[a++] = kernel;
	if (initrd[0]) {
		argv[a++] = "-initrd";
		argv[a++] = initrd;
	}
	if (dtb[0]) {
		argv[a++] = "-dtb";
		argv[a++] = dtb;
	}
	SNP(con_opt, "socket,id=con,path=%s,server=on,wait=off,logfile=%s",
	    vm->console_sock, vm->console_log);
	argv[a++] = "-chardev";
	argv[a++] = con_opt;
	argv[a++] = "-serial";
	argv[a++] = "chardev:con";
	{
		snprintf(agent_opt, sizeof(agent_opt),
			 "socket,id=agent,path=%s", agent_sock);
		argv[a++] = "-chardev";
		argv[a++] = agent_opt;
		if (o->profile == QEMU_VIRT) {
			argv[a++] = "-device";
			argv[a++] = "virtio-serial-pci";
			argv[a++] = "-device";
			argv[a++] =
				"virtserialport,chardev=agent,name=mclab.agent";
		} else {
			argv[a++] = "-serial";
			argv[a++] = "chardev:agent";
		}
	}
	if (o->image || o->rootfs) {
		const char *disk = o->image ? o->image : o->rootfs;

		if (o->profile == QEMU_RASPI3B &&
		    !(disk = sd_disk(vm, disk, err, errlen)))
			goto fail;
		snprintf(drive, sizeof(drive),
			 o->profile == QEMU_RASPI3B ?
				 "if=sd,format=raw,snapshot=on,file=%s" :
				 "if=virtio,format=raw,snapshot=on,file=%s",
			 disk);
		argv[a++] = "-drive";
		argv[a++] = drive;
	}
	for (i = 0; i < vm->nnics; i++) {
		snprintf(tapopt[i], sizeof(tapopt[i]),
			 "tap,id=n%d,fd=%d,vhost=off", i, 10 + i);
		snprintf(
			devopt[i], sizeof(devopt[i]),
			o->profile == QEMU_VIRT ?
				"virtio-net-pci,netdev=n%d,mac=52:54:00:4d:43:%02x,romfile=" :
				"usb-net,netdev=n%d,mac=52:54:00:4d:43:%02x",
			i, i + 1);
		argv[a++] = "-netdev";
		argv[a++] = tapopt[i];
		argv[a++] = "-device";
		argv[a++] = devopt[i];
	}
	{
		size_t l = 0;

		l += (size_t)snprintf(append + l, sizeof(append) - l, "%s",
				      cmdline[0] ? cmdline : BOOT_ARGS);
		if (o->profile == QEMU_RASPI3B && l < sizeof(append))
			l += (size_t)snprintf(append + l, sizeof(append) - l,
					      " mclab.agent=/dev/ttyS1");
		/*
		 * A user's image on the Pi boards: the Foundation kernel's
		 * dwc_otg driver hangs on qemu's DWC2 model with its FIQ FSM
		 * (mainline's dwc2 ignores the option).  Only this copy of
		 * the command line is changed, never the image's.
		 */
		if (o->profile == QEMU_RASPI3B && o->image &&
		    !strstr(append, "dwc_otg.fiq_fsm_enable") &&
		    l < sizeof(append))
			l += (size_t)snprintf(append + l, sizeof(append) - l,
					      " dwc_otg.fiq_fsm_enable=0");
		if (o->rootfs && !o->image && l < sizeof(append))
			l += (size_t)snprintf(append + l, sizeof(append) - l,
					      " mclab.root=%s",
					      o->profile == QEMU_RASPI3B ?
						      "/dev/mmcblk0" :
						      "/dev/vda");
		for (i = 0; i < vm->nnics && l < sizeof(append); i++)
			l += (size_t)snprintf(
				append + l, sizeof(append) - l,
				" mclab.if=52:54:00:4d:43:%02x=%s", i + 1,
				vm->ifnames[i]);
		if (o->append && l < sizeof(append))
			snprintf(append + l, sizeof(append) - l, " %s",
				 o->append);
	}
	argv[a++] = "-append";
	argv[a++] = append;
	argv[a] = NULL;

	{
		FILE *f = fopen(qlog, "we");

		for (i = 0; f && argv[i]; i++)
			fprintf(f, "%s%s", i ? " " : "", argv[i]);
		if (f) {
			fputc('\n', f);
			fclose(f);
		}
	}
	t0 = mono_ns();
	fflush(NULL);
	vm->pid = fork();
	if (vm->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (vm->pid == 0) {
		int fd = open(qlog, O_WRONLY | O_APPEND | O_CREAT, 0644);
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
		for (i = 0; i < vm->nnics; i++) {
			tapfd[i] = fcntl(tapfd[i], F_DUPFD_CLOEXEC, 200);
			if (tapfd[i] < 0)
				_exit(126);
		}
		for (i = 0; i < vm->nnics; i++)
			if (dup2(tapfd[i], 10 + i) < 0) /* no CLOEXEC */
				_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	lab_track_pid(o->lab, vm->pid);
	for (i = 0; i < QEMU_MAX_NICS; i++)
		if (tapfd[i] >= 0) {
			close(tapfd[i]);
			tapfd[i] = -1;
		}

	deadline = deadline_in(tmo);
	/* qemu connects the agent's port at its start */
	if (lfd >= 0) {
		struct pollfd pfd = { lfd, POLLIN, 0 };

		while (poll(&pfd, 1, 50) == 0) {
			if (deadline_passed(deadline) ||
			    waitpid(vm->pid, NULL, WNOHANG) == vm->pid) {
				snprintf(err, errlen,
					 "qemu did not connect the agent port");
				goto fail_tail;
			}
		}
		vm->agent = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (vm->agent < 0) {
			snprintf(err, errlen, "accept: %s", strerror(errno));
			goto fail_tail;
		}
	}
	/* ready: the agent's READY frame, or the login prompt when asked */
	for (;;) {
		long st;
		char *ready = NULL;

		if (vm->agent >= 0) {
			uint64_t step =
				deadline_in(o->login_prompt ? 100 : tmo);

			if (qemu_agent_wait(vm, 0,
					    step < deadline ? step : deadline,
					    &st, &ready, NULL) == 0) {
				if (!strncmp(ready, "READY ", 6)) {
					snprintf(vm->release,
						 sizeof(vm->release), "%s",
						 ready + 6);
					vm->release[strcspn(vm->release, " ")] =
						'\0';
					vm->guest_uptime = strtod(
						ready + 6 +
							strcspn(ready + 6, " "),
						NULL);
				}
				free(ready);
				break;
			}
			if (errno != ETIMEDOUT) {
				snprintf(err, errlen,
					 "no READY from the agent: %s",
					 strerror(errno));
				goto fail_tail;
			}
		} else {
			poll(NULL, 0, 20);
		}
		if (o->login_prompt &&
		    file_has(vm->console_log, o->login_prompt)) {
			/* an image without our agent */
			if (vm->agent >= 0)
				close(vm->agent);
			vm->agent = -1;
			break;
		}
		if (deadline_passed(deadline) ||
		    (vm->pid > 0 &&
		     waitpid(vm->pid, NULL, WNOHANG) == vm->pid)) {
			snprintf(err, errlen, "not ready: no agent%s%s%s",
				 o->login_prompt ? " and no \"" : "",
				 o->login_prompt ? o->login_prompt : "",
				 o->login_prompt ? "\" on the console" : "");
			goto fail_tail;
		}
	}
	vm->boot_ns = mono_ns() - t0;
	if (lfd >= 0)
		close(lfd);
	unlink(agent_sock);
	return vm;

fail_tail:
	tail_file(vm->console_log, tail, sizeof(tail));
	{
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, " (%s); console:\n%s", qlog,
			 tail);
	}
fail:
	if (lfd >= 0)
		close(lfd);
	unlink(agent_sock);
	for (i = 0; i < QEMU_MAX_NICS; i++)
		if (tapfd[i] >= 0)
			close(tapfd[i]);
	qemu_halt(vm);
	return NULL;
}

void qemu_halt(struct qemu_vm *vm)
{
	if (!vm)
		return;
	if (vm->node && vm->node->ops) {
		const struct node_guest *g = vm->node->impl;

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
