/* SPDX-License-Identifier: MIT */
/*
 * The emulated Raspberry Pi router: qemu-system-aarch64 booting the image
 * built by qemu/ (make -C qemu image), wired into a running lab in place
 * of one of its nodes, and driven through the guest agent (qemu/agent).
 *
 * Wiring: for every interface IF of the replaced node (in topology order)
 * a tap is opened inside that node's namespace (/dev/net/tun there,
 * -netdev tap,fd=N) and bridged to the node's veth end IF, whose
 * addresses are removed; the namespace itself stops taking part (IPv6
 * off, no addresses).  The guest renames its NICs by MAC to the same
 * names, and qemu_configure() gives them the topology's addresses,
 * routes and sysctls through the agent.  So the VM's wlan0/usb0 are the
 * far ends of the snd and rcv veths, and the cases see the same wires.
 *
 * Profiles:
 *   virt      -M virt -cpu cortex-a72 -smp 1 -m 512, virtio-net-pci NICs,
 *             the agent on a virtio-serial port
 *   raspi3b   -M raspi3b -accel tcg,thread=single, usb-net NICs, the DTB
 *             without the PL011's Bluetooth node, the agent on the second
 *             UART (mini UART, /dev/ttyS1)
 *
 * Teardown: qemu runs in its own process group with PR_SET_PDEATHSIG and
 * is registered with lab_track_pid(), so it dies with the lab, the
 * program, SIGINT/SIGTERM, or a crash; its taps are not persistent and
 * vanish with it, and the bridges with the lab's namespaces.
 */
#ifndef MCLAB_QEMU_H
#define MCLAB_QEMU_H

#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lab.h"

enum qemu_profile {
	QEMU_VIRT,
	QEMU_RASPI3B,
};

#define QEMU_MAX_NICS 4

struct qemu_opts {
	enum qemu_profile profile;
	/*
	 * Boot files; NULL: the image in qemu_image_dir() (its kernel:
	 * Image-mclab when built, else Debian's Image).
	 */
	const char *kernel, *dtb, *initrd;
	/*
	 * An SD card image (Buildroot-style: vfat boot partition first).  The
	 * kernel, DTB and initramfs are taken from its boot partition; the
	 * image itself is used through a copy, never modified.
	 */
	const char *image;
	/*
	 * With image: the board (piboard.h: raspi0, raspi1ap, raspi2b,
	 * raspi3b) instead of the one its files name; NULL: theirs.  dtb
	 * then replaces the image's DTB.
	 */
	const char *board;
	/*
	 * A root file system image (ext2/3/4, e.g. Buildroot's rootfs.ext4),
	 * used with -snapshot: our kernel and initramfs load the board's
	 * drivers and netfilter, rename the NICs, mount it and hand over to
	 * its init (mclab.init=PATH in append; default /sbin/init).
	 */
	const char *rootfs;
	const char *append; /* more kernel command line words, or NULL */
	struct lab *lab; /* NULL: no NICs */
	const char *node; /* the node the VM replaces; NULL: lab's router */
	/*
	 * Also ready at this console text (a user's image without our agent:
	 * "login:"); then vm->agent is -1.  NULL: only the agent's READY.
	 */
	const char *login_prompt;
	unsigned int timeout_ms; /* boot deadline (scaled); 0: 30 s */
};

struct console;

struct qemu_vm {
	enum qemu_profile profile;
	char machine[16]; /* -M: virt, or the Pi image's board (raspi0...) */
	char qemu_bin[32]; /* qemu-system-aarch64 or qemu-system-arm */
	char board_why[256]; /* with an image: how its board was picked */
	pid_t pid;
	int agent; /* connected agent socket, -1 without agent */
	/*
	 * Without an agent: the logged-in serial console (qemu_login()),
	 * which qemu_exec(), qemu_read_file() and qemu_write_file() then use.
	 */
	struct console *con;
	unsigned long seq;
	char *rx; /* agent input not consumed yet */
	size_t rx_len, rx_cap;
	char run_dir[108]; /* sockets: /run/mclab/qemu-<pid>.<n> */
	char log_dir[512]; /* console.log, qemu.log */
	char console_log[600];
	char console_sock[160];
	char image_copy[200]; /* the SD card copy, "" when none */
	char release[96]; /* guest uname -r, from the READY frame */
	uint64_t boot_ns; /* qemu start to ready */
	double guest_uptime; /* the guest's /proc/uptime at ready */
	struct lab *lab;
	struct node *node; /* the replaced node, NULL when none */
	int nnics;
	char ifnames[QEMU_MAX_NICS][IFNAMSIZ];
};

const char *qemu_profile_name(enum qemu_profile p);
/* "virt" or "raspi3b" (also "qemu-virt", "qemu-raspi3b"); -1 otherwise */
int qemu_profile_parse(const char *name);

