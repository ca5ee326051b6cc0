/* SPDX-License-Identifier: MIT */
/*
 * Inside the running-lab module: what its parts give each other.
 *
 *   lab.c           labs: made from a topology, built, up, down, attached
 *   lab_registry.c  what this process created, torn down at exit and on
 *                   SIGINT/SIGTERM/SIGHUP
 *   lab_ns.c        namespaces: created as "ip netns add" does, deleted
 *   lab_nlbatch.c   rtnetlink messages in batches, all namespaces at once
 *   lab_sweep.c     what dead runs left behind
 */
#ifndef MCLAB_LAB_INT_H
#define MCLAB_LAB_INT_H

#include <stddef.h>

#include "lab.h"
#include "netns.h"

/* /run/netns/NS, with the NUL */
#define LAB_NS_PATH_MAX (sizeof(NETNS_RUN_DIR) + LAB_NS_MAX + 2)

/* ---- lab_registry.c --------------------------------------------------- */

/* Teardown at exit and on SIGINT/SIGTERM/SIGHUP (once; an ignored signal
 * stays ignored). */
void lab_reg_install(void);
/* A namespace's path, to remove at exit; and no longer. */
void lab_reg_add_ns(const char *path);
void lab_reg_del_ns(const char *path);
/* Kill (with its process group) and reap every process of lab that this
 * process tracks (lab_track_pid()). */
void lab_reg_kill_procs(const struct lab *lab);
/* Unmount and unlink a namespace's file (async-signal-safe). */
void lab_ns_remove_path(const char *path);

/* ---- lab_ns.c --------------------------------------------------------- */

/* /run/netns, a shared mount as iproute2 makes it: 0 or -1 with errno. */
int lab_netns_dir_ready(void);
/*
 * Create namespace n->ns (as "ip netns add"), with its defaults, an open
 * fd and a netlink socket inside.  Returns 0 or -1 with a message.
 */
int lab_ns_create(struct node *n, char *err, size_t errlen);
/* Close n's fd and socket, remove its namespace. */
void lab_ns_delete(struct node *n);
/* net.ipv4.ip_forward=1 in this thread's namespace: 0 or -1 with errno. */
int lab_sysctl_write(const char *key, const char *val);

/* ---- lab_nlbatch.c ---------------------------------------------------- */

#define NLBATCH_SIZE (64 * 1024) /* bytes of buf */
#define NLBATCH_MAX_MSGS 512

/* The messages for one namespace, to send at once (buf: NLBATCH_SIZE). */
struct nlbatch {
	struct node *node;
	char *buf;
	size_t len;
	unsigned int seq0, nmsgs;
	char what[NLBATCH_MAX_MSGS][96]; /* per message, for errors */
	int line[NLBATCH_MAX_MSGS];
};

/*
 * Send the batches of all nodes at once, then collect every ack.  The
 * first error is reported as "topo:line: what: error".  The batches are
 * empty again after.
 */
int nlb_run(struct nlbatch *bs, int nb, const struct lab *lab, char *err,
	    size_t errlen);

/*
 * Messages put in a batch: 0, or -1 when it is full.  line is the .topo
 * line, what the name of the step in errors.
 */
int nlb_link_up(struct nlbatch *b, int ifindex, int line, const char *what);
int nlb_bridge(struct nlbatch *b, int ifindex, const char *name, bool snooping,
	       int line);
/* veth: name/ifindex (master: 0 or a bridge ifindex) here, peer in pfd */
int nlb_veth(struct nlbatch *b, const char *name, int ifindex, int master,
	     const char *pname, int pindex, int pfd, int line,
	     const char *what);
int nlb_master(struct nlbatch *b, int ifindex, int master, int line,
	       const char *what);
int nlb_addr(struct nlbatch *b, int ifindex, const struct topo_addr *a,
	     int line, const char *what);
int nlb_route(struct nlbatch *b, const struct topo_route *r, int oif,
	      const char *what);

/*
 * Wait until no IPv6 address in the lab's nodes is tentative (links ready,
 * no DAD), over their netlink sockets: 0, ETIMEDOUT after timeout_ms
 * (scaled), or the errno of a failed address dump.
 */
int nlb_wait_ready(struct lab *lab, unsigned int timeout_ms);

#endif
