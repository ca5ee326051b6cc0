// SPDX-License-Identifier: MIT
/*
 * mcbench 4: new sources on a (*,G): upcall to install latency, loss.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "bench.h"

#define NSRC 1000
#define SRC_PKTS 10

static uint32_t src_addr(int i)
{
	return (10u << 24) | (99u << 16) | (uint32_t)(i + 1); /* 10.99/22 */
}

static int fd_raw;

/*
 * Source i starts at i * start_us and sends SRC_PKTS datagrams every
 * gap_us.  Sent realtime stamps go into tx[i][seq].
 */
static void send_sources(unsigned int start_us, unsigned int gap_us,
			 uint64_t (*tx)[SRC_PKTS])
{
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char payload[32];
	} __attribute__((packed)) pk;
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint64_t base = mono_ns() + 1000000;
	size_t total = (size_t)NSRC * SRC_PKTS;

	inet_pton(AF_INET, "239.9.9.9", &to.sin_addr);
	/* the packets in time order: (start of i) + seq * gap */
	for (size_t n = 0, i0 = 0; n < total;) {
		uint64_t best = UINT64_MAX;
		int bi = -1, bs = 0;

		/* sources active now: i0 .. those started (small window) */
		for (size_t i = i0; i < NSRC; i++) {
			uint64_t st = (uint64_t)i * start_us * 1000;
			int s;

			if (st > best)
				break;
			for (s = 0; s < SRC_PKTS && tx[i][s]; s++)
				;
			if (s == SRC_PKTS) {
				if (i == i0)
					i0++;
				continue;
			}
			st += (uint64_t)s * gap_us * 1000;
			if (st < best) {
				best = st;
				bi = (int)i;
				bs = s;
			}
		}
		if (bi < 0)
			break;
		while (mono_ns() < base + best)
			;
		memset(&pk, 0, sizeof(pk));
		pk.ip.version = 4;
		pk.ip.ihl = 5;
		pk.ip.ttl = 8;
		pk.ip.protocol = IPPROTO_UDP;
		pk.ip.tot_len = htons(sizeof(pk));
		pk.ip.id = htons((uint16_t)n);
		pk.ip.saddr = htonl(src_addr(bi));
		pk.ip.daddr = to.sin_addr.s_addr;
		pk.ip.check = htons(pkt_csum(&pk.ip, sizeof(pk.ip)));
		pk.udp.source = htons(5000);
		pk.udp.dest = htons(5002);
		pk.udp.len = htons(sizeof(pk) - sizeof(pk.ip));
		tx[bi][bs] = real_ns();
		mclab_hdr_fill(pk.payload, (uint32_t)bi, (uint32_t)bs,
			       tx[bi][bs]);
		if (sendto(fd_raw, &pk, sizeof(pk), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			say("  sendto: %s\n", strerror(errno));
		n++;
	}
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	if (!n)
		return NAN;
	return v[(size_t)((double)(n - 1) * p + 0.5)];
}

void bench_sources(unsigned int start_us, unsigned int gap_us)
{
	struct lab *lab = bench_lab("pi-router", "src");
	struct node *rtr = lab_router(lab), *snd = lab_node(lab, "snd"),
		    *rcv = lab_node(lab, "rcv");
	static const char conf[] =
		"phyint wlan0 enable\nphyint usb0 enable\n"
		"mroute from wlan0 group 239.9.9.9 to usb0\n";
	const char *groups[] = { "239.9.9.9" };
	uint64_t(*tx)[SRC_PKTS] = calloc(NSRC, sizeof(*tx));
	char param[32];
	int one = 1;

	snprintf(param, sizeof(param), "%uus", start_us);
	if (!tx)
		die("out of memory");
	if (node_run_cmd(rtr, 5000, "ip route add 10.99.0.0/22 via 192.0.2.2"))
		die("route on rtr");
	fd_raw =
		node_socket(snd, AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd_raw < 0 ||
	    setsockopt(fd_raw, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) ||
	    setsockopt(fd_raw, SOL_SOCKET, SO_BINDTODEVICE, "eth0", 5))
		die("raw socket: %s", strerror(errno));
	say("new sources: %d sources, one every %u us, %d packets %u us apart\n",
	    NSRC, start_us, SRC_PKTS, gap_us);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			unsigned long ovfl, lost = 0, lost1 = 0, never = 0,
					    lost_unres = 0;
			double *lat = calloc(NSRC, sizeof(double)), cpu0;
			uint64_t(*first)[2] = calloc(NSRC, sizeof(*first));
			uint8_t(*got)[SRC_PKTS] = calloc(NSRC, sizeof(*got));
			struct rxrec *recs;
			size_t nrec, nlat = 0;
			struct dmn d;
			int fd;

			if (!lat || !first || !got)
				die("out of memory");
			dmn_start(&d, k, rtr, conf, "src");
			if (!dmn_wait_ready(&d, 10000))
				die("%s not ready", peer_name[k]);
			sleep_ms(200);
			fd = rx_sock(rcv, "eth0", 5002, groups, 1);
			memset(tx, 0, NSRC * sizeof(*tx));
			cpu0 = proc_cpu_ms(d.pid);
			send_sources(start_us, gap_us, tx);
			sleep_ms(500);
			recs = rx_drain(fd, &nrec, &ovfl);
			for (size_t r = 0; r < nrec; r++) {
				uint32_t s = recs[r].stream, q = recs[r].seq;

				if (s >= NSRC || q >= SRC_PKTS ||
				    recs[r].src != src_addr((int)s))
					continue;
				got[s][q] = 1;
				if (!first[s][0] || recs[r].rx_ns < first[s][0])
					first[s][0] = recs[r].rx_ns;
			}
			for (int s = 0; s < NSRC; s++) {
				int l = 0;

				for (int q = 0; q < SRC_PKTS; q++) {
					l += !got[s][q];
					/* sent before the source's first
					 * arrival: it waited on the
					 * unresolved entry (4 packets) */
					lost_unres += !got[s][q] &&
						      first[s][0] &&
						      tx[s][q] < first[s][0];
				}
				lost += (unsigned long)l;
				lost1 += !got[s][0];
				if (!first[s][0]) {
					never++;
					continue;
				}
				lat[nlat++] =
					(double)(first[s][0] - tx[s][0]) / 1e6;
			}
			qsort(lat, nlat, sizeof(*lat), cmp_dbl);
			if (ovfl)
				say("  receiver socket dropped %lu\n", ovfl);
			row("sources", param, "lat_p50_ms", k, rep,
			    pct(lat, nlat, 0.5));
			row("sources", param, "lat_p99_ms", k, rep,
			    pct(lat, nlat, 0.99));
			row("sources", param, "lost_pkts", k, rep,
			    (double)lost);
			row("sources", param, "lost_unres", k, rep,
			    (double)lost_unres);
			row("sources", param, "lat_max_ms", k, rep,
			    nlat ? lat[nlat - 1] : NAN);
			row("sources", param, "first_lost", k, rep,
			    (double)lost1);
			row("sources", param, "never_fwd", k, rep,
			    (double)never);
			row("sources", param, "cpu_ms", k, rep,
			    proc_cpu_ms(d.pid) - cpu0);
			free(recs);
			free(lat);
			free(first);
			free(got);
			close(fd);
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
			sleep_ms(200);
		}
	}
	close(fd_raw);
	free(tx);
	lab_down(lab);
}
