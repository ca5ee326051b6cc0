// SPDX-License-Identifier: MIT
/*
 * Unit tests for conf.c: every grammar form and every error message, the
 * includes through an in-memory conf_io, conf_print round trips, IPv6,
 * wildcards, the mgroup expansion cap, and bytes that are not a config.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lexical path clean-up: "a/./b" -> "a/b", "a/../b" -> "b". */
static void mem_norm(const char *in, char *out, size_t size)
{
	char tmp[512], *parts[64], *save = NULL, *tok;
	size_t n = 0, len = 0;

	snprintf(tmp, sizeof(tmp), "%s", in);
	for (tok = strtok_r(tmp, "/", &save); tok && n < 64;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && n && strcmp(parts[n - 1], ".."))
			n--;
		else
			parts[n++] = tok;
	}
	out[0] = '\0';
	if (in[0] == '/')
		len += (size_t)snprintf(out, size, "/");
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					i ? "/" : "", parts[i]);
}

static const struct memfile *mem_find(struct memfs *fs, const char *path)
{
	char want[512], have[512];

	mem_norm(path, want, sizeof(want));
	for (size_t i = 0; i < fs->n; i++) {
		mem_norm(fs->files[i].path, have, sizeof(have));
		if (!strcmp(want, have))
			return &fs->files[i];
	}
	return NULL;
}

/* Like glob(3): a literal pattern names one file, returned unescaped. */
static int mem_glob(void *ctx, const char *pattern, char ***paths, size_t *n)
{
	struct memfs *fs = ctx;
	char **out = calloc(fs->n + 1, sizeof(*out)), lit[512];
	bool meta = false;
	size_t k = 0, j = 0;

	fs->globs++;
	*paths = NULL;
	*n = 0;
	if (strstr(pattern, "glob-fails")) {
		free(out);
		errno = EACCES;
		return -1;
	}
	for (const char *p = pattern; *p && j + 1 < sizeof(lit); p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (strchr("*?[", *p))
			meta = true;
		lit[j++] = *p;
	}
	lit[j] = '\0';
	if (!meta) {
		if (mem_find(fs, lit))
			out[k++] = strdup(lit);
	} else {
		for (size_t i = 0; i < fs->n; i++)
			if (!fnmatch(pattern, fs->files[i].path, FNM_PATHNAME))
				out[k++] = strdup(fs->files[i].path);
	}
	qsort(out, k, sizeof(*out), cmp_str);
	*paths = out;
	*n = k;
	return 0;
}

static int mem_read(void *ctx, const char *path, char **text, size_t *len)
{
	struct memfs *fs = ctx;
	const struct memfile *f = mem_find(fs, path);

	fs->reads++;
	if (!f) {
		errno = ENOENT;
		return -1;
	}
	if (!f->text) {
		errno = EACCES;
		return -1;
	}
	*text = strdup(f->text);
	*len = strlen(*text);
	return 0;
}

static struct memfs memfs;
static const struct conf_io mem_io = { mem_glob, mem_read, &memfs };

static void set_fs(const struct memfile *files, size_t n)
{
	memfs.files = files;
	memfs.n = n;
	memfs.globs = 0;
	memfs.reads = 0;
}

#define SET_FS(arr) set_fs(arr, sizeof(arr) / sizeof(arr[0]))

static int parse_named(struct conf *c, const char *name, const char *text,
		       struct conf_error *err)
{
	conf_init(c);
	return conf_parse(c, name, text, strlen(text), &mem_io, err);
}

/* Parse text as "test.conf"; it must succeed. */
static void ok(struct conf *c, const char *text)
{
	struct conf_error err;
	int rc = parse_named(c, "test.conf", text, &err);

	if (rc)
		print_error("unexpected error: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_string_equal(err.msg, "");
}

/* Parse text as name; it must fail with exactly msg. */
static void fails_named(const char *name, const char *text, const char *msg)
{
	struct conf_error err;
	struct conf c;
	int rc = parse_named(&c, name, text, &err);

	if (rc != -1 || strcmp(err.msg, msg))
		print_error("input: \"%s\"\n", text);
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, msg);
	conf_free(&c);
}

static void fails(const char *text, const char *msg)
{
	fails_named("test.conf", text, msg);
}

struct err_case {
	const char *text;
	const char *msg;
};

static void run_err_cases(const struct err_case *ec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fails(ec[i].text, ec[i].msg);
}

#define RUN_ERR_CASES(arr) run_err_cases(arr, sizeof(arr) / sizeof(arr[0]))

static void assert_prefix(const struct inet_prefix *p, const char *want)
{
	char buf[PREFIX_STRLEN];

	assert_string_equal(prefix_ntop(p, buf, sizeof(buf)), want);
}

static char *print_conf(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conf_print(c, f);
	fclose(f);
	return buf;
}

/* ---- grammar forms ------------------------------------------------------ */

static void test_empty(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "");
	assert_int_equal(c.n_phyints + c.n_mgroups + c.n_mroutes, 0);
	assert_true(c.conntrack_flush);
	assert_int_equal(c.n_files, 1);
	assert_string_equal(c.files[0], "test.conf");
	conf_free(&c);

	ok(&c, "\n\n   \t\n# only a comment\n\t# indented comment\r\n#");
	assert_int_equal(c.n_phyints + c.n_mgroups + c.n_mroutes, 0);
	conf_free(&c);

	/* No text at all, no name, no error struct. */
	conf_init(&c);
	assert_int_equal(conf_parse(&c, NULL, NULL, 0, NULL, NULL), 0);
	assert_string_equal(c.files[0], "<config>");
	conf_free(&c);
}

static void test_phyint(void **state)
{
	const struct conf_phyint *p;
	struct conf c;

	(void)state;
	ok(&c, "phyint eth0\n"
	       "phyint eth1 disable\n"
	       "phyint eth2 enable mrdisc ttl-threshold 11\n"
	       "phyint eth3 ttl-threshold 255 enable upstream igmpv3 mldv2\n"
	       "phyint eth4 downstream igmpv2 mldv1 fast-leave disable\n"
	       "phyint eth5 upstream altnet 10.0.0.0/8 altnet 192.168.1.0/24 "
	       "altnet 2001:db8::/32 altnet 172.16.0.1\n"
	       "phyint wlan+ enable\n"
	       "phyint 0123456789abcde enable\n"
	       "phyint eth0 enable enable\n"
	       "phyint eth6 ttl-threshold 1 ttl-threshold 007\n");
	assert_int_equal(c.n_phyints, 9);

	p = &c.phyints[0];
	assert_string_equal(p->ifname, "eth0");
	assert_true(p->enable);
	assert_false(p->mrdisc);
	assert_int_equal(p->ttl_threshold, 1);
	assert_int_equal(p->role, ROLE_NONE);
	assert_int_equal(p->igmp_version, 0);
	assert_int_equal(p->mld_version, 0);
	assert_false(p->fast_leave);
	assert_int_equal(p->n_altnet, 0);
	/* replaced by line 9, in place */
	assert_int_equal(p->loc.line, 9);
	assert_int_equal(p->loc.col, 1);
	assert_string_equal(p->loc.file, "test.conf");

	p = &c.phyints[1];
	assert_false(p->enable);
	assert_int_equal(p->loc.line, 2);

	p = &c.phyints[2];
	assert_true(p->enable);
	assert_true(p->mrdisc);
	assert_int_equal(p->ttl_threshold, 11);

	p = &c.phyints[3];
	assert_int_equal(p->ttl_threshold, 255);
	assert_int_equal(p->role, ROLE_UPSTREAM);
	assert_int_equal(p->igmp_version, 3);
	assert_int_equal(p->mld_version, 2);

	p = &c.phyints[4];
	assert_false(p->enable);
	assert_int_equal(p->role, ROLE_DOWNSTREAM);
	assert_int_equal(p->igmp_version, 2);
	assert_int_equal(p->mld_version, 1);
	assert_true(p->fast_leave);

	p = &c.phyints[5];
	assert_int_equal(p->n_altnet, 4);
	assert_prefix(&p->altnet[0], "10.0.0.0/8");
	assert_prefix(&p->altnet[1], "192.168.1.0/24");
	assert_prefix(&p->altnet[2], "2001:db8::/32");
	assert_prefix(&p->altnet[3], "172.16.0.1");

	assert_string_equal(c.phyints[6].ifname, "wlan+");
	assert_string_equal(c.phyints[7].ifname, "0123456789abcde");
	assert_int_equal(c.phyints[8].ttl_threshold, 7);
	conf_free(&c);
}

