// SPDX-License-Identifier: MIT
/*
 * mcbench 7: CPU and wake-ups of an idle daemon with 10k routes.
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

void bench_idle(unsigned int secs)
{
	struct lab *la = bench_lab("pi-router", "idm"),
		   *lb = bench_lab("pi-router", "ids");
	struct node *ra = lab_router(la), *rb = lab_router(lb);
	char *conf = conf_routes(0, 10000, 0, 0), param[16];
	struct mfcw wa, wb;

	snprintf(param, sizeof(param), "%us", secs);
	mfcw_open(&wa, ra, 10000);
	mfcw_open(&wb, rb, 10000);
	say("idle %u s with 10000 routes (both daemons side by side)\n", secs);
	for (int rep = 0; rep < reps; rep++) {
		struct dmn da, db;
		double rdy, c0[2], w0[2];

		if (isnan(load_routes(&da, ROUTER_MCROUTED, ra, &wa, conf,
				      10000, 60000, &rdy)) ||
		    isnan(load_routes(&db, ROUTER_SMCROUTE, rb, &wb, conf,
				      10000, 60000, &rdy)))
			die("idle: load failed");
		sleep_ms(2000);
		c0[0] = proc_cpu_ms(da.pid);
		c0[1] = proc_cpu_ms(db.pid);
		w0[0] = proc_wakeups(da.pid);
		w0[1] = proc_wakeups(db.pid);
		sleep_ms(secs * 1000);
		row("idle", param, "cpu_ms", ROUTER_MCROUTED, rep,
		    proc_cpu_ms(da.pid) - c0[0]);
		row("idle", param, "cpu_ms", ROUTER_SMCROUTE, rep,
		    proc_cpu_ms(db.pid) - c0[1]);
		row("idle", param, "wakeups", ROUTER_MCROUTED, rep,
		    proc_wakeups(da.pid) - w0[0]);
		row("idle", param, "wakeups", ROUTER_SMCROUTE, rep,
		    proc_wakeups(db.pid) - w0[1]);
		row("idle", param, "rss_kib", ROUTER_MCROUTED, rep,
		    proc_status(da.pid, "VmRSS"));
		row("idle", param, "rss_kib", ROUTER_SMCROUTE, rep,
		    proc_status(db.pid, "VmRSS"));
		dmn_stop(&da);
		dmn_stop(&db);
		for (int t = 0;
		     t < 2000 && (mfc_resolved(ra) > 0 || mfc_resolved(rb) > 0);
		     t++)
			sleep_ms(5);
	}
	mfcw_close(&wa);
	mfcw_close(&wb);
	free(conf);
	lab_down(la);
	lab_down(lb);
}
