// SPDX-License-Identifier: MIT
/*
 * Deleting the conntrack entries of newly forwarded (S,G) flows, through
 * libnetfilter_conntrack: tuples from NEW events, a dump as fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "conntrack.h"
#include "log.h"
#include "vec.h"

void ct_flush_init(struct ct_flush *f)
{
	memset(f, 0, sizeof(*f));
	f->need_dump = true;
}

static void seen_clear(struct ct_flush *f, size_t i)
{
	if (f->seen[i].ct)
		nfct_destroy(f->seen[i].ct);
	f->seen[i].ct = NULL;
}

void ct_flush_free(struct ct_flush *f)
{
	for (size_t i = 0; i < f->n_seen; i++)
		seen_clear(f, i);
	free(f->seen);
	free(f->v);
	if (f->ev)
		nfct_close(f->ev);
	if (f->q)
		nfct_close(f->q);
	memset(f, 0, sizeof(*f));
}

/* The original direction's addresses of a multicast flow; false if not. */
static bool ct_addrs(const struct nf_conntrack *ct, struct inet_addr *s,
		     struct inet_addr *g)
{
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);

	memset(s, 0, sizeof(*s));
	memset(g, 0, sizeof(*g));
	if (l3 == AF_INET) {
		s->family = g->family = AF_INET;
		s->v4.s_addr = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_SRC);
		g->v4.s_addr = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);
	} else if (l3 == AF_INET6) {
		const void *a = nfct_get_attr(ct, ATTR_ORIG_IPV6_SRC);
		const void *b = nfct_get_attr(ct, ATTR_ORIG_IPV6_DST);

		if (!a || !b)
			return false;
		s->family = g->family = AF_INET6;
		memcpy(&s->v6, a, 16);
		memcpy(&g->v6, b, 16);
	} else {
		return false;
	}
	return addr_is_multicast(g);
}

static int on_event(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		    void *data)
{
	struct ct_flush *f = data;
	struct ct_seen *slot;
	struct inet_addr s, g;

	(void)type;
	if (!ct_addrs(ct, &s, &g))
		return NFCT_CB_CONTINUE;
	f->events++;
	if (!f->seen) {
		f->seen = calloc(CT_CACHE_MAX, sizeof(*f->seen));
		if (!f->seen)
			return NFCT_CB_CONTINUE;
	}
	slot = &f->seen[f->next_seen];
	if (slot->ct)
		nfct_destroy(slot->ct);
	slot->src = s;
	slot->grp = g;
	slot->ct = nfct_clone(ct);
	f->next_seen = (f->next_seen + 1) % CT_CACHE_MAX;
	if (f->n_seen < CT_CACHE_MAX)
		f->n_seen++;
	return NFCT_CB_CONTINUE;
}

static void filter_multicast(struct nfct_handle *h)
{
	struct nfct_filter *flt = nfct_filter_create();
	struct nfct_filter_ipv4 v4 = { .addr = 0xe0000000, .mask = 0xf0000000 };
	struct nfct_filter_ipv6 v6 = { .addr = { 0xff000000, 0, 0, 0 },
				       .mask = { 0xff000000, 0, 0, 0 } };

	if (!flt)
		return;
	nfct_filter_add_attr(flt, NFCT_FILTER_DST_IPV4, &v4);
	nfct_filter_add_attr(flt, NFCT_FILTER_DST_IPV6, &v6);
	nfct_filter_set_logic(flt, NFCT_FILTER_DST_IPV4,
			      NFCT_FILTER_LOGIC_POSITIVE);
	nfct_filter_set_logic(flt, NFCT_FILTER_DST_IPV6,
			      NFCT_FILTER_LOGIC_POSITIVE);
	/* Without the kernel filter the userspace check still applies. */
	if (nfct_filter_attach(nfct_fd(h), flt) < 0)
		log_debug("conntrack: no event filter: %s", strerror(errno));
	nfct_filter_destroy(flt);
}

/*
 * The flows older than the event socket, into the same cache as the
 * events, with one walk of the table at start-up: an install then never
 * waits for a walk.  A walk takes 10-15 ms whatever the table holds, and
 * packets wait during it (measured in the lab: a sender on the other end
 * of a veth stalled for the whole walk).  The walk at an install stays
 * for when this fails or the cache overflows, and after event overruns.
 */
static void seed_from_dump(struct ct_flush *f)
{
	uint32_t family = AF_UNSPEC;

	f->q = nfct_open(CONNTRACK, 0);
	if (!f->q)
		return; /* conntrack_flush() says why */
	nfct_callback_register(f->q, NFCT_T_ALL, on_event, f);
	if (nfct_query(f->q, NFCT_Q_DUMP, &family) == 0 &&
	    f->n_seen < CT_CACHE_MAX)
		f->need_dump = false;
	nfct_callback_unregister(f->q);
	f->dumps++;
	log_debug("conntrack: %zu multicast flows at start-up", f->n_seen);
}

