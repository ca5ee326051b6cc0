// SPDX-License-Identifier: MIT
/*
 * The emulated Pi's images: which profiles there are, where our image is
 * and whether it can boot here, and a user's SD card image taken apart
 * for qemu (its kernel, DTB and command line out of the boot partition;
 * a power-of-two copy for the SD card model).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "qemu.h"
#include "qemu_int.h"
#include "sdcard.h"

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
	char top[PATH_MAX - 16], probe[PATH_MAX + 16];
	const char *env = getenv("MCLAB_QEMU_OUT");

	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		snprintf(probe, sizeof(probe), "%s/Image", dir);
		return is_file(probe) ? dir : NULL;
	}
	if (is_file("qemu/out/Image") && realpath("qemu/out", dir))
		return dir;
	if (mclab_exe_ancestor("qemu/out/Image", R_OK, top, sizeof(top)) < 0)
		return NULL;
	snprintf(dir, sizeof(dir), "%s/qemu/out", top);
	return dir;
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

int qemu_run_host(const char *const argv[], const char *out_path)
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
int qemu_extract_boot(const struct qemu_opts *o, struct qemu_vm *vm,
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

/*
 * Our kernel: Image-mclab (qemu/kernel/mclab.config, for both boards,
 * everything built in: under TCG ~1 s less to boot than Debian's generic
 * kernel and no modules to load) when it was built, else Debian's Image.
 */
void qemu_our_kernel(const char *dir, char *out, size_t len)
{
	snprintf(out, len, "%s/Image-mclab", dir);
	if (!is_file(out))
		snprintf(out, len, "%s/Image", dir);
}

/*
 * The disk for qemu's SD card model, which takes only sizes that are a
 * power of two: DISK itself when it is one, else a sparse copy padded up
 * (vm->image_copy, on disk in SD_COPY_DIR rather than in /run's tmpfs: a
 * user's SD image can be large; the user's file is never written either
 * way).  The path to use, or NULL with err.
 */
const char *qemu_sd_disk(struct qemu_vm *vm, const char *disk, char *err,
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

		if (qemu_run_host(cp, NULL) != 0 ||
		    qemu_run_host(tr, NULL) != 0) {
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
