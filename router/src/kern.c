// SPDX-License-Identifier: MIT
/*
 * The kernel multicast routing API.  This is the only file that calls
 * MRT_* / MRT6_* socket options and the SIOCGETSGCNT ioctls.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>

#include "kern.h"

void kern_sys_init(struct kern_sys *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->fd[KF_V4] = ks->fd[KF_V6] = -1;
}

static int sys_open(void *ctx, enum kern_fam fam, unsigned int table, int *fdp)
{
	struct kern_sys *ks = ctx;
	int one = 1, fd, e;
	uint32_t tbl = table;

	if (fam == KF_V4)
		fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_IGMP);
	else
		fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;

	if (fam == KF_V6) {
		/*
		 * Upcalls bypass the ICMPv6 filter; ordinary ICMPv6 (pings,
		 * neighbour discovery) must not wake the daemon.  MLD is let
		 * in for the membership code.
		 */
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(MLD_LISTENER_QUERY, &f);
		ICMP6_FILTER_SETPASS(MLD_LISTENER_REPORT, &f);
		ICMP6_FILTER_SETPASS(MLD_LISTENER_REDUCTION, &f);
		ICMP6_FILTER_SETPASS(143, &f); /* MLDv2 report */
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}

	if (table && setsockopt(fd, fam == KF_V4 ? IPPROTO_IP : IPPROTO_IPV6,
				fam == KF_V4 ? MRT_TABLE : MRT6_TABLE, &tbl,
				sizeof(tbl)) < 0)
		goto fail;
	if (setsockopt(fd, fam == KF_V4 ? IPPROTO_IP : IPPROTO_IPV6,
		       fam == KF_V4 ? MRT_INIT : MRT6_INIT, &one,
		       sizeof(one)) < 0)
		goto fail;
	/*
	 * IGMP/MLD arrive here too: the membership code needs the arrival
	 * interface, and for MLD the hop limit and hop-by-hop options
	 * (router alert), which a raw ICMPv6 socket does not show otherwise.
	 */
	if (fam == KF_V4) {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			   sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one,
			   sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one,
			   sizeof(one));
	}
	/* WRONGVIF upcalls tell us when a source moves to another port. */
	setsockopt(fd, fam == KF_V4 ? IPPROTO_IP : IPPROTO_IPV6,
		   fam == KF_V4 ? MRT_ASSERT : MRT6_ASSERT, &one, sizeof(one));
	ks->fd[fam] = fd;
	ks->table = table;
	*fdp = fd;
	return 0;
fail:
	e = errno;
	close(fd);
	return -e;
}

static void sys_close(void *ctx, enum kern_fam fam)
{
	struct kern_sys *ks = ctx;
	int one = 1;

	if (ks->fd[fam] < 0)
		return;
	/* MRT_DONE, then close: the kernel flushes the VIFs and the MFC. */
	setsockopt(ks->fd[fam], fam == KF_V4 ? IPPROTO_IP : IPPROTO_IPV6,
		   fam == KF_V4 ? MRT_DONE : MRT6_DONE, &one, sizeof(one));
	close(ks->fd[fam]);
	ks->fd[fam] = -1;
}

/* MRT_ADD_VIF or MRT_DEL_VIF (opt) for an interface by its index. */
static int vif4_ctl(int fd, int opt, int vif, int ifindex,
		    unsigned int threshold)
{
	struct vifctl vc;

	memset(&vc, 0, sizeof(vc));
	vc.vifc_vifi = (vifi_t)vif;
	vc.vifc_flags = VIFF_USE_IFINDEX;
	vc.vifc_threshold = (unsigned char)threshold;
	vc.vifc_lcl_ifindex = ifindex;
	return setsockopt(fd, IPPROTO_IP, opt, &vc, sizeof(vc));
}

static int sys_vif_add(void *ctx, enum kern_fam fam, int vif, int ifindex,
		       unsigned int threshold)
{
	struct kern_sys *ks = ctx;
	int rc;

	if (fam == KF_V4) {
		rc = vif4_ctl(ks->fd[fam], MRT_ADD_VIF, vif, ifindex,
			      threshold);
	} else {
		struct mif6ctl mc;

		memset(&mc, 0, sizeof(mc));
		mc.mif6c_mifi = (mifi_t)vif;
		mc.vifc_threshold = (unsigned char)threshold;
		mc.mif6c_pifi = (unsigned short)ifindex;
		rc = setsockopt(ks->fd[fam], IPPROTO_IPV6, MRT6_ADD_MIF, &mc,
				sizeof(mc));
	}
	return rc < 0 ? -errno : 0;
}

static int sys_vif_del(void *ctx, enum kern_fam fam, int vif, int ifindex)
{
	struct kern_sys *ks = ctx;
	int rc;

	if (fam == KF_V4) {
		rc = vif4_ctl(ks->fd[fam], MRT_DEL_VIF, vif, ifindex, 0);
	} else {
		mifi_t mifi = (mifi_t)vif;

		rc = setsockopt(ks->fd[fam], IPPROTO_IPV6, MRT6_DEL_MIF, &mifi,
				sizeof(mifi));
	}
	return rc < 0 ? -errno : 0;
}

