// SPDX-License-Identifier: MIT
/*
 * Live capture: a thread enters the node's namespace, activates a pcap
 * handle (immediate mode, kernel filter set) and signals readiness; then it
 * parses every packet into a record while keeping the raw bytes for saving.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "deadline.h"
#include "netns.h"
#include "traffic_int.h"

struct raw {
	uint64_t ts_ns;
	uint32_t caplen, len;
	size_t off; /* into arena */
};

struct cap {
	struct cap_opts o;
	char *netns, *ifname, *filter;
	pcap_t *p;
	int linktype, efd;
	pthread_t thr;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	/* setup handshake */
	bool ready;
	int setup_rc;
	char err[PCAP_ERRBUF_SIZE + 64];
	/* data */
	struct pkt_rec *rec;
	struct raw *raw;
	size_t n, cap;
	uint8_t *arena;
	size_t arena_len, arena_cap;
	unsigned int drops, truncated_store;
	struct bpf_program prog;
	bool have_prog;
};

static __thread char cap_errbuf[PCAP_ERRBUF_SIZE + 128];

const char *cap_error(void)
{
	return cap_errbuf;
}

static void cap_add(struct cap *c, const struct pcap_pkthdr *h,
		    const uint8_t *bytes)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull +
		      (uint64_t)h->ts.tv_usec; /* nano precision handle */

	if (c->have_prog && !pcap_offline_filter(&c->prog, h, bytes))
		return;
	if (c->n >= c->o.max_records) {
		c->truncated_store++;
		return;
	}
	if (c->n == c->cap) {
		size_t n = c->cap ? c->cap * 2 : 256;
		struct pkt_rec *r = realloc(c->rec, n * sizeof(*r));
		struct raw *w;

		if (!r)
			return;
		c->rec = r;
		w = realloc(c->raw, n * sizeof(*w));
		if (!w)
			return;
		c->raw = w;
		c->cap = n;
	}
	if (c->arena_len + h->caplen > c->arena_cap) {
		size_t n = c->arena_cap ? c->arena_cap * 2 : 65536;
		uint8_t *a;

		while (n < c->arena_len + h->caplen)
			n *= 2;
		a = realloc(c->arena, n);
		if (!a)
			return;
		c->arena = a;
		c->arena_cap = n;
	}
	memcpy(c->arena + c->arena_len, bytes, h->caplen);
	c->raw[c->n] = (struct raw){ ts, h->caplen, h->len, c->arena_len };
	c->arena_len += h->caplen;
	pkt_parse(c->linktype, bytes, h->caplen, h->len, ts, &c->rec[c->n]);
	c->n++;
}

static void cap_cb(u_char *user, const struct pcap_pkthdr *h,
		   const u_char *bytes)
{
	cap_add((struct cap *)user, h, bytes);
}

static void cap_dispatch(struct cap *c)
{
	pthread_mutex_lock(&c->mu);
	while (pcap_dispatch(c->p, 256, cap_cb, (u_char *)c) > 0)
		;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static int cap_setup(struct cap *c)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	int saved;

	if (c->netns && netns_enter(c->netns, &saved) < 0) {
		snprintf(c->err, sizeof(c->err), "netns %s: %s", c->netns,
			 strerror(errno));
		return -1;
	}
	/* this thread stays in the namespace until it ends */
	c->p = pcap_create(c->ifname, eb);
	if (!c->p) {
		snprintf(c->err, sizeof(c->err), "%s", eb);
		return -1;
	}
	if (pcap_set_snaplen(c->p, (int)c->o.snaplen) ||
	    pcap_set_immediate_mode(c->p, 1) ||
	    pcap_set_buffer_size(c->p, 8 << 20) ||
	    pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO)) {
		snprintf(c->err, sizeof(c->err), "pcap options: %s",
			 pcap_geterr(c->p));
		return -1;
	}
	if (pcap_activate(c->p) < 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", c->ifname,
			 pcap_geterr(c->p));
		return -1;
	}
	if (c->o.direction &&
	    pcap_setdirection(c->p, c->o.direction == 1 ? PCAP_D_IN :
							  PCAP_D_OUT) < 0) {
		snprintf(c->err, sizeof(c->err), "direction: %s",
			 pcap_geterr(c->p));
		return -1;
	}
	c->linktype = pcap_datalink(c->p);
	if (c->filter) {
		if (pcap_compile(c->p, &c->prog, c->filter, 1,
				 PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(c->err, sizeof(c->err), "filter '%s': %s",
				 c->filter, pcap_geterr(c->p));
			return -1;
		}
		c->have_prog = true;
		if (pcap_setfilter(c->p, &c->prog) < 0) {
			snprintf(c->err, sizeof(c->err), "setfilter: %s",
				 pcap_geterr(c->p));
			return -1;
		}
	}
	if (pcap_setnonblock(c->p, 1, eb) < 0) {
		snprintf(c->err, sizeof(c->err), "nonblock: %s", eb);
		return -1;
	}
	if (pcap_get_selectable_fd(c->p) < 0) {
		snprintf(c->err, sizeof(c->err), "no selectable fd");
		return -1;
	}
	return 0;
}

