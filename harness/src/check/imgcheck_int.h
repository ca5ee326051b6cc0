/* SPDX-License-Identifier: MIT */
/*
 * Inside mclab check --image (imgcheck.c: the run and its helpers;
 * imgcheck_guest.c: the checks read from the guest; imgcheck_traffic.c:
 * the checks made with traffic across it).  Not an API.
 */
#ifndef MCLAB_IMGCHECK_INT_H
#define MCLAB_IMGCHECK_INT_H

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "deadline.h"
#include "imgcheck.h"
#include "imgmodel.h"
#include "kconfig.h"
#include "lab.h"
#include "proc.h"
#include "qemu.h"
#include "traffic.h"

#define PORT 5001
#define SPORT 5000
#define PER_TTL 3
#define FLOW_N 10
#define T_ARRIVE 3000 /* ms for traffic to arrive (scaled) */
#define T_QUIET 300 /* ms more for extras */
#define T_ROUTE 10000 /* ms for the router to show VIFs and routes */

#define NSWEEP 6 /* TTLs in the sweep (imgcheck_traffic.c) */

struct ctx {
	const struct img_check_opts *o;
	struct img_report *rep;
	struct lab *lab;
	struct qemu_vm *vm;
	struct node *rtr;
	struct img_router router;
	bool router_up;
	struct conf conf;
	bool have_conf;
	struct img_ttl_rule ttl[16];
	int nttl, ttl_unmodelled;
	struct img_nat_rule nat[8];
	int nnat;
	char ifs[256]; /* the router's interfaces in the lab, "wlan0 usb0" */
	/* the TTL sweep's outcome: arrived count and TTL per sent TTL */
	bool swept;
	char sweep_in[IFNAMSIZ], sweep_out[IFNAMSIZ];
	uint32_t sweep_group;
	unsigned int sweep_count[NSWEEP];
	int sweep_ttl[NSWEEP]; /* -1: mixed or none */
	int sweep_threshold;
};

/* progress on stderr with -v */
void imgc_say(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* seconds since t0 (mono_ns()) */
double imgc_since(uint64_t t0);
/* Run in the guest; output in *out (always set, free it). */
int imgc_guest(struct ctx *c, unsigned int tmo, char **out, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/*
 * The lab node (and its interface and address of family fam) on the far
 * side of the router's IF; NULL when the router has no such interface.
 */
struct node *imgc_peer(struct ctx *c, int fam, const char *ifname, char *pif,
		       char *addr);
/* the router's IPv4 address on ifname, "" when none */
void imgc_router_addr(struct ctx *c, const char *ifname, char *addr);
/* Is ifname one of the router's interfaces in the lab? */
bool imgc_has_if(const struct ctx *c, const char *ifname);
/* ip_mr_vif / ip6_mr_vif parsed; the count or -1 */
int imgc_read_vifs(struct ctx *c, int fam, struct mr_vif **v);
/* Has ifname a VIF (MIF)?  false when the file cannot be read either */
bool imgc_has_vif(struct ctx *c, int fam, const char *ifname);

/* the checks, in the order img_check() runs them */
void imgc_router(struct ctx *c);
void imgc_kernel(struct ctx *c);
void imgc_conf(struct ctx *c);
void imgc_forwarding(struct ctx *c);
void imgc_sweep(struct ctx *c);
void imgc_route(struct ctx *c, const struct conf_mroute *m);
void imgc_mangle(struct ctx *c);
void imgc_nat(struct ctx *c);

#endif