static void test_phyint_override(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "phyint eth0 enable ttl-threshold 5 altnet 10.0.0.0/8\n"
	       "phyint eth1\n"
	       "phyint eth0 disable\n");
	assert_int_equal(c.n_phyints, 2);
	assert_string_equal(c.phyints[0].ifname, "eth0");
	assert_false(c.phyints[0].enable);
	assert_int_equal(c.phyints[0].ttl_threshold, 1);
	assert_int_equal(c.phyints[0].n_altnet, 0);
	assert_int_equal(c.phyints[0].loc.line, 3);
	conf_free(&c);
}

static void test_mgroup(void **state)
{
	const struct conf_mgroup *g;
	struct conf c;

	(void)state;
	ok(&c, "mgroup from eth0 group 225.1.2.3\n"
	       "mgroup from virbr0 source 192.168.123.110 group 225.1.2.4\n"
	       "mgroup from eth0 group 225.0.0.0/24\n"
	       "mgroup\tfrom\teth0\tsource 10.0.0.0/30 group 232.1.1.0/30 # x\n"
	       "mgroup group ff0e::1 from eth1\n"
	       "mgroup from eth1 source 2001:db8::1 group ff3e::1234\n"
	       "mgroup source 0.0.0.0 group 225.9.9.9 from eth+\n"
	       "mgroup from eth0 source :: group ff05::/120\n"
	       "   mgroup from eth0 group 225.3.2.1#comment\n");
	assert_int_equal(c.n_mgroups, 9);

	g = &c.mgroups[0];
	assert_string_equal(g->ifname, "eth0");
	assert_int_equal(g->source.addr.family, AF_UNSPEC);
	assert_prefix(&g->group, "225.1.2.3");
	assert_int_equal(g->loc.line, 1);
	assert_int_equal(conf_mgroup_size(g), 1);

	g = &c.mgroups[1];
	assert_string_equal(g->ifname, "virbr0");
	assert_prefix(&g->source, "192.168.123.110");
	assert_prefix(&g->group, "225.1.2.4");

	g = &c.mgroups[2];
	assert_prefix(&g->group, "225.0.0.0/24");
	assert_int_equal(conf_mgroup_size(g), 256);

	g = &c.mgroups[3];
	assert_prefix(&g->source, "10.0.0.0/30");
	assert_prefix(&g->group, "232.1.1.0/30");
	assert_int_equal(conf_mgroup_size(g), 16);

	g = &c.mgroups[4];
	assert_string_equal(g->ifname, "eth1");
	assert_int_equal(g->group.addr.family, AF_INET6);
	assert_prefix(&g->group, "ff0e::1");

	g = &c.mgroups[5];
	assert_prefix(&g->source, "2001:db8::1");
	assert_prefix(&g->group, "ff3e::1234");

	g = &c.mgroups[6]; /* source 0.0.0.0 is an ASM join */
	assert_string_equal(g->ifname, "eth+");
	assert_int_equal(g->source.addr.family, AF_UNSPEC);

	g = &c.mgroups[7];
	assert_int_equal(g->source.addr.family, AF_UNSPEC);
	assert_prefix(&g->group, "ff05::/120");
	assert_int_equal(conf_mgroup_size(g), 256);

	g = &c.mgroups[8];
	assert_prefix(&g->group, "225.3.2.1");
	assert_int_equal(g->loc.line, 9);
	assert_int_equal(g->loc.col, 4);
	conf_free(&c);
}

static void test_mroute(void **state)
{
	const struct conf_mroute *r;
	struct conf c;

	(void)state;
	ok(&c,
	   "mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1 eth2\n"
	   "mroute from eth0 group 225.3.2.1 to eth1 eth2\n"
	   "mroute from eth0 source 0.0.0.0 group 225.0.0.0/24 to eth1\n"
	   "mroute from eth0 source 10.1.0.0/16 group 239.0.0.0/8 to eth1\n"
	   "mroute group 225.1.1.1 source 10.0.0.1 from eth+ to usb0\n"
	   "mroute from eth0 source 2001:db8::1 group ff0e::1 to eth1\n"
	   "mroute from eth0 source :: group ff0e::/16 to eth1 eth2 eth1\n"
	   "mroute from eth0 source 0.0.0.0/0 group 225.1.1.1 to eth1\n"
	   "mroute from eth0 group ff3e::/96 to eth1\n");
	assert_int_equal(c.n_mroutes, 9);

	r = &c.mroutes[0];
	assert_string_equal(r->ifname, "eth0");
	assert_prefix(&r->source, "192.168.1.42");
	assert_prefix(&r->group, "225.1.2.3");
	assert_int_equal(r->n_oifs, 2);
	assert_string_equal(r->oifs[0], "eth1");
	assert_string_equal(r->oifs[1], "eth2");
	assert_int_equal(r->loc.line, 1);

	r = &c.mroutes[1]; /* (*,G) */
	assert_int_equal(r->source.addr.family, AF_UNSPEC);
	assert_prefix(&r->group, "225.3.2.1");

	r = &c.mroutes[2]; /* (*,G/24) */
	assert_int_equal(r->source.addr.family, AF_UNSPEC);
	assert_prefix(&r->group, "225.0.0.0/24");

	r = &c.mroutes[3];
	assert_prefix(&r->source, "10.1.0.0/16");
	assert_prefix(&r->group, "239.0.0.0/8");

	r = &c.mroutes[4];
	assert_string_equal(r->ifname, "eth+");
	assert_prefix(&r->source, "10.0.0.1");
	assert_string_equal(r->oifs[0], "usb0");

	r = &c.mroutes[5];
	assert_int_equal(r->source.addr.family, AF_INET6);
	assert_prefix(&r->group, "ff0e::1");

	r = &c.mroutes[6]; /* :: is (*,G); eth1 kept once */
	assert_int_equal(r->source.addr.family, AF_UNSPEC);
	assert_int_equal(r->n_oifs, 2);

	r = &c.mroutes[7]; /* 0.0.0.0/0 is kept as a prefix */
	assert_prefix(&r->source, "0.0.0.0/0");

	assert_prefix(&c.mroutes[8].group, "ff3e::/96");
	conf_free(&c);
}

static void test_mroute_many_oifs(void **state)
{
	size_t n = 2000, len = 0;
	char *text = malloc(64 + n * 8), *p;
	struct conf c;

	(void)state;
	p = text;
	p += sprintf(p, "mroute from eth0 group 225.1.1.1 to");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, " e%zu", i);
	*p = '\0';
	len = (size_t)(p - text);
	assert_true(len > 10000);
	ok(&c, text);
	assert_int_equal(c.n_mroutes, 1);
	assert_int_equal(c.mroutes[0].n_oifs, n);
	assert_string_equal(c.mroutes[0].oifs[1999], "e1999");
	conf_free(&c);
	free(text);
}

static void test_conntrack(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "conntrack-flush off\n");
	assert_false(c.conntrack_flush);
	conf_free(&c);
	ok(&c, "conntrack-flush off\nconntrack-flush on # again\n");
	assert_true(c.conntrack_flush);
	conf_free(&c);
}

