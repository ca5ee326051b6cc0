// SPDX-License-Identifier: MIT
/*
 * Conntrack's text form, /proc/net/nf_conntrack (ct_seq_show() in
 * net/netfilter/nf_conntrack_standalone.c), as struct ct_entry: what the
 * harness reads from a router node it cannot enter with netlink (a VM).
 *
 *   ipv4     2 udp      17 29 src=A dst=B sport=P dport=Q [UNREPLIED]
 *            src=B dst=A' sport=Q dport=P mark=0 zone=0 use=2
 *
 * Layer 3 name and number, layer 4 name and number, then words: the
 * timeout, a TCP state, flags in brackets and KEY=VALUE pairs.  The first
 * src/dst/sport/dport are the original direction, the second the reply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"

/* One line into e: 1 when it is an entry of family, 0 when of another, -1. */
static int parse_ct_line(char *line, int family, struct ct_entry *e)
{
	char *save = NULL, *w;
	int l3num, l4num, nsrc = 0, ndst = 0, nsport = 0, ndport = 0;
	size_t alen;

	memset(e, 0, sizeof(*e));
	w = strtok_r(line, " \t", &save);
	if (!w || (strcmp(w, "ipv4") && strcmp(w, "ipv6")))
		return -1;
	e->family = w[3] == '4' ? AF_INET : AF_INET6;
	w = strtok_r(NULL, " \t", &save);
	l3num = w ? atoi(w) : -1;
	if (l3num != e->family)
		return -1;
	if (!strtok_r(NULL, " \t", &save)) /* "udp", "tcp", "unknown" */
		return -1;
	w = strtok_r(NULL, " \t", &save);
	l4num = w ? atoi(w) : -1;
	if (l4num < 0 || l4num > 255)
		return -1;
	e->proto = (uint8_t)l4num;
	alen = e->family == AF_INET ? 4 : 16;
	while ((w = strtok_r(NULL, " \t", &save))) {
		char *v = strchr(w, '=');
		union mr_addr *a = NULL;
		uint16_t *port = NULL;

		if (!v)
			continue; /* timeout, TCP state, [UNREPLIED] ... */
		*v++ = '\0';
		if (!strcmp(w, "src") && nsrc < 2)
			a = nsrc++ ? &e->repl_src : &e->orig_src;
		else if (!strcmp(w, "dst") && ndst < 2)
			a = ndst++ ? &e->repl_dst : &e->orig_dst;
		else if (!strcmp(w, "sport") && !nsport++)
			port = &e->orig_sport;
		else if (!strcmp(w, "dport") && !ndport++)
			port = &e->orig_dport;
		if (a && inet_pton(e->family, v, a) != 1)
			return -1;
		if (port) {
			char *end;
			long p = strtol(v, &end, 10);

			if (*end || p < 0 || p > 65535)
				return -1;
			*port = (uint16_t)p;
		}
	}
	if (nsrc != 2 || ndst != 2)
		return -1;
	e->snat = memcmp(&e->repl_dst, &e->orig_src, alen) != 0;
	e->dnat = memcmp(&e->repl_src, &e->orig_dst, alen) != 0;
	return family == AF_UNSPEC || family == e->family;
}

int nf_ct_parse(const char *text, int family, struct ct_entry **out)
{
	char *copy = strdup(text), *save = NULL, *line;
	struct ct_entry *v = NULL, e;
	int n = 0;

	*out = NULL;
	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int rc = parse_ct_line(line, family, &e);
		struct ct_entry *nv;

		if (rc < 0) {
			free(v);
			free(copy);
			errno = EINVAL;
			return -1;
		}
		if (!rc)
			continue;
		nv = realloc(v, (size_t)(n + 1) * sizeof(*nv));
		if (!nv) {
			free(v);
			free(copy);
			errno = ENOMEM;
			return -1;
		}
		v = nv;
		v[n++] = e;
	}
	free(copy);
	*out = v;
	return n;
}