static void *cap_thread(void *arg)
{
	struct cap *c = arg;
	int rc = cap_setup(c);
	struct pcap_stat ps;

	pthread_mutex_lock(&c->mu);
	c->setup_rc = rc;
	c->ready = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (rc < 0)
		return NULL;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = pcap_get_selectable_fd(c->p),
			  .events = POLLIN },
			{ .fd = c->efd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			cap_dispatch(c);
		if (p[1].revents)
			break;
	}
	cap_dispatch(c); /* what the kernel already holds */
	if (pcap_stats(c->p, &ps) == 0)
		c->drops = ps.ps_drop;
	return NULL;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct cap *cap_start_opts(const struct cap_opts *o)
{
	struct cap *c = calloc(1, sizeof(*c));

	cap_errbuf[0] = 0;
	if (!c)
		return NULL;
	c->o = *o;
	if (!c->o.snaplen)
		c->o.snaplen = 2048;
	if (!c->o.max_records)
		c->o.max_records = 1000000;
	c->netns = xstrdup(o->netns);
	c->ifname = xstrdup(o->ifname ? o->ifname : "any");
	c->filter = xstrdup(o->filter);
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&c->mu, NULL);
	traffic_cond_init(&c->cv);
	if (c->efd < 0 || !c->ifname) {
		snprintf(cap_errbuf, sizeof(cap_errbuf), "%s", strerror(errno));
		goto err;
	}
	if (traffic_thread(&c->thr, cap_thread, c) < 0) {
		snprintf(cap_errbuf, sizeof(cap_errbuf), "%s", strerror(errno));
		goto err;
	}
	pthread_mutex_lock(&c->mu);
	while (!c->ready)
		pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	if (c->setup_rc < 0) {
		pthread_join(c->thr, NULL);
		snprintf(cap_errbuf, sizeof(cap_errbuf), "%s", c->err);
		goto err;
	}
	c->running = true;
	return c;
err:
	cap_free(c);
	errno = EIO;
	return NULL;
}

struct cap *cap_start(const char *netns, const char *ifname, const char *filter)
{
	struct cap_opts o = { .netns = netns,
			      .ifname = ifname,
			      .filter = filter };

	return cap_start_opts(&o);
}

struct cap *cap_open_offline(const char *path)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	struct cap *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;

	cap_errbuf[0] = 0;
	if (!c)
		return NULL;
	c->efd = -1;
	c->o.max_records = 1000000;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	c->ifname = strdup(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	c->p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!c->p || !c->ifname) {
		snprintf(cap_errbuf, sizeof(cap_errbuf), "%s", eb);
		cap_free(c);
		return NULL;
	}
	c->linktype = pcap_datalink(c->p);
	c->o.snaplen = (unsigned int)pcap_snapshot(c->p);
	pthread_mutex_lock(&c->mu);
	if (pcap_dispatch(c->p, -1, cap_cb, (u_char *)c) < 0)
		snprintf(cap_errbuf, sizeof(cap_errbuf), "%s",
			 pcap_geterr(c->p));
	pthread_mutex_unlock(&c->mu);
	return c;
}

