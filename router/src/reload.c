// SPDX-License-Identifier: MIT
/*
 * Applying a config, and reloading it as a difference.
 */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

static bool is_v6(const struct inet_prefix *p)
{
	return p->addr.family == AF_INET6;
}

/* "FILE:LINE: IPv6 WHAT in this kernel" */
static void skipped(const struct conf_loc *loc, const char *what)
{
	log_warn("%s:%u: IPv6 %s in this kernel", loc->file, loc->line, what);
}

/* Say, once per line, what a kernel without IPv6 makes us skip. */
static void report_v6_skips(const struct conf *c)
{
	for (size_t i = 0; i < c->n_mroutes; i++)
		if (is_v6(&c->mroutes[i].group))
			skipped(&c->mroutes[i].loc,
				"route skipped: no IPv6 multicast routing");
	for (size_t i = 0; i < c->n_mgroups; i++)
		if (is_v6(&c->mgroups[i].group))
			skipped(&c->mgroups[i].loc, "join skipped: no IPv6");
}

void daemon_apply(struct daemon *d)
{
	d->mr.conf = &d->conf;
	if (d->ipv6_off)
		report_v6_skips(&d->conf);
	mgroups_sync(&d->groups, &d->conf, d->ipv6_off);
	member_sync(&d->mb, &d->conf, d->ipv6_off);
	mroute_sync(&d->mr);
}

int daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct conf next;
	struct conf_error ce;

	conf_init(&next);
	if (conf_load(&next, d->conf_path, &ce)) {
		conf_free(&next);
		d->reload_errors++;
		snprintf(err, errlen, "%s (running config kept)", ce.msg);
		log_err("reload: %s", err);
		return -1;
	}
	notify("RELOADING=1");
	/* Runtime routes (mcroutectl add) survive a reload. */
	ruleset_clear_origin(&d->mr.rules, RULE_CONF);
	if (ruleset_add_conf(&d->mr.rules, &next)) {
		snprintf(err, errlen, "out of memory");
		conf_free(&next);
		notify("READY=1");
		return -1;
	}
	conf_free(&d->conf);
	d->conf = next;
	daemon_apply(d);
	d->reloads++;
	log_notice("reloaded %s: %zu routes, %zu joins", d->conf_path,
		   d->mr.rules.n, d->groups.n);
	notify("READY=1");
	return 0;
}