static void test_smcroute_example(void **state)
{
	struct conf c;

	(void)state;
	/* The example of smcroute.conf(5) and the field report's config. */
	ok(&c,
	   "#\n# smcroute.conf example\n#\n"
	   "phyint eth0 enable ttl-threshold 11\n"
	   "phyint eth1 enable ttl-threshold 3\n"
	   "phyint eth2 enable ttl-threshold 5\n"
	   "phyint virbr0 enable ttl-threshold 5\n"
	   "mgroup from eth0\t\t\tgroup 225.1.2.3\n"
	   "mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1 eth2\n"
	   "mgroup from virbr0 source 192.168.123.110 group 225.1.2.4\n"
	   "mroute from virbr0 source 192.168.123.110 group 225.1.2.4 to eth0\n"
	   "mgroup from eth0 group 225.3.2.1\n"
	   "mroute from eth0 group 225.3.2.1 to eth1 eth2\n"
	   "mgroup from eth0 group 225.0.0.0/24\n"
	   "mroute from eth0 group 225.0.0.0/24 to eth1 eth2\n"
	   "mgroup from wlan0 group 239.255.255.250\n"
	   "mroute from wlan0 group 239.255.255.250 to usb0\n");
	assert_int_equal(c.n_phyints, 4);
	assert_int_equal(c.n_mgroups, 5);
	assert_int_equal(c.n_mroutes, 5);
	assert_int_equal(c.mroutes[0].loc.line, 9);
	conf_free(&c);
}

static void test_crlf_bom_columns(void **state)
{
	struct conf c;

	(void)state;
	ok(&c,
	   "\xef\xbb\xbfphyint eth0\r\nmgroup from eth0 group 225.1.1.1\r\n");
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].ifname, "eth0");
	assert_int_equal(c.phyints[0].loc.col, 1);
	conf_free(&c);

	fails("\xef\xbb\xbf"
	      "bogus",
	      "test.conf:1:1: unknown directive 'bogus' (expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)");
	/* columns are 1-based bytes; a tab is one column */
	fails("\t  phyint eth0 x",
	      "test.conf:1:16: unknown phyint option 'x' (expected enable, disable, mrdisc, ttl-threshold, upstream, downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)");
	fails("phyint eth0\n\n# c\n\n  nope\n",
	      "test.conf:5:3: unknown directive 'nope' (expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)");
	/* the first error stops the parse */
	fails("phyint eth0 bad1\nphyint eth0 bad2\n",
	      "test.conf:1:13: unknown phyint option 'bad1' (expected enable, disable, mrdisc, ttl-threshold, upstream, downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)");
}

/* ---- errors ------------------------------------------------------------- */

#define PHYINT_OPTS                                                    \
	"(expected enable, disable, mrdisc, ttl-threshold, upstream, " \
	"downstream, igmpv2, igmpv3, mldv1, mldv2, fast-leave, altnet or an IGMP/MLD timer)"
#define DIRECTIVES \
	"(expected phyint, mgroup, mroute, include, conntrack-flush or an IGMP/MLD timer)"

static void test_err_general(void **state)
{
	static const struct err_case ec[] = {
		{ "bogus",
		  "test.conf:1:1: unknown directive 'bogus' " DIRECTIVES },
		{ "Phyint eth0",
		  "test.conf:1:1: unknown directive 'Phyint' " DIRECTIVES },
		{ "ssmgroup from eth0 group 225.1.1.1",
		  "test.conf:1:1: unknown directive 'ssmgroup' " DIRECTIVES },
		{ "bo\x01g\\us",
		  "test.conf:1:1: unknown directive 'bo\\x01g\\us' " DIRECTIVES },
		{ "\xff\xfe",
		  "test.conf:1:1: unknown directive '\xff\xfe' " DIRECTIVES },
		{ "1234567890123456789012345678901234567890123456789012345678901234567890",
		  "test.conf:1:1: unknown directive '1234567890123456789012345678901234567890123456789012345678901234...' " DIRECTIVES },
		{ "conntrack-flush",
		  "test.conf:1:1: conntrack-flush: expected 'on' or 'off'" },
		{ "conntrack-flush maybe",
		  "test.conf:1:17: conntrack-flush: expected 'on' or 'off', not 'maybe'" },
		{ "conntrack-flush ON",
		  "test.conf:1:17: conntrack-flush: expected 'on' or 'off', not 'ON'" },
		{ "conntrack-flush on off",
		  "test.conf:1:20: unexpected 'off' after 'conntrack-flush on'" },
	};

	(void)state;
	RUN_ERR_CASES(ec);
}

static void test_err_nul(void **state)
{
	static const char text[] = "phyint eth0\nphyint eth1\0 enable\n";
	static const char text2[] = "phyint eth0 # a comment \0 is fine\n\0";
	struct conf_error err;
	struct conf c;

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "nul.conf", text, sizeof(text) - 1,
				    NULL, &err),
			 -1);
	assert_string_equal(err.msg, "nul.conf:2:12: NUL byte in the text");
	conf_free(&c);

	conf_init(&c);
	assert_int_equal(conf_parse(&c, "nul.conf", text2, sizeof(text2) - 1,
				    NULL, &err),
			 -1);
	assert_string_equal(err.msg, "nul.conf:2:1: NUL byte in the text");
	assert_int_equal(c.n_phyints, 1); /* what came before stays */
	conf_free(&c);

	/* NULL err: no crash, same result */
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "nul.conf", text, sizeof(text) - 1,
				    NULL, NULL),
			 -1);
	conf_free(&c);
}

static void test_err_phyint(void **state)
{
	static const struct err_case ec[] = {
		{ "phyint",
		  "test.conf:1:1: phyint: expected an interface name" },
		{ "  phyint # eth0",
		  "test.conf:1:3: phyint: expected an interface name" },
		{ "phyint 0123456789abcdef",
		  "test.conf:1:8: interface name '0123456789abcdef' is too long (at most 15 characters)" },
		{ "phyint eth/0",
		  "test.conf:1:8: invalid character in interface name 'eth/0'" },
		{ "phyint eth0:1",
		  "test.conf:1:8: invalid character in interface name 'eth0:1'" },
		{ "phyint eth\x7f",
		  "test.conf:1:8: invalid character in interface name 'eth\\x7f'" },
		{ "phyint eth\x01",
		  "test.conf:1:8: invalid character in interface name 'eth\\x01'" },
		{ "phyint .", "test.conf:1:8: invalid interface name '.'" },
		{ "phyint ..", "test.conf:1:8: invalid interface name '..'" },
		{ "phyint e+th",
		  "test.conf:1:8: '+' may only end an interface name, in 'e+th'" },
		{ "phyint eth++",
		  "test.conf:1:8: '+' may only end an interface name, in 'eth++'" },
		{ "phyint eth0 bogus",
		  "test.conf:1:13: unknown phyint option 'bogus' " PHYINT_OPTS },
		{ "phyint eth0 Enable",
		  "test.conf:1:13: unknown phyint option 'Enable' " PHYINT_OPTS },
		{ "phyint eth0 enable disable",
		  "test.conf:1:20: 'disable' conflicts with 'enable'" },
		{ "phyint eth0 disable mrdisc enable",
		  "test.conf:1:28: 'enable' conflicts with 'disable'" },
		{ "phyint eth0 upstream downstream",
		  "test.conf:1:22: 'downstream' conflicts with 'upstream'" },
		{ "phyint eth0 igmpv3 igmpv2",
		  "test.conf:1:20: 'igmpv2' conflicts with 'igmpv3'" },
		{ "phyint eth0 mldv1 igmpv3 mldv2",
		  "test.conf:1:26: 'mldv2' conflicts with 'mldv1'" },
		{ "phyint eth0 ttl-threshold",
		  "test.conf:1:1: phyint: 'ttl-threshold' needs a value (1-255)" },
		{ "phyint eth0 ttl-threshold 0",
		  "test.conf:1:27: ttl-threshold '0' is out of range (1-255)" },
		{ "phyint eth0 ttl-threshold 256",
		  "test.conf:1:27: ttl-threshold '256' is out of range (1-255)" },
		{ "phyint eth0 ttl-threshold 99999999999999999999999999999",
		  "test.conf:1:27: ttl-threshold '99999999999999999999999999999' is out of range (1-255)" },
		{ "phyint eth0 ttl-threshold -1",
		  "test.conf:1:27: ttl-threshold '-1' is not a number (1-255)" },
		{ "phyint eth0 ttl-threshold 0x10",
		  "test.conf:1:27: ttl-threshold '0x10' is not a number (1-255)" },
		{ "phyint eth0 ttl-threshold enable",
		  "test.conf:1:27: ttl-threshold 'enable' is not a number (1-255)" },
		{ "phyint eth0 altnet",
		  "test.conf:1:1: phyint: 'altnet' needs a prefix" },
		{ "phyint eth0 altnet foo",
		  "test.conf:1:20: altnet 'foo' is not an IPv4 or IPv6 address" },
		{ "phyint eth0 altnet 10.0.0.1/8",
		  "test.conf:1:20: altnet '10.0.0.1/8' has host bits set (did you mean '10.0.0.0/8'?)" },
		{ "phyint eth0 altnet 10.0.0.0/40",
		  "test.conf:1:20: altnet '10.0.0.0/40' has a bad prefix length (0-32 for IPv4)" },
		{ "phyint eth0 altnet 239.0.0.0/8",
		  "test.conf:1:20: altnet '239.0.0.0/8' is a multicast address (expected a unicast sender)" },
		{ "phyint eth0 altnet 10.0.0.0/8 altnet ff00::/8",
		  "test.conf:1:38: altnet 'ff00::/8' is a multicast address (expected a unicast sender)" },
	};

	(void)state;
	RUN_ERR_CASES(ec);
}