void cap_stop(struct cap *c)
{
	uint64_t one = 1;

	if (!c || !c->running)
		return;
	if (write(c->efd, &one, sizeof(one)) < 0)
		pcap_breakloop(c->p);
	pthread_join(c->thr, NULL);
	c->running = false;
}

void cap_free(struct cap *c)
{
	if (!c)
		return;
	cap_stop(c);
	if (c->p)
		pcap_close(c->p);
	if (c->have_prog)
		pcap_freecode(&c->prog);
	if (c->efd >= 0)
		close(c->efd);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->rec);
	free(c->raw);
	free(c->arena);
	free(c->netns);
	free(c->ifname);
	free(c->filter);
	free(c);
}

const struct pkt_rec *cap_records(struct cap *c, size_t *n)
{
	pthread_mutex_lock(&c->mu);
	*n = c->n;
	pthread_mutex_unlock(&c->mu);
	return c->rec;
}

unsigned int cap_drops(struct cap *c)
{
	return c->drops;
}

/* ---- matching --------------------------------------------------------- */

struct cmatch {
	const struct pkt_match *m;
	int sf, df, gf, gsf;
	union pkt_ip s, d, g, gs;
	bool bad;
};

static void cmatch_init(struct cmatch *cm, const struct pkt_match *m)
{
	memset(cm, 0, sizeof(*cm));
	cm->m = m;
	if (!m)
		return;
	if (m->src && pkt_pton(m->src, &cm->sf, &cm->s) < 0)
		cm->bad = true;
	if (m->dst && pkt_pton(m->dst, &cm->df, &cm->d) < 0)
		cm->bad = true;
	if (m->gm_group && pkt_pton(m->gm_group, &cm->gf, &cm->g) < 0)
		cm->bad = true;
	if (m->gm_source && pkt_pton(m->gm_source, &cm->gsf, &cm->gs) < 0)
		cm->bad = true;
}

static bool ip_eq(int family, const union pkt_ip *a, const union pkt_ip *b)
{
	return !memcmp(a, b, family == AF_INET ? 4 : 16);
}

static bool gm_match(const struct pkt_rec *r, const struct cmatch *cm)
{
	const struct pkt_match *m = cm->m;
	unsigned int i, j;

	if (m->gm_group && r->family == cm->gf &&
	    ip_eq(r->family, &r->gm_group, &cm->g) && !m->gm_source)
		return true;
	for (i = 0; i < r->gm_nrec_kept; i++) {
		const struct pkt_grec *g = &r->grec[i];

		if (m->gm_group && (r->family != cm->gf ||
				    !ip_eq(r->family, &g->group, &cm->g)))
			continue;
		if (!m->gm_source)
			return true;
		for (j = 0; j < g->nsrc_kept; j++)
			if (r->family == cm->gsf &&
			    ip_eq(r->family, &g->src[j], &cm->gs))
				return true;
	}
	return false;
}

static bool cmatch(const struct pkt_rec *r, const struct cmatch *cm)
{
	const struct pkt_match *m = cm->m;

	if (!m)
		return true;
	if (cm->bad)
		return false;
	if (m->family && r->family != m->family)
		return false;
	if (m->src &&
	    (r->family != cm->sf || !ip_eq(r->family, &r->src, &cm->s)))
		return false;
	if (m->dst &&
	    (r->family != cm->df || !ip_eq(r->family, &r->dst, &cm->d)))
		return false;
	if (m->proto && (!(r->flags & PKT_F_IP) || r->proto != m->proto))
		return false;
	if (m->ttl && (!(r->flags & PKT_F_IP) || r->ttl != m->ttl))
		return false;
	if (m->sport && (!(r->flags & PKT_F_PORTS) || r->sport != m->sport))
		return false;
	if (m->dport && (!(r->flags & PKT_F_PORTS) || r->dport != m->dport))
		return false;
	if (m->has_icmp_type &&
	    (!(r->flags & PKT_F_ICMP) || r->icmp_type != m->icmp_type))
		return false;
	if (m->echo && (!(r->flags & PKT_F_ECHO) || r->echo_id != m->echo_id))
		return false;
	if ((m->mclab || m->has_stream) && !(r->flags & PKT_F_MCLAB))
		return false;
	if (m->has_stream && r->mc_stream != m->stream)
		return false;
	if (m->gm_kind || m->gm_ver || m->gm_type || m->gm_group ||
	    m->gm_source) {
		if (!(r->flags & PKT_F_GM))
			return false;
		if (m->gm_kind && r->gm_kind != m->gm_kind)
			return false;
		if (m->gm_ver && r->gm_ver != m->gm_ver)
			return false;
		if (m->gm_type && r->gm_type != m->gm_type)
			return false;
		if ((m->gm_group || m->gm_source) && !gm_match(r, cm))
			return false;
	}
	if (m->pkttype && r->pkttype + 1 != m->pkttype)
		return false;
	if (m->fn && !m->fn(r, m->fn_arg))
		return false;
	return true;
}

