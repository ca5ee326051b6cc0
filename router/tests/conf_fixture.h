/* SPDX-License-Identifier: MIT */
/*
 * What the config parser's tests (test_conf*.c) share: an in-memory file
 * system for include (memfs, mem_io), parses that must succeed (ok) or
 * fail with exactly a message (fails), conf_print() into a string, and
 * the lists of words that error messages end with.
 */
#ifndef MCR_TEST_CONF_FIXTURE_H
#define MCR_TEST_CONF_FIXTURE_H

#include <stddef.h>

#include "conf.h"

/* An in-memory file system for include. */
struct memfile {
	const char *path;
	const char *text; /* NULL: exists but cannot be read (EACCES) */
};

struct memfs {
	const struct memfile *files;
	size_t n;
	unsigned int globs, reads;
};

extern struct memfs memfs;
extern const struct conf_io mem_io; /* reads memfs */

void set_fs(const struct memfile *files, size_t n);
#define SET_FS(arr) set_fs(arr, sizeof(arr) / sizeof(arr[0]))

/* conf_init() c and parse text as the file called name through mem_io. */
int parse_named(struct conf *c, const char *name, const char *text,
		struct conf_error *err);
/* Parse text as "test.conf"; it must succeed. */
void ok(struct conf *c, const char *text);
/* Parse text as name; it must fail with exactly msg. */
void fails_named(const char *name, const char *text, const char *msg);
void fails(const char *text, const char *msg);

struct err_case {
	const char *text;
	const char *msg;
};

void run_err_cases(const struct err_case *ec, size_t n);

/* A table of error cases as one cmocka test: its prestate. */
struct err_table {
	const struct err_case *ec;
	size_t n;
};

/* Runs the err_table in *state: { "name", test_err_table, NULL, NULL,
 * ERR_TABLE(arr) } in a CMUnitTest array. */
void test_err_table(void **state);
#define ERR_TABLE(arr) \
	((void *)&(const struct err_table){ arr, sizeof(arr) / sizeof(arr[0]) })

void assert_prefix(const struct inet_prefix *p, const char *want);
/* conf_print(c) as a malloc()ed string. */
char *print_conf(const struct conf *c);
/* text (c printed) parses back into the same config as c. */
void assert_reads_back(const struct conf *c, const char *text);

#define PHYINT_OPTS                                                    \
	"(expected enable, disable, mrdisc, ttl-threshold, upstream, " \
	"downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)"
#define DIRECTIVES \
	"(expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)"

#endif
