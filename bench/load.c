// SPDX-License-Identifier: MIT
/*
 * mcbench 1: route load: start with N (S,G) routes until all are in the MFC.
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

/*
 * Start d with n_routes routes and wait until all are in the MFC.  Returns
 * the time in ms (NAN on timeout), the ready time in *ready_ms.
 */
double load_routes(struct dmn *d, enum router_kind kind, struct node *rtr,
		   struct mfcw *w, const char *conf, uint32_t n_routes,
		   unsigned int timeout_ms, double *ready_ms)
{
	uint64_t end, t_ready = 0, t_done = 0;

	mfcw_reset(w);
	dmn_start(d, kind, rtr, conf, "load");
	end = d->t_start + (uint64_t)timeout_ms * 1000000u;
	while (mono_ns() < end) {
		struct pollfd p[2] = { { notify_fd, POLLIN, 0 },
				       { w->fd, POLLIN, 0 } };

		poll(p, 2, 50);
		mfcw_read(w);
		if (!t_ready && notify_ready())
			t_ready = mono_ns();
		if (w->count >= n_routes) {
			t_done = w->last_ns;
			break;
		}
		if (w->overflow) {
			/* events lost: count from /proc */
			if (mfc_resolved(rtr) >= (long)n_routes) {
				t_done = mono_ns();
				break;
			}
		}
		if (!dmn_alive(d))
			break;
	}
	*ready_ms = t_ready ? (double)(t_ready - d->t_start) / 1e6 : NAN;
	if (!t_done)
		return NAN;
	return (double)(t_done - d->t_start) / 1e6;
}

void bench_load(uint32_t n_routes)
{
	struct lab *lab = bench_lab("pi-router", "load");
	struct node *rtr = lab_router(lab);
	char *conf = conf_routes(0, n_routes, 0, 0), param[32];
	unsigned int timeout_ms = n_routes > 20000 ? 120000 : 60000;
	int peer_reps = reps;
	struct mfcw w;

	snprintf(param, sizeof(param), "%u", n_routes);
	if (n_routes > 20000 && getenv("BENCH_PEER_BIG_REPS"))
		peer_reps = atoi(getenv("BENCH_PEER_BIG_REPS"));
	else if (n_routes > 20000)
		peer_reps = 1; /* smcroute: minutes per run, see RESULTS.md */
	mfcw_open(&w, rtr, n_routes);
	say("load %u routes\n", n_routes);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			double ms, ready_ms, cpu, rss;
			long inst;
			struct dmn d;

			if (k != ROUTER_MCROUTED && rep >= peer_reps)
				continue;
			ms = load_routes(&d, k, rtr, &w, conf, n_routes,
					 timeout_ms, &ready_ms);
			cpu = proc_cpu_ms(d.pid);
			rss = proc_status(d.pid, "VmHWM");
			inst = mfc_resolved(rtr);
			if (isnan(ms))
				say("  %s: %ld of %u installed after %u ms\n",
				    peer_name[k], inst, n_routes, timeout_ms);
			else if (inst != (long)n_routes)
				say("  %s: netlink said done, /proc has %ld\n",
				    peer_name[k], inst);
			row("load", param, "load_ms", k, rep,
			    isnan(ms) ? -1 : ms);
			row("load", param, "ready_ms", k, rep, ready_ms);
			row("load", param, "cpu_ms", k, rep, cpu);
			row("load", param, "rss_kib", k, rep, rss);
			row("load", param, "installed", k, rep, (double)inst);
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
		}
	}
	mfcw_close(&w);
	free(conf);
	lab_down(lab);
}
