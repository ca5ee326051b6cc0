// SPDX-License-Identifier: MIT
/*
 * Pure packet parser.  Every read goes through a bounds check against the
 * bytes we have; nothing here allocates or does I/O.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void mclab_hdr_fill(void *buf, uint32_t stream, uint32_t seq, uint64_t ts_ns)
{
	uint8_t *p = buf;

	wr32(p, MCLAB_MAGIC);
	wr32(p + 4, stream);
	wr32(p + 8, seq);
	wr32(p + 12, (uint32_t)(ts_ns >> 32));
	wr32(p + 16, (uint32_t)ts_ns);
}

bool mclab_hdr_parse(const void *buf, size_t len, uint32_t *stream,
		     uint32_t *seq, uint64_t *ts_ns)
{
	const uint8_t *p = buf;

	if (!p || len < (size_t)MCLAB_HDR_LEN || rd32(p) != MCLAB_MAGIC)
		return false;
	if (stream)
		*stream = rd32(p + 4);
	if (seq)
		*seq = rd32(p + 8);
	if (ts_ns)
		*ts_ns = (uint64_t)rd32(p + 12) << 32 | rd32(p + 16);
	return true;
}

/* len < need: the record is marked truncated and true is returned. */
static bool truncated(struct pkt_rec *r, size_t len, size_t need)
{
	if (len >= need)
		return false;
	r->flags |= PKT_F_TRUNC;
	return true;
}

static void payload(const uint8_t *p, size_t len, struct pkt_rec *r)
{
	if (mclab_hdr_parse(p, len, &r->mc_stream, &r->mc_seq, &r->mc_ts_ns))
		r->flags |= PKT_F_MCLAB;
}

static void addr_cp(union pkt_ip *a, int family, const uint8_t *p)
{
	if (family == AF_INET)
		memcpy(&a->v4, p, 4);
	else
		memcpy(&a->v6, p, 16);
}

/*
 * IGMPv3 (alen 4) or MLDv2 (alen 16) group records.  p points at the first
 * record, len bytes are available.
 */
static void grecs(const uint8_t *p, size_t len, int family, size_t alen,
		  struct pkt_rec *r)
{
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < r->gm_nrec; i++) {
		struct pkt_grec *g = NULL;
		size_t need, nsrc, auxlen, j;

		if (truncated(r, len - off, 4 + alen))
			return;
		nsrc = rd16(p + off + 2);
		auxlen = (size_t)p[off + 1] * 4;
		need = 4 + alen + nsrc * alen + auxlen;
		if (i < PKT_MAX_GREC) {
			g = &r->grec[i];
			g->type = p[off];
			g->nsrc = (uint16_t)nsrc;
			addr_cp(&g->group, family, p + off + 4);
			r->gm_nrec_kept = (uint16_t)(i + 1);
		}
		for (j = 0; g && j < nsrc && j < PKT_MAX_GSRC; j++) {
			size_t so = off + 4 + alen + j * alen;

			if (len - so < alen || so > len) {
				r->flags |= PKT_F_TRUNC;
				return;
			}
			addr_cp(&g->src[j], family, p + so);
			g->nsrc_kept = (uint16_t)(j + 1);
		}
		if (truncated(r, len - off, need))
			return;
		off += need;
	}
}

static void igmp(const uint8_t *p, size_t len, struct pkt_rec *r)
{
	if (truncated(r, len, 8))
		return;
	r->flags |= PKT_F_L4 | PKT_F_GM;
	r->l4_len = (uint16_t)len;
	r->gm_kind = PKT_GM_IGMP;
	r->gm_type = p[0];
	r->gm_maxresp = p[1];
	memcpy(&r->gm_group.v4, p + 4, 4);
	switch (p[0]) {
	case 0x11: /* membership query */
		if (len >= 12) {
			r->gm_ver = 3;
			r->gm_qrv = p[8] & 7;
			r->gm_qqic = p[9];
		} else
			r->gm_ver = p[1] ? 2 : 1;
		break;
	case 0x12:
		r->gm_ver = 1;
		break;
	case 0x16:
	case 0x17:
		r->gm_ver = 2;
		break;
	case 0x22: /* v3 report: no group field, records follow */
		r->gm_ver = 3;
		memset(&r->gm_group, 0, sizeof(r->gm_group));
		r->gm_nrec = rd16(p + 6);
		grecs(p + 8, len - 8, AF_INET, 4, r);
		break;
	default:
		r->gm_ver = 0;
		break;
	}
}

