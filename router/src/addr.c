// SPDX-License-Identifier: MIT
/*
 * IPv4/IPv6 addresses and prefixes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int addr_parse(const char *s, struct inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	a->family = AF_UNSPEC;
	return -1;
}

static const uint8_t *addr_bytes(const struct inet_addr *a)
{
	return a->family == AF_INET6 ? a->v6.s6_addr :
				       (const uint8_t *)&a->v4.s_addr;
}

static uint8_t *addr_bytes_mut(struct inet_addr *a)
{
	return a->family == AF_INET6 ? a->v6.s6_addr : (uint8_t *)&a->v4.s_addr;
}

static bool host_bits_clear(const struct inet_addr *a, unsigned int len)
{
	const uint8_t *b = addr_bytes(a);
	unsigned int nbytes = addr_bits(a->family) / 8;

	for (unsigned int i = len / 8; i < nbytes; i++) {
		uint8_t mask = 0xff;

		if (i == len / 8)
			mask = (uint8_t)(0xff >> (len % 8));
		if (b[i] & mask)
			return false;
	}
	return true;
}

int prefix_parse(const char *s, struct inet_prefix *p)
{
	char buf[PREFIX_STRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	memset(p, 0, sizeof(*p));
	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (addr_parse(buf, &p->addr))
		return -1;
	p->len = (uint8_t)addr_bits(p->addr.family);
	if (slash) {
		const char *d = slash + 1;
		unsigned long v = 0;

		if (*d == '\0' || strlen(d) > 3)
			return -2;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return -2;
			v = v * 10 + (unsigned long)(*d - '0');
		}
		if (v > addr_bits(p->addr.family))
			return -2;
		p->len = (uint8_t)v;
		if (!host_bits_clear(&p->addr, p->len))
			return -3;
	}
	return 0;
}

const char *addr_ntop(const struct inet_addr *a, char *buf, size_t len)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, len, "*");
		return buf;
	}
	if (!inet_ntop(a->family, addr_bytes(a), buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *prefix_ntop(const struct inet_prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	addr_ntop(&p->addr, a, sizeof(a));
	if (p->addr.family == AF_UNSPEC || p->len == addr_bits(p->addr.family))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

bool addr_is_any(const struct inet_addr *a)
{
	if (a->family == AF_INET)
		return a->v4.s_addr == htonl(INADDR_ANY);
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->v6);
	return true;
}

bool addr_is_multicast(const struct inet_addr *a)
{
	if (a->family == AF_INET)
		return IN_MULTICAST(ntohl(a->v4.s_addr));
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&a->v6);
	return false;
}

int addr_cmp(const struct inet_addr *a, const struct inet_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_UNSPEC)
		return 0;
	return memcmp(addr_bytes(a), addr_bytes(b), addr_bits(a->family) / 8);
}

bool addr_equal(const struct inet_addr *a, const struct inet_addr *b)
{
	return addr_cmp(a, b) == 0;
}

bool addr_in(const struct inet_addr *v, size_t n, const struct inet_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (addr_equal(&v[i], a))
			return true;
	return false;
}

bool prefix_contains(const struct inet_prefix *p, const struct inet_addr *a)
{
	const uint8_t *x, *y;
	unsigned int full, rest;

	if (p->addr.family != a->family)
		return false;
	x = addr_bytes(&p->addr);
	y = addr_bytes(a);
	full = p->len / 8;
	rest = p->len % 8;
	if (memcmp(x, y, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((x[full] & mask) != (y[full] & mask))
			return false;
	}
	return true;
}

uint64_t prefix_size(const struct inet_prefix *p, uint64_t limit)
{
	unsigned int host = addr_bits(p->addr.family) - p->len;

	if (host >= 64)
		return limit;
	return (1ULL << host) < limit ? (1ULL << host) : limit;
}

void prefix_nth(const struct inet_prefix *p, uint64_t n, struct inet_addr *out)
{
	unsigned int nbytes = addr_bits(p->addr.family) / 8;
	uint8_t *b;
	int i;

	*out = p->addr;
	b = addr_bytes_mut(out);
	for (i = (int)nbytes - 1; i >= 0 && n; i--) {
		unsigned int sum = b[i] + (unsigned int)(n & 0xff);

		b[i] = (uint8_t)sum;
		n = (n >> 8) + (sum >> 8);
	}
}

void addr_set_any(struct inet_addr *a, sa_family_t family)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
}

/* FNV-1a over the address bytes, mixed with a per-table seed. */
uint32_t addr_hash(const struct inet_addr *a, uint32_t seed)
{
	const uint8_t *b = addr_bytes(a);
	unsigned int n = addr_bits(a->family) / 8;
	uint32_t h = 2166136261u ^ seed;

	for (unsigned int i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}
