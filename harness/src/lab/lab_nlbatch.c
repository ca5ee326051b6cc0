// SPDX-License-Identifier: MIT
/*
 * Building a lab over rtnetlink (libmnl): the messages of each namespace
 * are put in a batch, every namespace's batch is sent at once, then every
 * ack is collected, the first error named after its .topo line.  And the
 * wait for the lab's IPv6 addresses to be usable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "deadline.h"
#include "lab.h"
#include "lab_int.h"

static unsigned int seq_counter = 1;

static struct nlmsghdr *nlb_put(struct nlbatch *b, int type, int flags,
				int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct nlmsghdr *nlb_put(struct nlbatch *b, int type, int flags,
				int line, const char *fmt, ...)
{
	struct nlmsghdr *nlh;
	va_list ap;

	if (b->nmsgs >= NLBATCH_MAX_MSGS || NLBATCH_SIZE - b->len < 4096)
		return NULL;
	if (b->nmsgs == 0)
		b->seq0 = seq_counter;
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nlh->nlmsg_seq = seq_counter++;
	va_start(ap, fmt);
	vsnprintf(b->what[b->nmsgs], sizeof(b->what[0]), fmt, ap);
	va_end(ap);
	b->line[b->nmsgs] = line;
	b->nmsgs++;
	return nlh;
}

/* call after filling the message */
static void nlb_commit(struct nlbatch *b, struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(attr, nlh, off)
	{
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

int nlb_run(struct nlbatch *bs, int nb, const struct lab *lab, char *err,
	    size_t errlen)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE * 2];
	int i, rc = 0;

	for (i = 0; i < nb; i++) {
		if (!bs[i].nmsgs)
			continue;
		if (mnl_socket_sendto(bs[i].node->nl, bs[i].buf, bs[i].len) <
		    0) {
			snprintf(err, errlen, "%s: netlink send: %s",
				 bs[i].node->ns, strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < nb; i++) {
		unsigned int acked = 0;

		while (acked < bs[i].nmsgs) {
			ssize_t n = mnl_socket_recvfrom(bs[i].node->nl, rbuf,
							sizeof(rbuf));
			const struct nlmsghdr *nlh;
			int left = (int)n;

			if (n < 0) {
				if (!rc)
					snprintf(err, errlen,
						 "%s: netlink receive: %s",
						 bs[i].node->ns,
						 strerror(errno));
				return -1;
			}
			for (nlh = (const struct nlmsghdr *)rbuf;
			     mnl_nlmsg_ok(nlh, left);
			     nlh = mnl_nlmsg_next(nlh, &left)) {
				const struct nlmsgerr *e;
				unsigned int k;

				if (nlh->nlmsg_type != NLMSG_ERROR)
					continue;
				acked++;
				e = mnl_nlmsg_get_payload(nlh);
				k = nlh->nlmsg_seq - bs[i].seq0;
				if (e->error == 0 || rc || k >= bs[i].nmsgs)
					continue;
				{
					const char *m = extack_msg(nlh);

					snprintf(err, errlen,
						 "%s.topo:%d: %s: %s%s%s",
						 lab->topo->name, bs[i].line[k],
						 bs[i].what[k],
						 strerror(-e->error),
						 m ? ": " : "", m ? m : "");
				}
				rc = -1;
			}
		}
		bs[i].len = 0;
		bs[i].nmsgs = 0;
	}
	return rc;
}

static void put_addr(struct nlmsghdr *nlh, int type, const struct topo_addr *a)
{
	mnl_attr_put(nlh, (uint16_t)type, a->family == AF_INET ? 4 : 16, &a->a);
}

/*
 * An RTM_NEWLINK for the link ifindex (flags: NLM_F_CREATE...), set up
 * when asked, to fill and commit; NULL when the batch is full.
 */
static struct nlmsghdr *nlb_newlink(struct nlbatch *b, int flags, int ifindex,
				    bool up, int line, const char *what)
{
	struct nlmsghdr *nlh = nlb_put(b, RTM_NEWLINK, flags, line, "%s", what);
	struct ifinfomsg *ifm;

	if (!nlh)
		return NULL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	if (up) {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	return nlh;
}

int nlb_link_up(struct nlbatch *b, int ifindex, int line, const char *what)
{
	struct nlmsghdr *nlh = nlb_newlink(b, 0, ifindex, true, line, what);

	if (!nlh)
		return -1;
	nlb_commit(b, nlh);
	return 0;
}

int nlb_bridge(struct nlbatch *b, int ifindex, const char *name, bool snooping,
	       int line)
{
	char what[96];
	struct nlmsghdr *nlh;
	struct nlattr *li, *data;

	snprintf(what, sizeof(what), "bridge %s", name);
	nlh = nlb_newlink(b, NLM_F_CREATE | NLM_F_EXCL, ifindex, true, line,
			  what);
	if (!nlh)
		return -1;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, snooping ? 1 : 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	nlb_commit(b, nlh);
	return 0;
}

int nlb_veth(struct nlbatch *b, const char *name, int ifindex, int master,
	     const char *pname, int pindex, int pfd, int line, const char *what)
{
	/* not up yet: a veth cannot open before its peer is linked */
	struct nlmsghdr *nlh = nlb_newlink(b, NLM_F_CREATE | NLM_F_EXCL,
					   ifindex, false, line, what);
	struct ifinfomsg *pifm;
	struct nlattr *li, *data, *peer;

	if (!nlh)
		return -1;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_index = pindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, pname);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)pfd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	nlb_commit(b, nlh);
	return 0;
}

int nlb_master(struct nlbatch *b, int ifindex, int master, int line,
	       const char *what)
{
	struct nlmsghdr *nlh = nlb_newlink(b, 0, ifindex, false, line, what);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	nlb_commit(b, nlh);
	return 0;
}

int nlb_addr(struct nlbatch *b, int ifindex, const struct topo_addr *a,
	     int line, const char *what)
{
	struct nlmsghdr *nlh = nlb_put(
		b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, line, "%s", what);
	struct ifaddrmsg *ifa;

	if (!nlh)
		return -1;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = a->plen;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	put_addr(nlh, IFA_LOCAL, a);
	if (a->family == AF_INET) {
		put_addr(nlh, IFA_ADDRESS, a);
		if (a->plen < 31) {
			/* broadcast: host bits set */
			uint32_t m = a->plen ? htonl(~0u << (32 - a->plen)) : 0;
			uint32_t bc = a->a.v4.s_addr | ~m;

			mnl_attr_put_u32(nlh, IFA_BROADCAST, bc);
		}
	} else {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	nlb_commit(b, nlh);
	return 0;
}

int nlb_route(struct nlbatch *b, const struct topo_route *r, int oif,
	      const char *what)
{
	struct nlmsghdr *nlh = nlb_put(b, RTM_NEWROUTE,
				       NLM_F_CREATE | NLM_F_EXCL, r->line, "%s",
				       what);
	struct rtmsg *rtm;

	if (!nlh)
		return -1;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (r->dst.plen)
		put_addr(nlh, RTA_DST, &r->dst);
	if (r->has_gw)
		put_addr(nlh, RTA_GATEWAY, &r->gw);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	nlb_commit(b, nlh);
	return 0;
}

/* Count tentative IPv6 addresses (DAD not done, link not ready yet). */
static int tentative_count(struct mnl_socket *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	unsigned int seq = seq_counter++;
	int cnt = 0;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *h;
		int left = (int)n;

		if (n < 0)
			return -1;
		for (h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			const struct ifaddrmsg *a;
			const struct nlattr *attr;
			uint32_t flags;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR)
				return cnt;
			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			a = mnl_nlmsg_get_payload(h);
			flags = a->ifa_flags;
			mnl_attr_for_each(attr, h, sizeof(*a))
			{
				if (mnl_attr_get_type(attr) == IFA_FLAGS)
					flags = mnl_attr_get_u32(attr);
			}
			if (flags & IFA_F_TENTATIVE)
				cnt++;
		}
	}
}

struct ready_arg {
	struct lab *lab;
	int failed;
};

static bool all_ready(void *arg)
{
	struct ready_arg *ra = arg;
	int i;

	for (i = 0; i < ra->lab->nnodes; i++) {
		int n = tentative_count(ra->lab->nodes[i].nl);

		if (n < 0) {
			ra->failed = errno;
			return true;
		}
		if (n > 0)
			return false;
	}
	return true;
}

int nlb_wait_ready(struct lab *lab, unsigned int timeout_ms)
{
	struct ready_arg ra = { .lab = lab };

	if (!wait_until(all_ready, &ra, timeout_ms, 1))
		return ETIMEDOUT;
	return ra.failed;
}
