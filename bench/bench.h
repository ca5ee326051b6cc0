/* SPDX-License-Identifier: MIT */
/*
 * mcbench: what the benchmarks share.  Every benchmark runs mcrouted and
 * its peer in the same lab, alternating, a fresh daemon each repetition,
 * and writes one CSV row per measurement:  bench,param,metric,router,rep,value
 */
#ifndef MCBENCH_BENCH_H
#define MCBENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "capture.h"
#include "deadline.h" /* mono_ns */
#include "lab.h"
#include "node.h"
#include "pkt.h"
#include "proc.h"
#include "router.h"
#include "traffic.h"

#define SRC_ADDR "192.0.2.2"
#define CHANGE_IDX 0x3fff00u /* index of the runtime add/del route */

/* mcbench.c: the CSV, the repetitions, the routers' names in it */
extern FILE *csv;
extern int reps;
extern const char *peer_name[];

/* util.c */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t real_ns(void);
void sleep_ms(unsigned int ms);
void row(const char *bench, const char *param, const char *metric,
	 enum router_kind k, int rep, double v);
/* Route i is (192.0.2.2, 239.A.B.C) with A.B.C = 1 + i in base 256. */
void grp_of(uint32_t i, char *buf, size_t len);
long idx_of_grp(uint32_t grp_host);
/* Config with routes [from, to) plus [from2, to2). */
char *conf_routes(uint32_t from, uint32_t to, uint32_t from2, uint32_t to2);
/* CPU time (schedstat, ms), a /proc/PID/status value, context switches */
double proc_cpu_ms(pid_t pid);
double proc_status(pid_t pid, const char *key);
double proc_wakeups(pid_t pid);
/* Resolved entries of the node's IPv4 MFC; whether (src, grp) is one. */
long mfc_resolved(struct node *n);
bool mfc_has(struct node *n, const char *src, const char *grp);

/* mfcw.c: the MFC watcher (rtnetlink) */
struct mfcw {
	int fd;
	uint8_t *present; /* by route index */
	uint32_t size;
	uint32_t count; /* present entries */
	bool overflow; /* events lost (ENOBUFS) */
	uint64_t last_ns; /* time of the last event */
	unsigned long events;
};

void mfcw_open(struct mfcw *w, struct node *n, uint32_t size);
void mfcw_close(struct mfcw *w);
void mfcw_reset(struct mfcw *w);
void mfcw_set(struct mfcw *w, long idx, bool on);
/* Read what is queued; returns the number of events. */
int mfcw_read(struct mfcw *w);

/* dmn.c: the daemons */
struct dmn {
	enum router_kind kind;
	struct node *node;
	pid_t pid;
	uint64_t t_start; /* CLOCK_MONOTONIC before fork */
	char bin[256], ctl[256];
	char conf[700], sock[108], log[700], pidf[700];
};

extern int notify_fd;
/* Text put before the translated config (igmpproxy's quickleave). */
extern const char *conf_pre;

void notify_open(void);
void notify_close(void);
/* True when a READY=1 is queued. */
bool notify_ready(void);
void dmn_start(struct dmn *d, enum router_kind kind, struct node *n,
	       const char *conf_text, const char *tag);
void dmn_stop(struct dmn *d);
/* Write the daemon's config (translated for the peers). */
void dmn_conf(struct dmn *d, const char *conf_text);
bool dmn_alive(const struct dmn *d);
/* Wait until the daemon reported ready (READY=1; igmpproxy: its VIFs). */
bool dmn_wait_ready(struct dmn *d, unsigned int timeout_ms);
/* Run argv in the node (fork + setns + exec); returns the exit code. */
int run_in(struct node *n, const char *const *argv);
struct lab *bench_lab(const char *topo, const char *suffix);
/* Which daemon goes first in repetition rep, turn i (they alternate). */
enum router_kind order(int rep, int i, enum router_kind peer);

/* rx.c: receivers */
struct rxrec {
	uint32_t stream, seq;
	uint64_t rx_ns, tx_ns; /* CLOCK_REALTIME (kernel stamp, sender's) */
	uint32_t src;
};

/* A receiver socket in a node with a large buffer, joined to groups. */
int rx_sock(struct node *n, const char *ifname, uint16_t port,
	    const char *const *groups, int ngroups);
/* Drain fd; returns the records (malloc'd), count in *n, drops in *ovfl. */
struct rxrec *rx_drain(int fd, size_t *n, unsigned long *ovfl);

/* load.c: start d with n_routes routes until all are in the MFC (ms). */
double load_routes(struct dmn *d, enum router_kind kind, struct node *rtr,
		   struct mfcw *w, const char *conf, uint32_t n_routes,
		   unsigned int timeout_ms, double *ready_ms);

/* The benchmarks, one file each. */
void bench_load(uint32_t n_routes);
void bench_change(void);
void bench_reload(void);
void bench_sources(unsigned int start_us, unsigned int gap_us);
void bench_igmp(bool fast);
void bench_churn(unsigned int secs, unsigned int rate);
void bench_idle(unsigned int secs);
void bench_harness(int runs);
void bench_qemu(int runs, const char *only);

#endif
