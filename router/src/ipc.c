// SPDX-License-Identifier: MIT
/*
 * The control socket: mcroutectl's requests, answered as tables or JSON.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon.h"
#include "log.h"
#include "msg.h"
#include "strbuf.h"

#define CLIENT_TIMEOUT_MS 1000

int ipc_open(struct daemon *d)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(d->sock_path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, d->sock_path);
	unlink(d->sock_path); /* we hold the mroute socket: a stale one */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(d->sock_path, 0660) < 0 || listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	d->ctl_fd = fd;
	return 0;
}

void ipc_close(struct daemon *d)
{
	if (d->ctl_fd < 0)
		return;
	close(d->ctl_fd);
	unlink(d->sock_path);
	d->ctl_fd = -1;
}

static const char *fam_name(enum kern_fam f)
{
	return f == KF_V4 ? "ipv4" : "ipv6";
}

static void oif_list(const struct mroute *m, const struct mfc_ent *e,
		     struct strbuf *b, bool json)
{
	bool first = true;

	for (int v = 0; v < KERN_MAXVIFS; v++) {
		const char *name;

		if (!e->k.ttls[v])
			continue;
		name = mroute_vif_name(m, e->fam, v);
		if (!name)
			continue;
		if (json) {
			if (!first)
				sb_putc(b, ',');
			sb_json_str(b, name);
		} else {
			sb_printf(b, "%s%s", first ? "" : " ", name);
		}
		first = false;
	}
}

static void show_routes(struct daemon *d, struct strbuf *b, bool json)
{
	struct mroute *m = &d->mr;
	bool first = true;

	if (json)
		sb_printf(b, "{\"routes\":[");
	else
		sb_printf(b, "%-20s %-20s %-10s %8s %10s %-7s %s\n", "SOURCE",
			  "GROUP", "INBOUND", "PACKETS", "BYTES", "TYPE",
			  "OUTBOUND");
	for (struct mfc_ent *e = mroute_next(m, NULL); e;
	     e = mroute_next(m, e)) {
		char s[ADDR_STRLEN], g[ADDR_STRLEN];
		struct kern_sg_stats st = { 0, 0, 0 };

		if (!e->in_kernel)
			continue;
		m->kern.ops->mfc_stats(m->kern.ctx, e->fam, &e->src, &e->grp,
				       &st);
		addr_ntop(&e->src, s, sizeof(s));
		addr_ntop(&e->grp, g, sizeof(g));
		if (json) {
			sb_printf(b, "%s{\"family\":\"%s\",\"source\":",
				  first ? "" : ",", fam_name(e->fam));
			sb_json_str(b, s);
			sb_printf(b, ",\"group\":");
			sb_json_str(b, g);
			sb_printf(b, ",\"inbound\":");
			sb_json_str(b, e->iif);
			sb_printf(b, ",\"outbound\":[");
			oif_list(m, e, b, true);
			sb_printf(b,
				  "],\"packets\":%llu,\"bytes\":%llu,"
				  "\"wrong_if\":%llu,\"learned\":%s}",
				  (unsigned long long)st.pkts,
				  (unsigned long long)st.bytes,
				  (unsigned long long)st.wrong_if,
				  e->learned ? "true" : "false");
		} else {
			sb_printf(b, "%-20s %-20s %-10s %8llu %10llu %-7s ", s,
				  g, e->iif, (unsigned long long)st.pkts,
				  (unsigned long long)st.bytes,
				  e->learned ? "learned" : "static");
			oif_list(m, e, b, false);
			sb_putc(b, '\n');
		}
		first = false;
	}
	if (json)
		sb_printf(b, "],\"templates\":[");
	first = true;
	for (size_t i = 0; i < m->rules.n; i++) {
		const struct rule *r = &m->rules.v[i];
		char s[PREFIX_STRLEN], g[PREFIX_STRLEN];

		if (rule_is_exact(r))
			continue;
		if (r->src.addr.family == AF_UNSPEC || !r->src.len)
			snprintf(s, sizeof(s), "*");
		else
			prefix_ntop(&r->src, s, sizeof(s));
		prefix_ntop(&r->grp, g, sizeof(g));
		if (json) {
			sb_printf(b, "%s{\"source\":", first ? "" : ",");
			sb_json_str(b, s);
			sb_printf(b, ",\"group\":");
			sb_json_str(b, g);
			sb_printf(b, ",\"inbound\":");
			sb_json_str(b, r->iif);
			sb_printf(b, ",\"outbound\":[");
			for (size_t o = 0; o < r->n_oifs; o++) {
				if (o)
					sb_putc(b, ',');
				sb_json_str(b, r->oifs[o]);
			}
			sb_printf(b, "]}");
		} else {
			if (first)
				sb_printf(b, "\n%-20s %-20s %-10s %s\n",
					  "(*,G) SOURCE", "GROUP", "INBOUND",
					  "OUTBOUND");
			sb_printf(b, "%-20s %-20s %-10s", s, g, r->iif);
			for (size_t o = 0; o < r->n_oifs; o++)
				sb_printf(b, " %s", r->oifs[o]);
			sb_putc(b, '\n');
		}
		first = false;
	}
	if (json)
		sb_printf(b, "]}\n");
}