static void mld(const uint8_t *p, size_t len, struct pkt_rec *r)
{
	/* p: the ICMPv6 header, len >= 4 already checked */
	r->gm_kind = PKT_GM_MLD;
	r->gm_type = p[0];
	if (p[0] == 143) { /* MLDv2 report */
		if (truncated(r, len, 8))
			return;
		r->flags |= PKT_F_GM;
		r->gm_ver = 2;
		r->gm_nrec = rd16(p + 6);
		grecs(p + 8, len - 8, AF_INET6, 16, r);
		return;
	}
	if (truncated(r, len, 24))
		return;
	r->flags |= PKT_F_GM;
	r->gm_maxresp = rd16(p + 4);
	memcpy(&r->gm_group.v6, p + 8, 16);
	r->gm_ver = (p[0] == 130 && len >= 28) ? 2 : 1;
	if (r->gm_ver == 2) {
		r->gm_qrv = p[24] & 7;
		r->gm_qqic = p[25];
	}
}

static void icmp(const uint8_t *p, size_t len, bool v6, struct pkt_rec *r)
{
	uint8_t req = v6 ? 128 : 8, rep = v6 ? 129 : 0;

	if (truncated(r, len, 4))
		return;
	r->flags |= PKT_F_L4 | PKT_F_ICMP;
	r->l4_len = (uint16_t)len;
	r->icmp_type = p[0];
	r->icmp_code = p[1];
	if (p[0] == req || p[0] == rep) {
		if (truncated(r, len, 8))
			return;
		r->flags |= PKT_F_ECHO;
		r->echo_id = rd16(p + 4);
		r->echo_seq = rd16(p + 6);
		payload(p + 8, len - 8, r);
	} else if (v6 &&
		   (p[0] == 130 || p[0] == 131 || p[0] == 132 || p[0] == 143)) {
		mld(p, len, r);
	}
}

static void l4(const uint8_t *p, size_t len, struct pkt_rec *r)
{
	switch (r->proto) {
	case IPPROTO_UDP:
	case IPPROTO_TCP:
		if (truncated(r, len, 4))
			return;
		r->flags |= PKT_F_PORTS;
		r->sport = rd16(p);
		r->dport = rd16(p + 2);
		if (r->proto == IPPROTO_TCP)
			return;
		if (truncated(r, len, 8))
			return;
		r->flags |= PKT_F_L4;
		r->l4_len = rd16(p + 4);
		payload(p + 8, len - 8, r);
		break;
	case IPPROTO_ICMP:
		if (r->family == AF_INET)
			icmp(p, len, false, r);
		break;
	case IPPROTO_ICMPV6:
		if (r->family == AF_INET6)
			icmp(p, len, true, r);
		break;
	case IPPROTO_IGMP:
		if (r->family == AF_INET)
			igmp(p, len, r);
		break;
	default:
		break;
	}
}

static int ipv4(const uint8_t *p, size_t len, struct pkt_rec *r)
{
	size_t ihl, tot, o;

	if (truncated(r, len, 20))
		return -1;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = rd16(p + 2);
	if (ihl < 20 || tot < ihl) {
		r->flags |= PKT_F_BAD;
		return -1;
	}
	r->flags |= PKT_F_IP;
	r->family = AF_INET;
	r->tos = p[1];
	r->ip_len = (uint16_t)tot;
	r->ip_id = rd16(p + 4);
	r->ttl = p[8];
	r->proto = p[9];
	memcpy(&r->src.v4, p + 12, 4);
	memcpy(&r->dst.v4, p + 16, 4);
	if (truncated(r, len, ihl))
		return 0;
	/* options: look for router alert (148) */
	for (o = 20; o < ihl;) {
		uint8_t t = p[o];

		if (t == 0)
			break;
		if (t == 1) {
			o++;
			continue;
		}
		if (o + 1 >= ihl || p[o + 1] < 2)
			break;
		if (t == 148)
			r->flags |= PKT_F_RA;
		o += p[o + 1];
	}
	if (rd16(p + 6) & 0x1fff) {
		r->flags |= PKT_F_FRAG;
		return 0;
	}
	if (len > tot)
		len = tot; /* ignore Ethernet padding */
	else if (len < tot)
		r->flags |= PKT_F_TRUNC;
	l4(p + ihl, len - ihl, r);
	return 0;
}

/* Fewer than need bytes left for extension header nh: a truncated record. */
static bool ext_short(struct pkt_rec *r, size_t left, size_t need, uint8_t nh)
{
	if (left >= need)
		return false;
	r->flags |= PKT_F_TRUNC;
	r->proto = nh;
	return true;
}

