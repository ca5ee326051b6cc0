// SPDX-License-Identifier: MIT
/*
 * Building and tearing down topologies: one named network namespace per
 * node (compatible with "ip netns"), veth pairs created with both ends
 * directly in their namespaces, LAN switches, addresses, routes and
 * sysctls, all over rtnetlink (libmnl) in pipelined batches.  This file
 * makes a lab of a topology and builds it in steps; lab_int.h names the
 * parts it builds with.
 *
 * Teardown always happens: lab_down(), atexit, SIGINT/SIGTERM/SIGHUP, and
 * for crashes lab_sweep() (every suite calls it at start, "mclab clean").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "lab.h"
#include "lab_int.h"
#include "netns.h"

/* Interfaces get fixed ifindexes, so no lookup is ever needed. */
#define IFINDEX_BASE 10
#define SWITCH_BR_IFINDEX 2
#define SWITCH_PORT_BASE 1000
#define SWITCH_BR_NAME "br0"

const char *mclab_results_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("MCLAB_RESULTS");

	if (!dir[0]) {
		if (env && *env)
			snprintf(dir, sizeof(dir), "%s", env);
		else if (!getcwd(dir, sizeof(dir) - 16))
			snprintf(dir, sizeof(dir), "results");
		else
			strcat(dir, "/results");
		mkdir_p(dir, 0755);
	}
	return dir;
}

/*
 * Every interface of the lab gets its own ifindex (unique across all
 * namespaces): the kernel treats a veth whose ifindex equals its peer's as
 * a plain device and delays its carrier events by up to a second, which
 * would leave IPv6 addresses tentative that long.
 */
static int if_index(const struct topo *t, int node, const char *ifname)
{
	const struct topo_if *ifs[256];
	int base = IFINDEX_BASE, cnt, i;

	for (i = 0; i < node; i++)
		base += topo_node_ifs(t, i, ifs, 0);
	cnt = topo_node_ifs(t, node, ifs, 256);
	for (i = 0; i < cnt && i < 256; i++)
		if (!strcmp(ifs[i]->ifname, ifname))
			return base + i;
	return 0;
}

/* labs of this process that are up, for unique ids */
static int live_labs, lab_seq;
static pid_t live_pid;

static struct lab *lab_alloc(struct topo *t, const char *id)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	int i;

	if (!lab)
		return NULL;
	lab->topo = t;
	lab->owner = getpid();
	if (id && *id)
		snprintf(lab->id, sizeof(lab->id), "%s", id);
	else if (!live_labs || live_pid != getpid())
		snprintf(lab->id, sizeof(lab->id), LAB_PREFIX "%d",
			 (int)getpid());
	else /* another lab of this process is up: "mcl-<pid>.<n>" */
		snprintf(lab->id, sizeof(lab->id), LAB_PREFIX "%d.%d",
			 (int)getpid(), ++lab_seq);
	lab->nnodes = t->nnodes;
	lab->nswitches = t->nlans;
	lab->nodes =
		calloc((size_t)(t->nnodes + t->nlans), sizeof(*lab->nodes));
	if (!lab->nodes) {
		free(lab);
		return NULL;
	}
	for (i = 0; i < t->nnodes + t->nlans; i++) {
		struct node *n = &lab->nodes[i];
		bool sw = i >= t->nnodes;

		n->lab = lab;
		n->nsfd = -1;
		n->is_switch = sw;
		n->index = sw ? -1 : i;
		snprintf(n->name, sizeof(n->name), "%s",
			 sw ? t->lans[i - t->nnodes].name : t->nodes[i].name);
		snprintf(n->ns, sizeof(n->ns), "%s-%s", lab->id, n->name);
	}
	snprintf(lab->results, sizeof(lab->results), "%s/%s",
		 mclab_results_dir(), lab->id);
	return lab;
}

static void lab_free(struct lab *lab)
{
	if (!lab)
		return;
	topo_free(lab->topo);
	free(lab->nodes);
	free(lab);
}

