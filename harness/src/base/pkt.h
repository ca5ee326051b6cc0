/* SPDX-License-Identifier: MIT */
/*
 * Pure packet parser: captured bytes -> struct pkt_rec.  No I/O, no
 * allocation, total on any input (a fuzzer is pointed at pkt_parse()).
 *
 * Also defines the payload header our traffic drivers put in every UDP
 * datagram and ICMP echo, so captures and receivers recognise them (and
 * count their sequence numbers the same way, pkt_seq_count()).
 */
#ifndef MCLAB_PKT_H
#define MCLAB_PKT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Payload header, all fields in network byte order, at the start of the
 * UDP payload or of the ICMP echo data.
 */
#define MCLAB_MAGIC 0x4d434c42u /* "MCLB" */
struct mclab_hdr {
	uint32_t magic;
	uint32_t stream; /* sender id, so several flows can be told apart */
	uint32_t seq; /* 0, 1, 2 ... per stream */
	uint32_t ts_hi; /* send time, CLOCK_REALTIME ns, high 32 bits */
	uint32_t ts_lo; /* low 32 bits */
} __attribute__((packed));
#define MCLAB_HDR_LEN ((int)sizeof(struct mclab_hdr))

void mclab_hdr_fill(void *buf, uint32_t stream, uint32_t seq, uint64_t ts_ns);
/*
 * The Internet checksum (RFC 1071) of len bytes, in host order: store it
 * big-endian (htons, or the high byte first).  An odd length is padded
 * with a zero byte.  The one copy for every packet the harness crafts.
 */
uint16_t pkt_csum(const void *p, size_t len);
/* True when buf[0..len) starts with a valid header; fills the outputs. */
bool mclab_hdr_parse(const void *buf, size_t len, uint32_t *stream,
		     uint32_t *seq, uint64_t *ts_ns);

/* What a stream's sequence numbers say, versus the 0..expect-1 sent. */
struct pkt_seq_count {
	size_t reordered; /* lower than the one before, in arrival order */
	size_t dups; /* seen before */
	size_t out_of_range; /* >= expect (when expect is given) */
	size_t missing; /* of 0..expect-1, never seen (expect given) */
};
/*
 * Count seq[0..n), the sequence numbers of one stream in the order they
 * arrived (sorted by the call), against 0..expect-1; expect 0: no range,
 * nothing out of range or missing.  The receiver's and the capture's.
 */
void pkt_seq_count(uint32_t *seq, size_t n, unsigned long expect,
		   struct pkt_seq_count *c);

/* Link types (the pcap DLT_ values, repeated so this header stays pure). */
enum {
	PKT_DLT_NULL = 0,
	PKT_DLT_EN10MB = 1,
	PKT_DLT_RAW = 12, /* OpenBSD value; 14 on some, 101 = LINKTYPE_RAW */
	PKT_DLT_RAW_LT = 101,
	PKT_DLT_LINUX_SLL = 113,
	PKT_DLT_IPV4 = 228,
	PKT_DLT_IPV6 = 229,
	PKT_DLT_LINUX_SLL2 = 276,
};

union pkt_ip {
	struct in_addr v4;
	struct in6_addr v6;
};

/* Group (membership) kind in pkt_rec.gm_kind */
enum { PKT_GM_NONE = 0, PKT_GM_IGMP = 1, PKT_GM_MLD = 2 };

#define PKT_MAX_GREC 6 /* IGMPv3 / MLDv2 group records kept per packet */
#define PKT_MAX_GSRC 4 /* sources kept per record */

struct pkt_grec {
	uint8_t type; /* 1 MODE_IS_INCLUDE ... 6 BLOCK_OLD_SOURCES */
	uint16_t nsrc; /* as announced in the packet */
	uint16_t nsrc_kept; /* how many are in src[] */
	union pkt_ip group;
	union pkt_ip src[PKT_MAX_GSRC];
};

