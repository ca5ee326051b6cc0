// SPDX-License-Identifier: MIT
/*
 * mcbench 5b: IGMP churn.  1,000 groups, 10 receivers (real hosts: their
 * kernels send the reports and answer the queries) on the LAN behind
 * usb0, a sender on wlan0 sending to every group once a second (1 kpps).
 * Each receiver joins 100 random groups, then the receivers zap (leave one
 * of their groups, join another) RATE times a second in turn for SECS
 * seconds, like set-top boxes changing channels; the same seeded sequence
 * for both daemons.  About 65% of the groups have members at any time, so
 * a zap often adds or removes a group on usb0.  Measured: the daemon's
 * CPU time over the run and its peak RSS, and whether its forwarding state
 * is right 5 s and 15 s after the churn stops (groups with members that
 * are not forwarded to usb0, and groups without members that still are).
 *
 * Both daemons in proxy mode with their default timers: mcrouted with
 * "phyint wlan0 upstream / phyint usb0 downstream", igmpproxy with the
 * harness's translation of it (upstream, downstream, quickleave).  The
 * hosts answer in the version of the querier they hear (mcrouted IGMPv3,
 * igmpproxy IGMPv2).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bench.h"

#define NGROUPS 1000
#define NRCV 10
#define PER_RCV 100 /* memberships per receiver */

/* Group i is 239.8.x.y (x.y = i + 1). */
static uint32_t churn_grp(int i)
{
	return (239u << 24) | (8u << 16) | (uint32_t)(i + 1);
}

/* Sleep until the next tick, step_ns after the last one. */
static void tick_wait(struct timespec *next, long step_ns)
{
	next->tv_nsec += step_ns;
	while (next->tv_nsec >= 1000000000) {
		next->tv_nsec -= 1000000000;
		next->tv_sec++;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) ==
	       EINTR)
		;
}

struct sender {
	int fd;
	volatile bool stop;
	unsigned long sent, errors;
};

/* One datagram to each group in turn, NGROUPS a second. */
static void *send_thread(void *arg)
{
	struct sender *s = arg;
	struct timespec next;
	uint8_t payload[32] = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !s->stop; n++) {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(5004) };

		to.sin_addr.s_addr = htonl(churn_grp((int)(n % NGROUPS)));
		if (sendto(s->fd, payload, sizeof(payload), 0,
			   (struct sockaddr *)&to, sizeof(to)) < 0)
			s->errors++;
		else
			s->sent++;
		tick_wait(&next, 1000000000 / NGROUPS);
	}
	return NULL;
}

struct members {
	int fd[NRCV];
	bool in[NRCV][NGROUPS];
	unsigned long changes, errors;
};

static void member_set(struct members *m, int r, int g, bool on)
{
	struct ip_mreqn mr = { .imr_ifindex = 0 };

	if (m->in[r][g] == on)
		return;
	mr.imr_multiaddr.s_addr = htonl(churn_grp(g));
	if (setsockopt(m->fd[r], IPPROTO_IP,
		       on ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mr,
		       sizeof(mr))) {
		m->errors++;
		return;
	}
	m->in[r][g] = on;
	m->changes++;
}

/*
 * The groups forwarded to usb0 against the groups with members: *missing
 * have members and are not forwarded, *stale are forwarded without.
 */
static void check_state(struct node *rtr, const struct members *m, int *missing,
			int *stale, int *members)
{
	struct mr_vif *v = NULL;
	struct mr_mfc *f = NULL;
	int nv = proc_read_mr_vif(rtr, AF_INET, &v);
	int nf = proc_read_mr_mfc(rtr, AF_INET, &f);
	const struct mr_vif *usb = nv > 0 ? mr_vif_by_name(v, nv, "usb0") :
					    NULL;

	*missing = *stale = *members = 0;
	for (int g = 0; g < NGROUPS; g++) {
		struct in_addr src, grp = { htonl(churn_grp(g)) };
		const struct mr_mfc *e;
		bool want = false, fwd;

		inet_pton(AF_INET, SRC_ADDR, &src);
		for (int r = 0; r < NRCV; r++)
			want |= m->in[r][g];
		e = nf > 0 ? mr_mfc_find(f, nf, AF_INET, &src, &grp) : NULL;
		fwd = usb && e && !e->unresolved &&
		      mr_mfc_oif_ttl(e, usb->vif) >= 0;
		*members += want;
		*missing += want && !fwd;
		*stale += !want && fwd;
	}
	free(v);
	free(f);
}