static int lab_build(struct lab *lab, char *err, size_t errlen)
{
	const struct topo *t = lab->topo;
	int nall = t->nnodes + t->nlans, i, j, k, rc = -1;
	struct nlbatch *bs;
	char what[96], a1[64], a2[64];

	bs = calloc((size_t)nall, sizeof(*bs));
	if (!bs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < nall; i++) {
		bs[i].node = &lab->nodes[i];
		bs[i].buf = malloc(NLBATCH_SIZE);
		if (!bs[i].buf) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (lab_netns_dir_ready() < 0) {
		snprintf(err, errlen, "%s: %s", NETNS_RUN_DIR, strerror(errno));
		goto out;
	}
	for (i = 0; i < nall; i++)
		if (lab_ns_create(&lab->nodes[i], err, errlen) < 0)
			goto out;

	/* 1: loopbacks, bridges (switches and in-node ones) */
	for (i = 0; i < nall; i++)
		nlb_link_up(&bs[i], 1, 0, "lo up");
	for (i = 0; i < t->nlans; i++)
		if (nlb_bridge(&bs[t->nnodes + i], SWITCH_BR_IFINDEX,
			       SWITCH_BR_NAME, t->lans[i].snooping,
			       t->lans[i].line) < 0)
			goto toolong;
	for (i = 0; i < t->nbridges; i++) {
		const struct topo_bridge *br = &t->bridges[i];

		if (nlb_bridge(&bs[br->br.node],
			       if_index(t, br->br.node, br->br.ifname),
			       br->br.ifname, false, br->line) < 0)
			goto toolong;
	}
	if (nlb_run(bs, nall, lab, err, errlen) < 0)
		goto out;

	/* 2: veths, from the namespace of their first end */
	for (i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		snprintf(what, sizeof(what), "link %s:%s %s:%s",
			 t->nodes[l->a.node].name, l->a.ifname,
			 t->nodes[l->b.node].name, l->b.ifname);
		if (nlb_veth(&bs[l->a.node], l->a.ifname,
			     if_index(t, l->a.node, l->a.ifname), 0,
			     l->b.ifname, if_index(t, l->b.node, l->b.ifname),
			     lab->nodes[l->b.node].nsfd, l->line, what) < 0)
			goto toolong;
	}
	for (i = 0, k = 0; i < t->nlans; i++) {
		const struct topo_lan *lan = &t->lans[i];

		for (j = 0; j < lan->nmembers; j++, k++) {
			const struct topo_if *m = &lan->members[j];
			char pname[IFNAMSIZ];

			snprintf(pname, sizeof(pname), "p%d", j);
			snprintf(what, sizeof(what), "lan %s member %s:%s",
				 lan->name, t->nodes[m->node].name, m->ifname);
			if (nlb_veth(&bs[t->nnodes + i], pname,
				     SWITCH_PORT_BASE + k, SWITCH_BR_IFINDEX,
				     m->ifname, if_index(t, m->node, m->ifname),
				     lab->nodes[m->node].nsfd, lan->line,
				     what) < 0)
				goto toolong;
		}
	}
	if (nlb_run(bs, nall, lab, err, errlen) < 0)
		goto out;

	/* 3: links up, bridge ports, addresses, routes */
	for (i = 0, k = 0; i < t->nlans; i++)
		for (j = 0; j < t->lans[i].nmembers; j++, k++)
			if (nlb_link_up(&bs[t->nnodes + i],
					SWITCH_PORT_BASE + k, t->lans[i].line,
					"lan port up") < 0)
				goto toolong;
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_if *ifs[64];
		int cnt = topo_node_ifs(t, i, ifs, 64);

		for (j = 0; j < cnt && j < 64; j++) {
			snprintf(what, sizeof(what), "%s:%s up",
				 t->nodes[i].name, ifs[j]->ifname);
			if (nlb_link_up(&bs[i], if_index(t, i, ifs[j]->ifname),
					0, what) < 0)
				goto toolong;
		}
	}
	for (i = 0; i < t->nbridges; i++) {
		const struct topo_bridge *br = &t->bridges[i];
		int bi = if_index(t, br->br.node, br->br.ifname);

		for (j = 0; j < br->nports; j++) {
			snprintf(what, sizeof(what), "bridge %s:%s port %s",
				 t->nodes[br->br.node].name, br->br.ifname,
				 br->ports[j]);
			if (nlb_master(&bs[br->br.node],
				       if_index(t, br->br.node, br->ports[j]),
				       bi, br->line, what) < 0)
				goto toolong;
		}
	}
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_if *ifs[64];
		int cnt = topo_node_ifs(t, i, ifs, 64);

		for (j = 0; j < cnt && j < 64; j++) {
			for (k = 0; k < ifs[j]->naddrs; k++) {
				snprintf(what, sizeof(what),
					 "address %s on %s:%s",
					 topo_addr_str(&ifs[j]->addrs[k], a1,
						       sizeof(a1)),
					 t->nodes[i].name, ifs[j]->ifname);
				if (nlb_addr(&bs[i],
					     if_index(t, i, ifs[j]->ifname),
					     &ifs[j]->addrs[k], 0, what) < 0)
					goto toolong;
			}
		}
	}
	for (i = 0; i < t->nroutes; i++) {
		const struct topo_route *r = &t->routes[i];

		snprintf(what, sizeof(what), "route %s %s%s%s",
			 t->nodes[r->node].name,
			 r->dst.plen ? topo_addr_str(&r->dst, a1, sizeof(a1)) :
				       "default",
			 r->has_gw ? " via " : "",
			 r->has_gw ? inet_ntop(r->gw.family, &r->gw.a, a2,
					       sizeof(a2)) :
				     "");
		if (nlb_route(&bs[r->node], r,
			      r->dev[0] ? if_index(t, r->node, r->dev) : 0,
			      what) < 0)
			goto toolong;
	}
	if (nlb_run(bs, nall, lab, err, errlen) < 0)
		goto out;

	/* every IPv6 address usable (links ready, no DAD) */
	j = nlb_wait_ready(lab, 3000);
	if (j) {
		snprintf(err, errlen, "%s: IPv6 addresses still tentative: %s",
			 t->name, j == ETIMEDOUT ? "timeout" : strerror(j));
		goto out;
	}

	/* 4: sysctls */
	for (i = 0; i < t->nsysctls; i++) {
		const struct topo_sysctl *s = &t->sysctls[i];
		int saved;

		if (netns_enter_fd(lab->nodes[s->node].nsfd, &saved) < 0) {
			snprintf(err, errlen, "setns %s: %s",
				 lab->nodes[s->node].ns, strerror(errno));
			goto out;
		}
		j = lab_sysctl_write(s->key, s->value);
		netns_return(saved);
		if (j < 0) {
			snprintf(err, errlen,
				 "%s.topo:%d: sysctl %s=%s on %s: %s", t->name,
				 s->line, s->key, s->value,
				 t->nodes[s->node].name, strerror(errno));
			goto out;
		}
	}
	rc = 0;
	goto out;