static void show_interfaces(struct daemon *d, struct strbuf *b, bool json)
{
	bool first = true;

	if (json)
		sb_printf(b, "{\"interfaces\":[");
	else
		sb_printf(b, "%-6s %-4s %-16s %-8s %s\n", "FAMILY", "VIF",
			  "INTERFACE", "IFINDEX", "THRESHOLD");
	for (int f = 0; f < KF_N; f++) {
		for (int v = 0; v < KERN_MAXVIFS; v++) {
			const struct vif_slot *s = &d->mr.vifs[f][v];

			if (!s->used)
				continue;
			if (json) {
				sb_printf(b,
					  "%s{\"family\":\"%s\",\"vif\":%d,"
					  "\"name\":",
					  first ? "" : ",",
					  fam_name((enum kern_fam)f), v);
				sb_json_str(b, s->name);
				sb_printf(b,
					  ",\"ifindex\":%d,\"threshold\":%u}",
					  s->ifindex, s->threshold);
			} else {
				sb_printf(b, "%-6s %-4d %-16s %-8d %u\n",
					  fam_name((enum kern_fam)f), v,
					  s->name, s->ifindex, s->threshold);
			}
			first = false;
		}
	}
	if (json)
		sb_printf(b, "]}\n");
}

static void show_groups(struct daemon *d, struct strbuf *b, bool json)
{
	bool first = true;

	if (json)
		sb_printf(b, "{\"groups\":[");
	else
		sb_printf(b, "%-16s %-20s %-20s %-7s %s\n", "INTERFACE",
			  "SOURCE", "GROUP", "ORIGIN", "STATE");
	for (size_t i = 0; i < d->groups.n; i++) {
		const struct join *j = &d->groups.v[i];
		char s[ADDR_STRLEN], g[ADDR_STRLEN];

		addr_ntop(&j->src, s, sizeof(s));
		addr_ntop(&j->grp, g, sizeof(g));
		if (json) {
			sb_printf(b, "%s{\"interface\":", first ? "" : ",");
			sb_json_str(b, j->ifname);
			sb_printf(b, ",\"source\":");
			sb_json_str(b, s);
			sb_printf(b, ",\"group\":");
			sb_json_str(b, g);
			sb_printf(b, ",\"origin\":\"%s\",\"joined\":%s}",
				  j->runtime ? "runtime" : "config",
				  j->sock >= 0 ? "true" : "false");
		} else {
			sb_printf(b, "%-16s %-20s %-20s %-7s %s\n", j->ifname,
				  s, g, j->runtime ? "runtime" : "config",
				  j->sock >= 0 ? "joined" : "waiting");
		}
		first = false;
	}
	if (json)
		sb_printf(b, "]}\n");
}