bool pkt_matches(const struct pkt_rec *r, const struct pkt_match *m)
{
	struct cmatch cm;

	cmatch_init(&cm, m);
	return cmatch(r, &cm);
}

static size_t count_locked(struct cap *c, const struct cmatch *cm)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += cmatch(&c->rec[i], cm);
	return n;
}

size_t cap_count(struct cap *c, const struct pkt_match *m)
{
	struct cmatch cm;
	size_t n;

	cmatch_init(&cm, m);
	pthread_mutex_lock(&c->mu);
	n = count_locked(c, &cm);
	pthread_mutex_unlock(&c->mu);
	return n;
}

bool cap_wait(struct cap *c, const struct pkt_match *m, size_t n,
	      unsigned int timeout_ms)
{
	uint64_t dl = deadline_in(timeout_ms);
	struct timespec ts = { .tv_sec = (time_t)(dl / 1000000000ull),
			       .tv_nsec = (long)(dl % 1000000000ull) };
	struct cmatch cm;
	size_t seen = 0, have = 0;
	bool ok;

	cmatch_init(&cm, m);
	pthread_mutex_lock(&c->mu);
	for (;;) {
		/* count only the records added since the last look */
		for (; seen < c->n; seen++)
			have += cmatch(&c->rec[seen], &cm);
		if (have >= n || !c->running)
			break;
		if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT) {
			for (; seen < c->n; seen++)
				have += cmatch(&c->rec[seen], &cm);
			break;
		}
	}
	ok = have >= n;
	pthread_mutex_unlock(&c->mu);
	return ok;
}

unsigned int cap_ttls(struct cap *c, const struct pkt_match *m, uint8_t *out,
		      unsigned int max)
{
	bool seen[256] = { false };
	struct cmatch cm;
	unsigned int i, k = 0, n = 0;

	cmatch_init(&cm, m);
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++)
		if ((c->rec[i].flags & PKT_F_IP) && cmatch(&c->rec[i], &cm))
			seen[c->rec[i].ttl] = true;
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < 256; i++) {
		if (!seen[i])
			continue;
		if (out && k < max)
			out[k++] = (uint8_t)i;
		n++;
	}
	return n;
}

void cap_seqs(struct cap *c, const struct pkt_match *m, unsigned long expect,
	      struct cap_seq_stats *st)
{
	struct pkt_seq_count sc;
	struct cmatch cm;
	uint32_t *s;
	size_t i, k = 0;

	memset(st, 0, sizeof(*st));
	cmatch_init(&cm, m);
	pthread_mutex_lock(&c->mu);
	s = malloc((c->n ? c->n : 1) * sizeof(*s));
	for (i = 0; s && i < c->n; i++) {
		const struct pkt_rec *r = &c->rec[i];

		if (!(r->flags & PKT_F_MCLAB) || !cmatch(r, &cm))
			continue;
		s[k++] = r->mc_seq;
	}
	pthread_mutex_unlock(&c->mu);
	st->matched = k;
	if (!s)
		return;
	pkt_seq_count(s, k, expect, &sc);
	free(s);
	/* the same counts: cap_seq_stats is pkt_seq_count with matched */
	*st = (struct cap_seq_stats){ .matched = k,
				      .dups = sc.dups,
				      .missing = sc.missing,
				      .out_of_range = sc.out_of_range,
				      .reordered = sc.reordered };
}