static void test_err_mgroup(void **state)
{
	static const struct err_case ec[] = {
		{ "mgroup", "test.conf:1:1: mgroup: missing 'from IFNAME'" },
		{ "mgroup group 225.1.1.1",
		  "test.conf:1:1: mgroup: missing 'from IFNAME'" },
		{ "mgroup from eth0",
		  "test.conf:1:1: mgroup: missing 'group GROUP[/LEN]'" },
		{ "mgroup from eth0 source 10.0.0.1",
		  "test.conf:1:1: mgroup: missing 'group GROUP[/LEN]'" },
		{ "mgroup from",
		  "test.conf:1:1: mgroup: 'from' needs an interface name" },
		{ "mgroup from eth0 group",
		  "test.conf:1:1: mgroup: 'group' needs an address" },
		{ " mgroup from eth0 source",
		  "test.conf:1:2: mgroup: 'source' needs an address" },
		{ "mgroup from eth0 from eth1 group 225.1.1.1",
		  "test.conf:1:18: mgroup: duplicate 'from'" },
		{ "mgroup from eth0 group 225.1.1.1 group 225.1.1.2",
		  "test.conf:1:34: mgroup: duplicate 'group'" },
		{ "mgroup from eth0 group 225.1.1.1 to eth1",
		  "test.conf:1:34: unexpected 'to' in mgroup (expected from, source or group)" },
		{ "mgroup from eth0 225.1.1.1",
		  "test.conf:1:18: unexpected '225.1.1.1' in mgroup (expected from, source or group)" },
		{ "mgroup from 0123456789abcdef group 225.1.1.1",
		  "test.conf:1:13: interface name '0123456789abcdef' is too long (at most 15 characters)" },
		{ "mgroup from e+0 group 225.1.1.1",
		  "test.conf:1:13: '+' may only end an interface name, in 'e+0'" },
		{ "mgroup from eth0 group 10.0.0.1",
		  "test.conf:1:24: group '10.0.0.1' is not a multicast address" },
		{ "mgroup from eth0 group 240.0.0.1",
		  "test.conf:1:24: group '240.0.0.1' is not a multicast address" },
		{ "mgroup from eth0 group 224.0.0.0/3",
		  "test.conf:1:24: group '224.0.0.0/3' is wider than the multicast range (/4 at least)" },
		{ "mgroup from eth0 group 225.1.1.1/33",
		  "test.conf:1:24: group '225.1.1.1/33' has a bad prefix length (0-32 for IPv4)" },
		{ "mgroup from eth0 group 225.1.1.0/",
		  "test.conf:1:24: group '225.1.1.0/' has a bad prefix length (0-32 for IPv4)" },
		{ "mgroup from eth0 group 225.1.1.0/x",
		  "test.conf:1:24: group '225.1.1.0/x' has a bad prefix length (0-32 for IPv4)" },
		{ "mgroup from eth0 group 225.1.1.1/24",
		  "test.conf:1:24: group '225.1.1.1/24' has host bits set (did you mean '225.1.1.0/24'?)" },
		{ "mgroup from eth0 group 225.1.1",
		  "test.conf:1:24: group '225.1.1' is not an IPv4 or IPv6 address" },
		{ "mgroup from eth0 group 225.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
		  "test.conf:1:24: group '225.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1' is not an IPv4 or IPv6 address" },
		{ "mgroup from eth0 group ff0e::1/129",
		  "test.conf:1:24: group 'ff0e::1/129' has a bad prefix length (0-128 for IPv6)" },
		{ "mgroup from eth0 group ff0e::1/64",
		  "test.conf:1:24: group 'ff0e::1/64' has host bits set (did you mean 'ff0e::/64'?)" },
		{ "mgroup from eth0 group fe80::1",
		  "test.conf:1:24: group 'fe80::1' is not a multicast address" },
		{ "mgroup from eth0 group ff00::/7",
		  "test.conf:1:24: group 'ff00::/7' has host bits set (did you mean 'fe00::/7'?)" },
		{ "mgroup from eth0 group f000::/4",
		  "test.conf:1:24: group 'f000::/4' is not a multicast address" },
		{ "mgroup from eth0 source 225.1.1.1 group 225.1.1.1",
		  "test.conf:1:25: source '225.1.1.1' is a multicast address (expected a unicast sender)" },
		{ "mgroup from eth0 source ff0e::1 group ff0e::1",
		  "test.conf:1:25: source 'ff0e::1' is a multicast address (expected a unicast sender)" },
		{ "mgroup from eth0 source 10.0.0.1 group ff0e::1",
		  "test.conf:1:40: source '10.0.0.1' is IPv4 but group 'ff0e::1' is IPv6" },
		{ "mgroup from eth0 group ff0e::1 source 10.0.0.1",
		  "test.conf:1:39: source '10.0.0.1' is IPv4 but group 'ff0e::1' is IPv6" },
		{ "mgroup from eth0 source 0.0.0.0 group ff0e::1",
		  "test.conf:1:39: source '0.0.0.0' is IPv4 but group 'ff0e::1' is IPv6" },
		{ "mgroup from eth0 source :: group 225.1.1.1",
		  "test.conf:1:34: source '::' is IPv6 but group '225.1.1.1' is IPv4" },
	};

	(void)state;
	RUN_ERR_CASES(ec);
}

