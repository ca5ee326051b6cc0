// SPDX-License-Identifier: MIT
/*
 * IGMP / MLD parse, validate and build.  Pure.
 */
#include <string.h>
#include <arpa/inet.h>

#include "gm_pkt.h"

#define IGMP_QUERY 0x11
#define IGMP_V1_REPORT 0x12
#define IGMP_V2_REPORT 0x16
#define IGMP_V2_LEAVE 0x17
#define IGMP_V3_REPORT 0x22
#define MLD_QUERY 130
#define MLD_V1_REPORT 131
#define MLD_V1_DONE 132
#define MLD_V2_REPORT 143
#define IPOPT_RA 148

static const char *const drop_names[GM_DROP_N] = {
	[GM_OK] = "ok",
	[GM_DROP_SHORT] = "short",
	[GM_DROP_IPHDR] = "bad_ip_header",
	[GM_DROP_CSUM] = "bad_checksum",
	[GM_DROP_TTL] = "bad_ttl",
	[GM_DROP_RA] = "no_router_alert",
	[GM_DROP_SRC] = "bad_source",
	[GM_DROP_GROUP] = "bad_group",
	[GM_DROP_TYPE] = "unknown_type",
	[GM_DROP_LEN] = "bad_length",
};

const char *gm_drop_name(enum gm_drop d)
{
	return (unsigned int)d < GM_DROP_N ? drop_names[d] : "?";
}

