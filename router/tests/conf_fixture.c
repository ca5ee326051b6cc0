// SPDX-License-Identifier: MIT
/*
 * The config parser's tests' shared part (conf_fixture.h): an in-memory
 * file system for include, and parses that must succeed or fail.
 */
#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_fixture.h"

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

struct memfs memfs;
const struct conf_io mem_io = { mem_glob, mem_read, &memfs };

void set_fs(const struct memfile *files, size_t n)
{
	memfs.files = files;
	memfs.n = n;
	memfs.globs = 0;
	memfs.reads = 0;
}

int parse_named(struct conf *c, const char *name, const char *text,
		struct conf_error *err)
{
	conf_init(c);
	return conf_parse(c, name, text, strlen(text), &mem_io, err);
}

/* Parse text as "test.conf"; it must succeed. */
void ok(struct conf *c, const char *text)
{
	struct conf_error err;
	int rc = parse_named(c, "test.conf", text, &err);

	if (rc)
		print_error("unexpected error: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_string_equal(err.msg, "");
}

/* Parse text as name; it must fail with exactly msg. */
void fails_named(const char *name, const char *text, const char *msg)
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

void fails(const char *text, const char *msg)
{
	fails_named("test.conf", text, msg);
}

void run_err_cases(const struct err_case *ec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fails(ec[i].text, ec[i].msg);
}

void test_err_table(void **state)
{
	const struct err_table *t = *state;

	run_err_cases(t->ec, t->n);
}

void assert_prefix(const struct inet_prefix *p, const char *want)
{
	char buf[PREFIX_STRLEN];

	assert_string_equal(prefix_ntop(p, buf, sizeof(buf)), want);
}

char *print_conf(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	conf_print(c, f);
	fclose(f);
	return buf;
}

void assert_reads_back(const struct conf *c, const char *text)
{
	struct conf d;

	ok(&d, text);
	assert_true(conf_equal(c, &d));
	conf_free(&d);
}
