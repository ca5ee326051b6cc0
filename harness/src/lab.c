// SPDX-License-Identifier: MIT
/*
 * Building and tearing down topologies: one named network namespace per
 * node (compatible with "ip netns"), veth pairs created with both ends
 * directly in their namespaces, LAN switches, addresses, routes and
 * sysctls, all over rtnetlink (libmnl) in pipelined batches.
 *
 * Teardown always happens: lab_down(), atexit, SIGINT/SIGTERM/SIGHUP, and
 * for crashes lab_sweep() (every suite calls it at start, "mclab clean").
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "netns.h"
#include "lab.h"

/* Interfaces get fixed ifindexes, so no lookup is ever needed. */
#define IFINDEX_BASE 10
#define SWITCH_BR_IFINDEX 2
#define SWITCH_PORT_BASE 1000
#define SWITCH_BR_NAME "br0"

/* ------------------------------------------------------------------ */
/* Registry of what this process created: namespaces and processes.   */
/* Fixed arrays, so the signal handler can walk them safely.           */

#define REG_MAX_NS 512
#define REG_MAX_PID 512

struct reg_ns {
	volatile sig_atomic_t used;
	pid_t owner;
	char path[sizeof(NETNS_RUN_DIR) + LAB_NS_MAX + 2];
};

struct reg_pid {
	volatile sig_atomic_t used;
	pid_t owner;
	pid_t pid;
	const struct lab *lab;
};

static struct reg_ns reg_ns[REG_MAX_NS];
static struct reg_pid reg_pid[REG_MAX_PID];
static bool reg_installed;

static void ns_remove_path(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* Async-signal-safe: kill(), waitpid(), umount2(), unlink() only. */
static void reg_cleanup_all(void)
{
	pid_t self = getpid();
	int i;

	for (i = 0; i < REG_MAX_PID; i++) {
		if (!reg_pid[i].used || reg_pid[i].owner != self)
			continue;
		kill(-reg_pid[i].pid, SIGKILL);
		kill(reg_pid[i].pid, SIGKILL);
		waitpid(reg_pid[i].pid, NULL, 0);
		reg_pid[i].used = 0;
	}
	for (i = 0; i < REG_MAX_NS; i++) {
		if (!reg_ns[i].used || reg_ns[i].owner != self)
			continue;
		ns_remove_path(reg_ns[i].path);
		reg_ns[i].used = 0;
	}
}

static void reg_signal(int sig)
{
	reg_cleanup_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void reg_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	if (reg_installed)
		return;
	reg_installed = true;
	atexit(reg_cleanup_all);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reg_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* leave an ignored signal ignored (nohup) */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

static void reg_add_ns(const char *path)
{
	int i;

	reg_install();
	for (i = 0; i < REG_MAX_NS; i++) {
		if (reg_ns[i].used)
			continue;
		snprintf(reg_ns[i].path, sizeof(reg_ns[i].path), "%s", path);
		reg_ns[i].owner = getpid();
		reg_ns[i].used = 1;
		return;
	}
}

static void reg_del_ns(const char *path)
{
	int i;

	for (i = 0; i < REG_MAX_NS; i++)
		if (reg_ns[i].used && !strcmp(reg_ns[i].path, path))
			reg_ns[i].used = 0;
}

void lab_track_pid(struct lab *lab, pid_t pid)
{
	int i;

	reg_install();
	for (i = 0; i < REG_MAX_PID; i++) {
		if (reg_pid[i].used)
			continue;
		reg_pid[i].pid = pid;
		reg_pid[i].lab = lab;
		reg_pid[i].owner = getpid();
		reg_pid[i].used = 1;
		return;
	}
}

void lab_untrack_pid(pid_t pid)
{
	int i;

	for (i = 0; i < REG_MAX_PID; i++)
		if (reg_pid[i].used && reg_pid[i].pid == pid &&
		    reg_pid[i].owner == getpid())
			reg_pid[i].used = 0;
}

/* ------------------------------------------------------------------ */
/* Results folder                                                     */

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

/* ------------------------------------------------------------------ */
/* Namespaces                                                         */

static int netns_dir_ready(void)
{
	static bool done;

	if (done)
		return 0;
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	/* as iproute2: make the folder a shared mount so that the bind
	 * mounts propagate to every mount namespace */
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL)
			return -1;
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none",
			  MS_BIND | MS_REC, NULL) < 0)
			return -1;
		if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) <
		    0)
			return -1;
	}
	done = true;
	return 0;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* net.ipv4.ip_forward -> /proc/sys/net/ipv4/ip_forward, in this netns */