/*
 * Where the built image is: $MCLAB_QEMU_OUT, ./qemu/out, or qemu/out
 * above the running program.  NULL when none has an Image.
 */
const char *qemu_image_dir(void);
/*
 * NULL when a VM of this profile can be booted here (qemu binary and
 * image present), else the reason, for a skip.
 */
const char *qemu_available(enum qemu_profile p);

/*
 * Boot a VM.  Returns it once the agent (or the login prompt) says it is
 * ready, or NULL with the reason and the console's tail in err (nothing
 * is left running then).
 */
struct qemu_vm *qemu_boot(const struct qemu_opts *o, char *err, size_t errlen);
/* Kill qemu (by pid), remove its work folder and image copy, free. */
void qemu_halt(struct qemu_vm *vm);

/*
 * Agent requests.  Each returns -1 with errno when the channel fails
 * (EPROTO: bad frame, ETIMEDOUT: no answer by the deadline).
 *
 * qemu_exec: run "sh -c CMD" in the guest; returns its exit code (124 at
 * the timeout), output (stdout and stderr) in *out when out is not NULL
 * (free it).  Start daemons with "... >LOG 2>&1 &".
 */
int qemu_exec(struct qemu_vm *vm, unsigned int timeout_ms, char **out,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int qemu_vexec(struct qemu_vm *vm, unsigned int timeout_ms, char **out,
	       const char *fmt, va_list ap);
/* Read a guest file; 0, or -1 with errno (the guest's errno too). */
int qemu_read_file(struct qemu_vm *vm, const char *path, char **buf,
		   size_t *len);
int qemu_write_file(struct qemu_vm *vm, const char *path, const void *data,
		    size_t len);
/* Round trip through the agent; 0 or -1. */
int qemu_ping(struct qemu_vm *vm, unsigned int timeout_ms);
/*
 * Wait until the guest's /init has loaded netfilter's modules (our image
 * loads them in the background, /run/nf.ready; other images: at once).
 * Datagrams crossing the guest while they load can be lost (raspi3b: 1 or
 * 2 in 720 at 500 pps), so traffic that is counted exactly waits for it.
 * 0, or -1 with errno (ETIMEDOUT).
 */
int qemu_settled(struct qemu_vm *vm, unsigned int timeout_ms);

/*
 * An image without our agent: log in on its serial console (user, and
 * password or NULL for none) and drive it there from now on.  0, or -1
 * with the reason in err.
 */
int qemu_login(struct qemu_vm *vm, const char *user, const char *password,
	       unsigned int timeout_ms, char *err, size_t errlen);
/*
 * Give the emulated NICs the replaced node's interface names, by MAC
 * (the image's kernel names them usb0, usb1...), loading cdc_ether and
 * rndis_host where they are modules.  0, or -1 with err.
 */
int qemu_rename_nics(struct qemu_vm *vm, unsigned int timeout_ms, char *err,
		     size_t errlen);

/*
 * Give the guest's NICs the replaced node's addresses, routes and sysctls
 * from the topology.  0, or -1 with the failing command in err.
 */
int qemu_configure(struct qemu_vm *vm, char *err, size_t errlen);

/*
 * Boot, configure and settle a VM in place of o->lab's node (qemu_boot,
 * qemu_configure, qemu_settled), and put it in as that node's backend
 * (lab_replace_node_vm): every node_* call on the node then reaches the
 * guest.  node_restore() or qemu_halt() ends it.  NULL with err.
 */
struct qemu_vm *qemu_up(const struct qemu_opts *o, char *err, size_t errlen);

/* ---- pure, for unit tests ------------------------------------------ */

uint32_t qemu_fnv1a(const void *p, size_t n);
/*
 * Find one response frame in buf: 1 with seq, status and the payload's
 * offset and length when a whole, valid frame is there (*used: bytes to
 * drop, the frame and the noise before it); 0 when more input is needed
 * (*used: noise that can be dropped); -1 for a corrupt frame (*used:
 * bytes to drop to get past it).
 */
int qemu_frame_parse(const char *buf, size_t len, unsigned long *seq,
		     long *status, size_t *off, size_t *plen, size_t *used);

/*
 * The VM as a node (qemu_node.c): put VM vm in for node n of lab, over its
 * agent (node_vm_ops), or over its logged-in serial console when the
 * guest has no agent of ours (node_console_ops).  With halt,
 * node_restore() halts the VM (over the console, qemu_halt() stays the
 * caller's: the console is the VM's).
 */
extern const struct node_ops node_vm_ops;
int lab_replace_node_vm(struct lab *lab, struct node *n, struct qemu_vm *vm,
			bool halt);

#endif
