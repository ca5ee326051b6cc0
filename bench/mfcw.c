// SPDX-License-Identifier: MIT
/*
 * mcbench: the MFC watcher.  The kernel announces every MFC add and delete
 * on RTNLGRP_IPV4_MROUTE, so no /proc polling competes with the daemon.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "bench.h"

void mfcw_open(struct mfcw *w, struct node *n, uint32_t size)
{
	int grp = RTNLGRP_IPV4_MROUTE, big = 64 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(w, 0, sizeof(*w));
	w->fd = node_socket(n, AF_NETLINK,
			    SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    NETLINK_ROUTE);
	if (w->fd < 0)
		die("netlink socket: %s", strerror(errno));
	if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(w->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		die("netlink bind: %s", strerror(errno));
	if (setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	w->size = size;
	w->present = calloc(size ? size : 1, 1);
	if (!w->present)
		die("out of memory");
}

void mfcw_close(struct mfcw *w)
{
	close(w->fd);
	free(w->present);
}

void mfcw_reset(struct mfcw *w)
{
	char buf[65536];

	while (recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 ||
	       errno == ENOBUFS)
		;
	memset(w->present, 0, w->size ? w->size : 1);
	w->count = 0;
	w->overflow = false;
	w->events = 0;
}

void mfcw_set(struct mfcw *w, long idx, bool on)
{
	if (idx < 0 || (uint32_t)idx >= w->size || w->present[idx] == on)
		return;
	w->present[idx] = on;
	if (on)
		w->count++;
	else
		w->count--;
}

/* Read what is queued; returns the number of events. */
int mfcw_read(struct mfcw *w)
{
	char buf[65536];
	int nev = 0;

	for (;;) {
		ssize_t len = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno == ENOBUFS) {
				w->overflow = true;
				continue;
			}
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			struct rtmsg *rtm = NLMSG_DATA(h);
			struct rtattr *a;
			int alen;
			uint32_t grp = 0;
			bool unres;

			if ((h->nlmsg_type != RTM_NEWROUTE &&
			     h->nlmsg_type != RTM_DELROUTE) ||
			    rtm->rtm_family != RTNL_FAMILY_IPMR)
				continue;
			unres = rtm->rtm_flags & RTNH_F_UNRESOLVED;
			alen = (int)RTM_PAYLOAD(h);
			for (a = RTM_RTA(rtm); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen))
				if (a->rta_type == RTA_DST &&
				    RTA_PAYLOAD(a) == 4)
					memcpy(&grp, RTA_DATA(a), 4);
			nev++;
			w->events++;
			w->last_ns = mono_ns();
			if (unres)
				continue;
			mfcw_set(w, idx_of_grp(ntohl(grp)),
				 h->nlmsg_type == RTM_NEWROUTE);
		}
	}
	return nev;
}
