/* SPDX-License-Identifier: MIT */
/*
 * Running labs: the instance of a topology (topo.h), one named network
 * namespace per node (compatible with "ip netns"), veth links, LAN
 * switches (a bridge in a hidden namespace), addresses, routes, sysctls;
 * the processes started in it, and their teardown.
 */
#ifndef MCLAB_LAB_H
#define MCLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "topo.h"
/* mkdir_p() and mclab_read_file() come with labs, as they did with topo.h */
#include "util.h"

#define LAB_PREFIX "mcl-"
#define LAB_NS_MAX 64
/* the state files, sockets and work folders of runs */
#define LAB_STATE_DIR "/run/mclab"

struct mnl_socket;
struct node_ops;

/*
 * One namespace: a topology node, or a hidden LAN switch.  ops (node.h)
 * says how to reach what runs there: NULL is the namespace itself; a VM or
 * a serial console put in by lab_replace_node() sets it, with impl its
 * backend's own state.
 */
struct node {
	char name[TOPO_NAME_MAX]; /* the topology's node or LAN name */
	char ns[LAB_NS_MAX]; /* netns name under /run/netns */
	int nsfd; /* open /run/netns/NS, -1 when not open */
	int index; /* into topo->nodes, -1 for a switch */
	bool is_switch;
	struct mnl_socket *nl; /* NETLINK_ROUTE socket inside, while building */
	struct lab *lab;
	const struct node_ops *ops; /* NULL: the namespace (node_netns_ops) */
	void *impl; /* the backend's, for ops other than the namespace's */
};

struct lab {
	char id[32]; /* "mcl-<pid>": the prefix of every namespace */
	struct topo *topo; /* owned */
	struct node *nodes; /* nnodes topology nodes, then the switches */
	int nnodes, nswitches;
	char results[512]; /* this lab's folder under the results folder */
	pid_t owner;
	uint64_t up_ns; /* how long building took */
};

/*
 * Build topology t (the lab takes ownership of it, also on failure) with
 * namespaces named "<id>-<node>" where id is "mcl-<pid>" (or MCLAB_ID/the
 * given id when not NULL).  Registers it for teardown at exit and on
 * SIGINT/SIGTERM/SIGHUP.  Returns NULL with a message in err on failure,
 * having removed whatever it had created.
 */
struct lab *lab_up(struct topo *t, const char *id, char *err, size_t errlen);
/* topo_load() + lab_up(). */
struct lab *lab_up_file(const char *path_or_name, char *err, size_t errlen);
/* Kill the lab's processes, delete its namespaces, free it.  NULL is fine. */
void lab_down(struct lab *lab);

struct node *lab_node(struct lab *lab, const char *name);
/* The first router node, NULL when there is none. */
struct node *lab_router(struct lab *lab);

/*
 * Attach to a lab built by another process (mclab up), from its id and
 * topology: nothing is created, lab_detach() frees without deleting.
 */
struct lab *lab_attach(struct topo *t, const char *id, char *err,
		       size_t errlen);
void lab_detach(struct lab *lab);

/*
 * Remove leftovers: namespaces named "mcl-<pid>-*" whose pid is dead, and
 * their state files.  Never touches a live run or another prefix.  With
 * verbose, prints what it removes.  Returns how many namespaces it removed.
 */
int lab_sweep(bool verbose);

/*
 * The process registry used by teardown: processes started by the harness
 * are killed (by pid) when their lab goes down or the program exits.
 */
void lab_track_pid(struct lab *lab, pid_t pid);
void lab_untrack_pid(pid_t pid);

/* The results folder ($MCLAB_RESULTS, default ./results), created; each
 * lab has its folder in it (lab->results). */
const char *mclab_results_dir(void);

#endif
