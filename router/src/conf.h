/* SPDX-License-Identifier: MIT */
/*
 * mcrouted.conf: a superset of smcroute.conf 2.x.  The parser is pure: it
 * turns text into a struct conf.  File access (for "include") goes through
 * a small ops table so that the unit tests and the fuzzer feed it memory.
 *
 *   phyint IFNAME [enable|disable] [mrdisc] [ttl-threshold 1-255]
 *                 [upstream|downstream] [igmpv2|igmpv3|mldv1|mldv2]
 *                 [fast-leave] [altnet PREFIX] [query-interval SEC]
 *                 [query-response-interval SEC[.D]] [robustness N]
 *                 [last-member-query-interval SEC[.D]]
 *                 [last-member-query-count N] [max-groups N]
 *   mgroup from IFNAME [source ADDR[/LEN]] group GROUP[/LEN]
 *   mroute from IFNAME [source ADDR[/LEN]] group GROUP[/LEN] to IF [IF ...]
 *   include GLOB
 *   conntrack-flush on|off
 *   query-interval SEC                (IGMP/MLD timers, every interface
 *                                      a phyint line does not set them for)
 *   query-response-interval SEC[.D]
 *   robustness N
 *   last-member-query-interval SEC[.D]
 *   last-member-query-count N
 *   max-groups N
 *
 * IGMP/MLD-driven routing (see mcrouted.conf(5)):
 *  - proxy mode (RFC 4605) when a phyint is "upstream" or "downstream":
 *    the router is querier on every downstream and a host on the upstream;
 *  - router mode when no phyint has a role and at least one phyint line
 *    names a version (igmpv2, igmpv3, mldv1 or mldv2): every enabled phyint
 *    then runs a querier, and traffic from any of them goes to every other
 *    one with members;
 *  - otherwise (every smcroute.conf) no IGMP/MLD is spoken at all.
 *
 * Errors are "file:line:col: message", col being the 1-based byte column of
 * the offending token, or of the directive when a token is missing.  An error
 * about a whole file (conf_load() cannot read it) has line and col 0.
 *
 * Details (see conf*.c): '#' starts a comment anywhere; keywords may come in
 * any order after "phyint IFNAME", and the from/source/group pairs of mgroup
 * and mroute in any order too (mroute's "to" takes the rest of the line).
 * "phyint IF" alone means enable, and a later phyint for the same name
 * replaces the earlier one.  A source of 0.0.0.0 or :: alone (or /32,
 * /128) is stored as AF_UNSPEC: (*,G) for mroute, an ASM join for mgroup;
 * with a shorter length it is a prefix (route.h, which judges every
 * address and interface name).  Repeated outbound interfaces are kept once.  A wildcard name ends in '+', which
 * matches any suffix, the empty one included ("eth+" matches "eth", "eth0"
 * and "eth10"); it is allowed for phyint and for "from", never after "to".
 */
#ifndef MCR_CONF_H
#define MCR_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define CONF_MAX_INCLUDE_DEPTH 8
#define CONF_MAX_EXPAND 1024 /* addresses one mgroup line may expand to */

struct conf_loc {
	const char *file; /* points into conf->files[] */
	unsigned int line, col;
};

enum phyint_role { ROLE_NONE = 0, ROLE_UPSTREAM, ROLE_DOWNSTREAM };

/*
 * IGMP/MLD timers, RFC 3376 §8 / RFC 3810 §9 defaults.  A phyint line's
 * own are the same words and ranges, 0 for "the global value".
 */
struct conf_gm {
	uint32_t robustness; /* 1-7, default 2 */
	uint32_t query_interval_ms; /* 1-31744 s, default 125 s */
	uint32_t query_resp_ms; /* 0.1-3174.4 s, default 10 s */
	uint32_t lmq_interval_ms; /* 0.1-25.5 s, default 1 s */
	uint32_t lmq_count; /* 1-7, 0 = the robustness (default) */
	uint32_t max_groups; /* per interface, 1-65536, default 1024 */
	bool query_interval_set, query_resp_set; /* given explicitly (global) */
};