long cap_find(struct cap *c, const struct pkt_match *m, size_t from)
{
	struct cmatch cm;
	long r = -1;
	size_t i;

	cmatch_init(&cm, m);
	pthread_mutex_lock(&c->mu);
	for (i = from; i < c->n; i++) {
		if (cmatch(&c->rec[i], &cm)) {
			r = (long)i;
			break;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

/* ---- saving and tcpdump ----------------------------------------------- */

static int cap_mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int cap_save(struct cap *c, const char *name, char *path, size_t len)
{
	const char *dir = getenv("MCLAB_RESULTS");
	char clean[128];
	pcap_dumper_t *d;
	pcap_t *dead;
	size_t i;
	int rc;

	if (!dir || !*dir)
		dir = "results";
	for (i = 0; name && name[i] && i < sizeof(clean) - 1; i++) {
		char ch = name[i];

		clean[i] = (ch >= 'a' && ch <= 'z') ||
					   (ch >= 'A' && ch <= 'Z') ||
					   (ch >= '0' && ch <= '9') ||
					   ch == '-' || ch == '.' ?
				   ch :
				   '_';
	}
	clean[i] = 0;
	if (!i)
		snprintf(clean, sizeof(clean), "capture");
	rc = cap_mkdir_p(dir);
	if (rc < 0)
		return rc;
	if (snprintf(path, len, "%s/%s.pcap", dir, clean) >= (int)len)
		return -ENAMETOOLONG;
	dead = pcap_open_dead_with_tstamp_precision(
		c->linktype ? c->linktype : DLT_EN10MB, (int)c->o.snaplen,
		PCAP_TSTAMP_PRECISION_NANO);
	if (!dead)
		return -ENOMEM;
	d = pcap_dump_open(dead, path);
	if (!d) {
		pcap_close(dead);
		return -EIO;
	}
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++) {
		struct pcap_pkthdr h;

		h.ts.tv_sec = (time_t)(c->raw[i].ts_ns / 1000000000ull);
		h.ts.tv_usec = (suseconds_t)(c->raw[i].ts_ns % 1000000000ull);
		h.caplen = c->raw[i].caplen;
		h.len = c->raw[i].len;
		pcap_dump((u_char *)d, &h, c->arena + c->raw[i].off);
	}
	pthread_mutex_unlock(&c->mu);
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

char *tcpdump_text(const char *pcap_path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int pfd[2], st;
	pid_t pid;

	if (!buf)
		return NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(buf);
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(buf);
		return NULL;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execlp("tcpdump", "tcpdump", "-v", "-n", "-r", pcap_path,
		       (char *)NULL);
		dprintf(1, "exec tcpdump: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n;

		if (cap - len < 1024) {
			char *p = realloc(buf, cap * 2);

			if (!p)
				break;
			buf = p;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return buf;
}

void cap_report(struct cap *c, const char *what)
{
	char path[PATH_MAX], name[160];
	char *txt, *line, *save = NULL;
	unsigned int nl = 0;
	int rc;

	snprintf(name, sizeof(name), "%s-%s-%s", what ? what : "capture",
		 c->netns ? c->netns : "host", c->ifname);
	rc = cap_save(c, name, path, sizeof(path));
	if (rc < 0) {
		printf("# cannot save capture %s: %s\n", name, strerror(-rc));
		return;
	}
	printf("# capture saved: %s (%zu packets, %u dropped)\n", path, c->n,
	       c->drops);
	printf("# tcpdump -v -n -r %s\n", path);
	txt = tcpdump_text(path);
	if (!txt)
		return;
	for (line = strtok_r(txt, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (++nl > 400) {
			printf("# ... (more in the file)\n");
			break;
		}
		printf("#   %s\n", line);
	}
	free(txt);
	fflush(stdout);
}

bool cap_expect(struct cap *c, const struct pkt_match *m, size_t n,
		const char *what)
{
	size_t got = cap_count(c, m);

	if (got == n)
		return true;
	printf("# %s: expected exactly %zu matching packets on %s%s%s, got %zu\n",
	       what ? what : "capture", n, c->netns ? c->netns : "",
	       c->netns ? ":" : "", c->ifname, got);
	cap_report(c, what);
	return false;
}
