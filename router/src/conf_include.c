// SPDX-License-Identifier: MIT
/*
 * mcrouted.conf: include (glob patterns, relative folders, loops, depth),
 * the names of the files read, and the real file system's struct conf_io
 * with conf_load().
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

#define CONF_MAX_FILES 4096 /* files read through include, in all */
#define CONF_MAX_FILE_SIZE (64u << 20)

/*
 * A path for loop detection: "//" and "/./" collapsed, "./" dropped.
 * ".." is kept (it may cross a symlink); the depth limit is the backstop.
 */
char *conf_path_norm(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2), *o = out;
	const char *p = path;

	if (!out)
		return NULL;
	if (*p == '/')
		*o++ = *p++;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);

		if (len && !(len == 1 && *p == '.')) {
			if (o > out && o[-1] != '/')
				*o++ = '/';
			memcpy(o, p, len);
			o += len;
		}
		p = *e ? e + 1 : e;
	}
	if (o == out)
		*o++ = '.';
	*o = '\0';
	return out;
}

/* glob characters that are not escaped */
static bool has_glob_meta(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	}
	return false;
}

/*
 * The pattern of "include PAT" in file: PAT itself when absolute or when
 * file has no folder, else file's folder (glob-escaped) + "/" + PAT.
 */
static char *include_pattern(const char *file, const struct token *t)
{
	const char *slash = strrchr(file, '/');
	size_t dlen = 0, n;
	char *out, *o;

	if (t->s[0] != '/' && slash)
		dlen = (size_t)(slash - file) + 1;
	n = dlen * 2 + t->len + 1;
	out = malloc(n);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < dlen; i++) {
		if (strchr("*?[\\", file[i]))
			*o++ = '\\';
		*o++ = file[i];
	}
	memcpy(o, t->s, t->len);
	o[t->len] = '\0';
	return out;
}

/* The name kept in c->files for path (one copy per distinct name). */
const char *conf_add_file(struct conf *c, const char *path)
{
	char *dup;

	for (size_t i = 0; i < c->n_files; i++)
		if (!strcmp(c->files[i], path))
			return c->files[i];
	dup = strdup(path);
	if (!dup || vec_grow2(&c->files, c->n_files, sizeof(*c->files))) {
		free(dup);
		return NULL;
	}
	c->files[c->n_files++] = dup;
	return dup;
}

static int include_file(const struct ctx *x, unsigned int col, const char *path)
{
	struct parser *ps = x->ps;
	unsigned int depth = x->depth + 1;
	char *text = NULL, *norm, f[ESC_PATH_BUF];
	const char *name;
	size_t len = 0;
	int rc;

	norm = conf_path_norm(path);
	if (!norm)
		return conf_perr(x, col, "out of memory");
	for (unsigned int i = 0; i <= x->depth; i++) {
		if (ps->stack[i] && !strcmp(ps->stack[i], norm)) {
			free(norm);
			return conf_perr(
				x, col,
				"include loop: '%s' is already being read",
				esc_path(path, f));
		}
	}
	if (depth > CONF_MAX_INCLUDE_DEPTH) {
		free(norm);
		return conf_perr(
			x, col,
			"include nested too deeply (more than %d levels) at '%s'",
			CONF_MAX_INCLUDE_DEPTH, esc_path(path, f));
	}
	if (++ps->n_files_read > CONF_MAX_FILES) {
		free(norm);
		return conf_perr(x, col,
				 "too many included files (more than %d)",
				 CONF_MAX_FILES);
	}
	errno = 0;
	if (ps->io->read(ps->io->ctx, path, &text, &len)) {
		int e = errno;

		free(norm);
		return conf_perr(x, col, "cannot read '%s': %s",
				 esc_path(path, f),
				 e ? strerror(e) : "unknown error");
	}
	name = conf_add_file(ps->c, path);
	if (!name) {
		free(text);
		free(norm);
		return conf_perr(x, col, "out of memory");
	}
	ps->stack[depth] = norm;
	rc = conf_parse_text(ps, name, text ? text : "", text ? len : 0, depth);
	ps->stack[depth] = NULL;
	free(norm);
	free(text);
	return rc;
}

int conf_parse_include(const struct ctx *x)
{
	struct parser *ps = x->ps;
	const struct token *t;
	char **paths = NULL, *pattern;
	char a[SHOW_BUF], f[ESC_PATH_BUF];
	size_t n = 0, i;
	int rc = 0;

	if (x->n < 2)
		return conf_perr(
			x, dcol(x),
			"include: expected a file name or glob pattern");
	t = &x->t[1];
	if (x->n > 2)
		return conf_perr(x, x->t[2].col,
				 "unexpected '%s' after the include pattern",
				 show(&x->t[2], a));
	if (!ps->io || !ps->io->glob || !ps->io->read)
		return conf_perr(
			x, dcol(x),
			"include is not possible here (no file access)");
	pattern = include_pattern(x->file, t);
	if (!pattern)
		return conf_oom(x);
	errno = 0;
	if (ps->io->glob(ps->io->ctx, pattern, &paths, &n)) {
		int e = errno;

		rc = conf_perr(x, t->col, "cannot expand '%s': %s",
			       esc_path(pattern, f),
			       e ? strerror(e) : "unknown error");
		paths = NULL; /* the contract leaves nothing to free */
		n = 0;
	} else if (!n && !has_glob_meta(t->s, t->len)) {
		rc = conf_perr(x, t->col, "cannot include '%s': %s",
			       esc_path(pattern, f), strerror(ENOENT));
	}
	for (i = 0; i < n && !rc; i++)
		rc = include_file(x, t->col, paths[i]);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(pattern);
	return rc;
}

static int fs_glob(void *ctx, const char *pattern, char ***paths, size_t *n)
{
	glob_t g;
	char **out;
	int rc;

	(void)ctx;
	*paths = NULL;
	*n = 0;
	memset(&g, 0, sizeof(g));
	rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		globfree(&g);
		return 0;
	}
	if (rc) {
		globfree(&g);
		errno = rc == GLOB_NOSPACE ? ENOMEM : EIO;
		return -1;
	}
	out = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof(*out));
	if (!out)
		goto nomem;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		out[i] = strdup(g.gl_pathv[i]);
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			goto nomem;
		}
	}
	*paths = out;
	*n = g.gl_pathc;
	globfree(&g);
	return 0;
nomem:
	globfree(&g);
	errno = ENOMEM;
	return -1;
}

static int fs_read(void *ctx, const char *path, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	struct stat st;
	int fd, e;

	(void)ctx;
	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st))
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < CONF_MAX_FILE_SIZE)
		cap = (size_t)st.st_size + 2;
	for (;;) {
		ssize_t r;

		if (!buf || n + 1 >= cap) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > CONF_MAX_FILE_SIZE + 1) {
				errno = EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return -1;
}

const struct conf_io conf_io_fs = {
	.glob = fs_glob,
	.read = fs_read,
	.ctx = NULL,
};

int conf_load(struct conf *c, const char *path, struct conf_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (conf_io_fs.read(NULL, path, &text, &len)) {
		char f[ESC_PATH_BUF];

		if (err)
			snprintf(err->msg, sizeof(err->msg),
				 "%s:0:0: cannot read: %s", esc_path(path, f),
				 strerror(errno));
		return -1;
	}
	rc = conf_parse(c, path, text, len, &conf_io_fs, err);
	free(text);
	return rc;
}