static int sysctl_write(const char *key, const char *val)
{
	char path[256];
	size_t i, n = strlen("/proc/sys/");

	if (snprintf(path, sizeof(path), "/proc/sys/%s", key) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = n; path[i]; i++)
		if (path[i] == '.')
			path[i] = '/';
	return write_file(path, val);
}

static const char *const node_defaults[][2] = {
	/* addresses usable at once: no duplicate address detection */
	{ "net.ipv6.conf.all.accept_dad", "0" },
	{ "net.ipv6.conf.default.accept_dad", "0" },
	/* no router solicitations in captures */
	{ "net.ipv6.conf.default.router_solicitations", "0" },
};

static const char *const switch_defaults[][2] = {
	/* a switch has no IP of its own: no MLD/RS noise from its ports */
	{ "net.ipv6.conf.all.disable_ipv6", "1" },
	{ "net.ipv6.conf.default.disable_ipv6", "1" },
};

/*
 * Create namespace n->ns (as "ip netns add"), with its defaults, an open
 * fd and a netlink socket inside.  Returns 0 or -1 with a message.
 */
static int ns_create(struct node *n, char *err, size_t errlen)
{
	char path[sizeof(NETNS_RUN_DIR) + LAB_NS_MAX + 2];
	int fd, saved, e;
	size_t i;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", n->ns);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "create %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	reg_add_ns(path);
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		goto fail;
	if (unshare(CLONE_NEWNET) < 0) {
		e = errno;
		close(saved);
		errno = e;
		goto fail;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		goto fail_back;
	n->nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (n->nsfd < 0)
		goto fail_back;
	if (n->is_switch) {
		for (i = 0;
		     i < sizeof(switch_defaults) / sizeof(*switch_defaults);
		     i++)
			sysctl_write(switch_defaults[i][0],
				     switch_defaults[i][1]);
	} else {
		for (i = 0; i < sizeof(node_defaults) / sizeof(*node_defaults);
		     i++)
			sysctl_write(node_defaults[i][0], node_defaults[i][1]);
	}
	n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!n->nl || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail_back;
	{
		int one = 1;

		mnl_socket_setsockopt(n->nl, NETLINK_EXT_ACK, &one,
				      sizeof(one));
		mnl_socket_setsockopt(n->nl, NETLINK_CAP_ACK, &one,
				      sizeof(one));
	}
	if (setns(saved, CLONE_NEWNET) < 0) {
		perror("setns back");
		_exit(70);
	}
	close(saved);
	return 0;
fail_back:
	e = errno;
	if (setns(saved, CLONE_NEWNET) < 0) {
		perror("setns back");
		_exit(70);
	}
	close(saved);
	errno = e;
fail:
	snprintf(err, errlen, "namespace %s: %s", n->ns, strerror(errno));
	return -1;
}

static void ns_delete(struct node *n)
{
	char path[sizeof(NETNS_RUN_DIR) + LAB_NS_MAX + 2];

	if (n->nl) {
		mnl_socket_close(n->nl);
		n->nl = NULL;
	}
	if (n->nsfd >= 0) {
		close(n->nsfd);
		n->nsfd = -1;
	}
	if (!n->ns[0])
		return;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", n->ns);
	ns_remove_path(path);
	reg_del_ns(path);
}

/* ------------------------------------------------------------------ */
/* Netlink batches                                                    */

#define BATCH_SIZE (64 * 1024)
#define BATCH_MAX_MSGS 512

struct batch {
	struct node *node;
	char *buf;
	size_t len;
	unsigned int seq0, nmsgs;
	char what[BATCH_MAX_MSGS][96]; /* per message, for errors */
	int line[BATCH_MAX_MSGS];
};

static unsigned int seq_counter = 1;

static struct nlmsghdr *batch_put(struct batch *b, int type, int flags,
				  int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct nlmsghdr *batch_put(struct batch *b, int type, int flags,
				  int line, const char *fmt, ...)
{
	struct nlmsghdr *nlh;
	va_list ap;

	if (b->nmsgs >= BATCH_MAX_MSGS || BATCH_SIZE - b->len < 4096)
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
static void batch_commit(struct batch *b, struct nlmsghdr *nlh)
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

/*
 * Send the batches of all nodes at once, then collect every ack.  The
 * first error is reported as "topo:line: what: error".
 */
static int batches_run(struct batch *bs, int nb, const struct lab *lab,
		       char *err, size_t errlen)
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

static int msg_link_up(struct batch *b, int ifindex, int line, const char *what)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWLINK, 0, line, "%s", what);
	struct ifinfomsg *ifm;

	if (!nlh)
		return -1;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	batch_commit(b, nlh);
	return 0;
}

static int msg_bridge(struct batch *b, int ifindex, const char *name,
		      bool snooping, int line)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWLINK,
					 NLM_F_CREATE | NLM_F_EXCL, line,
					 "bridge %s", name);
	struct ifinfomsg *ifm;
	struct nlattr *li, *data;

	if (!nlh)
		return -1;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, snooping ? 1 : 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	batch_commit(b, nlh);
	return 0;
}