static void test_err_mroute(void **state)
{
	static const struct err_case ec[] = {
		{ "mroute", "test.conf:1:1: mroute: missing 'from IFNAME'" },
		{ "mroute to eth1",
		  "test.conf:1:1: mroute: missing 'from IFNAME'" },
		{ "mroute from eth0 to eth1",
		  "test.conf:1:1: mroute: missing 'group GROUP[/LEN]'" },
		{ "mroute from eth0 group 225.1.1.1",
		  "test.conf:1:1: mroute: missing 'to OIF [OIF ...]'" },
		{ "mroute from eth0 group 225.1.1.1 to",
		  "test.conf:1:1: mroute: 'to' needs at least one outbound interface" },
		{ "mroute from eth0 group 225.1.1.1 to # eth1",
		  "test.conf:1:1: mroute: 'to' needs at least one outbound interface" },
		{ "mroute from eth0 group 225.1.1.1 to eth1 eth+",
		  "test.conf:1:42: wildcard 'eth+' is not allowed as an outbound interface" },
		{ "mroute from eth0 group 225.1.1.1 to +",
		  "test.conf:1:37: wildcard '+' is not allowed as an outbound interface" },
		{ "mroute from eth0 group 225.1.1.1 to e+1",
		  "test.conf:1:37: '+' may only end an interface name, in 'e+1'" },
		{ "mroute from eth0 group 225.1.1.1 to eth1 0123456789abcdef",
		  "test.conf:1:42: interface name '0123456789abcdef' is too long (at most 15 characters)" },
		{ "mroute from eth0 group 225.1.1.1 bogus to eth1",
		  "test.conf:1:34: unexpected 'bogus' in mroute (expected from, source, group or to)" },
		{ "mroute from eth0 source 10.0.0.1 source 10.0.0.2 group 225.1.1.1 to eth1",
		  "test.conf:1:34: mroute: duplicate 'source'" },
		{ "mroute from",
		  "test.conf:1:1: mroute: 'from' needs an interface name" },
		{ "mroute from eth0 source 10.0.0.0/33 group 225.1.1.1 to eth1",
		  "test.conf:1:25: source '10.0.0.0/33' has a bad prefix length (0-32 for IPv4)" },
		{ "mroute from eth0 source 10.0.0.1/24 group 225.1.1.1 to eth1",
		  "test.conf:1:25: source '10.0.0.1/24' has host bits set (did you mean '10.0.0.0/24'?)" },
		{ "mroute from eth0 source 2001:db8::1/64 group ff0e::1 to eth1",
		  "test.conf:1:25: source '2001:db8::1/64' has host bits set (did you mean '2001:db8::/64'?)" },
		{ "mroute from eth0 source eth1 group 225.1.1.1 to eth1",
		  "test.conf:1:25: source 'eth1' is not an IPv4 or IPv6 address" },
		{ "mroute from eth0 source 239.1.1.1 group 225.1.1.1 to eth1",
		  "test.conf:1:25: source '239.1.1.1' is a multicast address (expected a unicast sender)" },
		{ "mroute from eth0 group 192.168.1.1 to eth1",
		  "test.conf:1:24: group '192.168.1.1' is not a multicast address" },
		{ "mroute from eth0 source 2001:db8::1 group 225.1.1.1 to eth1",
		  "test.conf:1:43: source '2001:db8::1' is IPv6 but group '225.1.1.1' is IPv4" },
		{ "mroute from eth0 group to eth1",
		  "test.conf:1:24: group 'to' is not an IPv4 or IPv6 address" },
	};

	(void)state;
	RUN_ERR_CASES(ec);
}

static void test_expand_cap(void **state)
{
	struct conf c;
	char msg[CONF_ERR_MAX];

	(void)state;
	ok(&c, "mgroup from eth0 group 225.0.0.0/22\n"
	       "mgroup from eth0 source 10.0.0.0/24 group 232.0.0.0/30\n"
	       "mgroup from eth0 group ff0e::/118\n"
	       "mroute from eth0 group ff0e::/16 to eth1\n"
	       "mroute from eth0 source 0.0.0.0/0 group 224.0.0.0/4 to eth1\n");
	assert_int_equal(conf_mgroup_size(&c.mgroups[0]), CONF_MAX_EXPAND);
	assert_int_equal(conf_mgroup_size(&c.mgroups[1]), CONF_MAX_EXPAND);
	assert_int_equal(conf_mgroup_size(&c.mgroups[2]), CONF_MAX_EXPAND);
	conf_free(&c);

	snprintf(
		msg, sizeof(msg),
		"test.conf:1:24: mgroup expands to 2048 joins (sources x groups), more than %d",
		CONF_MAX_EXPAND);
	fails("mgroup from eth0 group 225.0.0.0/21", msg);
	snprintf(
		msg, sizeof(msg),
		"test.conf:1:43: mgroup expands to 2048 joins (sources x groups), more than %d",
		CONF_MAX_EXPAND);
	fails("mgroup from eth0 source 10.0.0.0/24 group 232.0.0.0/29", msg);
	snprintf(
		msg, sizeof(msg),
		"test.conf:2:24: mgroup expands to 2^112 joins (sources x groups), more than %d",
		CONF_MAX_EXPAND);
	fails("phyint eth0\nmgroup from eth0 group ff0e::/16", msg);
	snprintf(
		msg, sizeof(msg),
		"test.conf:1:36: mgroup expands to 2^248 joins (sources x groups), more than %d",
		CONF_MAX_EXPAND);
	fails("mgroup from eth0 source ::/0 group ff00::/8", msg);
	snprintf(
		msg, sizeof(msg),
		"test.conf:1:42: mgroup expands to 4294967296 joins (sources x groups), more than %d",
		CONF_MAX_EXPAND);
	fails("mgroup from eth0 source 0.0.0.0/16 group 224.0.0.0/16", msg);
}

/* ---- include ------------------------------------------------------------ */

static void test_include_glob(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/mcrouted.conf",
		  "phyint eth0\n"
		  "include mcrouted.d/*.conf\n"
		  "mroute from eth0 group 225.1.1.1 to eth1\n" },
		{ "/etc/mcrouted.d/10-b.conf", "phyint eth2 # b\n" },
		{ "/etc/mcrouted.d/02-a.conf",
		  "\n\nphyint eth1\ninclude sub/x.conf\n" },
		{ "/etc/mcrouted.d/sub/x.conf", "phyint eth9\n" },
		{ "/etc/mcrouted.d/readme.txt", "garbage\n" },
		{ "/etc/other.conf", "conntrack-flush off\n" },
	};
	struct conf c;

	(void)state;
	SET_FS(files);
	ok(&c, "include /etc/mcrouted.conf\ninclude /etc/other.conf\n"
	       "include /etc/none/*.conf # nothing matches: fine\n");
	assert_int_equal(c.n_phyints, 4);
	assert_string_equal(c.phyints[0].ifname, "eth0");
	assert_string_equal(c.phyints[1].ifname, "eth1");
	assert_string_equal(c.phyints[1].loc.file, "/etc/mcrouted.d/02-a.conf");
	assert_int_equal(c.phyints[1].loc.line, 3);
	assert_string_equal(c.phyints[2].ifname, "eth9");
	assert_string_equal(c.phyints[2].loc.file,
			    "/etc/mcrouted.d/sub/x.conf");
	assert_string_equal(c.phyints[3].ifname, "eth2");
	assert_int_equal(c.n_mroutes, 1);
	assert_string_equal(c.mroutes[0].loc.file, "/etc/mcrouted.conf");
	assert_int_equal(c.mroutes[0].loc.line, 3);
	assert_false(c.conntrack_flush);
	assert_int_equal(c.n_files, 6);
	assert_string_equal(c.files[0], "test.conf");
	/* loc.file points into files[] */
	for (size_t i = 0; i < c.n_phyints; i++) {
		bool found = false;

		for (size_t j = 0; j < c.n_files; j++)
			found |= c.phyints[i].loc.file == c.files[j];
		assert_true(found);
	}
	conf_free(&c);
}

static void test_include_relative(void **state)
{
	static const struct memfile files[] = {
		{ "main.conf", "include conf.d/*.conf\n" },
		{ "conf.d/a.conf", "include ../more.conf\n" },
		{ "more.conf", "phyint more0\n" },
		{ "/etc/we[ir]d/x.conf", "phyint weird0\n" },
		{ "/etc/wei/x.conf", "phyint wrong0\n" },
		{ "/etc/twice.conf", "phyint twice0\n" },
	};
	struct conf_error err;
	struct conf c;

	(void)state;
	SET_FS(files);
	/* no folder in the name: relative to the current folder */
	ok(&c, "include main.conf\n");
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].loc.file, "conf.d/../more.conf");
	conf_free(&c);

	/* the folder of the including file is escaped for glob */
	assert_int_equal(parse_named(&c, "/etc/we[ir]d/main.conf",
				     "include x.conf\n", &err),
			 0);
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].ifname, "weird0");
	conf_free(&c);

	/* the same file twice, not nested, is no loop */
	assert_int_equal(parse_named(&c, "/etc/main.conf",
				     "include twice.conf\ninclude twice.conf\n",
				     &err),
			 0);
	assert_int_equal(c.n_phyints, 1);
	assert_int_equal(c.phyints[0].loc.line, 1);
	assert_int_equal(c.n_files, 2); /* names are kept once */
	conf_free(&c);
}

