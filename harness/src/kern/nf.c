// SPDX-License-Identifier: MIT
/*
 * iptables rules and conntrack inside a node.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"
#include "node.h"

static const char *ipt(int family)
{
	return family == AF_INET6 ? "ip6tables" : "iptables";
}

static int run_ipt(struct nf_rule *r, const char *op, char *err, size_t errlen)
{
	struct node_result res;
	int rc;

	/* -w: wait for the xtables lock rather than fail */
	if (node_sh(r->node, 10000, &res, "%s -w -t %s %s %s %s",
		    ipt(r->family), r->table, op, r->chain, r->spec) < 0) {
		if (err)
			snprintf(err, errlen, "%s: %s", ipt(r->family),
				 strerror(errno));
		return -1;
	}
	rc = res.exit_code == 0 ? 0 : -1;
	if (rc && err)
		snprintf(err, errlen, "%s -t %s %s %s %s: exit %d: %s",
			 ipt(r->family), r->table, op, r->chain, r->spec,
			 res.exit_code, res.err);
	node_result_free(&res);
	return rc;
}

int nf_rule_add(struct node *n, int family, const char *table,
		const char *chain, const char *spec, struct nf_rule *rule,
		char *err, size_t errlen)
{
	memset(rule, 0, sizeof(*rule));
	rule->node = n;
	rule->family = family == AF_INET6 ? AF_INET6 : AF_INET;
	snprintf(rule->table, sizeof(rule->table), "%s", table);
	snprintf(rule->chain, sizeof(rule->chain), "%s", chain);
	snprintf(rule->spec, sizeof(rule->spec), "%s", spec);
	if (run_ipt(rule, "-A", err, errlen) < 0)
		return -1;
	rule->added = true;
	return 0;
}

int nf_rule_del(struct nf_rule *rule)
{
	if (!rule || !rule->added)
		return 0;
	if (run_ipt(rule, "-D", NULL, 0) < 0)
		return -1;
	rule->added = false;
	return 0;
}

int nf_ttl_add(struct node *n, int family, const char *in_if, enum nf_ttl_op op,
	       unsigned int value, struct nf_rule *rule, char *err,
	       size_t errlen)
{
	static const char *const ops[] = { "set", "inc", "dec" };
	bool v6 = family == AF_INET6;
	char spec[160], inpart[40] = "";

	if (in_if)
		snprintf(inpart, sizeof(inpart), "-i %s ", in_if);
	snprintf(spec, sizeof(spec), "%s-j %s --%s-%s %u", inpart,
		 v6 ? "HL" : "TTL", v6 ? "hl" : "ttl", ops[op], value);
	return nf_rule_add(n, family, "mangle", "PREROUTING", spec, rule, err,
			   errlen);
}

int nf_masquerade_add(struct node *n, int family, const char *out_if,
		      struct nf_rule *rule, char *err, size_t errlen)
{
	char spec[80];

	snprintf(spec, sizeof(spec), "-o %s -j MASQUERADE", out_if);
	return nf_rule_add(n, family, "nat", "POSTROUTING", spec, rule, err,
			   errlen);
}

long nf_rule_packets(const struct nf_rule *rule)
{
	struct node_result res;
	long pk = -1;
	char *line, *save = NULL;

	/* -S -v prints "-A CHAIN SPEC -c PKTS BYTES" for each rule */
	if (node_sh(rule->node, 10000, &res, "%s -w -t %s -S %s -v",
		    ipt(rule->family), rule->table, rule->chain) < 0)
		return -1;
	for (line = strtok_r(res.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c = strstr(line, " -c ");

		if (!c || strncmp(line, "-A ", 3))
			continue;
		/* match the rule's options loosely: each word must appear */
		{
			char spec[256], *w, *s2 = NULL;
			bool all = true;

			snprintf(spec, sizeof(spec), "%s", rule->spec);
			for (w = strtok_r(spec, " ", &s2); w;
			     w = strtok_r(NULL, " ", &s2))
				if (!strstr(line, w))
					all = false;
			if (all) {
				pk = strtol(c + 4, NULL, 10);
				break;
			}
		}
	}
	node_result_free(&res);
	return pk;
}

/* ------------------------------------------------------------------ */
/* conntrack                                                          */

struct ct_list {
	struct ct_entry *v;
	int n;
	bool oom;
};

static void get_addr(const struct nf_conntrack *ct, int family,
		     enum nf_conntrack_attr a4, enum nf_conntrack_attr a6,
		     union mr_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET)
		out->v4.s_addr = nfct_get_attr_u32(ct, a4);
	else
		memcpy(&out->v6, nfct_get_attr(ct, a6), 16);
}