static void show_stats(struct daemon *d, struct strbuf *b, bool json)
{
	const struct mroute_stats *s = &d->mr.st;
	struct {
		const char *name;
		unsigned long long v;
	} rows[] = {
		{ "routes", d->mr.n_ents },
		{ "rules", d->mr.rules.n },
		{ "vifs", mroute_vif_count(&d->mr, KF_V4) },
		{ "mifs", mroute_vif_count(&d->mr, KF_V6) },
		{ "joins", d->groups.n },
		{ "upcalls", s->upcalls },
		{ "upcalls_unmatched", s->upcalls_unmatched },
		{ "upcalls_unknown_vif", s->upcalls_unknown_vif },
		{ "wrongvif", s->wrongvif },
		{ "moved", s->moved },
		{ "installs", s->installs },
		{ "updates", s->updates },
		{ "removals", s->removals },
		{ "expired", s->expired },
		{ "kernel_errors", s->kernel_errors },
		{ "skipped_family", s->skipped_family },
		{ "join_errors", d->groups.errors },
		{ "conntrack_deleted", d->ct.deleted },
		{ "conntrack_errors", d->ct.errors },
		{ "reloads", d->reloads },
		{ "reload_errors", d->reload_errors },
		{ "bad_requests", d->bad_requests },
		{ "refused_requests", d->refused_requests },
		{ "ipv6", !d->ipv6_off },
	};

	if (json)
		sb_putc(b, '{');
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (json)
			sb_printf(b, "%s\"%s\":%llu", i ? "," : "",
				  rows[i].name, rows[i].v);
		else
			sb_printf(b, "%-22s %llu\n", rows[i].name, rows[i].v);
	}
	if (json)
		sb_printf(b, "}\n");
}

static int cmd_route(struct daemon *d, struct msg_req *r, bool add,
		     struct strbuf *b, char *err, size_t errlen)
{
	struct rule rule;
	size_t n;

