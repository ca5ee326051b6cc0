// SPDX-License-Identifier: MIT
/*
 * A lab's namespaces, one per node and one per LAN switch: created as "ip
 * netns add" does (a file under /run/netns bind-mounted on a new network
 * namespace), with their default sysctls and, while building, a
 * NETLINK_ROUTE socket inside; deleted again.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "lab_int.h"

int lab_netns_dir_ready(void)
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

/* net.ipv4.ip_forward -> /proc/sys/net/ipv4/ip_forward, in this netns */
int lab_sysctl_write(const char *key, const char *val)
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
	return mclab_write_file(path, val);
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

int lab_ns_create(struct node *n, char *err, size_t errlen)
{
	char path[LAB_NS_PATH_MAX];
	int fd, saved, e;
	size_t i;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", n->ns);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "create %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	lab_reg_add_ns(path);
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
			lab_sysctl_write(switch_defaults[i][0],
					 switch_defaults[i][1]);
	} else {
		for (i = 0; i < sizeof(node_defaults) / sizeof(*node_defaults);
		     i++)
			lab_sysctl_write(node_defaults[i][0],
					 node_defaults[i][1]);
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

void lab_ns_delete(struct node *n)
{
	char path[LAB_NS_PATH_MAX];

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
	lab_ns_remove_path(path);
	lab_reg_del_ns(path);
}
