// SPDX-License-Identifier: MIT
/* An image's router, mangle and NAT rules from their text (imgmodel.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h" /* ifname_match(): the router's own, iptables' '+' too */
#include "imgmodel.h"

static const struct {
	const char *name, *conf;
} daemons[] = {
	[IMG_NO_DAEMON] = { "none", "" },
	[IMG_SMCROUTED] = { "smcrouted", "/etc/smcroute.conf" },
	[IMG_MCROUTED] = { "mcrouted", "/etc/mcrouted.conf" },
	[IMG_MROUTED] = { "mrouted", "/etc/mrouted.conf" },
	[IMG_IGMPPROXY] = { "igmpproxy", "/etc/igmpproxy.conf" },
};

const char *img_daemon_name(enum img_daemon d)
{
	return d <= IMG_IGMPPROXY ? daemons[d].name : "?";
}

const char *img_daemon_conf(enum img_daemon d)
{
	return d <= IMG_IGMPPROXY ? daemons[d].conf : "";
}

/* The daemon a command word names (a path's last part), or none. */
static enum img_daemon daemon_word(const char *w, size_t n)
{
	const char *slash = memrchr(w, '/', n);

	if (slash) {
		n -= (size_t)(slash + 1 - w);
		w = slash + 1;
	}
	for (int d = IMG_SMCROUTED; d <= IMG_IGMPPROXY; d++)
		if (strlen(daemons[d].name) == n &&
		    !memcmp(w, daemons[d].name, n))
			return (enum img_daemon)d;
	return IMG_NO_DAEMON;
}

/* One script line: the daemon it runs, and its -f/-c FILE when given. */
static enum img_daemon scan_line(const char *l, size_t n, char *conf,
				 size_t clen)
{
	enum img_daemon found = IMG_NO_DAEMON;
	size_t i = 0;
	const char *hash = memchr(l, '#', n);

	if (hash)
		n = (size_t)(hash - l);
	while (i < n) {
		size_t s, e;

		while (i < n && strchr(" \t;&|()`$=\"'{}", l[i]))
			i++;
		s = i;
		while (i < n && !strchr(" \t;&|()`=\"'{}", l[i]))
			i++;
		e = i;
		if (e == s)
			continue;
		if (!found) {
			found = daemon_word(l + s, e - s);
			continue;
		}
		if (e - s == 2 &&
		    (!memcmp(l + s, "-f", 2) || !memcmp(l + s, "-c", 2))) {
			while (i < n && (l[i] == ' ' || l[i] == '\t'))
				i++;
			s = i;
			while (i < n && !strchr(" \t;&|()`\"'", l[i]))
				i++;
			if (i > s && i - s < clen && l[s] == '/') {
				memcpy(conf, l + s, i - s);
				conf[i - s] = '\0';
			}
		}
	}
	return found;
}