static void test_include_errors(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/self.conf", "phyint eth0\ninclude self.conf\n" },
		{ "/etc/dot.conf", "include ./dot.conf\n" },
		{ "/etc/a.conf", "include b.conf\n" },
		{ "/etc/b.conf", "\n  include /etc/a.conf\n" },
		{ "/etc/bad.conf",
		  "phyint eth0\nmroute from eth0 group 225.1.1.1\n" },
		{ "/etc/secret.conf", NULL },
		{ "/etc/d1.conf", "include d2.conf" },
		{ "/etc/d2.conf", "include d3.conf" },
		{ "/etc/d3.conf", "include d4.conf" },
		{ "/etc/d4.conf", "include d5.conf" },
		{ "/etc/d5.conf", "include d6.conf" },
		{ "/etc/d6.conf", "include d7.conf" },
		{ "/etc/d7.conf", "include d8.conf" },
		{ "/etc/d8.conf", "include d9.conf" },
		{ "/etc/d9.conf", "phyint deep0" },
		{ "/etc/star.conf", "include *.conf\n" },
	};
	struct conf_error err;
	struct conf c;
	char msg[CONF_ERR_MAX];

	(void)state;
	SET_FS(files);
	fails("include",
	      "test.conf:1:1: include: expected a file name or glob pattern");
	fails("include a.conf b.conf",
	      "test.conf:1:16: unexpected 'b.conf' after the include pattern");
	fails_named(
		"/etc/main.conf", "\n include nope.conf",
		"/etc/main.conf:2:10: cannot include '/etc/nope.conf': No such file or directory");
	fails_named(
		"/etc/main.conf", "include /nope/x\\*.conf",
		"/etc/main.conf:1:9: cannot include '/nope/x\\*.conf': No such file or directory");
	fails_named(
		"/etc/main.conf", "include secret.conf",
		"/etc/main.conf:1:9: cannot read '/etc/secret.conf': Permission denied");
	fails_named(
		"/etc/main.conf", "include glob-fails/*.conf",
		"/etc/main.conf:1:9: cannot expand '/etc/glob-fails/*.conf': Permission denied");
	fails_named(
		"/etc/self.conf", "include self.conf",
		"/etc/self.conf:1:9: include loop: '/etc/self.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include self.conf",
		"/etc/self.conf:2:9: include loop: '/etc/self.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include dot.conf",
		"/etc/dot.conf:1:9: include loop: '/etc/./dot.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include a.conf",
		"/etc/b.conf:2:11: include loop: '/etc/a.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include star.conf",
		"/etc/b.conf:2:11: include loop: '/etc/a.conf' is already being read");
	fails_named("/etc/main.conf", "include bad.conf",
		    "/etc/bad.conf:2:1: mroute: missing 'to OIF [OIF ...]'");

	/* depth: main -> d2 .. d9 is 8 levels, fine; d1 makes it 9 */
	assert_int_equal(
		parse_named(&c, "/etc/main.conf", "include d2.conf", &err), 0);
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].loc.file, "/etc/d9.conf");
	conf_free(&c);
	snprintf(
		msg, sizeof(msg),
		"/etc/d8.conf:1:9: include nested too deeply (more than %d levels) at '/etc/d9.conf'",
		CONF_MAX_INCLUDE_DEPTH);
	fails_named("/etc/main.conf", "include d1.conf", msg);

	/* long and odd file names are cut from the left and escaped */
	{
		char name[400], dd[108], want[CONF_ERR_MAX];

		memset(name, 'd', sizeof(name));
		memcpy(name + sizeof(name) - 11,
		       "/\x01"
		       "bad.conf",
		       11);
		memset(dd, 'd', 107);
		dd[107] = '\0';
		/* 120 bytes once escaped: 107 + 1 + 4 + 8 */
		snprintf(
			want, sizeof(want),
			"...%s/\\x01bad.conf:1:1: unknown directive 'x' " DIRECTIVES,
			dd);
		fails_named(name, "x", want);
	}

	/* no io: include refused */
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "x.conf", "include y", 9, NULL, &err),
			 -1);
	assert_string_equal(
		err.msg,
		"x.conf:1:1: include is not possible here (no file access)");
	conf_free(&c);
}

/* ---- print, equal, find ------------------------------------------------- */

static const char rich[] =
	"conntrack-flush off\n"
	"phyint eth0 enable mrdisc ttl-threshold 11 upstream igmpv3 mldv2 "
	"fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/32\n"
	"phyint eth1 disable\n"
	"phyint wlan+ enable downstream igmpv2 mldv1\n"
	"mgroup from eth0 group 225.1.2.3\n"
	"mgroup from eth0 source 10.0.0.1 group 232.1.1.1\n"
	"mgroup from eth+ source 10.0.0.0/30 group 232.1.1.0/30\n"
	"mgroup from eth1 source 2001:db8::1 group ff3e::1\n"
	"mgroup from eth1 group ff0e::/120\n"
	"mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1 eth2\n"
	"mroute from eth0 group 225.0.0.0/24 to eth1\n"
	"mroute from eth0 source 0.0.0.0/0 group 225.0.0.1 to eth1\n"
	"mroute from wlan+ source 2001:db8::/64 group ff0e::/16 to usb0 eth1\n";

static void test_print_roundtrip(void **state)
{
	struct conf a, b;
	char *t1, *t2;

	(void)state;
	ok(&a, rich);
	t1 = print_conf(&a);
	assert_string_equal(t1, rich);
	ok(&b, t1);
	assert_true(conf_equal(&a, &b));
	t2 = print_conf(&b);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	conf_free(&a);
	conf_free(&b);

	/* non-canonical input prints canonically */
	ok(&a, "phyint eth0\n"
	       "mroute group 225.1.1.1 from eth0 source 0.0.0.0 to eth1 eth1\n"
	       "mgroup group ff0e::1 source :: from eth0\n");
	t1 = print_conf(&a);
	assert_string_equal(t1, "conntrack-flush on\n"
				"phyint eth0 enable\n"
				"mgroup from eth0 group ff0e::1\n"
				"mroute from eth0 group 225.1.1.1 to eth1\n");
	ok(&b, t1);
	assert_true(conf_equal(&a, &b));
	free(t1);
	conf_free(&a);
	conf_free(&b);
}

static void test_equal(void **state)
{
	static const char *const variants[] = {
		"conntrack-flush on\n",
		"phyint eth0 enable mrdisc ttl-threshold 11 upstream igmpv3 mldv2 fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/32 altnet 10.1.0.0/16\n",
		"phyint eth0 enable mrdisc ttl-threshold 12 upstream igmpv3 mldv2 fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/32\n",
		"phyint eth0 enable mrdisc ttl-threshold 11 upstream igmpv3 mldv2 fast-leave altnet 10.0.0.0/8 altnet 2001:db8::/33\n",
		"phyint eth1 enable\n",
		"mgroup from eth0 group 225.1.2.4\n",
		"mgroup from eth1 source 2001:db8::2 group ff3e::1\n",
		"mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth2 eth1\n",
		"mroute from eth0 source 192.168.1.42 group 225.1.2.3 to eth1\n",
		"mroute from eth0 group 225.1.2.3 to eth1 eth2\n",
	};
	struct conf a, b;

	(void)state;
	ok(&a, rich);
	ok(&b, rich);
	assert_true(conf_equal(&a, &b));
	conf_free(&b);
	/* each variant appended changes the config */
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		size_t n = strlen(rich) + strlen(variants[i]) + 1;
		char *t = malloc(n);

		snprintf(t, n, "%s%s", rich, variants[i]);
		ok(&b, t);
		if (conf_equal(&a, &b))
			print_error("variant %zu: %s", i, variants[i]);
		assert_false(conf_equal(&a, &b));
		conf_free(&b);
		free(t);
	}
	conf_free(&a);
}

static void test_ifname_match(void **state)
{
	(void)state;
	assert_true(ifname_match("eth0", "eth0"));
	assert_false(ifname_match("eth0", "eth01"));
	assert_false(ifname_match("eth0", "eth"));
	assert_true(ifname_match("eth+", "eth0"));
	assert_true(ifname_match("eth+", "eth10"));
	assert_true(ifname_match("eth+", "eth"));
	assert_false(ifname_match("eth+", "et"));
	assert_false(ifname_match("eth+", "wlan0"));
	assert_true(ifname_match("+", "anything"));
	assert_false(ifname_match("", "eth0"));
	assert_false(ifname_match(NULL, "eth0"));
	assert_false(ifname_match("eth0", NULL));
}

