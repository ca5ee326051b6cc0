/* SPDX-License-Identifier: MIT */
/*
 * Group-management packets: IGMPv1/v2/v3 (RFC 1112, 2236, 3376) and
 * MLDv1/v2 (RFC 2710, 3810).  Pure parse, validation and build: no
 * sockets, no state.  Fed anything (the fuzzer does), the parser returns a
 * drop reason and never reads out of bounds.
 *
 * IPv4: gm_parse_ipv4() takes the whole datagram a raw IPPROTO_IGMP socket
 * reads (IP header with options, then IGMP).  IPv6: a raw ICMPv6 socket
 * gives only the ICMPv6 message, so gm_parse_mld() takes what recvmsg()
 * told besides (source, destination, hop limit, router alert).
 *
 * Validation (a failure is a counted drop, see enum gm_drop):
 *  - length: the fixed part of the message, every record and source list;
 *  - checksum (IGMP over the message; MLD over the pseudo-header too);
 *  - IGMP TTL 1 and MLD hop limit 1 (RFC 2236 §2, 3376 §4, 2710 §3,
 *    3810 §5);
 *  - router alert: required on IGMPv3 reports (RFC 3376 §9.1: a router
 *    ignores v3 reports without it) and on every MLD message (RFC 2710 §3
 *    and 3810 §5 send all with it; Linux and every host stack do);
 *    IGMPv1/v2 messages are taken without (RFC 2236 hosts may predate it);
 *  - MLD source link-local (RFC 3810 §5.1.14, §5.2.13), IPv4 fragments;
 *  - group addresses multicast, record types 1-6 (others: RFC 3376 §4.2.12
 *    says ignore the record: it is skipped, the rest is used).
 */
#ifndef MCR_GM_PKT_H
#define MCR_GM_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum gm_proto { GM_IGMP = 0, GM_MLD = 1, GM_NPROTO = 2 };

enum gm_type {
	GM_QUERY = 1,
	GM_REPORT1, /* IGMPv1 report */
	GM_REPORT2, /* IGMPv2 report, MLDv1 report */
	GM_LEAVE, /* IGMPv2 leave, MLDv1 done */
	GM_REPORT3, /* IGMPv3 report, MLDv2 report */
};

/* Group record types, RFC 3376 §4.2.12 (same numbers in MLDv2). */
enum gm_rec_type {
	GM_IS_IN = 1,
	GM_IS_EX = 2,
	GM_TO_IN = 3,
	GM_TO_EX = 4,
	GM_ALLOW = 5,
	GM_BLOCK = 6,
};

enum gm_drop {
	GM_OK = 0,
	GM_DROP_SHORT, /* truncated header, message, record or source list */
	GM_DROP_IPHDR, /* not IPv4/IGMP, bad IHL or options, fragment */
	GM_DROP_CSUM,
	GM_DROP_TTL, /* TTL / hop limit not 1 */
	GM_DROP_RA, /* router alert missing where required */
	GM_DROP_SRC, /* MLD source not link-local */
	GM_DROP_GROUP, /* group not multicast (or not :: / 0 in a query) */
	GM_DROP_TYPE, /* not a group-management message we handle */
	GM_DROP_LEN, /* a query length that is no version's (RFC 3376 §7.1) */
	GM_DROP_N,
};

const char *gm_drop_name(enum gm_drop d);

struct gm_msg {
	enum gm_proto proto;
	enum gm_type type;
	unsigned int version; /* IGMP 1-3, MLD 1-2 */
	bool router_alert;
	struct inet_addr src, dst;
	struct inet_addr group; /* query (any = general), v1/v2 report/leave */
	/* queries */
	uint32_t max_resp_ms;
	bool s_flag;
	unsigned int qrv; /* 0 when absent */
	uint32_t qqi_s; /* 0 when absent */
	size_t n_srcs;
	const uint8_t *srcs; /* n_srcs addresses of 4 or 16 bytes */
	/* v3/v2 reports */
	size_t n_recs;
	const uint8_t *recs;
	size_t recs_len;
};

struct gm_rec {
	enum gm_rec_type type;
	struct inet_addr group;
	size_t n_srcs;
	const uint8_t *srcs;
};

/* What recvmsg() tells about an ICMPv6 message. */
struct gm_meta6 {
	struct inet_addr src, dst;
	int hoplimit; /* -1 unknown */
	bool router_alert;
};

enum gm_drop gm_parse_ipv4(const uint8_t *pkt, size_t len, struct gm_msg *m);
enum gm_drop gm_parse_mld(const uint8_t *msg, size_t len,
			  const struct gm_meta6 *meta, struct gm_msg *m);

/*
 * Next record of a v3/v2 report: start with *off = 0.  Records of unknown
 * type are skipped.  Returns false at the end.
 */
bool gm_rec_next(const struct gm_msg *m, size_t *off, struct gm_rec *r);
/* Source i of a record's or query's list. */
void gm_src_at(enum gm_proto p, const uint8_t *srcs, size_t i,
	       struct inet_addr *out);

/* Max Resp Code / QQIC codecs (RFC 3376 §4.1.1, 4.1.7; RFC 3810 §5.1.3). */
uint32_t gm_igmp3_code_decode(uint8_t code); /* in code units */
uint8_t gm_igmp3_code_encode(uint32_t v);
uint32_t gm_mld2_code_decode(uint16_t code);
uint16_t gm_mld2_code_encode(uint32_t v);

uint16_t gm_csum(const uint8_t *p, size_t len, uint32_t sum);
/* The ICMPv6 checksum with its pseudo-header (RFC 8200 §8.1). */
uint16_t gm_csum6(const struct in6_addr *src, const struct in6_addr *dst,
		  const uint8_t *p, size_t len);

/* ---- build: the message only (the IP header is the kernel's) ---- */

struct gm_query_out {
	unsigned int version;
	struct inet_addr group; /* AF_UNSPEC or any: general query */
	uint32_t max_resp_ms;
	bool s_flag;
	unsigned int qrv;
	uint32_t qqi_s;
	const struct inet_addr *srcs;
	size_t n_srcs;
};

struct gm_rec_out {
	enum gm_rec_type type;
	struct inet_addr group;
	const struct inet_addr *srcs;
	size_t n_srcs;
};

/*
 * Each returns the length written, or 0 when it does not fit in cap.  MLD
 * messages get their checksum when src6 and dst6 are given (else 0, which
 * the kernel fills in on a raw ICMPv6 socket).
 */
size_t gm_build_query(enum gm_proto p, const struct gm_query_out *q,
		      uint8_t *buf, size_t cap, const struct in6_addr *src6,
		      const struct in6_addr *dst6);
/* IGMPv1/v2 report, IGMPv2 leave, MLDv1 report/done. */
size_t gm_build_simple(enum gm_proto p, enum gm_type t,
		       const struct inet_addr *group, uint8_t *buf, size_t cap,
		       const struct in6_addr *src6,
		       const struct in6_addr *dst6);
size_t gm_build_report3(enum gm_proto p, const struct gm_rec_out *recs,
			size_t n, uint8_t *buf, size_t cap,
			const struct in6_addr *src6,
			const struct in6_addr *dst6);

/* Where messages go: all-systems/all-nodes, all-routers, v3/v2 reports. */
void gm_addr_all_hosts(enum gm_proto p, struct inet_addr *a);
void gm_addr_all_routers(enum gm_proto p, struct inet_addr *a);
void gm_addr_v3_reports(enum gm_proto p, struct inet_addr *a);

#endif
