// SPDX-License-Identifier: MIT
/*
 * Logging to stderr (foreground) or syslog.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int log_level = LOG_NOTICE;
static int log_syslog;

static const struct {
	const char *name;
	int level;
} levels[] = {
	{ "none", LOG_NONE },	 { "error", LOG_ERR },
	{ "err", LOG_ERR },	 { "warning", LOG_WARNING },
	{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },	 { "debug", LOG_DEBUG },
};

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(levels[i].name, name))
			return levels[i].level;
	return -2;
}

const char *log_level_name(int level)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].level == level)
			return levels[i].name;
	return "?";
}

void log_init(const char *ident, int level, int use_syslog)
{
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

void logit(int prio, const char *fmt, ...)
{
	static const char *const tag[] = {
		"emerg",   "alert",  "crit", "error",
		"warning", "notice", "info", "debug"
	};
	va_list ap;

	if (prio > log_level)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%lld.%06ld %s: ", (long long)ts.tv_sec,
			ts.tv_nsec / 1000, tag[prio & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
