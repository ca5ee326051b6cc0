/* SPDX-License-Identifier: MIT */
/*
 * IPv4/IPv6 addresses and prefixes: parse, print, match, hash.  Pure.
 */
#ifndef MCR_ADDR_H
#define MCR_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define ADDR_STRLEN INET6_ADDRSTRLEN
#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

struct inet_addr {
	sa_family_t family; /* AF_INET, AF_INET6, or AF_UNSPEC when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct inet_prefix {
	struct inet_addr addr;
	uint8_t len; /* 0..32 or 0..128 */
};

/* Parse "1.2.3.4" or "ff0e::1".  Returns 0, or -1 when not an address. */
int addr_parse(const char *s, struct inet_addr *a);
/*
 * Parse "ADDR[/LEN]".  Without /LEN the length is the full host length.
 * Returns 0, -1 for a bad address, -2 for a bad or too long length, -3 when
 * host bits are set beyond LEN.
 */
int prefix_parse(const char *s, struct inet_prefix *p);

const char *addr_ntop(const struct inet_addr *a, char *buf, size_t len);
/* "ADDR/LEN", or just "ADDR" for a host-length prefix. */
const char *prefix_ntop(const struct inet_prefix *p, char *buf, size_t len);

static inline unsigned int addr_bits(sa_family_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

bool addr_is_any(const struct inet_addr *a);
bool addr_is_multicast(const struct inet_addr *a);
bool addr_equal(const struct inet_addr *a, const struct inet_addr *b);
/* Whether a is one of the n addresses in v. */
bool addr_in(const struct inet_addr *v, size_t n, const struct inet_addr *a);
int addr_cmp(const struct inet_addr *a, const struct inet_addr *b);
bool prefix_contains(const struct inet_prefix *p, const struct inet_addr *a);
/* Number of addresses in p, saturated at limit. */
uint64_t prefix_size(const struct inet_prefix *p, uint64_t limit);
/* The n-th address of prefix p (n < prefix_size). */
void prefix_nth(const struct inet_prefix *p, uint64_t n, struct inet_addr *out);
void addr_set_any(struct inet_addr *a, sa_family_t family);

uint32_t addr_hash(const struct inet_addr *a, uint32_t seed);

#endif