static int ipv6(const uint8_t *p, size_t len, struct pkt_rec *r)
{
	size_t plen, off = 40;
	uint8_t nh;
	int hops;

	if (truncated(r, len, 40))
		return -1;
	r->flags |= PKT_F_IP;
	r->family = AF_INET6;
	r->tos = (uint8_t)((rd16(p) >> 4) & 0xff);
	plen = rd16(p + 4);
	r->ip_len = (uint16_t)(plen + 40 > 0xffff ? 0xffff : plen + 40);
	nh = p[6];
	r->ttl = p[7];
	memcpy(&r->src.v6, p + 8, 16);
	memcpy(&r->dst.v6, p + 24, 16);
	if (len > 40 + plen)
		len = 40 + plen;
	else if (len < 40 + plen)
		r->flags |= PKT_F_TRUNC;

	for (hops = 0; hops < 16; hops++) {
		size_t hl;

		switch (nh) {
		case 0: /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (ext_short(r, len - off, 8, nh))
				return 0;
			hl = ((size_t)p[off + 1] + 1) * 8;
			if (ext_short(r, len - off, hl, nh))
				return 0;
			if (nh == 0) {
				size_t o = off + 2;

				while (o < off + hl) {
					uint8_t t = p[o];

					if (t == 0) {
						o++;
						continue;
					}
					if (o + 1 >= off + hl)
						break;
					if (t == 5)
						r->flags |= PKT_F_RA;
					o += 2 + (size_t)p[o + 1];
				}
			}
			nh = p[off];
			off += hl;
			break;
		case 44: /* fragment */
			if (ext_short(r, len - off, 8, nh))
				return 0;
			if (rd16(p + off + 2) & 0xfff8) {
				r->flags |= PKT_F_FRAG;
				r->proto = p[off];
				return 0;
			}
			nh = p[off];
			off += 8;
			break;
		case 51: /* AH */
			if (ext_short(r, len - off, 8, nh))
				return 0;
			hl = ((size_t)p[off + 1] + 2) * 4;
			if (ext_short(r, len - off, hl, nh))
				return 0;
			nh = p[off];
			off += hl;
			break;
		default:
			r->proto = nh;
			l4(p + off, len - off, r);
			return 0;
		}
	}
	r->proto = nh;
	r->flags |= PKT_F_BAD;
	return 0;
}

int pkt_parse_ip(const uint8_t *data, size_t len, struct pkt_rec *r)
{
	if (!data || len < 1) {
		r->flags |= PKT_F_TRUNC;
		return -1;
	}
	switch (data[0] >> 4) {
	case 4:
		r->ethertype = 0x0800;
		return ipv4(data, len, r);
	case 6:
		r->ethertype = 0x86dd;
		return ipv6(data, len, r);
	default:
		r->flags |= PKT_F_BAD;
		return -1;
	}
}

static int l3(uint16_t et, const uint8_t *p, size_t len, struct pkt_rec *r)
{
	r->ethertype = et;
	if (et == 0x0800 && len >= 1 && p[0] >> 4 == 4)
		return ipv4(p, len, r);
	if (et == 0x86dd && len >= 1 && p[0] >> 4 == 6)
		return ipv6(p, len, r);
	if ((et == 0x0800 || et == 0x86dd) && len < 1)
		r->flags |= PKT_F_TRUNC;
	else if (et == 0x0800 || et == 0x86dd)
		r->flags |= PKT_F_BAD;
	return -1;
}

int pkt_parse(int linktype, const uint8_t *data, size_t caplen, size_t wirelen,
	      uint64_t ts_ns, struct pkt_rec *r)
{
	size_t off;
	uint16_t et;
	int rc;

	memset(r, 0, sizeof(*r));
	r->ts_ns = ts_ns;
	r->caplen = (uint32_t)caplen;
	r->wirelen = (uint32_t)wirelen;
	r->linktype = (uint16_t)linktype;
	if (!data)
		caplen = 0;

	switch (linktype) {
	case PKT_DLT_EN10MB:
		if (truncated(r, caplen, 14))
			return -1;
		off = 12;
		et = rd16(data + off);
		/* skip up to two VLAN tags */
		while ((et == 0x8100 || et == 0x88a8) && off < 20) {
			if (truncated(r, caplen, off + 6))
				return -1;
			off += 4;
			et = rd16(data + off);
		}
		off += 2;
		r->flags |= PKT_F_L2;
		return l3(et, data + off, caplen - off, r);
	case PKT_DLT_LINUX_SLL:
		if (truncated(r, caplen, 16))
			return -1;
		r->flags |= PKT_F_L2;
		r->pkttype = (uint8_t)rd16(data);
		return l3(rd16(data + 14), data + 16, caplen - 16, r);
	case PKT_DLT_LINUX_SLL2:
		if (truncated(r, caplen, 20))
			return -1;
		r->flags |= PKT_F_L2;
		r->pkttype = data[10];
		return l3(rd16(data), data + 20, caplen - 20, r);
	case PKT_DLT_NULL:
		if (truncated(r, caplen, 4))
			return -1;
		r->flags |= PKT_F_L2;
		rc = pkt_parse_ip(data + 4, caplen - 4, r);
		return rc;
	case PKT_DLT_RAW:
	case PKT_DLT_RAW_LT:
	case 14:
	case PKT_DLT_IPV4:
	case PKT_DLT_IPV6:
		r->flags |= PKT_F_L2;
		return pkt_parse_ip(data, caplen, r);
	default:
		r->flags |= PKT_F_BAD;
		return -1;
	}
}

