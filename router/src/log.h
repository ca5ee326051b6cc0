/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr or syslog, with smcrouted's level names.
 */
#ifndef MCR_LOG_H
#define MCR_LOG_H

#include <syslog.h>

#define LOG_NONE (-1)

/* "none", "error"/"err", "warning", "notice", "info", "debug"; -2 if bad. */
int log_level_parse(const char *name);
const char *log_level_name(int level);

void log_init(const char *ident, int level, int use_syslog);
void log_set_level(int level);
int log_get_level(void);

void logit(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) logit(LOG_ERR, __VA_ARGS__)
#define log_warn(...) logit(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) logit(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) logit(LOG_INFO, __VA_ARGS__)
#define log_debug(...) logit(LOG_DEBUG, __VA_ARGS__)

#endif
