// SPDX-License-Identifier: MIT
/*
 * Interface table fed by rtnetlink through libmnl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "iface.h"
#include "log.h"
#include "vec.h"

int iface_table_init(struct iface_table *t)
{
	memset(t, 0, sizeof(*t));
	return 0;
}

void iface_table_free(struct iface_table *t)
{
	if (t->nl)
		mnl_socket_close(t->nl);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const struct iface *iface_by_name(const struct iface_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

const struct iface *iface_by_index(const struct iface_table *t, int ifindex)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].ifindex == ifindex)
			return &t->v[i];
	return NULL;
}

struct iface *iface_upsert(struct iface_table *t, int ifindex, const char *name,
			   unsigned int flags)
{
	struct iface *i = (struct iface *)iface_by_index(t, ifindex);

	if (!i) {
		if (vec_grow(&t->v, t->n, &t->cap, sizeof(*t->v), 16))
			return NULL;
		i = &t->v[t->n++];
		memset(i, 0, sizeof(*i));
		i->ifindex = ifindex;
		t->generation++;
	}
	if (strcmp(i->name, name) || i->flags != flags)
		t->generation++;
	strncpy(i->name, name, IFNAMSIZ - 1);
	i->name[IFNAMSIZ - 1] = '\0';
	i->flags = flags;
	return i;
}

void iface_remove(struct iface_table *t, int ifindex)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].ifindex != ifindex)
			continue;
		t->v[i] = t->v[--t->n];
		t->generation++;
		return;
	}
}

void iface_addr_update(struct iface_table *t, int ifindex,
		       const struct inet_addr *a, bool add)
{
	struct iface *i = (struct iface *)iface_by_index(t, ifindex);

	if (!i)
		return;
	for (size_t k = 0; k < i->n_addrs; k++) {
		if (!addr_equal(&i->addrs[k], a))
			continue;
		if (!add) {
			i->plens[k] = i->plens[i->n_addrs - 1];
			i->addrs[k] = i->addrs[--i->n_addrs];
			t->generation++;
		}
		return;
	}
	if (add && i->n_addrs < IFACE_MAX_ADDRS) {
		i->plens[i->n_addrs] = (uint8_t)addr_bits(a->family);
		i->addrs[i->n_addrs++] = *a;
		t->generation++;
	}
}

void iface_addr_plen(struct iface_table *t, int ifindex,
		     const struct inet_addr *a, unsigned int plen)
{
	struct iface *i = (struct iface *)iface_by_index(t, ifindex);

	if (!i || plen > addr_bits(a->family))
		return;
	for (size_t k = 0; k < i->n_addrs; k++)
		if (addr_equal(&i->addrs[k], a))
			i->plens[k] = (uint8_t)plen;
}

bool iface_on_link(const struct iface *i, const struct inet_addr *a)
{
	for (size_t k = 0; k < i->n_addrs; k++) {
		struct inet_prefix p = { i->addrs[k], i->plens[k] };

		if (i->addrs[k].family == a->family && prefix_contains(&p, a))
			return true;
	}
	return false;
}

const struct inet_addr *iface_addr(const struct iface *i, sa_family_t family)
{
	for (size_t k = 0; k < i->n_addrs; k++)
		if (i->addrs[k].family == family)
			return &i->addrs[k];
	return NULL;
}

/* An attribute of a message into tb[] (valid types only; name a string). */
static int store_attr(const struct nlattr *attr, const struct nlattr **tb,
		      int max, int name)
{
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, (uint16_t)max) < 0)
		return MNL_CB_OK;
	if (type == name && mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	return store_attr(attr, data, IFLA_MAX, IFLA_IFNAME);
}

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	return store_attr(attr, data, IFA_MAX, -1);
}

static int handle_msg(const struct nlmsghdr *nlh, void *data)
{
	struct iface_table *t = data;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
		const struct nlattr *tb[IFLA_MAX + 1] = { NULL };

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
			return MNL_CB_OK;
		mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb);
		if (nlh->nlmsg_type == RTM_DELLINK) {
			iface_remove(t, ifi->ifi_index);
		} else if (tb[IFLA_IFNAME]) {
			const char *name = mnl_attr_get_str(tb[IFLA_IFNAME]);
			const struct iface *old =
				iface_by_index(t, ifi->ifi_index);

			/* A rename is a new interface as far as routes go. */
			if (old && strcmp(old->name, name))
				iface_remove(t, ifi->ifi_index);
			iface_upsert(t, ifi->ifi_index, name, ifi->ifi_flags);
		}
		break;
	}
	case RTM_NEWADDR:
	case RTM_DELADDR: {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
		const struct nlattr *tb[IFA_MAX + 1] = { NULL };
		const struct nlattr *at;
		struct inet_addr a;

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
			return MNL_CB_OK;
		mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
		at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
		if (!at)
			return MNL_CB_OK;
		memset(&a, 0, sizeof(a));
		if (ifa->ifa_family == AF_INET &&
		    mnl_attr_get_payload_len(at) == 4) {
			a.family = AF_INET;
			memcpy(&a.v4, mnl_attr_get_payload(at), 4);
		} else if (ifa->ifa_family == AF_INET6 &&
			   mnl_attr_get_payload_len(at) == 16) {
			a.family = AF_INET6;
			memcpy(&a.v6, mnl_attr_get_payload(at), 16);
		} else {
			return MNL_CB_OK;
		}
		iface_addr_update(t, (int)ifa->ifa_index, &a,
				  nlh->nlmsg_type == RTM_NEWADDR);
		if (nlh->nlmsg_type == RTM_NEWADDR)
			iface_addr_plen(t, (int)ifa->ifa_index, &a,
					ifa->ifa_prefixlen);
		break;
	}
	}
	return MNL_CB_OK;
}

/* A synchronous dump on its own socket, so events are never mixed in. */
static int dump(struct iface_table *t, int type, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct rtgenmsg *rt;
	unsigned int seq = (unsigned int)time(NULL) + ++t->seq, portid;
	int rc = 0;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = (unsigned char)family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, handle_msg, t);
		if (rc <= MNL_CB_STOP) {
			rc = rc < 0 ? -errno : 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	return rc;
}

static int resync(struct iface_table *t)
{
	int rc;

	t->n = 0;
	t->generation++;
	rc = dump(t, RTM_GETLINK, AF_UNSPEC);
	if (!rc)
		rc = dump(t, RTM_GETADDR, AF_UNSPEC);
	return rc;
}

int iface_open(struct iface_table *t)
{
	unsigned int groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
			      RTMGRP_IPV6_IFADDR;

	t->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!t->nl)
		return -errno;
	if (mnl_socket_bind(t->nl, groups, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	return resync(t);
}

int iface_fd(const struct iface_table *t)
{
	return t->nl ? mnl_socket_get_fd(t->nl) : -1;
}

int iface_read(struct iface_table *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned long gen = t->generation;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(t->nl, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == ENOBUFS) {
				log_warn(
					"netlink overrun, reloading interfaces");
				int rc = resync(t);

				if (rc)
					return rc;
				continue;
			}
			return -errno;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, handle_msg, t);
	}
	return gen != t->generation;
}