static void test_phyint_find(void **state)
{
	struct conf c;

	(void)state;
	ok(&c, "phyint + ttl-threshold 2\n"
	       "phyint eth+ ttl-threshold 3\n"
	       "phyint eth1+ ttl-threshold 4\n"
	       "phyint eth10 ttl-threshold 5\n"
	       "phyint wlan0 disable\n");
	assert_int_equal(conf_phyint_find(&c, "eth10")->ttl_threshold, 5);
	assert_int_equal(conf_phyint_find(&c, "eth11")->ttl_threshold, 4);
	assert_int_equal(conf_phyint_find(&c, "eth1")->ttl_threshold, 4);
	assert_int_equal(conf_phyint_find(&c, "eth0")->ttl_threshold, 3);
	assert_int_equal(conf_phyint_find(&c, "eth")->ttl_threshold, 3);
	assert_int_equal(conf_phyint_find(&c, "usb0")->ttl_threshold, 2);
	assert_false(conf_phyint_find(&c, "wlan0")->enable);
	assert_int_equal(conf_phyint_find(&c, "wlan1")->ttl_threshold, 2);
	assert_int_equal(conf_phyint_find(&c, "eth+")->ttl_threshold, 3);
	conf_free(&c);

	ok(&c, "phyint eth0\n");
	assert_null(conf_phyint_find(&c, "eth1"));
	assert_non_null(conf_phyint_find(&c, "eth0"));
	conf_free(&c);
}

/* ---- files -------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_conf_load(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[256], sub[256], msg[600];
	struct conf_error err;
	struct conf c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/conf.d", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/conf.d/20-b.conf", dir);
	write_file(path, "phyint eth2\n");
	snprintf(path, sizeof(path), "%s/conf.d/10-a.conf", dir);
	write_file(path, "phyint eth1\n");
	snprintf(path, sizeof(path), "%s/conf.d/notes.txt", dir);
	write_file(path, "junk\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	write_file(path, "phyint eth0\ninclude conf.d/*.conf\n"
			 "include conf.d/none-*.conf\n"
			 "mroute from eth0 group 225.1.1.1 to eth1 eth2\n");

	conf_init(&c);
	if (conf_load(&c, path, &err))
		print_error("%s\n", err.msg);
	assert_int_equal(c.n_phyints, 3);
	assert_string_equal(c.phyints[1].ifname, "eth1");
	assert_string_equal(c.phyints[2].ifname, "eth2");
	snprintf(msg, sizeof(msg), "%s/conf.d/20-b.conf", dir);
	assert_string_equal(c.phyints[2].loc.file, msg);
	assert_int_equal(c.n_mroutes, 1);
	conf_free(&c);

	/* a folder is not a file */
	snprintf(path, sizeof(path), "%s/dir.conf", dir);
	write_file(path, "include conf.d\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(msg, sizeof(msg),
		 "%s:1:9: cannot read '%s/conf.d': Is a directory", path, dir);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	/* a missing file, top level and included */
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(msg, sizeof(msg),
		 "%s:0:0: cannot read: No such file or directory", path);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	snprintf(path, sizeof(path), "%s/inc.conf", dir);
	write_file(path, "include missing.conf\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(
		msg, sizeof(msg),
		"%s:1:9: cannot include '%s/missing.conf': No such file or directory",
		path, dir);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	/* loop through the real file system */
	snprintf(path, sizeof(path), "%s/loop.conf", dir);
	write_file(path, "include loop.conf\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(msg, sizeof(msg),
		 "%s:1:9: include loop: '%s' is already being read", path,
		 path);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	snprintf(msg, sizeof(msg), "rm -rf '%s'", dir);
	assert_int_equal(system(msg), 0);
}

/* ---- robustness --------------------------------------------------------- */

static void test_long_lines(void **state)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 64);
	struct conf c;

	(void)state;
	/* a 1 MiB comment, then a directive */
	text[0] = '#';
	memset(text + 1, 'x', n);
	strcpy(text + 1 + n, "\nphyint eth0\n");
	ok(&c, text);
	assert_int_equal(c.n_phyints, 1);
	assert_int_equal(c.phyints[0].loc.line, 2);
	conf_free(&c);

	/* 1 MiB of blanks before a directive: the column is exact */
	memset(text, ' ', n);
	strcpy(text + n, "bogus");
	fails(text,
	      "test.conf:1:1048577: unknown directive 'bogus' " DIRECTIVES);

	/* a 1 MiB token */
	memset(text, 'a', n);
	strcpy(text + n, " x");
	fails(text,
	      "test.conf:1:1: unknown directive 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' " DIRECTIVES);
	memcpy(text, "phyint ", 7);
	fails(text,
	      "test.conf:1:8: interface name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (at most 15 characters)");
	memcpy(text, "mgroup from eth0 group ", 23);
	fails(text,
	      "test.conf:1:24: group 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not an IPv4 or IPv6 address");
	free(text);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Random token soup and random bytes: never a crash, a well-formed error. */
static void test_fuzz(void **state)
{
	static const char *const words[] = {
		"phyint",
		"mgroup",
		"mroute",
		"include",
		"conntrack-flush",
		"from",
		"source",
		"group",
		"to",
		"enable",
		"disable",
		"mrdisc",
		"ttl-threshold",
		"upstream",
		"downstream",
		"igmpv2",
		"igmpv3",
		"mldv1",
		"mldv2",
		"fast-leave",
		"altnet",
		"on",
		"off",
		"eth0",
		"eth+",
		"+",
		"225.1.1.1",
		"225.0.0.0/24",
		"10.0.0.1",
		"0.0.0.0",
		"::",
		"ff0e::1",
		"ff0e::/16",
		"2001:db8::1/64",
		"1",
		"255",
		"256",
		"999999999999999999999",
		"*.conf",
		"a.conf",
		"/etc/x.conf",
		"#",
		"\n",
		"\t",
		" ",
		"\r",
		"\0",
		"/",
		"\xff",
		"0123456789abcdefgh",
		"225.1.1.1/",
		"225.1.1.1/99",
	};
	static const struct memfile files[] = {
		{ "a.conf", "phyint eth0\ninclude b.conf\n" },
		{ "b.conf", "mroute from eth0 group 225.1.1.1 to eth1\n" },
		{ "c.conf", "include *.conf\n" },
	};
	char buf[512];

	(void)state;
	SET_FS(files);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0, want = rnd() % 300;
		struct conf_error err;
		struct conf c;
		int rc;

		while (len < want) {
			const char *w;
			size_t wl;

			if (rnd() % 8 == 0) {
				buf[len++] = (char)rnd();
				continue;
			}
			w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
			wl = w[0] ? strlen(w) : 1;
			if (len + wl + 1 >= sizeof(buf))
				break;
			memcpy(buf + len, w, wl);
			len += wl;
			buf[len++] = rnd() % 4 ? ' ' : '\n';
		}
		conf_init(&c);
		rc = conf_parse(&c, "fuzz.conf", buf, len,
				iter % 2 ? &mem_io : NULL, &err);
		assert_true(rc == 0 || rc == -1);
		if (rc) {
			assert_true(strlen(err.msg) > 0);
		} else {
			/* what parses prints and parses back the same */
			char *t = print_conf(&c);
			struct conf d;

			ok(&d, t);
			assert_true(conf_equal(&c, &d));
			conf_free(&d);
			free(t);
		}
		conf_free(&c);
	}
}

/* ---- IGMP/MLD timers ---------------------------------------------------- */

