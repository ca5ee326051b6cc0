/* SPDX-License-Identifier: MIT */
/*
 * The lab's VM: a better kernel for a host that lacks what the lab needs
 * (preflight.h).  qemu-system-x86_64 boots qemu/out/bzImage-vm with the
 * host's own root file system read-only over virtio-9p, the work tree
 * (and any other --rw folder) read-write at the same path, and /tmp,
 * /run and /var as tmpfs; so the binaries just built run unchanged in
 * the guest and results land where they do on the host.  KVM when
 * /dev/kvm works, else TCG (-accel tcg,thread=multi); MCLAB_VM_ACCEL
 * forces one.
 *
 * A keeper process owns qemu and the control port (vmproto.h): it serves
 * clients on a unix socket, one session (command) per connection, and
 * stops qemu when told to, on SIGTERM/SIGINT, when its parent run ends
 * (once), or when qemu dies.  Its state folder, /run/mclab/vm.XXXXXX,
 * holds keeper.pid, keeper.log, qemu.pid, console.log (the guest's
 * serial console), qemu.log, ctl.sock, accel (kvm or tcg) and ready (its
 * READY line: the guest kernel and its uptime at boot).
 */
#ifndef MCLAB_VM_H
#define MCLAB_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VM_STATE_ROOT "/run/mclab"
/* The long-lived VM of "mclab up" on such a host: a link to its folder. */
#define VM_LAB_LINK VM_STATE_ROOT "/lab-vm"
#define VM_MAX_RW 8
/*
 * Under TCG the guest runs several times slower than the host (measured:
 * an mcroutectl round trip 5-7 times, a flood's worst case 3-6 times), so
 * its deadlines and latency bounds get MCLAB_TIMEOUT_MULT times this;
 * MCLAB_VM_TIMEOUT_MULT sets the guest's multiplier outright.
 */
#define VM_TCG_MULT 4

struct vm_opts {
	const char *kernel; /* NULL: TOP/qemu/out/bzImage-vm */
	const char *rw[VM_MAX_RW]; /* read-write shares besides the tree */
	int nrw;
	int cpus; /* 0: 2 */
	int mem_mb; /* 0: 3072 */
	unsigned int boot_ms; /* 0: 60 s (scaled by MCLAB_TIMEOUT_MULT) */
	bool once; /* stop after the first session ends */
};

/*
 * The source tree the harness runs from (MCLAB_TOP, else found upwards
 * from the running binary by qemu/vm/init); NULL when none.
 */
const char *vm_top(void);
/* The kernel to boot (o->kernel or the built one); NULL with why in err. */
const char *vm_kernel(const struct vm_opts *o, char *err, size_t errlen);
/* "kvm" or "tcg": what this host gives the VM. */
const char *vm_accel(void);

/*
 * Boot the VM under a new keeper.  On success the state folder is in dir
 * and the keeper's pid is returned, with the guest's READY line in ready
 * when non-NULL; -1 with the reason (and the console's last lines) in
 * err.
 */
pid_t vm_start(const struct vm_opts *o, char *dir, size_t dirlen, char *ready,
	       size_t readylen, char *err, size_t errlen);

/*
 * The guest's MCLAB_TIMEOUT_MULT for the VM at dir, written into buf as
 * "MCLAB_TIMEOUT_MULT=N": the host's times VM_TCG_MULT unless it runs
 * under KVM, or MCLAB_VM_TIMEOUT_MULT.  Returns N.
 */
unsigned int vm_guest_mult(const char *dir, char *buf, size_t len);

/*
 * Run argv in the guest with this process's environment and working
 * folder, relaying stdin/stdout/stderr (tty: through a pty, the terminal
 * in raw mode) and SIGINT/SIGTERM/SIGHUP/SIGWINCH.  timeout_ms 0: none.
 * Returns the command's exit status (128+N for signal N), 124 at the
 * timeout, or -1 with the reason in err when the VM went away.
 */
int vm_exec(const char *dir, char *const argv[], bool tty,
	    unsigned int timeout_ms, char *err, size_t errlen);

/* Stop the keeper of dir and its qemu; 0 when nothing of it is left. */
int vm_stop(const char *dir, unsigned int timeout_ms);

/* The last n lines of the guest's console (to out). */
void vm_console_tail(const char *dir, int n, char *out, size_t outlen);

/* True when dir's keeper is alive. */
bool vm_alive(const char *dir);

/* Stop VMs whose keeper died and remove their folders; returns how many. */
int vm_sweep(void);

#endif
