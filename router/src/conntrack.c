// SPDX-License-Identifier: MIT
/*
 * Deleting the conntrack entries of newly forwarded (S,G) flows, through
 * libnetfilter_conntrack.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "conntrack.h"
#include "log.h"

void ct_flush_init(struct ct_flush *f)
{
	memset(f, 0, sizeof(*f));
}

void ct_flush_free(struct ct_flush *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void conntrack_queue(struct ct_flush *f, const struct inet_addr *src,
		     const struct inet_addr *grp)
{
	if (f->unavailable)
		return;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct ct_key *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].src = *src;
	f->v[f->n].grp = *grp;
	f->n++;
}

struct walk {
	struct ct_flush *f;
	struct nf_conntrack **doomed;
	size_t n, cap;
};

static bool queued(const struct ct_flush *f, const struct nf_conntrack *ct)
{
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	struct inet_addr s, g;

	memset(&s, 0, sizeof(s));
	memset(&g, 0, sizeof(g));
	if (l3 == AF_INET) {
		s.family = g.family = AF_INET;
		s.v4.s_addr = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC);
		g.v4.s_addr = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);
	} else if (l3 == AF_INET6) {
		s.family = g.family = AF_INET6;
		memcpy(&s.v6, nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC), 16);
		memcpy(&g.v6, nfct_get_attr(ct, ATTR_ORIG_IPV6_DST), 16);
	} else {
		return false;
	}
	if (!addr_is_multicast(&g))
		return false;
	for (size_t i = 0; i < f->n; i++)
		if (addr_equal(&f->v[i].src, &s) &&
		    addr_equal(&f->v[i].grp, &g))
			return true;
	return false;
}

static int collect(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		   void *data)
{
	struct walk *w = data;

	(void)type;
	if (!queued(w->f, ct))
		return NFCT_CB_CONTINUE;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct nf_conntrack **v = realloc(w->doomed, cap * sizeof(*v));

		if (!v)
			return NFCT_CB_CONTINUE;
		w->doomed = v;
		w->cap = cap;
	}
	w->doomed[w->n] = nfct_clone(ct);
	if (w->doomed[w->n])
		w->n++;
	return NFCT_CB_CONTINUE;
}

long conntrack_flush(struct ct_flush *f)
{
	struct nfct_handle *h;
	struct walk w = { .f = f };
	long deleted = 0;
	uint32_t family = AF_UNSPEC;

	if (!f->n)
		return 0;
	f->runs++;
	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		if (errno == EPROTONOSUPPORT || errno == ENOENT) {
			f->unavailable = true;
			log_info("conntrack not available: no NAT fix-up");
		} else {
			f->errors++;
		}
		f->n = 0;
		return 0;
	}
	nfct_callback_register(h, NFCT_T_ALL, collect, &w);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0)
		f->errors++;
	nfct_callback_unregister(h);
	for (size_t i = 0; i < w.n; i++) {
		if (nfct_query(h, NFCT_Q_DESTROY, w.doomed[i]) == 0)
			deleted++;
		else if (errno != ENOENT)
			f->errors++;
		nfct_destroy(w.doomed[i]);
	}
	free(w.doomed);
	nfct_close(h);
	if (deleted)
		log_debug("conntrack: deleted %ld entries of %zu new flows",
			  deleted, f->n);
	f->deleted += (unsigned long)deleted;
	f->n = 0;
	return deleted;
}