static void test_gm_timers(void **state)
{
	struct conf c;
	char *txt;

	(void)state;
	ok(&c, "");
	assert_int_equal(c.gm.robustness, 2);
	assert_int_equal(c.gm.query_interval_ms, 125000);
	assert_int_equal(c.gm.query_resp_ms, 10000);
	assert_int_equal(c.gm.lmq_interval_ms, 1000);
	assert_int_equal(c.gm.lmq_count, 0);
	assert_int_equal(c.gm.max_groups, 1024);
	txt = print_conf(&c);
	assert_null(strstr(txt, "query"));
	free(txt);
	conf_free(&c);

	ok(&c, "query-response-interval 0.5\nquery-interval 2\nrobustness 3\n"
	       "last-member-query-interval 0.1 # fast\n"
	       "last-member-query-count 1\nmax-groups 65536\n");
	assert_int_equal(c.gm.query_interval_ms, 2000);
	assert_int_equal(c.gm.query_resp_ms, 500);
	assert_int_equal(c.gm.robustness, 3);
	assert_int_equal(c.gm.lmq_interval_ms, 100);
	assert_int_equal(c.gm.lmq_count, 1);
	assert_int_equal(c.gm.max_groups, 65536);
	txt = print_conf(&c);
	assert_non_null(strstr(txt, "query-interval 2\n"
				    "query-response-interval 0.5\n"
				    "robustness 3\n"
				    "last-member-query-interval 0.1\n"
				    "last-member-query-count 1\n"
				    "max-groups 65536\n"));
	{
		struct conf d;

		ok(&d, txt);
		assert_true(conf_equal(&c, &d));
		conf_free(&d);
	}
	free(txt);
	conf_free(&c);

	/* the last one wins; whole seconds for the tenths forms */
	ok(&c, "robustness 7\nrobustness 1\nquery-response-interval 25\n");
	assert_int_equal(c.gm.robustness, 1);
	assert_int_equal(c.gm.query_resp_ms, 25000);
	conf_free(&c);
}

/* A phyint's own timers: parsed, printed back, 0 = the global value. */
static void test_gm_phyint_timers(void **state)
{
	struct conf c, d;
	const struct conf_phyint *w, *u;
	char *txt;

	(void)state;
	ok(&c, "robustness 4\n"
	       "phyint wlan0 downstream robustness 3 query-interval 30 "
	       "query-response-interval 2.5 last-member-query-interval 0.5 "
	       "last-member-query-count 4 max-groups 64 fast-leave\n"
	       "phyint usb0 downstream\n");
	w = conf_phyint_find(&c, "wlan0");
	u = conf_phyint_find(&c, "usb0");
	assert_int_equal(w->gm.robustness, 3);
	assert_int_equal(w->gm.query_interval_ms, 30000);
	assert_int_equal(w->gm.query_resp_ms, 2500);
	assert_int_equal(w->gm.lmq_interval_ms, 500);
	assert_int_equal(w->gm.lmq_count, 4);
	assert_int_equal(w->gm.max_groups, 64);
	assert_true(w->fast_leave);
	assert_int_equal(u->gm.robustness, 0);
	assert_int_equal(u->gm.query_interval_ms, 0);
	assert_int_equal(c.gm.robustness, 4);
	txt = print_conf(&c);
	assert_non_null(strstr(
		txt,
		"phyint wlan0 enable downstream fast-leave query-interval 30 "
		"query-response-interval 2.5 robustness 3 "
		"last-member-query-interval 0.5 last-member-query-count 4 "
		"max-groups 64\n"));
	ok(&d, txt);
	assert_true(conf_equal(&c, &d));
	conf_free(&d);
	free(txt);
	/* a different value is a different config (a reload applies it) */
	ok(&d, "robustness 4\nphyint wlan0 downstream robustness 2 "
	       "query-interval 30 query-response-interval 2.5 "
	       "last-member-query-interval 0.5 last-member-query-count 4 "
	       "max-groups 64 fast-leave\nphyint usb0 downstream\n");
	assert_false(conf_equal(&c, &d));
	conf_free(&d);
	conf_free(&c);
}

static void test_gm_timer_errors(void **state)
{
	static const struct err_case ec[] = {
		{ "robustness",
		  "test.conf:1:1: robustness: expected a value (1-7)" },
		{ "robustness 0",
		  "test.conf:1:12: robustness: '0' is out of range (1-7)" },
		{ "robustness 8",
		  "test.conf:1:12: robustness: '8' is out of range (1-7)" },
		{ "robustness two",
		  "test.conf:1:12: robustness: 'two' is not a number (1-7)" },
		{ "robustness 2 3",
		  "test.conf:1:14: unexpected '3' after 'robustness 2'" },
		{ "  query-interval 0",
		  "test.conf:1:18: query-interval: '0' is out of range (1-31744)" },
		{ "query-interval 31745",
		  "test.conf:1:16: query-interval: '31745' is out of range (1-31744)" },
		{ "query-interval 1.5",
		  "test.conf:1:16: query-interval: '1.5' is not a number (1-31744)" },
		{ "query-interval 99999999999999999999",
		  "test.conf:1:16: query-interval: '99999999999999999999' is out of range (1-31744)" },
		{ "query-response-interval 0.05",
		  "test.conf:1:25: query-response-interval: '0.05' is not a number of seconds (0.1-3174.4 seconds)" },
		{ "query-response-interval 0",
		  "test.conf:1:25: query-response-interval: '0' is out of range (0.1-3174.4 seconds)" },
		{ "query-response-interval .5",
		  "test.conf:1:25: query-response-interval: '.5' is not a number of seconds (0.1-3174.4 seconds)" },
		{ "query-response-interval 1.",
		  "test.conf:1:25: query-response-interval: '1.' is not a number of seconds (0.1-3174.4 seconds)" },
		{ "last-member-query-interval 25.6",
		  "test.conf:1:28: last-member-query-interval: '25.6' is out of range (0.1-25.5 seconds)" },
		{ "last-member-query-count 0",
		  "test.conf:1:25: last-member-query-count: '0' is out of range (1-7)" },
		{ "max-groups 0",
		  "test.conf:1:12: max-groups: '0' is out of range (1-65536)" },
		{ "max-groups -1",
		  "test.conf:1:12: max-groups: '-1' is not a number (1-65536)" },
		{ "query-interval 5\nquery-response-interval 5",
		  "test.conf:2:25: query-response-interval: must be less than the query-interval (5 s)" },
		{ "query-response-interval 9.5\nquery-interval 9",
		  "test.conf:2:16: query-interval: 9 s is not more than the query-response-interval (9.5 s)" },
		/* the same words on a phyint line */
		{ "phyint wlan0 robustness",
		  "test.conf:1:14: phyint: 'robustness' needs a value (1-7)" },
		{ "phyint wlan0 robustness 9",
		  "test.conf:1:25: robustness: '9' is out of range (1-7)" },
		{ "phyint wlan0 query-interval 2.5 enable",
		  "test.conf:1:29: query-interval: '2.5' is not a number (1-31744)" },
		{ "phyint wlan0 last-member-query-interval 0.05",
		  "test.conf:1:41: last-member-query-interval: '0.05' is not a number of seconds (0.1-25.5 seconds)" },
		{ "phyint wlan0 query-interval 5 query-response-interval 5",
		  "test.conf:1:55: phyint: the query-response-interval (5.0 s) must be less than the query-interval (5 s)" },
		{ "phyint wlan0 max-groups x",
		  "test.conf:1:25: max-groups: 'x' is not a number (1-65536)" },
	};

	(void)state;
	RUN_ERR_CASES(ec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_phyint),
		cmocka_unit_test(test_phyint_override),
		cmocka_unit_test(test_mgroup),
		cmocka_unit_test(test_mroute),
		cmocka_unit_test(test_mroute_many_oifs),
		cmocka_unit_test(test_conntrack),
		cmocka_unit_test(test_gm_timers),
		cmocka_unit_test(test_gm_phyint_timers),
		cmocka_unit_test(test_gm_timer_errors),
		cmocka_unit_test(test_smcroute_example),
		cmocka_unit_test(test_crlf_bom_columns),
		cmocka_unit_test(test_err_general),
		cmocka_unit_test(test_err_nul),
		cmocka_unit_test(test_err_phyint),
		cmocka_unit_test(test_err_mgroup),
		cmocka_unit_test(test_err_mroute),
		cmocka_unit_test(test_expand_cap),
		cmocka_unit_test(test_include_glob),
		cmocka_unit_test(test_include_relative),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_print_roundtrip),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_ifname_match),
		cmocka_unit_test(test_phyint_find),
		cmocka_unit_test(test_conf_load),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