static int sys_mfc(struct kern_sys *ks, enum kern_fam fam,
		   const struct kern_mfc *m, int add)
{
	int rc;

	if (fam == KF_V4) {
		struct mfcctl mc;

		memset(&mc, 0, sizeof(mc));
		mc.mfcc_origin = m->src.v4;
		mc.mfcc_mcastgrp = m->grp.v4;
		mc.mfcc_parent = (vifi_t)m->iif;
		for (int i = 0; i < KERN_MAXVIFS && i < MAXVIFS; i++)
			mc.mfcc_ttls[i] = m->ttls[i];
		rc = setsockopt(ks->fd[fam], IPPROTO_IP,
				add ? MRT_ADD_MFC : MRT_DEL_MFC, &mc,
				sizeof(mc));
	} else {
		struct mf6cctl mc;

		memset(&mc, 0, sizeof(mc));
		mc.mf6cc_origin.sin6_family = AF_INET6;
		mc.mf6cc_origin.sin6_addr = m->src.v6;
		mc.mf6cc_mcastgrp.sin6_family = AF_INET6;
		mc.mf6cc_mcastgrp.sin6_addr = m->grp.v6;
		mc.mf6cc_parent = (mifi_t)m->iif;
		for (int i = 0; i < KERN_MAXVIFS && i < MAXMIFS; i++)
			if (m->ttls[i])
				IF_SET(i, &mc.mf6cc_ifset);
		rc = setsockopt(ks->fd[fam], IPPROTO_IPV6,
				add ? MRT6_ADD_MFC : MRT6_DEL_MFC, &mc,
				sizeof(mc));
	}
	return rc < 0 ? -errno : 0;
}

static int sys_mfc_add(void *ctx, enum kern_fam fam, const struct kern_mfc *m)
{
	return sys_mfc(ctx, fam, m, 1);
}

static int sys_mfc_del(void *ctx, enum kern_fam fam, const struct kern_mfc *m)
{
	return sys_mfc(ctx, fam, m, 0);
}

static int sys_mfc_stats(void *ctx, enum kern_fam fam,
			 const struct inet_addr *src,
			 const struct inet_addr *grp, struct kern_sg_stats *st)
{
	struct kern_sys *ks = ctx;

	if (fam == KF_V4) {
		struct sioc_sg_req r;

		memset(&r, 0, sizeof(r));
		r.src = src->v4;
		r.grp = grp->v4;
		if (ioctl(ks->fd[fam], SIOCGETSGCNT, &r) < 0)
			return -errno;
		st->pkts = r.pktcnt;
		st->bytes = r.bytecnt;
		st->wrong_if = r.wrong_if;
	} else {
		struct sioc_sg_req6 r;

		memset(&r, 0, sizeof(r));
		r.src.sin6_family = AF_INET6;
		r.src.sin6_addr = src->v6;
		r.grp.sin6_family = AF_INET6;
		r.grp.sin6_addr = grp->v6;
		if (ioctl(ks->fd[fam], SIOCGETSGCNT_IN6, &r) < 0)
			return -errno;
		st->pkts = r.pktcnt;
		st->bytes = r.bytecnt;
		st->wrong_if = r.wrong_if;
	}
	return 0;
}

const struct kern_ops kern_sys_ops = {
	.open = sys_open,
	.close = sys_close,
	.vif_add = sys_vif_add,
	.vif_del = sys_vif_del,
	.mfc_add = sys_mfc_add,
	.mfc_del = sys_mfc_del,
	.mfc_stats = sys_mfc_stats,
};

static enum kern_upcall_type upcall_type(int t)
{
	switch (t) {
	case IGMPMSG_NOCACHE: /* == MRT6MSG_NOCACHE */
		return KU_NOCACHE;
	case IGMPMSG_WRONGVIF:
		return KU_WRONGVIF;
	case IGMPMSG_WHOLEPKT:
		return KU_WHOLEPKT;
	default:
		return KU_OTHER;
	}
}

int kern_parse_upcall(enum kern_fam fam, const uint8_t *buf, size_t len,
		      struct kern_upcall *up)
{
	memset(up, 0, sizeof(*up));
	up->fam = fam;
	if (fam == KF_V4) {
		struct igmpmsg m;

		/* An upcall overlays an IP header whose protocol byte is 0. */
		if (len < sizeof(m))
			return len >= 20 ? 0 : -1;
		memcpy(&m, buf, sizeof(m));
		if (m.im_mbz != 0)
			return 0;
		up->type = upcall_type(m.im_msgtype);
		up->vif = m.im_vif | (m.im_vif_hi << 8);
		up->src.family = up->grp.family = AF_INET;
		up->src.v4 = m.im_src;
		up->grp.v4 = m.im_dst;
		return 1;
	} else {
		struct mrt6msg m;

		/* An upcall overlays an ICMPv6 header whose type byte is 0. */
		if (len < sizeof(m))
			return len >= 4 ? 0 : -1;
		memcpy(&m, buf, sizeof(m));
		if (m.im6_mbz != 0)
			return 0;
		up->type = upcall_type(m.im6_msgtype);
		up->vif = m.im6_mif;
		up->src.family = up->grp.family = AF_INET6;
		up->src.v6 = m.im6_src;
		up->grp.v6 = m.im6_dst;
		return 1;
	}
}