/* pkt_rec.flags */
enum {
	PKT_F_L2 = 1u << 0, /* link layer parsed */
	PKT_F_IP = 1u << 1, /* IPv4 or IPv6 header parsed */
	PKT_F_L4 = 1u << 2, /* UDP/ICMP/ICMPv6/IGMP header parsed */
	PKT_F_PORTS = 1u << 3, /* sport/dport valid (UDP, TCP) */
	PKT_F_ICMP = 1u << 4, /* icmp_type/code valid (ICMP or ICMPv6) */
	PKT_F_ECHO = 1u << 5, /* echo_id/seq valid (echo request/reply) */
	PKT_F_MCLAB = 1u << 6, /* our payload header found */
	PKT_F_GM = 1u << 7, /* IGMP or MLD fields valid */
	PKT_F_TRUNC = 1u << 8, /* ran out of bytes somewhere */
	PKT_F_FRAG = 1u << 9, /* non-first fragment: no L4 */
	PKT_F_RA = 1u << 10, /* router alert option present */
	PKT_F_BAD = 1u << 11, /* malformed header (bad version, length) */
};

struct pkt_rec {
	uint64_t ts_ns; /* capture time, ns since the epoch */
	uint32_t caplen, wirelen;
	uint32_t flags;
	uint16_t linktype;
	uint16_t ethertype;
	uint8_t pkttype; /* Linux cooked packet type (4 = outgoing), else 0 */
	uint8_t family; /* AF_INET, AF_INET6, or 0 */
	uint8_t ttl; /* IPv4 TTL or IPv6 hop limit */
	uint8_t proto; /* upper-layer protocol after IPv6 ext headers */
	uint8_t tos;
	uint16_t ip_len; /* IPv4 total length, or IPv6 40 + payload length */
	uint16_t ip_id;
	union pkt_ip src, dst;
	uint16_t sport, dport;
	uint16_t l4_len; /* UDP length field, or ICMP/IGMP bytes */
	uint8_t icmp_type, icmp_code;
	uint16_t echo_id, echo_seq;
	/* our payload header */
	uint32_t mc_stream, mc_seq;
	uint64_t mc_ts_ns;
	/* IGMP / MLD */
	uint8_t gm_kind; /* PKT_GM_* */
	uint8_t gm_ver; /* 1, 2 or 3 for IGMP; 1 or 2 for MLD */
	uint8_t gm_type; /* IGMP type, or ICMPv6 type for MLD */
	uint16_t gm_maxresp; /* IGMP code / MLD max response (raw) */
	uint8_t gm_qrv, gm_qqic; /* IGMPv3 / MLDv2 query: QRV, QQIC (raw) */
	union pkt_ip gm_group; /* query / v1-v2 report / leave group */
	uint16_t gm_nrec; /* v3/v2 report: records announced */
	uint16_t gm_nrec_kept;
	struct pkt_grec grec[PKT_MAX_GREC];
};

/*
 * Parse one captured frame.  Always fills *r (zeroed first) with as much as
 * could be decoded, flags say what.  Returns 0 when an IP header was
 * parsed, -1 otherwise.  Never reads outside data[0..caplen).
 */
int pkt_parse(int linktype, const uint8_t *data, size_t caplen, size_t wirelen,
	      uint64_t ts_ns, struct pkt_rec *r);

/* Parse starting at an IPv4 or IPv6 header (version nibble decides). */
int pkt_parse_ip(const uint8_t *data, size_t len, struct pkt_rec *r);

/* "192.0.2.1" / "2001:db8::1" of a record address; buf >= 46 bytes. */
const char *pkt_ntop(int family, const union pkt_ip *a, char *buf, size_t len);
/* Parse text into *family and *a.  Returns 0, or -1 when not an address. */
int pkt_pton(const char *s, int *family, union pkt_ip *a);

/* Human one-liner (tcpdump-ish) of a record, into buf.  Returns buf. */
char *pkt_format(const struct pkt_rec *r, char *buf, size_t len);

/* Names for IGMPv3/MLDv2 record types ("IS_IN", "TO_EX", ...). */
const char *pkt_grec_type_name(uint8_t type);

#endif