struct conf_phyint {
	char ifname[IFNAMSIZ]; /* may end in '+' (wildcard) */
	bool enable;
	bool mrdisc;
	unsigned int ttl_threshold; /* 1..255, default 1 */
	enum phyint_role role;
	unsigned int igmp_version; /* 0 = default, 2 or 3 */
	unsigned int mld_version; /* 0 = default, 1 or 2 */
	bool fast_leave;
	/*
	 * IGMP/MLD timers of this interface, 0 = the global value
	 * (conf_phyint_gm()).  robustness 3 on a lossy wlan0, say, and the
	 * defaults on usb0.
	 */
	struct conf_gm gm;
	struct inet_prefix *altnet;
	size_t n_altnet;
	struct conf_loc loc;
};

struct conf_mgroup {
	char ifname[IFNAMSIZ];
	struct inet_prefix source; /* family AF_UNSPEC when absent (ASM) */
	struct inet_prefix group;
	struct conf_loc loc;
};

struct conf_mroute {
	char ifname[IFNAMSIZ]; /* may end in '+' */
	struct inet_prefix source; /* family AF_UNSPEC when absent: (*,G) */
	struct inet_prefix group;
	char (*oifs)[IFNAMSIZ];
	size_t n_oifs;
	struct conf_loc loc;
};

struct conf {
	struct conf_phyint *phyints;
	size_t n_phyints;
	struct conf_mgroup *mgroups;
	size_t n_mgroups;
	struct conf_mroute *mroutes;
	size_t n_mroutes;
	bool conntrack_flush; /* default on */
	struct conf_gm gm;
	char **files; /* names of every file read, for conf_loc */
	size_t n_files;
};

#define CONF_ERR_MAX 512
struct conf_error {
	char msg[CONF_ERR_MAX]; /* "file:line:col: message" */
};

/*
 * How the parser reaches files for "include".  glob() returns the sorted
 * matches of a pattern (0 and an empty list when nothing matches, -1 with
 * errno on error); read() returns a malloc()ed NUL-terminated buffer.
 * The caller free()s every path, the path array and the text.  Patterns
 * follow glob(3): a backslash escapes a character (the parser escapes the
 * folder of the including file when it prefixes a relative pattern with
 * it).  A pattern without glob characters that matches nothing is an error.
 */
struct conf_io {
	int (*glob)(void *ctx, const char *pattern, char ***paths, size_t *n);
	int (*read)(void *ctx, const char *path, char **text, size_t *len);
	void *ctx;
};

extern const struct conf_io conf_io_fs; /* the real file system */

void conf_init(struct conf *c);
void conf_free(struct conf *c);

/*
 * Parse text as if it were the file called name.  includes are resolved
 * through io (which may be NULL to refuse them).  Returns 0, or -1 with
 * err filled in; c holds whatever was parsed before the error and must be
 * freed either way.  c must have been conf_init()ed: what is parsed is
 * added to it.  err may be NULL.  text may hold any bytes (a NUL byte
 * outside a comment is an error); lines have no length limit.
 */
int conf_parse(struct conf *c, const char *name, const char *text, size_t len,
	       const struct conf_io *io, struct conf_error *err);

/* Read and parse a file from the file system. */
int conf_load(struct conf *c, const char *path, struct conf_error *err);

/* Print c back in canonical form (for -F with -l debug, and tests). */
void conf_print(const struct conf *c, FILE *f);

/*
 * Phyint that applies to ifname: the exact name first, then the longest
 * matching wildcard.  NULL when none applies.
 */
const struct conf_phyint *conf_phyint_find(const struct conf *c,
					   const char *ifname);

/* Does an interface name pattern ("eth0", "eth+") match ifname? */
bool ifname_match(const char *pattern, const char *ifname);

/*
 * Same configuration?  Compares every setting in order and ignores where
 * it came from (conf_loc, files).
 */
bool conf_equal(const struct conf *a, const struct conf *b);

/*
 * The IGMP/MLD timers in force on the interface of phyint ph: the ones
 * its line sets, the global ones for the rest.
 */
void conf_phyint_gm(const struct conf *c, const struct conf_phyint *ph,
		    struct conf_gm *out);

/* Joins an mgroup expands to (sources x groups), saturated at UINT64_MAX. */
uint64_t conf_mgroup_size(const struct conf_mgroup *g);

#endif
