// SPDX-License-Identifier: MIT
/* mclab check --image's results: table, TAP, JUnit, Markdown. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "imgreport.h"

static const char *const status_name[] = { "pass", "FAIL", "skip" };

struct img_row *img_add(struct img_report *r, const char *name,
			enum img_status st, double secs, const char *fmt, ...)
{
	struct img_row *row;
	va_list ap;

	if (r->nrows >= IMG_MAX_ROWS)
		row = &r->rows[IMG_MAX_ROWS - 1]; /* the last one is reused */
	else
		row = &r->rows[r->nrows++];
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->st = st;
	row->secs = secs;
	va_start(ap, fmt);
	vsnprintf(row->detail, sizeof(row->detail), fmt, ap);
	va_end(ap);
	return row;
}

void img_fact(struct img_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nfacts >= 16)
		return;
	va_start(ap, fmt);
	vsnprintf(r->facts[r->nfacts++], sizeof(r->facts[0]), fmt, ap);
	va_end(ap);
}

int img_failures(const struct img_report *r)
{
	int n = 0;

	for (int i = 0; i < r->nrows; i++)
		n += r->rows[i].st == IMG_FAIL;
	return n;
}

/* The detail's first line, and the rest (after the newline) or "". */
static int first_len(const char *d)
{
	const char *nl = strchr(d, '\n');

	return nl ? (int)(nl - d) : (int)strlen(d);
}

void img_print(const struct img_report *r, FILE *f)
{
	int pass = 0, skip = 0;

	for (int i = 0; i < r->nfacts; i++)
		fprintf(f, "  %s\n", r->facts[i]);
	fprintf(f, "\n  %-4s  %-36s %s\n", "", "check", "detail");
	for (int i = 0; i < r->nrows; i++) {
		const struct img_row *w = &r->rows[i];

		pass += w->st == IMG_PASS;
		skip += w->st == IMG_SKIP;
		fprintf(f, "  %-4s  %-36s %.*s\n", status_name[w->st], w->name,
			first_len(w->detail), w->detail);
		if (w->st == IMG_FAIL && w->detail[first_len(w->detail)]) {
			const char *p = w->detail + first_len(w->detail) + 1;

			while (*p) {
				int n = first_len(p);

				fprintf(f, "        | %.*s\n", n, p);
				p += n + (p[n] ? 1 : 0);
			}
		}
	}
	fprintf(f, "\n  %d passed, %d failed, %d skipped in %.1f s\n", pass,
		img_failures(r), skip, r->total_secs);
}

static void xml_escape(FILE *f, const char *s)
{
	static const char *const entity[256] = {
		['<'] = "&lt;",
		['>'] = "&gt;",
		['&'] = "&amp;",
		['"'] = "&quot;",
	};

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (entity[c])
			fputs(entity[c], f);
		else if (c >= 0x20 || c == '\n' || c == '\t')
			fputc(c, f); /* other control characters are dropped */
	}
}

static int write_tap(const struct img_report *r, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "1..%d\n", r->nrows);
	fprintf(f, "# mclab check --image %s\n", r->image);
	for (int i = 0; i < r->nfacts; i++)
		fprintf(f, "# %s\n", r->facts[i]);
	for (int i = 0; i < r->nrows; i++) {
		const struct img_row *w = &r->rows[i];
		const char *p = w->detail;

		fprintf(f, "%s %d - %s%s%.*s\n",
			w->st == IMG_FAIL ? "not ok" : "ok", i + 1, w->name,
			w->st == IMG_SKIP ? " # SKIP " : "",
			w->st == IMG_SKIP ? first_len(p) : 0, p);
		while (*p) {
			int n = first_len(p);

			fprintf(f, "# %.*s\n", n, p);
			p += n + (p[n] ? 1 : 0);
		}
	}
	return fclose(f);
}

static int write_junit(const struct img_report *r, const char *path)
{
	FILE *f = fopen(path, "we");
	int skip = 0;

	if (!f)
		return -1;
	for (int i = 0; i < r->nrows; i++)
		skip += r->rows[i].st == IMG_SKIP;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<testsuites><testsuite name=\"image\" tests=\"%d\" "
		"failures=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
		r->nrows, img_failures(r), skip, r->total_secs);
	for (int i = 0; i < r->nrows; i++) {
		const struct img_row *w = &r->rows[i];

		fprintf(f, "<testcase classname=\"image\" name=\"");
		xml_escape(f, w->name);
		fprintf(f, "\" time=\"%.3f\">", w->secs);
		if (w->st != IMG_PASS) {
			fprintf(f, "<%s message=\"",
				w->st == IMG_FAIL ? "failure" : "skipped");
			xml_escape(f, w->detail);
			fprintf(f, "\"/>");
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "</testsuite></testsuites>\n");
	return fclose(f);
}

static void md_cell(FILE *f, const char *s, int n)
{
	for (int i = 0; i < n && s[i]; i++)
		fputs(s[i] == '|' ? "\\|" : (char[]){ s[i], 0 }, f);
}

static int write_md(const struct img_report *r, const char *path)
{
	FILE *f = fopen(path, "we");
	int fail = img_failures(r);

	if (!f)
		return -1;
	fprintf(f, "# mclab check --image: %s\n\n", fail ? "FAILED" : "passed");
	fprintf(f, "Image `%s`\n\n", r->image);
	for (int i = 0; i < r->nfacts; i++)
		fprintf(f, "- %s\n", r->facts[i]);
	fprintf(f, "\n| | check | detail | s |\n|---|---|---|---:|\n");
	for (int i = 0; i < r->nrows; i++) {
		const struct img_row *w = &r->rows[i];

		fprintf(f, "| %s | ", status_name[w->st]);
		md_cell(f, w->name, (int)sizeof(w->name));
		fputs(" | ", f);
		md_cell(f, w->detail, first_len(w->detail));
		fprintf(f, " | %.2f |\n", w->secs);
	}
	for (int i = 0; i < r->nrows; i++) {
		const struct img_row *w = &r->rows[i];

		if (w->st != IMG_FAIL)
			continue;
		fprintf(f, "\n## FAIL: %s\n\n```text\n%s\n```\n", w->name,
			w->detail);
	}
	fprintf(f, "\n%d checks, %d failed, %.1f s\n", r->nrows, fail,
		r->total_secs);
	return fclose(f);
}

int img_write(const struct img_report *r, const char *dir)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/image.tap", dir);
	if (write_tap(r, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/junit.xml", dir);
	if (write_junit(r, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/report.md", dir);
	return write_md(r, p);
}