static size_t addr_len(enum gm_proto p)
{
	return p == GM_MLD ? 16 : 4;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t gm_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	while (len > 1) {
		sum += get16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t gm_csum6(const struct in6_addr *src, const struct in6_addr *dst,
		  const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	const uint8_t *s = src->s6_addr, *d = dst->s6_addr;

	for (int i = 0; i < 16; i += 2)
		sum += get16(s + i) + get16(d + i);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += 58; /* next header: ICMPv6 */
	return gm_csum(p, len, sum);
}

/*
 * The floating-point codes of RFC 3376 §4.1.1 (IGMPv3, 8 bits: 1, exp 3,
 * mant 4) and RFC 3810 §5.1.3 (MLDv2, 16 bits: 1, exp 3, mant 12): the
 * same scheme with m mantissa bits.
 */
static uint32_t code_decode(uint32_t code, unsigned int m)
{
	uint32_t mask = (1u << m) - 1;

	if (code < 1u << (m + 3))
		return code;
	return ((code & mask) | (1u << m)) << (((code >> m) & 7) + 3);
}

static uint32_t code_encode(uint32_t v, unsigned int m)
{
	if (v < 1u << (m + 3))
		return v;
	for (unsigned int exp = 0; exp < 8; exp++) {
		uint32_t mant = v >> (exp + 3);

		if (mant < 2u << m)
			return 1u << (m + 3) | exp << m |
			       (mant & ((1u << m) - 1));
	}
	return (1u << (m + 4)) - 1;
}

uint32_t gm_igmp3_code_decode(uint8_t code)
{
	return code_decode(code, 4);
}

uint8_t gm_igmp3_code_encode(uint32_t v)
{
	return (uint8_t)code_encode(v, 4);
}

uint32_t gm_mld2_code_decode(uint16_t code)
{
	return code_decode(code, 12);
}

uint16_t gm_mld2_code_encode(uint32_t v)
{
	return (uint16_t)code_encode(v, 12);
}

void gm_src_at(enum gm_proto p, const uint8_t *srcs, size_t i,
	       struct inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (p == GM_MLD) {
		out->family = AF_INET6;
		memcpy(&out->v6, srcs + 16 * i, 16);
	} else {
		out->family = AF_INET;
		memcpy(&out->v4, srcs + 4 * i, 4);
	}
}

static void addr_from(enum gm_proto p, const uint8_t *b, struct inet_addr *a)
{
	gm_src_at(p, b, 0, a);
}

/* Records and their source lists fit exactly; group addresses multicast. */
static enum gm_drop check_records(struct gm_msg *m, const uint8_t *b,
				  size_t len, size_t nrec)
{
	size_t al = addr_len(m->proto), off = 0;

	for (size_t i = 0; i < nrec; i++) {
		size_t nsrc, aux, need;
		struct inet_addr g;

		if (len - off < 4 + al)
			return GM_DROP_SHORT;
		aux = b[off + 1];
		nsrc = get16(b + off + 2);
		need = 4 + al + nsrc * al + aux * 4;
		if (len - off < need)
			return GM_DROP_SHORT;
		addr_from(m->proto, b + off + 4, &g);
		if (!addr_is_multicast(&g))
			return GM_DROP_GROUP;
		off += need;
	}
	m->recs = b;
	m->n_recs = nrec;
	m->recs_len = off;
	return GM_OK;
}

bool gm_rec_next(const struct gm_msg *m, size_t *off, struct gm_rec *r)
{
	size_t al = addr_len(m->proto);

	while (*off + 4 + al <= m->recs_len) {
		const uint8_t *b = m->recs + *off;
		size_t nsrc = get16(b + 2), aux = b[1];
		size_t need = 4 + al + nsrc * al + aux * 4;

		if (*off + need > m->recs_len)
			return false;
		*off += need;
		if (b[0] < GM_IS_IN || b[0] > GM_BLOCK)
			continue; /* RFC 3376 §4.2.12: ignore the record */
		r->type = (enum gm_rec_type)b[0];
		addr_from(m->proto, b + 4, &r->group);
		r->n_srcs = nsrc;
		r->srcs = b + 4 + al;
		return true;
	}
	return false;
}

static bool group_ok_for_query(const struct inet_addr *g)
{
	return addr_is_any(g) || addr_is_multicast(g);
}

static enum gm_drop parse_igmp(const uint8_t *b, size_t len, struct gm_msg *m)
{
	if (len < 8)
		return GM_DROP_SHORT;
	if (gm_csum(b, len, 0) != 0)
		return GM_DROP_CSUM;
	addr_from(GM_IGMP, b + 4, &m->group);
	switch (b[0]) {
	case IGMP_QUERY:
		m->type = GM_QUERY;
		if (!group_ok_for_query(&m->group))
			return GM_DROP_GROUP;
		if (len == 8) {
			m->version = b[1] ? 2 : 1;
			m->max_resp_ms = b[1] ? b[1] * 100u : 10000u;
			return GM_OK;
		}
		if (len < 12)
			return GM_DROP_LEN;
		m->version = 3;
		m->max_resp_ms = gm_igmp3_code_decode(b[1]) * 100u;
		m->s_flag = (b[8] & 0x08) != 0;
		m->qrv = b[8] & 0x07;
		m->qqi_s = gm_igmp3_code_decode(b[9]);
		m->n_srcs = get16(b + 10);
		if (len - 12 < m->n_srcs * 4)
			return GM_DROP_SHORT;
		m->srcs = b + 12;
		return GM_OK;
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
	case IGMP_V2_LEAVE:
		m->type = b[0] == IGMP_V1_REPORT ? GM_REPORT1 :
			  b[0] == IGMP_V2_REPORT ? GM_REPORT2 :
						   GM_LEAVE;
		m->version = b[0] == IGMP_V1_REPORT ? 1 : 2;
		if (!addr_is_multicast(&m->group))
			return GM_DROP_GROUP;
		return GM_OK;
	case IGMP_V3_REPORT:
		m->type = GM_REPORT3;
		m->version = 3;
		memset(&m->group, 0, sizeof(m->group));
		if (!m->router_alert)
			return GM_DROP_RA;
		return check_records(m, b + 8, len - 8, get16(b + 6));
	default:
		return GM_DROP_TYPE;
	}
}

enum gm_drop gm_parse_ipv4(const uint8_t *pkt, size_t len, struct gm_msg *m)
{
	size_t ihl, tot;

	memset(m, 0, sizeof(*m));
	m->proto = GM_IGMP;
	if (len < 20)
		return GM_DROP_SHORT;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (pkt[0] >> 4 != 4 || ihl < 20 || pkt[9] != IPPROTO_IGMP)
		return GM_DROP_IPHDR;
	if (len < ihl || tot < ihl || tot > len)
		return GM_DROP_SHORT;
	if (get16(pkt + 6) & 0x3fff) /* MF or an offset: a fragment */
		return GM_DROP_IPHDR;
	for (size_t o = 20; o < ihl;) {
		uint8_t t = pkt[o];
		size_t ol;

		if (t == 0) /* end of options */
			break;
		if (t == 1) { /* no-op */
			o++;
			continue;
		}
		if (o + 1 >= ihl)
			return GM_DROP_IPHDR;
		ol = pkt[o + 1];
		if (ol < 2 || o + ol > ihl)
			return GM_DROP_IPHDR;
		if (t == IPOPT_RA && ol == 4)
			m->router_alert = true;
		o += ol;
	}
	addr_from(GM_IGMP, pkt + 12, &m->src);
	addr_from(GM_IGMP, pkt + 16, &m->dst);
	if (pkt[8] != 1)
		return GM_DROP_TTL;
	return parse_igmp(pkt + ihl, tot - ihl, m);
}

enum gm_drop gm_parse_mld(const uint8_t *b, size_t len,
			  const struct gm_meta6 *meta, struct gm_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->proto = GM_MLD;
	m->src = meta->src;
	m->dst = meta->dst;
	m->router_alert = meta->router_alert;
	if (len < 4)
		return GM_DROP_SHORT;
	if (b[0] != MLD_QUERY && b[0] != MLD_V1_REPORT && b[0] != MLD_V1_DONE &&
	    b[0] != MLD_V2_REPORT)
		return GM_DROP_TYPE;
	if (len < (b[0] == MLD_V2_REPORT ? 8u : 24u))
		return GM_DROP_SHORT;
	if (meta->src.family != AF_INET6 || meta->dst.family != AF_INET6)
		return GM_DROP_SRC;
	if (gm_csum6(&meta->src.v6, &meta->dst.v6, b, len) != 0)
		return GM_DROP_CSUM;
	if (meta->hoplimit != 1)
		return GM_DROP_TTL;
	if (!meta->router_alert)
		return GM_DROP_RA;
	if (!IN6_IS_ADDR_LINKLOCAL(&meta->src.v6))
		return GM_DROP_SRC;
	switch (b[0]) {
	case MLD_QUERY:
		m->type = GM_QUERY;
		addr_from(GM_MLD, b + 8, &m->group);
		if (!group_ok_for_query(&m->group))
			return GM_DROP_GROUP;
		if (len == 24) {
			m->version = 1;
			m->max_resp_ms = get16(b + 4);
			return GM_OK;
		}
		if (len < 28)
			return GM_DROP_LEN;
		m->version = 2;
		m->max_resp_ms = gm_mld2_code_decode(get16(b + 4));
		m->s_flag = (b[24] & 0x08) != 0;
		m->qrv = b[24] & 0x07;
		m->qqi_s = gm_igmp3_code_decode(b[25]);
		m->n_srcs = get16(b + 26);
		if ((len - 28) / 16 < m->n_srcs)
			return GM_DROP_SHORT;
		m->srcs = b + 28;
		return GM_OK;
	case MLD_V1_REPORT:
	case MLD_V1_DONE:
		m->type = b[0] == MLD_V1_REPORT ? GM_REPORT2 : GM_LEAVE;
		m->version = 1;
		addr_from(GM_MLD, b + 8, &m->group);
		if (!addr_is_multicast(&m->group))
			return GM_DROP_GROUP;
		return GM_OK;
	default: /* MLDv2 report */
		m->type = GM_REPORT3;
		m->version = 2;
		return check_records(m, b + 8, len - 8, get16(b + 6));
	}
}

/* ---- build ---------------------------------------------------------- */

static void put_addr(uint8_t *b, const struct inet_addr *a, enum gm_proto p)
{
	if (a->family == AF_UNSPEC)
		memset(b, 0, addr_len(p));
	else if (p == GM_MLD)
		memcpy(b, &a->v6, 16);
	else
		memcpy(b, &a->v4, 4);
}

static size_t finish(enum gm_proto p, uint8_t *b, size_t len,
		     const struct in6_addr *src6, const struct in6_addr *dst6)
{
	put16(b + 2, 0);
	if (p == GM_IGMP)
		put16(b + 2, gm_csum(b, len, 0));
	else if (src6 && dst6)
		put16(b + 2, gm_csum6(src6, dst6, b, len));
	return len;
}

size_t gm_build_query(enum gm_proto p, const struct gm_query_out *q, uint8_t *b,
		      size_t cap, const struct in6_addr *src6,
		      const struct in6_addr *dst6)
{
	size_t al = addr_len(p), hdr = p == GM_MLD ? 24 : 8, len;
	bool v3 = q->version == (p == GM_MLD ? 2u : 3u);

	len = hdr + (v3 ? 4 + q->n_srcs * al : 0);
	if (len > cap || q->n_srcs > 0xffff)
		return 0;
	memset(b, 0, len);
	if (p == GM_IGMP) {
		b[0] = IGMP_QUERY;
		if (q->version == 2)
			b[1] = (uint8_t)(q->max_resp_ms / 100 > 255 ?
						 255 :
						 q->max_resp_ms / 100);
		else if (v3)
			b[1] = gm_igmp3_code_encode(q->max_resp_ms / 100);
		put_addr(b + 4, &q->group, p);
	} else {
		b[0] = MLD_QUERY;
		put16(b + 4, v3 ? gm_mld2_code_encode(q->max_resp_ms) :
				  (uint16_t)(q->max_resp_ms > 0xffff ?
						     0xffff :
						     q->max_resp_ms));
		put_addr(b + 8, &q->group, p);
	}
	if (v3) {
		b[hdr] = (uint8_t)((q->s_flag ? 0x08 : 0) |
				   (q->qrv <= 7 ? q->qrv : 0));
		b[hdr + 1] = gm_igmp3_code_encode(q->qqi_s);
		put16(b + hdr + 2, (uint16_t)q->n_srcs);
		for (size_t i = 0; i < q->n_srcs; i++)
			put_addr(b + hdr + 4 + i * al, &q->srcs[i], p);
	}
	return finish(p, b, len, src6, dst6);
}

size_t gm_build_simple(enum gm_proto p, enum gm_type t,
		       const struct inet_addr *group, uint8_t *b, size_t cap,
		       const struct in6_addr *src6, const struct in6_addr *dst6)
{
	size_t len = p == GM_MLD ? 24 : 8;

	if (len > cap)
		return 0;
	memset(b, 0, len);
	if (p == GM_IGMP) {
		b[0] = t == GM_REPORT1 ? IGMP_V1_REPORT :
		       t == GM_LEAVE   ? IGMP_V2_LEAVE :
					 IGMP_V2_REPORT;
		put_addr(b + 4, group, p);
	} else {
		b[0] = t == GM_LEAVE ? MLD_V1_DONE : MLD_V1_REPORT;
		put_addr(b + 8, group, p);
	}
	return finish(p, b, len, src6, dst6);
}

size_t gm_build_report3(enum gm_proto p, const struct gm_rec_out *recs,
			size_t n, uint8_t *b, size_t cap,
			const struct in6_addr *src6,
			const struct in6_addr *dst6)
{
	size_t al = addr_len(p), off = 8;

	if (cap < 8 || n > 0xffff)
		return 0;
	memset(b, 0, 8);
	b[0] = p == GM_MLD ? MLD_V2_REPORT : IGMP_V3_REPORT;
	put16(b + 6, (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		const struct gm_rec_out *r = &recs[i];
		size_t need = 4 + al + r->n_srcs * al;

		if (r->n_srcs > 0xffff || cap - off < need)
			return 0;
		b[off] = (uint8_t)r->type;
		b[off + 1] = 0;
		put16(b + off + 2, (uint16_t)r->n_srcs);
		put_addr(b + off + 4, &r->group, p);
		for (size_t s = 0; s < r->n_srcs; s++)
			put_addr(b + off + 4 + al + s * al, &r->srcs[s], p);
		off += need;
	}
	return finish(p, b, off, src6, dst6);
}

static void set_addr(enum gm_proto p, struct inet_addr *a, const char *v4,
		     const char *v6)
{
	memset(a, 0, sizeof(*a));
	a->family = p == GM_MLD ? AF_INET6 : AF_INET;
	if (p == GM_MLD)
		inet_pton(AF_INET6, v6, &a->v6);
	else
		inet_pton(AF_INET, v4, &a->v4);
}

void gm_addr_all_hosts(enum gm_proto p, struct inet_addr *a)
{
	set_addr(p, a, "224.0.0.1", "ff02::1");
}

void gm_addr_all_routers(enum gm_proto p, struct inet_addr *a)
{
	set_addr(p, a, "224.0.0.2", "ff02::2");
}

void gm_addr_v3_reports(enum gm_proto p, struct inet_addr *a)
{
	set_addr(p, a, "224.0.0.22", "ff02::16");
}