static int ct_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		 void *data)
{
	struct ct_list *l = data;
	struct ct_entry e, *nv;
	size_t alen;

	(void)type;
	memset(&e, 0, sizeof(e));
	e.family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	if (e.family != AF_INET && e.family != AF_INET6)
		return NFCT_CB_CONTINUE;
	alen = e.family == AF_INET ? 4 : 16;
	e.proto = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	get_addr(ct, e.family, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC,
		 &e.orig_src);
	get_addr(ct, e.family, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST,
		 &e.orig_dst);
	get_addr(ct, e.family, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC,
		 &e.repl_src);
	get_addr(ct, e.family, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST,
		 &e.repl_dst);
	if (nfct_attr_is_set(ct, ATTR_ORIG_PORT_SRC) > 0)
		e.orig_sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
	if (nfct_attr_is_set(ct, ATTR_ORIG_PORT_DST) > 0)
		e.orig_dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
	e.snat = memcmp(&e.repl_dst, &e.orig_src, alen) != 0;
	e.dnat = memcmp(&e.repl_src, &e.orig_dst, alen) != 0;
	nv = realloc(l->v, (size_t)(l->n + 1) * sizeof(*nv));
	if (!nv) {
		l->oom = true;
		return NFCT_CB_STOP;
	}
	l->v = nv;
	l->v[l->n++] = e;
	return NFCT_CB_CONTINUE;
}

struct ct_op {
	int family;
	bool flush;
	struct ct_list list;
};

static int ct_do(void *arg)
{
	struct ct_op *op = arg;
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	uint32_t fam;
	int rc = 0, e = 0;

	if (!h)
		return -1;
	if (op->flush) {
		fam = (uint32_t)op->family;
		rc = nfct_query(h, NFCT_Q_FLUSH, &fam);
	} else {
		nfct_callback_register(h, NFCT_T_ALL, ct_cb, &op->list);
		fam = (uint32_t)op->family;
		rc = nfct_query(h, NFCT_Q_DUMP, &fam);
	}
	e = errno;
	nfct_close(h);
	errno = e;
	return rc < 0 ? -1 : 0;
}

/* A guest node (VM, console): the kernel's text, read as a file */
static int ct_list_text(struct node *n, int family, struct ct_entry **out)
{
	char *text = NULL;
	int rc;

	if (node_read_file(n, "/proc/net/nf_conntrack", &text, NULL) < 0) {
		/* no file: nf_conntrack is not loaded, as nfct_query says */
		if (errno == ENOENT)
			errno = EPROTONOSUPPORT;
		return -1;
	}
	rc = nf_ct_parse(text, family, out);
	free(text);
	return rc;
}

static int ct_flush_tool(struct node *n, int family)
{
	struct node_result res;
	int code;

	if (node_sh(n, 10000, &res, "conntrack -F%s",
		    family == AF_INET  ? " -f ipv4" :
		    family == AF_INET6 ? " -f ipv6" :
					 "") < 0)
		return -1;
	code = res.exit_code;
	node_result_free(&res);
	if (code == 127) {
		errno = ENOTSUP; /* an image without conntrack */
		return -1;
	}
	if (code != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int nf_ct_list(struct node *n, int family, struct ct_entry **out)
{
	struct ct_op op = { .family = family };

	*out = NULL;
	if (!node_can(n, NODE_CAP_CALL)) /* a guest: its own tools */
		return ct_list_text(n, family, out);
	if (node_call(n, ct_do, &op) < 0) {
		free(op.list.v);
		return -1;
	}
	if (op.list.oom) {
		free(op.list.v);
		errno = ENOMEM;
		return -1;
	}
	*out = op.list.v;
	return op.list.n;
}

static bool addr_match(const char *want, int family, const union mr_addr *a)
{
	union mr_addr w;

	if (!want)
		return true;
	if (inet_pton(family, want, &w) != 1)
		return false;
	return !memcmp(&w, a, family == AF_INET ? 4 : 16);
}

int nf_ct_count(struct node *n, const char *src, const char *dst, int *snat)
{
	struct ct_entry *v;
	int cnt, i, match = 0, s = 0;

	cnt = nf_ct_list(n, AF_UNSPEC, &v);
	if (cnt < 0)
		return -1;
	for (i = 0; i < cnt; i++) {
		if (!addr_match(src, v[i].family, &v[i].orig_src) ||
		    !addr_match(dst, v[i].family, &v[i].orig_dst))
			continue;
		match++;
		s += v[i].snat;
	}
	free(v);
	if (snat)
		*snat = s;
	return match;
}

int nf_ct_flush(struct node *n, int family)
{
	struct ct_op op = { .family = family, .flush = true };

	if (!node_can(n, NODE_CAP_CALL)) /* a guest: its own tools */
		return ct_flush_tool(n, family);
	return node_call(n, ct_do, &op);
}

int nf_ct_udp_timeout(struct node *n, unsigned int seconds, bool stream)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", seconds);
	return node_sysctl_set(
		n,
		stream ? "net.netfilter.nf_conntrack_udp_timeout_stream" :
			 "net.netfilter.nf_conntrack_udp_timeout",
		v);
}