/* veth: name/ifindex (master: 0 or a bridge ifindex) here, peer in pfd */
static int msg_veth(struct batch *b, const char *name, int ifindex, int master,
		    const char *pname, int pindex, int pfd, int line,
		    const char *what)
{
	struct nlmsghdr *nlh = batch_put(
		b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, line, "%s", what);
	struct ifinfomsg *ifm, *pifm;
	struct nlattr *li, *data, *peer;

	if (!nlh)
		return -1;
	/* not up yet: a veth cannot open before its peer is linked */
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
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
	batch_commit(b, nlh);
	return 0;
}

static int msg_master(struct batch *b, int ifindex, int master, int line,
		      const char *what)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWLINK, 0, line, "%s", what);
	struct ifinfomsg *ifm;

	if (!nlh)
		return -1;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	batch_commit(b, nlh);
	return 0;
}

static int msg_addr(struct batch *b, int ifindex, const struct topo_addr *a,
		    int line, const char *what)
{
	struct nlmsghdr *nlh = batch_put(
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
	batch_commit(b, nlh);
	return 0;
}

static int msg_route(struct batch *b, const struct topo_route *r, int oif,
		     const char *what)
{
	struct nlmsghdr *nlh = batch_put(b, RTM_NEWROUTE,
					 NLM_F_CREATE | NLM_F_EXCL, r->line,
					 "%s", what);
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
	batch_commit(b, nlh);
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

/* ------------------------------------------------------------------ */
/* Labs                                                               */

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
	struct batch *bs;
	char what[96], a1[64], a2[64];

	bs = calloc((size_t)nall, sizeof(*bs));
	if (!bs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < nall; i++) {
		bs[i].node = &lab->nodes[i];
		bs[i].buf = malloc(BATCH_SIZE);
		if (!bs[i].buf) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (netns_dir_ready() < 0) {
		snprintf(err, errlen, "%s: %s", NETNS_RUN_DIR, strerror(errno));
		goto out;
	}
	for (i = 0; i < nall; i++)
		if (ns_create(&lab->nodes[i], err, errlen) < 0)
			goto out;

	/* 1: loopbacks, bridges (switches and in-node ones) */
	for (i = 0; i < nall; i++)
		msg_link_up(&bs[i], 1, 0, "lo up");
	for (i = 0; i < t->nlans; i++)
		if (msg_bridge(&bs[t->nnodes + i], SWITCH_BR_IFINDEX,
			       SWITCH_BR_NAME, t->lans[i].snooping,
			       t->lans[i].line) < 0)
			goto toolong;
	for (i = 0; i < t->nbridges; i++) {
		const struct topo_bridge *br = &t->bridges[i];

		if (msg_bridge(&bs[br->br.node],
			       if_index(t, br->br.node, br->br.ifname),
			       br->br.ifname, false, br->line) < 0)
			goto toolong;
	}
	if (batches_run(bs, nall, lab, err, errlen) < 0)
		goto out;

	/* 2: veths, from the namespace of their first end */
	for (i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		snprintf(what, sizeof(what), "link %s:%s %s:%s",
			 t->nodes[l->a.node].name, l->a.ifname,
			 t->nodes[l->b.node].name, l->b.ifname);
		if (msg_veth(&bs[l->a.node], l->a.ifname,
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
			if (msg_veth(&bs[t->nnodes + i], pname,
				     SWITCH_PORT_BASE + k, SWITCH_BR_IFINDEX,
				     m->ifname, if_index(t, m->node, m->ifname),
				     lab->nodes[m->node].nsfd, lan->line,
				     what) < 0)
				goto toolong;
		}
	}
	if (batches_run(bs, nall, lab, err, errlen) < 0)
		goto out;

	/* 3: links up, bridge ports, addresses, routes */
	for (i = 0, k = 0; i < t->nlans; i++)
		for (j = 0; j < t->lans[i].nmembers; j++, k++)
			if (msg_link_up(&bs[t->nnodes + i],
					SWITCH_PORT_BASE + k, t->lans[i].line,
					"lan port up") < 0)
				goto toolong;
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_if *ifs[64];
		int cnt = topo_node_ifs(t, i, ifs, 64);

		for (j = 0; j < cnt && j < 64; j++) {
			snprintf(what, sizeof(what), "%s:%s up",
				 t->nodes[i].name, ifs[j]->ifname);
			if (msg_link_up(&bs[i], if_index(t, i, ifs[j]->ifname),
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
			if (msg_master(&bs[br->br.node],
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
				if (msg_addr(&bs[i],
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
		if (msg_route(&bs[r->node], r,
			      r->dev[0] ? if_index(t, r->node, r->dev) : 0,
			      what) < 0)
			goto toolong;
	}
	if (batches_run(bs, nall, lab, err, errlen) < 0)
		goto out;

	/* every IPv6 address usable (links ready, no DAD) */
	{
		struct ready_arg ra = { .lab = lab };

		if (!wait_until(all_ready, &ra, 3000, 1) || ra.failed) {
			snprintf(err, errlen,
				 "%s: IPv6 addresses still tentative: %s",
				 t->name,
				 ra.failed ? strerror(ra.failed) : "timeout");
			goto out;
		}
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
		j = sysctl_write(s->key, s->value);
		{
			int e = errno;

			if (netns_leave(saved) < 0) {
				perror("netns_leave");
				_exit(70);
			}
			errno = e;
		}
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
	for (i = 0; i < REG_MAX_PID; i++) {
		if (!reg_pid[i].used || reg_pid[i].lab != lab ||
		    reg_pid[i].owner != getpid())
			continue;
		kill(-reg_pid[i].pid, SIGKILL);
		kill(reg_pid[i].pid, SIGKILL);
		waitpid(reg_pid[i].pid, NULL, 0);
		reg_pid[i].used = 0;
	}
	for (i = 0; i < lab->nnodes + lab->nswitches; i++)
		ns_delete(&lab->nodes[i]);
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
	reg_install();
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

/* ------------------------------------------------------------------ */
/* Sweep                                                              */

/* "mcl-<pid>-..." -> pid, or 0 when the name is not ours */
static pid_t ns_owner(const char *name)
{
	const char *p = name + strlen(LAB_PREFIX);
	char *end;
	long v;

	if (strncmp(name, LAB_PREFIX, strlen(LAB_PREFIX)))
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || end == p || (*end != '-' && *end != '.' && *end) ||
	    v <= 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* Kill the processes whose network namespace is the one at path. */
static void kill_ns_procs(const char *path)
{
	struct stat ns, st;
	DIR *d;
	struct dirent *de;

	if (stat(path, &ns) < 0)
		return;
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[64];
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
		if (stat(p, &st) == 0 && st.st_ino == ns.st_ino &&
		    st.st_dev == ns.st_dev) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, WNOHANG);
		}
	}
	closedir(d);
}

#define STATE_DIR "/run/mclab"

int lab_sweep(bool verbose)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;
	int removed = 0;

	if (d) {
		while ((de = readdir(d))) {
			pid_t owner = ns_owner(de->d_name);
			char path[sizeof(NETNS_RUN_DIR) + 256 + 2];

			if (!owner || owner == getpid() || pid_alive(owner))
				continue;
			snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s",
				 de->d_name);
			kill_ns_procs(path);
			ns_remove_path(path);
			removed++;
			if (verbose)
				printf("removed namespace %s (owner %d is gone)\n",
				       de->d_name, (int)owner);
		}
		closedir(d);
	}
	d = opendir(STATE_DIR);
	if (d) {
		while ((de = readdir(d))) {
			pid_t owner = ns_owner(de->d_name);
			char path[sizeof(STATE_DIR) + 256 + 2];

			if (!owner || pid_alive(owner))
				continue;
			snprintf(path, sizeof(path), STATE_DIR "/%s",
				 de->d_name);
			if (unlink(path) == 0 && verbose)
				printf("removed state file %s\n", path);
		}
		closedir(d);
	}
	return removed;
}
