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

/* Interfaces of mroute/mgroup lines: from (up) and to (down). */
static void scan_conf(const char *text, struct ifset *up, struct ifset *down,
		      struct ifset *phy)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct words ws;
		int i;

		split(p, len, &ws);
		p += len + (nl ? 1 : 0);
		if (ws.n >= 2 && !strcmp(ws.w[0], "phyint")) {
			ifset_add(phy, ws.w[1]);
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
	struct ifset up = { 0 }, down = { 0 }, phy = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	scan_conf(conf_text, &up, &down, &phy);
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f,
		"# written by mclab for smcrouted -N: phyint lines for the interfaces\n"
		"# the routes and joins use\n");
	for (i = 0; i < up.n; i++)
		if (!ifset_has(&phy, up.names[i]))
			fprintf(f, "phyint %s enable\n", up.names[i]);
	for (i = 0; i < down.n; i++)
		if (!ifset_has(&phy, down.names[i]) &&
		    !ifset_has(&up, down.names[i]))
			fprintf(f, "phyint %s enable\n", down.names[i]);
	/*
	 * smcroute 2.5.6 takes a phyint line with neither enable nor disable
	 * ("phyint usb0 ttl-threshold 10") as disable and removes the VIF;
	 * mcrouted (and the man page's grammar) take it as enable.  The cases
	 * mean enable, so say it.
	 */
	for (const char *p = conf_text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		if (!strncmp(line, "phyint ", 7) && !strstr(line, " enable") &&
		    !strstr(line, " disable") && !strchr(line, '#'))
			fprintf(f, "%s enable\n", line);
		else
			fprintf(f, "%s\n", line);
		p += l + (nl ? 1 : 0);
	}
	fclose(f);
	return out;
}

char *router_conf_igmpproxy(const char *conf_text, const char *const *ifnames,
			    int nifs)
{
	struct ifset up = { 0 }, down = { 0 }, phy = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	scan_conf(conf_text, &up, &down, &phy);
	if (up.n != 1) {
		errno = EINVAL; /* igmpproxy has exactly one upstream */
		return NULL;
	}
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, "# written by mclab from:\n");
	for (const char *p = conf_text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		fprintf(f, "#   %.*s\n", (int)l, p);
		p += l + (nl ? 1 : 0);
	}
	fprintf(f, "quickleave\n");
	fprintf(f,
		"phyint %s upstream ratelimit 0 threshold 1\n"
		"\taltnet 0.0.0.0/0\n",
		up.names[0]);
	for (i = 0; i < down.n; i++)
		if (strcmp(down.names[i], up.names[0]))
			fprintf(f,
				"phyint %s downstream ratelimit 0 threshold 1\n",
				down.names[i]);
	for (i = 0; i < nifs; i++)
		if (!ifset_has(&up, ifnames[i]) &&
		    !ifset_has(&down, ifnames[i]))
			fprintf(f, "phyint %s disabled\n", ifnames[i]);
	fclose(f);
	return out;
}

int router_conf_igmpproxy_vifs(const char *conf_text)
{
	struct ifset up = { 0 }, down = { 0 }, phy = { 0 };

	scan_conf(conf_text, &up, &down, &phy);
	return up.n + down.n;
}
