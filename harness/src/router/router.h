/* SPDX-License-Identifier: MIT */
/*
 * The router under test: mcrouted (default), Debian's smcroute or
 * igmpproxy, chosen by ROUTER=... or explicitly.  The harness writes the
 * config into <lab results>/tmp/ (in a guest node: its /tmp/mclab/),
 * starts the daemon in the router node in the foreground with its output
 * logged, waits until it is ready, and stops it by pid (SIGTERM, then
 * SIGKILL at the deadline).  All of it goes through the node's backend
 * (node.h): written once for a namespace, a VM and a console.
 *
 * Every router gets the same config text: mcrouted's static syntax, which
 * is smcroute's ("phyint", "mgroup", "mroute").  For smcroute, started with
 * -N, "phyint IF enable" lines are added for every interface the routes and
 * joins use.  For igmpproxy the text is translated: the "from" interface of
 * the routes becomes upstream, their "to" interfaces downstream, every
 * other interface of the node disabled (igmpproxy forwards only groups that
 * receivers join).
 */
#ifndef MCLAB_ROUTER_H
#define MCLAB_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lab.h"

enum router_kind {
	ROUTER_MCROUTED,
	ROUTER_SMCROUTE,
	ROUTER_IGMPPROXY,
};

/* What a router can do; cases skip with router_skip_reason() otherwise. */
enum router_feature {
	RF_IPV4 = 1 << 0,
	RF_IPV6 = 1 << 1, /* IPv6 routes / MIFs */
	RF_STATIC = 1 << 2, /* static (S,G) and (*,G) routes from config */
	RF_PREFIX = 1 << 3, /* group prefixes (225.1.2.0/24) */
	RF_MGROUP = 1 << 4, /* mgroup joins */
	RF_TTL_THRESHOLD = 1 << 5, /* phyint ttl-threshold */
	RF_CTL = 1 << 6, /* a control socket: runtime add/del/show */
	RF_RELOAD = 1 << 7, /* SIGHUP reload */
	RF_RELOAD_DIFF = 1 << 8, /* reload keeps unchanged routes (0 loss) */
	RF_CONNTRACK_FLUSH = 1 << 9, /* NAT applies to a running flow */
	RF_NO_IPV6_SURVIVAL = 1 << 10, /* keeps IPv4 when AF_INET6 fails */
	RF_HOTPLUG = 1 << 11, /* interfaces appearing later get routes */
	RF_IGMP_PROXY = 1 << 12, /* IGMP-driven forwarding */
	RF_SOURCE_MOVE = 1 << 13, /* a learned source follows its new port */
};

struct router {
	enum router_kind kind;
	struct node *node;
	pid_t pid; /* as the node sees it (a guest pid for a VM) */
	char conf[512]; /* the config file written, where the daemon reads it */
	char sock[512]; /* control socket ("" for igmpproxy) */
	char pidfile[512];
	char log[512]; /* node_read_file() path: router_log() */
	char bin[512]; /* the daemon binary used */
	char ctl[512]; /* mcroutectl / smcroutectl */
	int nvifs_expected; /* igmpproxy readiness */
};

/* The kind named by $ROUTER (default mcrouted); -1 for an unknown name. */
int router_kind_from_env(void);
int router_kind_parse(const char *name);
const char *router_kind_name(enum router_kind kind);
unsigned int router_features(enum router_kind kind);
/*
 * NULL when kind has all of the feature bits, else why not, e.g.
 * "smcroute has no conntrack flush (NAT never applies to a running flow)".
 */
const char *router_skip_reason(enum router_kind kind, unsigned int features);
/*
 * NULL when kind can run here (its binary is found), else the reason, for
 * a skip.  bin receives the path found.
 */
const char *router_available(enum router_kind kind, char *bin, size_t len);

/*
 * Write conf_text (mcrouted/smcroute syntax) for kind, start it in node n
 * and wait until it is ready (timeout_ms, scaled).  extra_args (NULL or a
 * NULL-terminated list) are appended to the command line.  Returns 0, or
 * -1 with the reason (and the log's tail) in err; the router is stopped
 * again on failure.
 */
int router_start(struct router *r, enum router_kind kind, struct node *n,
		 const char *conf_text, const char *const *extra_args,
		 unsigned int timeout_ms, char *err, size_t errlen);
/*
 * router_start with the daemon run under a wrapper command (NULL-terminated,
 * at most 8 words), e.g. { ".../mclab-noipv6", NULL } for a kernel without
 * IPv6.
 */
int router_start_wrapped(struct router *r, enum router_kind kind,
			 struct node *n, const char *conf_text,
			 const char *const *extra_args,
			 const char *const *wrapper, unsigned int timeout_ms,
			 char *err, size_t errlen);
/* One of our own binaries (mcrouted, mclab-noipv6, ...): $BUILD, next to
 * the running program, then PATH. */
bool router_find_tool(const char *name, char *out, size_t len);
/* Replace the config file and send SIGHUP. */
int router_reload(struct router *r, const char *conf_text);
/* The two halves: the config file (in the router's syntax) where the
 * router reads it (the guest's file for a VM), and a signal to it. */
int router_write_conf(struct router *r, const char *conf_text);
int router_signal(struct router *r, int sig);
/* SIGTERM, wait, SIGKILL at the deadline.  Returns the exit code. */
int router_stop(struct router *r, unsigned int timeout_ms);
bool router_running(const struct router *r);
/* The daemon's log as its node reads it (malloc'ed text), 0 or -1. */
int router_log(const struct router *r, char **text);
/*
 * Run the router's control tool (mcroutectl/smcroutectl -u SOCK ARGS...)
 * in its node; returns its exit code, output in out (may be NULL).
 */
int router_ctl(struct router *r, char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Translations, pure (exposed for unit tests): smcroute's config with the
 * phyint lines added, and igmpproxy's config for the given interfaces of
 * the node.  Return malloc'ed text, or NULL with errno.
 */
char *router_conf_smcroute(const char *conf_text);
char *router_conf_igmpproxy(const char *conf_text, const char *const *ifnames,
			    int nifs);
/* How many VIFs igmpproxy makes for conf_text: its up- and downstreams. */
int router_conf_igmpproxy_vifs(const char *conf_text);

#endif