const char *pkt_ntop(int family, const union pkt_ip *a, char *buf, size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, a, buf, (socklen_t)len)) {
		snprintf(buf, len, "?");
	}
	return buf;
}

int pkt_pton(const char *s, int *family, union pkt_ip *a)
{
	memset(a, 0, sizeof(*a));
	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *pkt_grec_type_name(uint8_t type)
{
	static const char *const n[] = { "?",	  "IS_IN", "IS_EX", "TO_IN",
					 "TO_EX", "ALLOW", "BLOCK" };

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "?";
}

#define APPEND(...)                                                          \
	do {                                                                 \
		int n_ = snprintf(buf + o, len - o, __VA_ARGS__);            \
		if (n_ > 0)                                                  \
			o = (size_t)n_ < len - o ? o + (size_t)n_ : len - 1; \
	} while (0)

char *pkt_format(const struct pkt_rec *r, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t o = 0;
	unsigned int i, j;

	if (!len)
		return buf;
	buf[0] = 0;
	APPEND("%llu.%06llu ", (unsigned long long)(r->ts_ns / 1000000000ull),
	       (unsigned long long)(r->ts_ns % 1000000000ull / 1000));
	if (!(r->flags & PKT_F_IP)) {
		APPEND("non-IP ethertype 0x%04x len %u", r->ethertype,
		       r->wirelen);
		return buf;
	}
	pkt_ntop(r->family, &r->src, s, sizeof(s));
	pkt_ntop(r->family, &r->dst, d, sizeof(d));
	APPEND("%s %s > %s %s %u proto %u", r->family == AF_INET ? "IP" : "IP6",
	       s, d, r->family == AF_INET ? "ttl" : "hlim", r->ttl, r->proto);
	if (r->flags & PKT_F_PORTS)
		APPEND(" ports %u > %u", r->sport, r->dport);
	if (r->flags & PKT_F_ICMP)
		APPEND(" icmp type %u code %u", r->icmp_type, r->icmp_code);
	if (r->flags & PKT_F_ECHO)
		APPEND(" id %u seq %u", r->echo_id, r->echo_seq);
	if (r->flags & PKT_F_MCLAB)
		APPEND(" mclab stream %u seq %u", r->mc_stream, r->mc_seq);
	if (r->flags & PKT_F_GM) {
		pkt_ntop(r->family, &r->gm_group, s, sizeof(s));
		APPEND(" %s v%u type 0x%02x group %s",
		       r->gm_kind == PKT_GM_IGMP ? "igmp" : "mld", r->gm_ver,
		       r->gm_type, s);
		for (i = 0; i < r->gm_nrec_kept; i++) {
			const struct pkt_grec *g = &r->grec[i];

			pkt_ntop(r->family, &g->group, s, sizeof(s));
			APPEND(" [%s %s", pkt_grec_type_name(g->type), s);
			for (j = 0; j < g->nsrc_kept; j++)
				APPEND(" %s", pkt_ntop(r->family, &g->src[j], d,
						       sizeof(d)));
			APPEND("]");
		}
	}
	if (r->flags & PKT_F_TRUNC)
		APPEND(" [truncated]");
	return buf;
}

uint16_t pkt_csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void pkt_seq_count(uint32_t *seq, size_t n, unsigned long expect,
		   struct pkt_seq_count *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 1; i < n; i++)
		if (seq[i] < seq[i - 1])
			c->reordered++;
	if (n)
		qsort(seq, n, sizeof(*seq), cmp_u32);
	for (i = 0; i < n; i++) {
		if (i && seq[i] == seq[i - 1])
			c->dups++;
		else if (expect && seq[i] >= expect)
			c->out_of_range++;
	}
	if (expect)
		c->missing = expect - (n - c->dups - c->out_of_range);
}
