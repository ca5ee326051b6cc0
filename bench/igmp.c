// SPDX-License-Identifier: MIT
/*
 * mcbench 5: IGMP proxy: join -> first packet (from the join call, and from
 * the receiver's report on the wire: the router's own share), leave ->
 * last packet, with default timers and with fast leave.
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
#include <sys/socket.h>

#include "bench.h"

/* The first/last datagram of the stream in the capture: realtime ns. */
void bench_igmp(bool fast)
{
	struct lab *lab = bench_lab("pi-router", fast ? "igf" : "igm");
	struct node *rtr = lab_router(lab), *snd = lab_node(lab, "snd"),
		    *rcv = lab_node(lab, "rcv");
	const char *conf_m = fast ? "phyint wlan0 upstream\n"
				    "phyint usb0 downstream fast-leave\n" :
				    "phyint wlan0 upstream\n"
				    "phyint usb0 downstream\n";
	const char *conf_p = "mroute from wlan0 group 239.7.7.7 to usb0\n";
	const char *param = fast ? "fast" : "default";
	char sna[128];

	snprintf(sna, sizeof(sna), "%s", snd->ns);
	say("IGMP join/leave, %s timers\n", param);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_IGMPPROXY);
			struct udp_tx_opts o = { .netns = sna,
						 .ifname = "eth0",
						 .group = "239.7.7.7",
						 .sport = 5000,
						 .dport = 5003,
						 .ttl = 8,
						 .pps = 1000,
						 .stream = 7 };
			const struct pkt_rec *pr;
			struct udp_tx *tx;
			uint64_t t_join, t_leave, t_stop,
				t_first = 0, t_report = 0, t_last = 0,
				t_fresh = 0, queued = 0;
			size_t npr;
			struct cap *cap;
			struct dmn d;
			int fd;

			/* the peers' documented fast leave: quickleave */
			conf_pre = k == ROUTER_IGMPPROXY && fast ?
					   "quickleave\n" :
					   "";
			dmn_start(&d, k, rtr,
				  k == ROUTER_MCROUTED ? conf_m : conf_p,
				  "igmp");
			conf_pre = "";
			if (!dmn_wait_ready(&d, 10000))
				die("%s not ready", peer_name[k]);
			sleep_ms(300);
			tx = udp_tx_start(&o);
			if (!tx)
				die("udp_tx: %s", strerror(errno));
			cap = cap_start(rcv->ns, "eth0",
					"udp dst port 5003 or igmp");
			if (!cap)
				die("capture: %s", cap_error());
			sleep_ms(300);
			t_join = real_ns();
			{
				const char *g[] = { "239.7.7.7" };

				fd = rx_sock(rcv, "eth0", 5003, g, 1);
			}
			for (int t = 0; t < 1000 && !cap_count(cap, NULL); t++)
				sleep_ms(5);
			sleep_ms(500);
			t_leave = real_ns();
			close(fd); /* leaves the group */
			sleep_ms(fast ? 3000 : 15000);
			t_stop = real_ns();
			udp_tx_stop(tx, NULL);
			cap_stop(cap);
			pr = cap_records(cap, &npr);
			for (size_t r = 0; r < npr; r++) {
				if (pr[r].ts_ns < t_join)
					continue;
				if (pr[r].proto == IPPROTO_IGMP) {
					/* the receiver's first report (v1/v2/v3) */
					if (!t_report &&
					    (pr[r].gm_type == 0x12 ||
					     pr[r].gm_type == 0x16 ||
					     pr[r].gm_type == 0x22))
						t_report = pr[r].ts_ns;
					continue;
				}
				if (!t_first)
					t_first = pr[r].ts_ns;
				/* sent before the report: it waited in the
				 * kernel's unresolved queue */
				if (t_report && pr[r].mc_ts_ns < t_report)
					queued++;
				else if (t_report && !t_fresh)
					t_fresh = pr[r].ts_ns;
				if (pr[r].ts_ns >= t_leave)
					t_last = pr[r].ts_ns;
			}
			row("igmp", param, "join_ms", k, rep,
			    t_first ? (double)(t_first - t_join) / 1e6 : -1);
			/*
			 * The router's share: the report on the wire to the
			 * first datagram sent after it (1 kpps: +0..1 ms),
			 * and how many older ones were let out of the
			 * kernel's unresolved queue at the join.
			 */
			row("igmp", param, "report_ms", k, rep,
			    t_fresh && t_report ?
				    (double)(t_fresh - t_report) / 1e6 :
				    -1);
			row("igmp", param, "queued_pkts", k, rep,
			    (double)queued);
			/* still forwarding at the end of the window: -1 */
			if (t_last + 100000000u >= t_stop)
				say("  %s still forwarding %.0f ms after the leave\n",
				    peer_name[k],
				    (double)(t_stop - t_leave) / 1e6);
			row("igmp", param, "leave_ms", k, rep,
			    t_last + 100000000u >= t_stop ? -1 :
			    t_last ? (double)(t_last - t_leave) / 1e6 :
				     0);
			cap_free(cap);
			dmn_stop(&d);
			sleep_ms(300);
		}
	}
	lab_down(lab);
}