int img_find_router(const char *scripts, struct img_router *r)
{
	const char *p = scripts;
	char script[128] = "";

	memset(r, 0, sizeof(*r));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char conf[128] = "";
		enum img_daemon d;

		if (n > 4 && !strncmp(p, "==> ", 4)) {
			size_t k = n - 4 < sizeof(script) ? n - 4 :
							    sizeof(script) - 1;

			memcpy(script, p + 4, k);
			script[k] = '\0';
		} else if (script[0] &&
			   (d = scan_line(p, n, conf, sizeof(conf)))) {
			r->daemon = d;
			snprintf(r->script, sizeof(r->script), "%s", script);
			r->conf_given = conf[0] != '\0';
			snprintf(r->conf, sizeof(r->conf), "%s",
				 conf[0] ? conf : img_daemon_conf(d));
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* ---- iptables -S ------------------------------------------------------ */

#define MAX_WORDS 40

static int split(char *line, char **w)
{
	int n = 0;

	for (char *t = strtok(line, " \t"); t && n < MAX_WORDS;
	     t = strtok(NULL, " \t"))
		w[n++] = t;
	return n;
}

static int parse_dst(const char *s, uint32_t *addr, uint32_t *mask)
{
	char buf[64];
	char *slash;
	struct in_addr a;
	int plen = 32;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		plen = atoi(slash + 1);
		if (plen < 0 || plen > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*mask = plen ? ~0u << (32 - plen) : 0;
	*addr = ntohl(a.s_addr) & *mask;
	return 0;
}

int img_parse_mangle(const char *text, struct img_ttl_rule *r, int max,
		     int *unmodelled)
{
	const char *p = text;
	int n = 0;

	if (unmodelled)
		*unmodelled = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *w[MAX_WORDS];
		struct img_ttl_rule t;
		int nw, ok = 1, is_ttl = 0;

		if (len >= sizeof(line)) {
			p = nl ? nl + 1 : NULL;
			continue;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		memset(&t, 0, sizeof(t));
		snprintf(t.text, sizeof(t.text), "%.199s", line);
		nw = split(line, w);
		if (nw < 2 || strcmp(w[0], "-A"))
			continue;
		snprintf(t.chain, sizeof(t.chain), "%s", w[1]);
		for (int i = 2; i < nw; i++) {
			const char *a = i + 1 < nw ? w[i + 1] : NULL;

			if (!strcmp(w[i], "-j") && a) {
				is_ttl = !strcmp(a, "TTL");
				i++;
			} else if (!strcmp(w[i], "-i") && a) {
				snprintf(t.in, sizeof(t.in), "%s", a);
				i++;
			} else if (!strcmp(w[i], "-o") && a) {
				snprintf(t.out, sizeof(t.out), "%s", a);
				i++;
			} else if (!strcmp(w[i], "-d") && a) {
				if (parse_dst(a, &t.dst, &t.dmask) < 0)
					ok = 0;
				i++;
			} else if (!strcmp(w[i], "--ttl-set") && a) {
				t.op = IMG_TTL_SET;
				t.val = atoi(a);
				i++;
			} else if (!strcmp(w[i], "--ttl-inc") && a) {
				t.op = IMG_TTL_INC;
				t.val = atoi(a);
				i++;
			} else if (!strcmp(w[i], "--ttl-dec") && a) {
				t.op = IMG_TTL_DEC;
				t.val = atoi(a);
				i++;
			} else {
				ok = 0; /* a match the model does not know */
			}
		}
		if (!is_ttl)
			continue;
		if (!ok || !t.op || t.val < 0 || t.val > 255 ||
		    (strcmp(t.chain, "PREROUTING") &&
		     strcmp(t.chain, "FORWARD") &&
		     strcmp(t.chain, "POSTROUTING"))) {
			if (unmodelled)
				(*unmodelled)++;
			continue;
		}
		if (n < max)
			r[n] = t;
		n++;
	}
	return n < max ? n : max;
}

static int apply(const struct img_ttl_rule *r, int n, const char *chain,
		 const char *in, const char *out, uint32_t group, int ttl)
{
	for (int i = 0; i < n; i++) {
		const struct img_ttl_rule *t = &r[i];

		if (strcmp(t->chain, chain) ||
		    (t->in[0] && (!in || !ifname_match(t->in, in))) ||
		    (t->out[0] && (!out || !ifname_match(t->out, out))) ||
		    (group & t->dmask) != t->dst)
			continue;
		/* the TTL target does not stop the chain: every rule applies */
		switch (t->op) {
		case IMG_TTL_SET:
			ttl = t->val;
			break;
		case IMG_TTL_INC:
			ttl = ttl + t->val > 255 ? 255 : ttl + t->val;
			break;
		case IMG_TTL_DEC:
			ttl = ttl - t->val < 0 ? 0 : ttl - t->val;
			break;
		}
	}
	return ttl;
}

int img_ttl_expect(const struct img_ttl_rule *r, int n, const char *in,
		   const char *out, uint32_t group, int sent, int threshold)
{
	int ttl = apply(r, n, "PREROUTING", in, NULL, group, sent);

	if (ttl <= (threshold < 1 ? 1 : threshold))
		return 0;
	ttl--;
	ttl = apply(r, n, "FORWARD", in, out, group, ttl);
	ttl = apply(r, n, "POSTROUTING", NULL, out, group, ttl);
	return ttl;
}

int img_parse_nat(const char *text, struct img_nat_rule *r, int max)
{
	const char *p = text;
	int n = 0;

	while (p && *p && n < max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *w[MAX_WORDS];
		struct img_nat_rule t;
		int nw;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			memset(&t, 0, sizeof(t));
			snprintf(t.text, sizeof(t.text), "%.199s", line);
			nw = split(line, w);
			if (nw >= 2 && !strcmp(w[0], "-A") &&
			    !strcmp(w[1], "POSTROUTING")) {
				for (int i = 2; i + 1 < nw; i++) {
					if (!strcmp(w[i], "-o"))
						snprintf(t.out, sizeof(t.out),
							 "%s", w[i + 1]);
					if (!strcmp(w[i], "-j"))
						snprintf(t.target,
							 sizeof(t.target), "%s",
							 w[i + 1]);
				}
				if (!strcmp(t.target, "MASQUERADE") ||
				    !strcmp(t.target, "SNAT"))
					r[n++] = t;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return n;
}