static void churn_once(struct lab *lab, enum router_kind k, int rep,
		       unsigned int secs, unsigned int rate)
{
	const char *conf_m = "phyint wlan0 upstream\nphyint usb0 downstream\n";
	const char *conf_p = "mroute from wlan0 group 239.8.0.0/16 to usb0\n";
	struct node *rtr = lab_router(lab);
	struct sender snd = { .fd = -1 };
	struct members *m = calloc(1, sizeof(*m));
	unsigned int seed = 0x5eed0000u + (unsigned int)rep;
	int ttl = 8, missing, stale, members;
	char param[32];
	struct timespec next;
	uint64_t t_end;
	pthread_t th;
	double cpu0;
	struct dmn d;

	if (!m)
		die("out of memory");
	snprintf(param, sizeof(param), "%us@%u/s", secs, rate);
	dmn_start(&d, k, rtr, k == ROUTER_MCROUTED ? conf_m : conf_p, "churn");
	if (!dmn_wait_ready(&d, 10000))
		die("%s not ready", peer_name[k]);
	cpu0 = proc_cpu_ms(d.pid);

	snd.fd = node_socket(lab_node(lab, "snd"), AF_INET,
			     SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (snd.fd < 0 ||
	    setsockopt(snd.fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)))
		die("sender socket: %s", strerror(errno));
	if (pthread_create(&th, NULL, send_thread, &snd))
		die("sender thread");

	for (int r = 0; r < NRCV; r++) {
		char name[8];

		snprintf(name, sizeof(name), "r%d", r);
		m->fd[r] = node_socket(lab_node(lab, name), AF_INET,
				       SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (m->fd[r] < 0)
			die("receiver socket: %s", strerror(errno));
	}
	/* join: each receiver PER_RCV random groups, at full speed */
	for (int r = 0; r < NRCV; r++)
		for (int j = 0; j < PER_RCV;) {
			int g = rand_r(&seed) % NGROUPS;

			if (!m->in[r][g]) {
				member_set(m, r, g, true);
				j++;
			}
		}

	/* churn: a zap every 1/rate s, receivers in turn */
	clock_gettime(CLOCK_MONOTONIC, &next);
	t_end = mono_ns() + (uint64_t)secs * 1000000000u;
	for (unsigned long n = 0; mono_ns() < t_end; n++) {
		int r = (int)(n % NRCV), from, to;

		do
			from = rand_r(&seed) % NGROUPS;
		while (!m->in[r][from]);
		do
			to = rand_r(&seed) % NGROUPS;
		while (m->in[r][to]);
		member_set(m, r, from, false);
		member_set(m, r, to, true);
		tick_wait(&next, 1000000000 / rate);
	}
	row("churn", param, "cpu_ms", k, rep, proc_cpu_ms(d.pid) - cpu0);
	/* the traffic goes on: each group with members sees a packet a second */
	for (int t = 0; t < 2; t++) {
		sleep_ms(t ? 10000 : 5000);
		check_state(rtr, m, &missing, &stale, &members);
		row("churn", param, t ? "missing_15s" : "missing_5s", k, rep,
		    missing);
		row("churn", param, t ? "stale_15s" : "stale_5s", k, rep,
		    stale);
	}
	row("churn", param, "rss_kib", k, rep, proc_status(d.pid, "VmHWM"));
	say("  %s: %lu membership changes (%lu refused), %d groups with "
	    "members at the end, %lu datagrams sent\n",
	    peer_name[k], m->changes, m->errors, members, snd.sent);
	if (!dmn_alive(&d))
		die("%s died during the churn (log: %s)", peer_name[k], d.log);

	snd.stop = true;
	pthread_join(th, NULL);
	close(snd.fd);
	for (int r = 0; r < NRCV; r++)
		close(m->fd[r]); /* leaves what is left */
	dmn_stop(&d);
	free(m);
}

void bench_churn(unsigned int secs, unsigned int rate)
{
	if (!rate)
		rate = 100;
	say("IGMP churn: %d groups x %d receivers, %u changes/s for %u s\n",
	    NGROUPS, NRCV, rate, secs);
	for (int rep = 0; rep < reps; rep++)
		for (int i = 0; i < 2; i++) {
			/*
			 * A fresh LAN each run: hosts that heard the other
			 * daemon's IGMPv2 queries stay in v2 compatibility
			 * for 260 s (RFC 3376 8.12), which would change the
			 * next run's protocol.
			 */
			struct lab *lab = bench_lab("pi-router-lan10", "chn");

			churn_once(lab, order(rep, i, ROUTER_IGMPPROXY), rep,
				   secs, rate);
			lab_down(lab);
		}
}