int ct_events_open(struct ct_flush *f)
{
	f->ev = nfct_open(CONNTRACK, NF_NETLINK_CONNTRACK_NEW);
	if (!f->ev) {
		log_info("conntrack events not available (%s): NAT fix-up "
			 "falls back to table dumps",
			 strerror(errno));
		return -1;
	}
	filter_multicast(f->ev);
	nfct_callback_register(f->ev, NFCT_T_NEW, on_event, f);
	fcntl(nfct_fd(f->ev), F_SETFL,
	      fcntl(nfct_fd(f->ev), F_GETFL) | O_NONBLOCK);
	/* after the subscription: no flow falls between the two */
	seed_from_dump(f);
	return nfct_fd(f->ev);
}

void ct_events_read(struct ct_flush *f)
{
	if (!f->ev)
		return;
	for (;;) {
		if (nfct_catch(f->ev) >= 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			/* Lost events: walk the table at the next install. */
			f->overruns++;
			f->need_dump = true;
			continue;
		}
		return; /* EAGAIN: drained */
	}
}

void conntrack_queue(struct ct_flush *f, const struct inet_addr *src,
		     const struct inet_addr *grp)
{
	if (f->unavailable)
		return;
	if (vec_grow(&f->v, f->n, &f->cap, sizeof(*f->v), 64))
		return;
	f->v[f->n].src = *src;
	f->v[f->n].grp = *grp;
	f->n++;
}

static bool queued(const struct ct_flush *f, const struct inet_addr *s,
		   const struct inet_addr *g)
{
	for (size_t i = 0; i < f->n; i++)
		if (addr_equal(&f->v[i].src, s) && addr_equal(&f->v[i].grp, g))
			return true;
	return false;
}

struct walk {
	struct ct_flush *f;
	struct nf_conntrack **doomed;
	size_t n, cap;
};

static int collect(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		   void *data)
{
	struct walk *w = data;
	struct inet_addr s, g;

	(void)type;
	if (!ct_addrs(ct, &s, &g) || !queued(w->f, &s, &g))
		return NFCT_CB_CONTINUE;
	if (nfct_getobjopt(ct, NFCT_GOPT_IS_SNAT) > 0)
		return NFCT_CB_CONTINUE; /* NATed: nothing to fix */
	if (vec_grow(&w->doomed, w->n, &w->cap, sizeof(*w->doomed), 16))
		return NFCT_CB_CONTINUE;
	w->doomed[w->n] = nfct_clone(ct);
	if (w->doomed[w->n])
		w->n++;
	return NFCT_CB_CONTINUE;
}

static bool destroy(struct ct_flush *f, const struct nf_conntrack *ct)
{
	if (nfct_query(f->q, NFCT_Q_DESTROY, ct) == 0)
		return true;
	if (errno != ENOENT)
		f->errors++;
	return false;
}

/* The slow path: one walk of the whole table for every queued flow. */
static long flush_by_dump(struct ct_flush *f)
{
	struct walk w = { .f = f };
	uint32_t family = AF_UNSPEC;
	long deleted = 0;

	f->dumps++;
	nfct_callback_register(f->q, NFCT_T_ALL, collect, &w);
	if (nfct_query(f->q, NFCT_Q_DUMP, &family) < 0)
		f->errors++;
	nfct_callback_unregister(f->q);
	for (size_t i = 0; i < w.n; i++) {
		deleted += destroy(f, w.doomed[i]);
		nfct_destroy(w.doomed[i]);
	}
	free(w.doomed);
	return deleted;
}

long conntrack_flush(struct ct_flush *f)
{
	long deleted = 0, walked = 0;

	if (!f->n)
		return 0;
	if (!f->q) {
		f->q = nfct_open(CONNTRACK, 0);
		if (!f->q) {
			f->unavailable = true;
			f->n = 0;
			log_info("conntrack not available (%s): no NAT fix-up",
				 strerror(errno));
			return 0;
		}
	}
	ct_events_read(f); /* tuples that arrived since the last round */
	/*
	 * The fast path first: the tuples known from NEW events, one round
	 * trip each.  Every packet forwarded before its flow's entry is
	 * gone crosses un-NATed, so nothing may come before this.
	 */
	for (size_t i = 0; i < f->n_seen; i++) {
		struct ct_seen *s = &f->seen[i];

		if (!s->ct || !queued(f, &s->src, &s->grp))
			continue;
		deleted += destroy(f, s->ct);
		seen_clear(f, i);
	}
	/*
	 * Then, once after start-up or an event overrun, the walk of the
	 * whole table (10-15 ms) for flows older than the event socket or
	 * whose events were lost.  It keeps entries that are NATed already:
	 * those were made on the forwarding path after the install.
	 */
	if (f->need_dump || !f->ev) {
		walked = flush_by_dump(f);
		f->need_dump = false;
	}
	log_debug("conntrack: deleted %ld entries of %zu new flows (%ld by "
		  "tuple, %ld by a table walk)",
		  deleted + walked, f->n, deleted, walked);
	deleted += walked;
	f->deleted += (unsigned long)deleted;
	f->n = 0;
	return deleted;
}
