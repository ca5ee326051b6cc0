// SPDX-License-Identifier: MIT
/*
 * The router daemon in the guest: mcrouted, or Debian's smcrouted where
 * the image carries it, started, signalled and stopped through the agent.
 * Its pid (in the guest) is kept in /run/router.bgpid.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "qemu.h"

#define BGPID "/run/router.bgpid"

static const struct guest_router {
	const char *name; /* for messages */
	const char *start; /* the daemon and its fixed arguments */
	const char *probe; /* the control tool's request that says ready */
	struct qemu_router_paths p;
} routers[] = {
	[QEMU_MCROUTED] = { "mcrouted",
			    "mcrouted -n",
			    "mcroutectl -u /run/mcrouted.sock show interfaces",
			    { "/etc/mcrouted/mcrouted.conf",
			      "/run/mcrouted.sock", "/run/mcrouted.pid",
			      "/tmp/mcrouted.log" } },
	/* -N: no VIFs for interfaces the config does not name, as on the host */
	[QEMU_SMCROUTED] = { "smcrouted",
			     "smcrouted -n -N",
			     "smcroutectl -u /run/smcroute.sock -p show",
			     { "/etc/smcroute.conf", "/run/smcroute.sock",
			       "/run/smcroute.pid", "/tmp/smcroute.log" } },
};

static const struct guest_router *router_of(enum qemu_daemon which)
{
	return &routers[which == QEMU_SMCROUTED ? QEMU_SMCROUTED :
						  QEMU_MCROUTED];
}

const struct qemu_router_paths *qemu_router_paths(enum qemu_daemon which)
{
	return &router_of(which)->p;
}

int qemu_router_start(struct qemu_vm *vm, const char *conf, const char *extra,
		      unsigned int timeout_ms, char *err, size_t errlen)
{
	return qemu_router_start_as(vm, QEMU_MCROUTED, conf, extra, timeout_ms,
				    err, errlen);
}

int qemu_router_start_as(struct qemu_vm *vm, enum qemu_daemon which,
			 const char *conf, const char *extra,
			 unsigned int timeout_ms, char *err, size_t errlen)
{
	uint64_t deadline = deadline_in(timeout_ms);
	const struct guest_router *g;
	char *out = NULL;

	vm->daemon = which;
	g = router_of(which);
	if (qemu_exec(vm, 3000, NULL, "command -v %.*s >/dev/null",
		      (int)strcspn(g->start, " "), g->start) != 0) {
		snprintf(err, errlen, "the guest image has no %s", g->name);
		return -1;
	}
	if (qemu_write_file(vm, g->p.conf, conf, strlen(conf)) < 0) {
		snprintf(err, errlen, "write %s: %s", g->p.conf,
			 strerror(errno));
		return -1;
	}
	/*
	 * Our image loads conntrack netlink (which mcrouted opens at start)
	 * in the background: wait for it, in the guest.
	 */
	if (qemu_exec(
		    vm, 5000, NULL,
		    "[ ! -e /etc/modules.ct ] || { i=0; while [ ! -e /run/ct.ready ] && "
		    "[ $i -lt 400 ]; do sleep 0.01; i=$((i+1)); done; }; "
		    "rm -f %s; %s -f %s -u %s -P %s -l debug %s "
		    ">%s 2>&1 </dev/null & echo $! >" BGPID,
		    g->p.sock, g->start, g->p.conf, g->p.sock, g->p.pidfile,
		    extra ? extra : "", g->p.log) != 0) {
		snprintf(err, errlen, "cannot start %s: %s", g->name,
			 strerror(errno));
		return -1;
	}
	for (;;) {
		int rc = qemu_exec(vm, 3000, NULL, "%s >/dev/null 2>&1",
				   g->probe);

		if (rc == 0)
			return 0;
		if (rc < 0 || deadline_passed(deadline) ||
		    !qemu_router_running(vm))
			break;
		/* the control socket has no event to wait on: poll it */
		poll(NULL, 0, 20);
	}
	qemu_exec(vm, 3000, &out, "tail -20 %s", g->p.log);
	snprintf(err, errlen, "%s in the guest did not come up:\n%s", g->name,
		 out ? out : "");
	free(out);
	qemu_router_stop(vm);
	return -1;
}

int qemu_router_write_conf(struct qemu_vm *vm, const char *conf)
{
	const char *path = router_of(vm->daemon)->p.conf;

	return qemu_write_file(vm, path, conf, strlen(conf));
}

int qemu_router_signal(struct qemu_vm *vm, int sig)
{
	return qemu_exec(vm, 3000, NULL, "kill -%d $(cat " BGPID ")", sig) ==
			       0 ?
		       0 :
		       -1;
}

bool qemu_router_running(struct qemu_vm *vm)
{
	return qemu_router_signal(vm, 0) == 0;
}

int qemu_router_stop(struct qemu_vm *vm)
{
	return qemu_exec(
		vm, 8000, NULL,
		"p=$(cat " BGPID
		" 2>/dev/null) || exit 0; kill $p 2>/dev/null; "
		"i=0; while kill -0 $p 2>/dev/null && [ $i -lt 300 ]; do sleep 0.01; i=$((i+1)); done; "
		"kill -9 $p 2>/dev/null; rm -f " BGPID "; true");
}
