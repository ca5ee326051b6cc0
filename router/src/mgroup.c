// SPDX-License-Identifier: MIT
/*
 * Group joins over a pool of UDP sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "log.h"
#include "mgroup.h"
#include "route.h"
#include "vec.h"

void mgroups_init(struct mgroups *g, const struct iface_table *ifaces)
{
	memset(g, 0, sizeof(*g));
	g->ifaces = ifaces;
}

void mgroups_free(struct mgroups *g)
{
	for (size_t i = 0; i < g->n_socks; i++)
		close(g->socks[i].fd);
	free(g->socks);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static void to_sockaddr(const struct inet_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->v6;
	}
}

static int membership(int fd, const struct join *j, int ifindex, bool join)
{
	int level = j->grp.family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;

	if (j->src.family == AF_UNSPEC) {
		struct group_req gr;

		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = (uint32_t)ifindex;
		to_sockaddr(&j->grp, &gr.gr_group);
		return setsockopt(fd, level,
				  join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP,
				  &gr, sizeof(gr));
	} else {
		struct group_source_req gsr;

		memset(&gsr, 0, sizeof(gsr));
		gsr.gsr_interface = (uint32_t)ifindex;
		to_sockaddr(&j->grp, &gsr.gsr_group);
		to_sockaddr(&j->src, &gsr.gsr_source);
		return setsockopt(fd, level,
				  join ? MCAST_JOIN_SOURCE_GROUP :
					 MCAST_LEAVE_SOURCE_GROUP,
				  &gsr, sizeof(gsr));
	}
}

static int new_sock(struct mgroups *g, int family)
{
	struct join_sock *s;
	int fd;

	if (vec_grow(&g->socks, g->n_socks, &g->cap_socks, sizeof(*g->socks),
		     4))
		return -1;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	s = &g->socks[g->n_socks];
	s->fd = fd;
	s->family = family;
	s->members = 0;
	s->full = false;
	return (int)g->n_socks++;
}

static void do_join(struct mgroups *g, struct join *j)
{
	const struct iface *i = iface_by_name(g->ifaces, j->ifname);
	char a[ADDR_STRLEN];

	if (!i)
		return; /* joined when the interface appears */
	for (;;) {
		int k = -1;

		for (size_t s = 0; s < g->n_socks; s++)
			if (g->socks[s].family == j->grp.family &&
			    !g->socks[s].full) {
				k = (int)s;
				break;
			}
		if (k < 0)
			k = new_sock(g, j->grp.family);
		if (k < 0) {
			g->errors++;
			log_err("mgroup: no socket: %s", strerror(errno));
			return;
		}
		if (membership(g->socks[k].fd, j, i->ifindex, true) == 0) {
			g->socks[k].members++;
			j->sock = k;
			j->ifindex = i->ifindex;
			log_info("joined %s on %s",
				 addr_ntop(&j->grp, a, sizeof(a)), j->ifname);
			return;
		}
		if (errno == ENOBUFS && g->socks[k].members > 0) {
			g->socks[k].full = true; /* per-socket cap: next one */
			continue;
		}
		g->errors++;
		log_err("cannot join %s on %s: %s",
			addr_ntop(&j->grp, a, sizeof(a)), j->ifname,
			strerror(errno));
		return;
	}
}

static void do_leave(struct mgroups *g, struct join *j)
{
	const struct iface *i;

	if (j->sock < 0)
		return;
	i = iface_by_index(g->ifaces, j->ifindex);
	/* When the interface is gone the kernel dropped the membership. */
	if (i && !strcmp(i->name, j->ifname))
		membership(g->socks[j->sock].fd, j, j->ifindex, false);
	g->socks[j->sock].members--;
	g->socks[j->sock].full = false;
	j->sock = -1;
	j->ifindex = 0;
}