	if (rule_from_words(&rule, r->argv + 1, r->argc - 1, add, err, errlen))
		return -1;
	if (!add) {
		n = ruleset_del(&d->mr.rules, &rule);
		rule_free(&rule);
		if (!n) {
			snprintf(err, errlen, "no such route");
			return -1;
		}
		mroute_sync(&d->mr);
		return 0;
	}
	rule.origin = RULE_RUNTIME;
	ruleset_del(&d->mr.rules, &rule); /* add replaces */
	if (ruleset_add(&d->mr.rules, &rule)) {
		rule_free(&rule);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rule_free(&rule);
	mroute_sync(&d->mr);
	(void)b;
	return 0;
}

static int cmd_join(struct daemon *d, struct msg_req *r, bool join, char *err,
		    size_t errlen)
{
	struct rule rule;
	struct inet_addr src;
	int rc;

	if (rule_from_words(&rule, r->argv + 1, r->argc - 1, false, err,
			    errlen))
		return -1;
	if (rule.grp.len != addr_bits(rule.grp.addr.family) ||
	    (rule.src.addr.family != AF_UNSPEC &&
	     rule.src.len != addr_bits(rule.src.addr.family) &&
	     rule.src.len != 0)) {
		snprintf(err, errlen, "join takes single addresses");
		return -1;
	}
	memset(&src, 0, sizeof(src));
	if (rule.src.addr.family != AF_UNSPEC && !addr_is_any(&rule.src.addr))
		src = rule.src.addr;
	if (strchr(rule.iif, '+')) {
		snprintf(err, errlen, "join needs an interface name");
		return -1;
	}
	if (join)
		rc = mgroups_join(&d->groups, rule.iif, &src, &rule.grp.addr,
				  err, errlen);
	else
		rc = mgroups_leave(&d->groups, rule.iif, &src, &rule.grp.addr,
				   err, errlen);
	return rc;
}

static int dispatch(struct daemon *d, struct msg_req *r, struct strbuf *b,
		    char *err, size_t errlen)
{
	const char *cmd = r->argv[0];

	if (!strcmp(cmd, "show")) {
		const char *what = r->argc > 1 ? r->argv[1] : "routes";

		if (r->argc > 2) {
			snprintf(err, errlen, "show takes one argument");
			return -1;
		}
		if (!strcmp(what, "routes"))
			show_routes(d, b, r->json);
		else if (!strcmp(what, "interfaces"))
			show_interfaces(d, b, r->json);
		else if (!strcmp(what, "groups"))
			show_groups(d, b, r->json);
		else if (!strcmp(what, "stats"))
			show_stats(d, b, r->json);
		else {
			snprintf(
				err, errlen,
				"show what? routes, interfaces, groups or stats");
			return -1;
		}
		return 0;
	}
	if (!strcmp(cmd, "add") || !strcmp(cmd, "del"))
		return cmd_route(d, r, cmd[0] == 'a', b, err, errlen);
	if (!strcmp(cmd, "join") || !strcmp(cmd, "leave"))
		return cmd_join(d, r, cmd[0] == 'j', err, errlen);
	if (r->argc != 1) {
		snprintf(err, errlen, "%s takes no arguments", cmd);
		return -1;
	}
	if (!strcmp(cmd, "reload"))
		return daemon_reload(d, err, errlen);
	if (!strcmp(cmd, "flush")) {
		size_t n = mroute_flush(&d->mr);

		sb_printf(b, "%zu learned routes flushed\n", n);
		return 0;
	}
	if (!strcmp(cmd, "kill")) {
		d->running = false;
		return 0;
	}
	if (!strcmp(cmd, "version")) {
		sb_printf(b, "mcrouted %s\n", VERSION);
		return 0;
	}
	snprintf(err, errlen,
		 "unknown command '%.32s'; try show, add, del, join, leave, "
		 "reload, flush, kill or version",
		 cmd);
	return -1;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN ||
			    poll(&pfd, 1, CLIENT_TIMEOUT_MS) <= 0)
				return;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
}

void ipc_accept(struct daemon *d)
{
	char buf[MSG_MAX + 2], err[512];
	struct msg_req *req;
	struct strbuf b;
	size_t len = 0;
	int fd, rc = MSG_INCOMPLETE;

	fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	req = malloc(sizeof(*req));
	if (!req) {
		close(fd);
		return;
	}
	/* One short request: a client that stalls is dropped after 1 s. */
	while (rc == MSG_INCOMPLETE && len < sizeof(buf)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, CLIENT_TIMEOUT_MS) <= 0)
			break;
		n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		rc = msg_decode(buf, len, req, err, sizeof(err));
	}
	sb_init(&b);
	if (rc == MSG_INCOMPLETE) {
		snprintf(err, sizeof(err), "incomplete request");
		rc = MSG_BAD;
	}
	if (rc == MSG_OK) {
		log_debug("ctl: %s%s", req->json ? "-j " : "", req->argv[0]);
		if (dispatch(d, req, &b, err, sizeof(err))) {
			d->refused_requests++;
			rc = MSG_BAD;
		}
	} else {
		d->bad_requests++;
	}
	if (rc == MSG_OK && !b.oom) {
		write_all(fd, "OK\n", 3);
		if (b.len)
			write_all(fd, b.s, b.len);
	} else {
		char line[600];
		int n;

		if (b.oom)
			snprintf(err, sizeof(err), "out of memory");
		/* The message goes on one line. */
		for (char *p = err; *p; p++)
			if (*p == '\n')
				*p = ' ';
		n = snprintf(line, sizeof(line), "ERR %s\n", err);
		write_all(fd, line,
			  (size_t)n < sizeof(line) ? (size_t)n :
						     sizeof(line) - 1);
	}
	sb_free(&b);
	free(req);
	close(fd);
}