toolong:
	snprintf(err, errlen, "%s: topology too large for one netlink batch",
		 t->name);
out:
	for (i = 0; i < nall; i++) {
		free(bs[i].buf);
		/* the netlink sockets are only needed while building */
		if (lab->nodes[i].nl) {
			mnl_socket_close(lab->nodes[i].nl);
			lab->nodes[i].nl = NULL;
		}
	}
	free(bs);
	return rc;
}

static void lab_destroy(struct lab *lab)
{
	int i;

	/* processes first: they pin their namespace */
	lab_reg_kill_procs(lab);
	for (i = 0; i < lab->nnodes + lab->nswitches; i++)
		lab_ns_delete(&lab->nodes[i]);
}

struct lab *lab_up(struct topo *t, const char *id, char *err, size_t errlen)
{
	uint64_t t0 = mono_ns();
	struct lab *lab;

	if (!t) {
		snprintf(err, errlen, "no topology");
		return NULL;
	}
	if (!id || !*id)
		id = getenv("MCLAB_ID");
	lab = lab_alloc(t, id);
	if (!lab) {
		topo_free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	lab_reg_install();
	if (lab_build(lab, err, errlen) < 0) {
		lab_destroy(lab);
		lab_free(lab);
		return NULL;
	}
	lab->up_ns = mono_ns() - t0;
	if (live_pid != getpid()) {
		/* a forked child starts with no lab of its own */
		live_pid = getpid();
		live_labs = 0;
	}
	live_labs++;
	return lab;
}

struct lab *lab_up_file(const char *path_or_name, char *err, size_t errlen)
{
	struct topo *t = topo_load(path_or_name, err, errlen);

	return t ? lab_up(t, NULL, err, errlen) : NULL;
}

void lab_down(struct lab *lab)
{
	if (!lab)
		return;
	if (lab->owner == getpid()) {
		lab_destroy(lab);
		if (live_pid == getpid() && live_labs > 0)
			live_labs--;
	}
	lab_free(lab);
}

struct lab *lab_attach(struct topo *t, const char *id, char *err, size_t errlen)
{
	struct lab *lab = lab_alloc(t, id);
	int i;

	if (!lab) {
		topo_free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	lab->owner = 0; /* never ours to delete */
	for (i = 0; i < lab->nnodes + lab->nswitches; i++) {
		lab->nodes[i].nsfd = netns_open(lab->nodes[i].ns);
		if (lab->nodes[i].nsfd < 0) {
			snprintf(err, errlen, "namespace %s: %s",
				 lab->nodes[i].ns, strerror(errno));
			lab_detach(lab);
			return NULL;
		}
	}
	return lab;
}

void lab_detach(struct lab *lab)
{
	int i;

	if (!lab)
		return;
	for (i = 0; i < lab->nnodes + lab->nswitches; i++)
		if (lab->nodes[i].nsfd >= 0)
			close(lab->nodes[i].nsfd);
	lab_free(lab);
}

struct node *lab_node(struct lab *lab, const char *name)
{
	int i;

	if (!lab || !name)
		return NULL;
	for (i = 0; i < lab->nnodes + lab->nswitches; i++)
		if (!strcmp(lab->nodes[i].name, name))
			return &lab->nodes[i];
	return NULL;
}

struct node *lab_router(struct lab *lab)
{
	int i = lab ? topo_router_index(lab->topo) : -1;

	return i < 0 ? NULL : &lab->nodes[i];
}
