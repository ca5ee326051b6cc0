// SPDX-License-Identifier: MIT
/*
 * mcbench 3: reload 10k routes with 1% changed; loss on unchanged flows.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "bench.h"

void bench_reload(void)
{
	const uint32_t n_routes = 10000, chg = n_routes / 100;
	struct lab *lab = bench_lab("pi-router", "rld");
	struct node *rtr = lab_router(lab), *snd = lab_node(lab, "snd"),
		    *rcv = lab_node(lab, "rcv");
	char *conf_a = conf_routes(0, n_routes, 0, 0);
	/* 1% changed: routes 0..99 removed, n..n+99 added */
	char *conf_b = conf_routes(chg, n_routes, n_routes, n_routes + chg);
	char ga[32], gb[32], sna[128], rns[128];
	const char *groups[2] = { ga, gb };
	struct mfcw w;

	grp_of(chg, ga, sizeof(ga)); /* first unchanged route */
	grp_of(n_routes - 1, gb, sizeof(gb)); /* last one */
	snprintf(sna, sizeof(sna), "%s", snd->ns);
	snprintf(rns, sizeof(rns), "%s", rcv->ns);
	mfcw_open(&w, rtr, n_routes + chg);
	say("reload %u routes, %u changed\n", n_routes, 2 * chg);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			struct udp_tx *tx[2];
			struct udp_tx_stats st[2];
			unsigned long lost = 0, ovfl;
			double rdy, ms, cpu0;
			struct rxrec *recs;
			uint64_t t0, end;
			size_t nrec;
			struct dmn d;
			int fd;

			ms = load_routes(&d, k, rtr, &w, conf_a, n_routes,
					 60000, &rdy);
			if (isnan(ms))
				die("%s did not load", peer_name[k]);
			fd = rx_sock(rcv, "eth0", 5001, groups, 2);
			for (int f = 0; f < 2; f++) {
				struct udp_tx_opts o = {
					.netns = sna,
					.ifname = "eth0",
					.group = groups[f],
					.sport = 5000,
					.dport = 5001,
					.ttl = 8,
					.pps = 1000,
					.stream = (uint32_t)f + 1,
				};

				tx[f] = udp_tx_start(&o);
				if (!tx[f])
					die("udp_tx: %s", strerror(errno));
			}
			sleep_ms(500);
			mfcw_read(&w);
			cpu0 = proc_cpu_ms(d.pid);
			dmn_conf(&d, conf_b);
			t0 = mono_ns();
			kill(d.pid, SIGHUP);
			end = t0 + 120000000000ull;
			ms = NAN;
			while (mono_ns() < end) {
				struct pollfd p = { w.fd, POLLIN, 0 };
				bool done = true;

				mfcw_read(&w);
				for (uint32_t j = 0; j < chg && done; j++)
					done = !w.present[j] &&
					       w.present[n_routes + j];
				if (done) {
					ms = (double)(w.last_ns - t0) / 1e6;
					break;
				}
				poll(&p, 1, 50);
			}
			row("reload", "10000", "reload_ms", k, rep,
			    isnan(ms) ? -1 : ms);
			row("reload", "10000", "cpu_ms", k, rep,
			    proc_cpu_ms(d.pid) - cpu0);
			sleep_ms(500);
			for (int f = 0; f < 2; f++)
				udp_tx_stop(tx[f], &st[f]);
			sleep_ms(100);
			recs = rx_drain(fd, &nrec, &ovfl);
			for (int f = 0; f < 2; f++) {
				uint8_t *seen = calloc(st[f].sent + 1, 1);
				unsigned long got = 0;

				for (size_t r = 0; r < nrec; r++)
					if (recs[r].stream == (uint32_t)f + 1 &&
					    recs[r].seq < st[f].sent &&
					    !seen[recs[r].seq]) {
						seen[recs[r].seq] = 1;
						got++;
					}
				lost += st[f].sent - got;
				free(seen);
			}
			if (ovfl)
				say("  receiver socket dropped %lu\n", ovfl);
			row("reload", "10000", "lost_pkts", k, rep,
			    (double)lost);
			row("reload", "10000", "entries_ok", k, rep,
			    (double)mfc_resolved(rtr));
			free(recs);
			close(fd);
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
		}
	}
	mfcw_close(&w);
	free(conf_a);
	free(conf_b);
	lab_down(lab);
}
