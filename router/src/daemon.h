/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state, shared by the main loop (main.c), the control
 * socket (ipc.c) and reload (reload.c).
 */
#ifndef MCR_DAEMON_H
#define MCR_DAEMON_H

#include <stdbool.h>

#include "conf.h"
#include "conntrack.h"
#include "iface.h"
#include "kern.h"
#include "member.h"
#include "mgroup.h"
#include "mroute.h"
#include "timer.h"

/* sysexits(3) */
#define EXIT_USAGE 64
#define EXIT_UNAVAILABLE 69 /* another daemon holds the routing socket */
#define EXIT_SOFTWARE 70
#define EXIT_OSERR 71
#define EXIT_CANTCREAT 73
#define EXIT_PROTOCOL 76 /* no multicast routing in the kernel */
#define EXIT_NOPERM 77
#define EXIT_CONFIG 78

struct daemon {
	const char *conf_path;
	const char *sock_path;
	const char *pid_path;
	unsigned int table;
	unsigned int expire_s; /* -c */
	bool ipv6_off; /* no IPv6 (or no IPv6 mroute) in this kernel */

	struct conf conf;
	struct iface_table ifaces;
	struct kern_sys ksys;
	struct mroute mr;
	struct mgroups groups;
	struct member mb; /* IGMP/MLD */
	struct ct_flush ct;
	struct timers timers;
	struct timer expire_timer;

	int mrt_fd[KF_N];
	int ctl_fd;
	int ct_fd; /* conntrack events, -1 when off */
	bool running;
	unsigned long reloads, reload_errors;
	unsigned long bad_requests; /* could not be decoded */
	unsigned long refused_requests; /* decoded, then refused */
	uint64_t started_ns;
};

/*
 * Read the config again and apply the difference.  On error the running
 * config stays; err holds "file:line:col: message".  Returns 0 or -1.
 */
int daemon_reload(struct daemon *d, char *err, size_t errlen);
/* Apply the current conf to kernel and joins (after start or a change). */
void daemon_apply(struct daemon *d);

/* Control socket: listen at d->sock_path (0660). */
int ipc_open(struct daemon *d);
void ipc_close(struct daemon *d);
/* Accept and serve one client (call when ctl_fd is readable). */
void ipc_accept(struct daemon *d);

/* sd_notify(3) without libsystemd: "READY=1", "RELOADING=1", ... */
void notify(const char *state);

/* Drop to USER[:GROUP] keeping CAP_NET_ADMIN and CAP_NET_RAW. */
int drop_privs(const char *spec, char *err, size_t errlen);

#endif
