// SPDX-License-Identifier: MIT
/*
 * seccomp filters: socket(AF_INET6, ...) -> EAFNOSUPPORT,
 * setsockopt(IPPROTO_IP, MRT_INIT) -> ENOPROTOOPT.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp.h"

#define MRT_INIT_OPT 200 /* MRT_BASE, <linux/mroute.h> */

#if defined(__x86_64__)
#define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NR AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define ARCH_NR AUDIT_ARCH_ARM
#elif defined(__i386__)
#define ARCH_NR AUDIT_ARCH_I386
#else
#error "seccomp_deny_ipv6: unknown architecture"
#endif

/* BPF_LD of the 32-bit word at off of struct seccomp_data */
#define LD_AT(off) \
	((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define JEQ(k, jt, jf)                                                      \
	((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), \
				      (jf)))
#define RET(k) ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (k)))

/* argument number arg of the call equals val (its low 32 bits) */
struct arg_eq {
	unsigned int arg, val;
};

#define MAX_EQ 4

/*
 * Install, on the calling thread, a filter under which the system call nr
 * fails with err when every one of eq[0..neq) holds; every other call,
 * and calls of another architecture (the numbers are ours), are allowed.
 * 0, or -1 with errno.
 */
static int deny_when(unsigned int nr, const struct arg_eq *eq, unsigned int neq,
		     unsigned int err)
{
	struct sock_filter f[5 + 2 * MAX_EQ + 2];
	struct sock_fprog prog = { .filter = f };
	unsigned int n = 0, i;

	if (neq > MAX_EQ) {
		errno = EINVAL;
		return -1;
	}
	f[n++] = LD_AT(offsetof(struct seccomp_data, arch));
	f[n++] = JEQ(ARCH_NR, 1, 0);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	f[n++] = LD_AT(offsetof(struct seccomp_data, nr));
	/* not nr: past the argument tests and the error to the allow */
	f[n++] = JEQ(nr, 0, 2 * neq + 1);
	for (i = 0; i < neq; i++) {
		f[n++] = LD_AT(offsetof(struct seccomp_data, args) +
			       eq[i].arg * sizeof(__u64));
		f[n++] = JEQ(eq[i].val, 0, 2 * (neq - 1 - i) + 1);
	}
	f[n++] = RET(SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA));
	f[n++] = RET(SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0L, 0L);
}

int seccomp_deny_ipv6(void)
{
	/* socket(AF_INET6, ...) */
	static const struct arg_eq eq[] = { { 0, AF_INET6 } };

	return deny_when(__NR_socket, eq, 1, EAFNOSUPPORT);
}

int seccomp_deny_mroute(void)
{
	/* setsockopt(sd, IPPROTO_IP, MRT_INIT, ...) */
	static const struct arg_eq eq[] = { { 1, IPPROTO_IP },
					    { 2, MRT_INIT_OPT } };

	return deny_when(__NR_setsockopt, eq, 2, ENOPROTOOPT);
}