static struct join *find(struct mgroups *g, const char *ifname,
			 const struct inet_addr *src,
			 const struct inet_addr *grp)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].ifname, ifname) &&
		    addr_equal(&g->v[i].src, src) &&
		    addr_equal(&g->v[i].grp, grp))
			return &g->v[i];
	return NULL;
}

static struct join *add(struct mgroups *g, const char *ifname,
			const struct inet_addr *src,
			const struct inet_addr *grp)
{
	struct join *j = find(g, ifname, src, grp);

	if (j)
		return j;
	if (vec_grow(&g->v, g->n, &g->cap, sizeof(*g->v), 16))
		return NULL;
	j = &g->v[g->n++];
	memset(j, 0, sizeof(*j));
	strcpy(j->ifname, ifname);
	j->src = *src;
	j->grp = *grp;
	j->sock = -1;
	return j;
}

/* Join or rejoin on the interface it names now (hotplug, new ifindex). */
static void refresh(struct mgroups *g, struct join *j)
{
	const struct iface *i = iface_by_name(g->ifaces, j->ifname);

	if (j->sock >= 0 && (!i || i->ifindex != j->ifindex))
		do_leave(g, j);
	if (j->sock < 0 && i)
		do_join(g, j);
}

/* A join on ifname, or on every present interface an "eth+" matches. */
static void want(struct mgroups *g, const char *ifname,
		 const struct inet_addr *src, const struct inet_addr *grp)
{
	struct join *j;

	if (!strchr(ifname, '+')) {
		j = add(g, ifname, src, grp);
		if (j)
			j->wanted = true;
		return;
	}
	for (size_t i = 0; i < g->ifaces->n; i++) {
		const struct iface *in = &g->ifaces->v[i];

		if (!ifname_match(ifname, in->name) ||
		    !(in->flags & IFF_MULTICAST))
			continue;
		j = add(g, in->name, src, grp);
		if (j)
			j->wanted = true;
	}
}

void mgroups_sync(struct mgroups *g, const struct conf *c, bool skip_v6)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n; i++)
		g->v[i].wanted = g->v[i].runtime;
	for (size_t m = 0; c && m < c->n_mgroups; m++) {
		const struct conf_mgroup *mg = &c->mgroups[m];
		uint64_t ns = mg->source.addr.family == AF_UNSPEC ?
				      1 :
				      prefix_size(&mg->source, CONF_MAX_EXPAND);
		uint64_t ng = prefix_size(&mg->group, CONF_MAX_EXPAND);

		if (skip_v6 && mg->group.addr.family == AF_INET6)
			continue;
		for (uint64_t s = 0; s < ns; s++) {
			for (uint64_t gi = 0; gi < ng; gi++) {
				struct inet_addr src, grp;

				memset(&src, 0, sizeof(src));
				if (!route_source_is_any(&mg->source))
					prefix_nth(&mg->source, s, &src);
				prefix_nth(&mg->group, gi, &grp);
				want(g, mg->ifname, &src, &grp);
			}
		}
	}
	for (size_t i = 0; i < g->n; i++) {
		struct join *j = &g->v[i];

		if (!j->wanted) {
			do_leave(g, j);
			continue;
		}
		refresh(g, j);
		g->v[k++] = *j;
	}
	g->n = k;
}

int mgroups_join(struct mgroups *g, const char *ifname,
		 const struct inet_addr *src, const struct inet_addr *grp,
		 char *err, size_t errlen)
{
	struct join *j = add(g, ifname, src, grp);

	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	j->runtime = true;
	refresh(g, j);
	return 0;
}

int mgroups_leave(struct mgroups *g, const char *ifname,
		  const struct inet_addr *src, const struct inet_addr *grp,
		  char *err, size_t errlen)
{
	struct join *j = find(g, ifname, src, grp);

	if (!j) {
		snprintf(err, errlen, "no such join");
		return -1;
	}
	do_leave(g, j);
	*j = g->v[--g->n];
	return 0;
}
