// SPDX-License-Identifier: MIT
/*
 * The config translations, pure: the harness's one config text (mcrouted's
 * static syntax, which is smcroute's) for smcrouted -N and for igmpproxy.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

struct words {
	char *w[64];
	int n;
	char buf[1024];
};

static void split(const char *line, size_t len, struct words *ws)
{
	char *s;

	if (len >= sizeof(ws->buf))
		len = sizeof(ws->buf) - 1;
	memcpy(ws->buf, line, len);
	ws->buf[len] = '\0';
	s = strchr(ws->buf, '#');
	if (s)
		*s = '\0';
	ws->n = 0;
	for (s = strtok(ws->buf, " \t\r"); s && ws->n < 64;
	     s = strtok(NULL, " \t\r"))
		ws->w[ws->n++] = s;
}

struct ifset {
	char names[64][IFNAMSIZ];
	int n;
};

static void ifset_add(struct ifset *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return;
	if (s->n < 64 && strlen(name) < IFNAMSIZ)
		strcpy(s->names[s->n++], name);
}

static bool ifset_has(const struct ifset *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return true;
	return false;
}

/*
 * The next line of the text at *p, without its newline, its length in
 * *len; *p moves past it.  The line, or NULL at the end of the text.
 */
static const char *next_line(const char **p, size_t *len)
{
	const char *line = *p, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	*len = nl ? (size_t)(nl - line) : strlen(line);
	*p = line + *len + (nl ? 1 : 0);
	return line;
}

/* The interfaces a config names. */
struct scan {
	struct ifset up; /* mroute/mgroup from */
	struct ifset down; /* mroute/mgroup to */
	struct ifset phy; /* phyint lines */
};

static void scan_conf(const char *text, struct scan *sc)
{
	struct ifset *up = &sc->up, *down = &sc->down;
	const char *p = text, *line;
	size_t len;

	memset(sc, 0, sizeof(*sc));
	while ((line = next_line(&p, &len))) {
		struct words ws;
		int i;

		split(line, len, &ws);
		if (ws.n >= 2 && !strcmp(ws.w[0], "phyint")) {
			ifset_add(&sc->phy, ws.w[1]);
			continue;
		}
		if (ws.n < 3 ||
		    (strcmp(ws.w[0], "mroute") && strcmp(ws.w[0], "mgroup")))
			continue;
		for (i = 1; i + 1 < ws.n; i++) {
			if (!strcmp(ws.w[i], "from")) {
				ifset_add(up, ws.w[++i]);
			} else if (!strcmp(ws.w[i], "to")) {
				for (i++; i < ws.n; i++)
					ifset_add(down, ws.w[i]);
			}
		}
	}
}

char *router_conf_smcroute(const char *conf_text)
{
	const struct ifset *up, *down;
	const char *line;
	struct scan sc;
	char *out = NULL;
	size_t len = 0, l;
	FILE *f = open_memstream(&out, &len);
	int i;

	if (!f)
		return NULL;
	scan_conf(conf_text, &sc);
	up = &sc.up;
	down = &sc.down;
	fprintf(f,
		"# written by mclab for smcrouted -N: phyint lines for the interfaces\n"
		"# the routes and joins use\n");
	for (i = 0; i < up->n; i++)
		if (!ifset_has(&sc.phy, up->names[i]))
			fprintf(f, "phyint %s enable\n", up->names[i]);
	for (i = 0; i < down->n; i++)
		if (!ifset_has(&sc.phy, down->names[i]) &&
		    !ifset_has(up, down->names[i]))
			fprintf(f, "phyint %s enable\n", down->names[i]);
	/*
	 * smcroute 2.5.6 takes a phyint line with neither enable nor disable
	 * ("phyint usb0 ttl-threshold 10") as disable and removes the VIF;
	 * mcrouted (and the man page's grammar) take it as enable.  The cases
	 * mean enable, so say it.
	 */
	for (const char *p = conf_text; (line = next_line(&p, &l));) {
		char text[1024];

		snprintf(text, sizeof(text), "%.*s", (int)l, line);
		if (!strncmp(text, "phyint ", 7) && !strstr(text, " enable") &&
		    !strstr(text, " disable") && !strchr(text, '#'))
			fprintf(f, "%s enable\n", text);
		else
			fprintf(f, "%s\n", text);
	}
	fclose(f);
	return out;
}

char *router_conf_igmpproxy(const char *conf_text, const char *const *ifnames,
			    int nifs)
{
	const char *line;
	struct scan sc;
	struct ifset *up = &sc.up, *down = &sc.down;
	char *out = NULL;
	size_t len = 0, l;
	FILE *f;
	int i;

	scan_conf(conf_text, &sc);
	if (up->n != 1) {
		errno = EINVAL; /* igmpproxy has exactly one upstream */
		return NULL;
	}
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, "# written by mclab from:\n");
	for (const char *p = conf_text; (line = next_line(&p, &l));)
		fprintf(f, "#   %.*s\n", (int)l, line);
	fprintf(f, "quickleave\n");
	fprintf(f,
		"phyint %s upstream ratelimit 0 threshold 1\n"
		"\taltnet 0.0.0.0/0\n",
		up->names[0]);
	for (i = 0; i < down->n; i++)
		if (strcmp(down->names[i], up->names[0]))
			fprintf(f,
				"phyint %s downstream ratelimit 0 threshold 1\n",
				down->names[i]);
	for (i = 0; i < nifs; i++)
		if (!ifset_has(up, ifnames[i]) && !ifset_has(down, ifnames[i]))
			fprintf(f, "phyint %s disabled\n", ifnames[i]);
	fclose(f);
	return out;
}

int router_conf_igmpproxy_vifs(const char *conf_text)
{
	struct scan sc;

	scan_conf(conf_text, &sc);
	return sc.up.n + sc.down.n;
}
