/* SPDX-License-Identifier: MIT */
/*
 * Netfilter in a node: iptables/ip6tables rules (mangle TTL/HL, nat
 * MASQUERADE) that remember how to delete themselves, conntrack listing,
 * counting and flushing through libnetfilter_conntrack inside the node's
 * namespace (through the guest agent for a VM), and the
 * nf_conntrack_udp_timeout sysctl.
 */
#ifndef MCLAB_NF_H
#define MCLAB_NF_H

#include <stdbool.h>
#include <stdint.h>

#include "lab.h"
#include "proc.h"

enum nf_ttl_op {
	NF_TTL_SET,
	NF_TTL_INC,
	NF_TTL_DEC,
};

/* An added rule; nf_rule_del() removes exactly it. */
struct nf_rule {
	struct node *node;
	int family;
	char table[16];
	char chain[32];
	char spec[256]; /* the rule after "-A CHAIN" */
	bool added;
};

/*
 * iptables -t mangle -A PREROUTING -i IN_IF -j TTL --ttl-set|inc|dec VAL
 * (ip6tables ... -j HL --hl-set|inc|dec for AF_INET6).  in_if NULL: any.
 * Returns 0, or -1 with iptables' message in err.
 */
int nf_ttl_add(struct node *n, int family, const char *in_if, enum nf_ttl_op op,
	       unsigned int value, struct nf_rule *rule, char *err,
	       size_t errlen);
/* iptables -t nat -A POSTROUTING -o OUT_IF -j MASQUERADE */
int nf_masquerade_add(struct node *n, int family, const char *out_if,
		      struct nf_rule *rule, char *err, size_t errlen);
/* Any rule: table, chain and spec as iptables takes them. */
int nf_rule_add(struct node *n, int family, const char *table,
		const char *chain, const char *spec, struct nf_rule *rule,
		char *err, size_t errlen);
int nf_rule_del(struct nf_rule *rule);
/* Packet count of the rule (iptables -L -v -x), -1 when not found. */
long nf_rule_packets(const struct nf_rule *rule);

struct ct_entry {
	int family;
	uint8_t proto; /* IPPROTO_UDP, ... */
	union mr_addr orig_src, orig_dst, repl_src, repl_dst;
	uint16_t orig_sport, orig_dport; /* host order */
	bool snat; /* the reply goes to another address than orig_src */
	bool dnat;
};

/*
 * Conntrack entries of family (AF_UNSPEC: both) in node n, through
 * libnetfilter_conntrack.  Returns how many (array in *out, free()), -1
 * with errno (e.g. EPROTONOSUPPORT when nf_conntrack is not loaded).
 */
int nf_ct_list(struct node *n, int family, struct ct_entry **out);
/*
 * Entries whose original direction matches src and dst ("192.0.2.2",
 * "225.1.2.3", NULL = any), and how many of them are SNATed in *snat.
 */
int nf_ct_count(struct node *n, const char *src, const char *dst, int *snat);
/* Delete every entry of family (AF_UNSPEC: both).  Returns 0 or -1. */
int nf_ct_flush(struct node *n, int family);
/*
 * A router node that is a VM (target.h) has no netlink for us: there the
 * list is /proc/net/nf_conntrack read through the agent, and the flush
 * the image's "conntrack -F" (ENOTSUP when the image has no conntrack).
 *
 * nf_ct_parse: that file's text (ct_seq_show()), pure; entries of family
 * (AF_UNSPEC: both).  Returns how many (array in *out, free()), -1 with
 * errno EINVAL when a line is not in the kernel's format.
 */
int nf_ct_parse(const char *text, int family, struct ct_entry **out);
/* net.netfilter.nf_conntrack_udp_timeout (and _stream when stream). */
int nf_ct_udp_timeout(struct node *n, unsigned int seconds, bool stream);

#endif
