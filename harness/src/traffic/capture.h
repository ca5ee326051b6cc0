/* SPDX-License-Identifier: MIT */
/*
 * Live libpcap capture inside a node's network namespace, parsed into
 * struct pkt_rec records, with exact-count queries and, on failure, a
 * saved pcap plus its "tcpdump -v -n -r" text.
 *
 *	struct cap *c = cap_start("mclab-1-rcv", "eth0", "udp or igmp");
 *	... send ...
 *	cap_wait(c, &(struct pkt_match){ .proto = IPPROTO_UDP }, 10, 2000);
 *	cap_stop(c);
 *	assert_true(cap_expect(c, &m, 10, "udp ttl 9"));
 *	cap_free(c);
 *
 * cap_start() returns once the handle is activated in immediate mode and the
 * filter is in the kernel: every packet from then on is captured.
 */
#ifndef MCLAB_CAPTURE_H
#define MCLAB_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct cap_opts {
	const char *netns; /* NULL: the caller's namespace */
	const char *ifname; /* "any" gives Linux cooked records */
	const char *filter; /* BPF text; NULL = everything */
	unsigned int snaplen; /* 0 = 2048 */
	int direction; /* 0 both, 1 in only, 2 out only */
	unsigned int max_records; /* 0 = 1000000 */
};

struct cap;

struct cap *cap_start(const char *netns, const char *ifname,
		      const char *filter);
struct cap *cap_start_opts(const struct cap_opts *o);
/* Records of a pcap file (no thread); query, save and free it the same way.
 * NULL on error, see cap_error(). */
struct cap *cap_open_offline(const char *path);
/* Reason of the last cap_start failure in this thread (pcap's text). */
const char *cap_error(void);

/*
 * What a query matches: zero fields mean "any".  Fields where 0 is a real
 * value have a has_ flag.  Addresses are text, parsed per call.
 */
struct pkt_match {
	int family; /* AF_INET / AF_INET6 */
	const char *src, *dst;
	uint8_t proto; /* IPPROTO_UDP, _ICMP, _ICMPV6, _IGMP ... */
	uint8_t ttl; /* TTL / hop limit */
	uint16_t sport, dport;
	bool has_icmp_type;
	uint8_t icmp_type;
	bool echo; /* only ICMP echo request/reply with echo_id */
	uint16_t echo_id;
	bool mclab; /* only records carrying our payload header */
	bool has_stream;
	uint32_t stream;
	uint8_t gm_kind; /* PKT_GM_IGMP / PKT_GM_MLD */
	uint8_t gm_ver;
	uint8_t gm_type;
	const char *gm_group; /* group of a query/v1-v2 report/leave, or of
			       * any v3/v2 record */
	const char *gm_source; /* a source listed in a v3/v2 record */
	int pkttype; /* 0 any; else Linux cooked type + 1 (1 host, 5 out) */
	/* extra predicate, NULL = none */
	bool (*fn)(const struct pkt_rec *r, void *arg);
	void *fn_arg;
};

bool pkt_matches(const struct pkt_rec *r, const struct pkt_match *m);

/* Records matching m so far (live while running).  m NULL = all. */
size_t cap_count(struct cap *c, const struct pkt_match *m);
/* Wait until at least n records match; true when they did. */
bool cap_wait(struct cap *c, const struct pkt_match *m, size_t n,
	      unsigned int timeout_ms);
/* Stop capturing (drains what the kernel already has).  Records stay. */
void cap_stop(struct cap *c);
/* cap_stop() if needed, then free everything. */
void cap_free(struct cap *c);

/* The records (valid until cap_free; stop first for a stable view). */
const struct pkt_rec *cap_records(struct cap *c, size_t *n);
/* Packets the kernel dropped (pcap_stats ps_drop), known after stop. */
unsigned int cap_drops(struct cap *c);

/* Distinct TTLs among matching records, ascending, into out[max]; returns
 * how many distinct there are. */
unsigned int cap_ttls(struct cap *c, const struct pkt_match *m, uint8_t *out,
		      unsigned int max);

struct cap_seq_stats {
	size_t matched; /* matching records with our header */
	size_t dups, missing, out_of_range, reordered;
};
/* Payload sequence numbers among matching records versus 0..expect-1. */
void cap_seqs(struct cap *c, const struct pkt_match *m, unsigned long expect,
	      struct cap_seq_stats *st);

/* Index of the first matching record at or after from, or -1. */
long cap_find(struct cap *c, const struct pkt_match *m, size_t from);

/*
 * Save the raw packets as a pcap file: $MCLAB_RESULTS/NAME.pcap (default
 * ./results; NAME sanitised).  The path goes to path[len].  0 or -errno.
 */
int cap_save(struct cap *c, const char *name, char *path, size_t len);
/* Run "tcpdump -v -n -r FILE" and return its output (malloc'd) or NULL. */
char *tcpdump_text(const char *pcap_path);

/*
 * Exact-count assertion helper: true when exactly n records match m.
 * Otherwise saves the capture as "<what>", prints to stdout, prefixed "# "
 * (TAP diagnostics): the count, the pcap path and the tcpdump -v -n text,
 * then returns false.  Use: assert_true(cap_expect(c, &m, 10, "ttl 9")).
 */
bool cap_expect(struct cap *c, const struct pkt_match *m, size_t n,
		const char *what);
/* Same diagnostics for any failure the caller detected. */
void cap_report(struct cap *c, const char *what);

#endif
