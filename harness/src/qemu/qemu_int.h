/* SPDX-License-Identifier: MIT */
/*
 * Between the emulated Pi's files only: qemu_image.c (the images),
 * qemu_boot.c (booting and halting), qemu_agent.c (the guest channel)
 * and qemu_guest.c (its set-up).
 */
#ifndef MCLAB_QEMU_INT_H
#define MCLAB_QEMU_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "qemu.h"
#include "util.h"

/*
 * Our image's kernel command line.  Under TCG the Debian kernel spends
 * ~0.7 s of its boot in crypto self-tests, the KDF test, kprobe tracing
 * and loading the module-signing certificates (the image's modules carry
 * no signatures): skipped.
 */
#define QEMU_BOOT_ARGS                                             \
	"console=ttyAMA0 quiet cryptomgr.notests "                 \
	"initcall_blacklist=crypto_kdf108_init,init_kprobe_trace," \
	"load_system_certificate_list"

/* Where padded SD card copies go (qemu_sd_disk()), named after the run
 * folder. */
#define SD_COPY_DIR "/var/tmp"

/* argv on the host, stdout to out_path (NULL: /dev/null); its exit code */
int qemu_run_host(const char *const argv[], const char *out_path);
/* Our image's kernel in dir: Image-mclab, else Image. */
void qemu_our_kernel(const char *dir, char *out, size_t len);
/*
 * A user's SD card image: its kernel, DTB and initrd out of the boot
 * partition into vm->log_dir, and its cmdline.txt.  0, or -1 with err.
 */
int qemu_extract_boot(const struct qemu_opts *o, struct qemu_vm *vm,
		      char *kernel, char *dtb, char *initrd, char *cmdline,
		      size_t len, char *err, size_t errlen);
/* The disk for qemu's SD card model: a power of two (a padded copy). */
const char *qemu_sd_disk(struct qemu_vm *vm, const char *disk, char *err,
			 size_t errlen);
/* The last len-1 bytes of a file, control bytes blanked. */
void qemu_tail_file(const char *path, char *out, size_t len);
bool qemu_file_has(const char *path, const char *text);

/*
 * Wait for the agent's response with this seq (0: the READY frame) until
 * deadline (mono_ns()).  0 with its status and payload in *out
 * (malloc'ed, NUL-terminated) when out is set; -1 with errno (ETIMEDOUT,
 * EPROTO, EPIPE).
 */
int qemu_agent_wait(struct qemu_vm *vm, unsigned long want, uint64_t deadline,
		    long *status, char **out, size_t *outlen);

#endif
