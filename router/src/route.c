// SPDX-License-Identifier: MIT
/*
 * The route validator: interface names, sources, groups and their
 * families, outbound interfaces (see route.h for the rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "route.h"
#include "vec.h"

struct route_word route_word(const char *s)
{
	return (struct route_word){ s, strlen(s) };
}

static const char *show(struct route_word w, char buf[ESC_WORD_BUF])
{
	return esc_word(w.s, w.len, buf);
}

static bool word_is(struct route_word w, const char *s)
{
	size_t n = strlen(s);

	return w.len == n && !memcmp(w.s, s, n);
}

int route_ifname(struct route_word w, bool wild_ok, char out[IFNAMSIZ],
		 char *err, size_t errlen)
{
	char b[ESC_WORD_BUF];

	if (w.len >= IFNAMSIZ) {
		snprintf(
			err, errlen,
			"interface name '%s' is too long (at most %d characters)",
			show(w, b), IFNAMSIZ - 1);
		return -1;
	}
	for (size_t i = 0; i < w.len; i++) {
		unsigned char ch = (unsigned char)w.s[i];

		if (ch <= ' ' || ch == 0x7f || ch == '/' || ch == ':') {
			snprintf(err, errlen,
				 "invalid character in interface name '%s'",
				 show(w, b));
			return -1;
		}
		if (ch == '+' && i + 1 < w.len) {
			snprintf(err, errlen,
				 "'+' may only end an interface name, in '%s'",
				 show(w, b));
			return -1;
		}
	}
	if (!w.len || word_is(w, ".") || word_is(w, "..")) {
		snprintf(err, errlen, "invalid interface name '%s'",
			 show(w, b));
		return -1;
	}
	if (!wild_ok && w.s[w.len - 1] == '+') {
		snprintf(
			err, errlen,
			"wildcard '%s' is not allowed as an outbound interface",
			show(w, b));
		return -1;
	}
	memcpy(out, w.s, w.len);
	out[w.len] = '\0';
	return 0;
}

static uint8_t *prefix_bytes(struct inet_prefix *p)
{
	return p->addr.family == AF_INET6 ? p->addr.v6.s6_addr :
					    (uint8_t *)&p->addr.v4.s_addr;
}

/* Clear the host bits of p. */
static void prefix_mask(struct inet_prefix *p)
{
	uint8_t *b = prefix_bytes(p);
	unsigned int nbytes = addr_bits(p->addr.family) / 8;

	for (unsigned int i = p->len / 8; i < nbytes; i++) {
		if (i == p->len / 8)
			b[i] &= (uint8_t)(0xff00 >> (p->len % 8));
		else
			b[i] = 0;
	}
}

static const char *family_name(sa_family_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

int route_prefix(struct route_word w, const char *what, struct inet_prefix *p,
		 char *err, size_t errlen)
{
	char buf[PREFIX_STRLEN + 8], b[ESC_WORD_BUF], fix[PREFIX_STRLEN];
	int rc = -1;

	if (w.len < sizeof(buf)) {
		memcpy(buf, w.s, w.len);
		buf[w.len] = '\0';
		rc = prefix_parse(buf, p);
	}
	switch (rc) {
	case 0:
		return 0;
	case -2:
		snprintf(err, errlen,
			 "%s '%s' has a bad prefix length (0-%u for %s)", what,
			 show(w, b), addr_bits(p->addr.family),
			 family_name(p->addr.family));
		return -1;
	case -3:
		prefix_mask(p);
		snprintf(err, errlen,
			 "%s '%s' has host bits set (did you mean '%s'?)", what,
			 show(w, b), prefix_ntop(p, fix, sizeof(fix)));
		return -1;
	default:
		memset(p, 0, sizeof(*p));
		snprintf(err, errlen, "%s '%s' is not an IPv4 or IPv6 address",
			 what, show(w, b));
		return -1;
	}
}

int route_group(struct route_word w, struct inet_prefix *p, char *err,
		size_t errlen)
{
	unsigned int min;
	char b[ESC_WORD_BUF];

	if (route_prefix(w, "group", p, err, errlen))
		return -1;
	if (!addr_is_multicast(&p->addr)) {
		snprintf(err, errlen, "group '%s' is not a multicast address",
			 show(w, b));
		return -1;
	}
	min = p->addr.family == AF_INET6 ? 8 : 4;
	if (p->len < min) {
		snprintf(
			err, errlen,
			"group '%s' is wider than the multicast range (/%u at least)",
			show(w, b), min);
		return -1;
	}
	return 0;
}

int route_unicast(struct route_word w, const char *what, struct inet_prefix *p,
		  char *err, size_t errlen)
{
	char b[ESC_WORD_BUF];

	if (route_prefix(w, what, p, err, errlen))
		return -1;
	if (addr_is_multicast(&p->addr)) {
		snprintf(
			err, errlen,
			"%s '%s' is a multicast address (expected a unicast sender)",
			what, show(w, b));
		return -1;
	}
	return 0;
}

bool route_source_is_any(const struct inet_prefix *p)
{
	return p->addr.family == AF_UNSPEC ||
	       (addr_is_any(&p->addr) && p->len == addr_bits(p->addr.family));
}

int route_pair(struct route_word sw, struct inet_prefix *source,
	       struct route_word gw, const struct inet_prefix *group, char *err,
	       size_t errlen)
{
	char a[ESC_WORD_BUF], b[ESC_WORD_BUF];

	if (source->addr.family != group->addr.family) {
		snprintf(err, errlen, "source '%s' is %s but group '%s' is %s",
			 show(sw, a), family_name(source->addr.family),
			 show(gw, b), family_name(group->addr.family));
		return -1;
	}
	if (route_source_is_any(source))
		memset(source, 0, sizeof(*source));
	return 0;
}

int route_add_oif(char (**oifs)[IFNAMSIZ], size_t *n, struct route_word w,
		  char *err, size_t errlen)
{
	char oif[IFNAMSIZ];

	if (route_ifname(w, false, oif, err, errlen))
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*oifs)[i], oif))
			return 0;
	if (vec_grow2(oifs, *n, IFNAMSIZ)) {
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	memcpy((*oifs)[(*n)++], oif, IFNAMSIZ);
	return 0;
}
