/* SPDX-License-Identifier: MIT */
/*
 * The results of mclab check --image: a row per check (pass, fail or
 * skip, one line of detail and any further lines), printed as a table and
 * written as TAP (image.tap), JUnit XML (junit.xml) and Markdown
 * (report.md) into the run's results folder, as make check does.
 */
#ifndef MCLAB_IMGREPORT_H
#define MCLAB_IMGREPORT_H

#include <stdio.h>

enum img_status { IMG_PASS, IMG_FAIL, IMG_SKIP };

#define IMG_MAX_ROWS 48

struct img_row {
	char name[96];
	enum img_status st;
	char detail[1024]; /* first line: the reason; more lines: evidence */
	double secs;
};

struct img_report {
	char image[512];
	char facts[16][160]; /* "board: ...", "router: ..." lines */
	int nfacts;
	struct img_row rows[IMG_MAX_ROWS];
	int nrows;
	double total_secs;
};

/* Add a row (detail printf-style); returns it. */
struct img_row *img_add(struct img_report *r, const char *name,
			enum img_status st, double secs, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void img_fact(struct img_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int img_failures(const struct img_report *r);

/* The table, as mclab check prints it. */
void img_print(const struct img_report *r, FILE *f);
/* TAP, JUnit and Markdown into dir; 0 or -1 with errno. */
int img_write(const struct img_report *r, const char *dir);

#endif
