// SPDX-License-Identifier: MIT
/*
 * mcbench 2: runtime change: one ctl add/del with 10k installed, of an
 * (S,G) route (until the MFC shows it) and of a (*,G) prefix route (the
 * ctl command's time).
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

/* a (*,G) route over a /24 of groups no benchmark sends to */
#define STAR_PREFIX "239.77.1.0/24"

static double wait_idx(struct mfcw *w, long idx, bool on, uint64_t t0,
		       unsigned int timeout_ms)
{
	uint64_t end = t0 + (uint64_t)timeout_ms * 1000000u;

	while (mono_ns() < end) {
		struct pollfd p = { w->fd, POLLIN, 0 };

		mfcw_read(w);
		if (w->present[idx] == on)
			return (double)(w->last_ns - t0) / 1e6;
		poll(&p, 1, 20);
	}
	return NAN;
}

void bench_change(void)
{
	const uint32_t n_routes = 10000;
	struct lab *lab = bench_lab("pi-router", "chg");
	struct node *rtr = lab_router(lab);
	char *conf = conf_routes(0, n_routes, 0, 0), g[32];
	struct mfcw w;

	grp_of(CHANGE_IDX, g, sizeof(g));
	mfcw_open(&w, rtr, CHANGE_IDX + 1);
	say("runtime add/del with %u routes\n", n_routes);
	for (int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2; i++) {
			enum router_kind k = order(rep, i, ROUTER_SMCROUTE);
			double rdy, ms;
			struct dmn d;

			ms = load_routes(&d, k, rtr, &w, conf, n_routes, 60000,
					 &rdy);
			if (isnan(ms))
				die("%s did not load %u routes", peer_name[k],
				    n_routes);
			{
				const char *h[] = { d.ctl, "-h", NULL };
				uint64_t t0 = mono_ns();

				run_in(rtr, h);
				row("change", "10000", "exec_floor_ms", k, rep,
				    (double)(mono_ns() - t0) / 1e6);
			}
			/* a few adds and dels per daemon run */
			for (int j = 0; j < 3; j++) {
				const char *add[] = { d.ctl, "-u",    d.sock,
						      "add", "wlan0", SRC_ADDR,
						      g,     "usb0",  NULL };
				const char *del[] = {
					d.ctl,
					"-u",
					d.sock,
					k == ROUTER_MCROUTED ? "del" : "remove",
					"wlan0",
					SRC_ADDR,
					g,
					NULL
				};
				uint64_t t0;
				int rc;

				sleep_ms(50);
				mfcw_read(&w);
				t0 = mono_ns();
				rc = run_in(rtr, add);
				ms = wait_idx(&w, CHANGE_IDX, true, t0, 5000);
				if (rc || !mfc_has(rtr, SRC_ADDR, g))
					say("  add: exit %d, in MFC %d\n", rc,
					    mfc_has(rtr, SRC_ADDR, g));
				row("change", "10000", "add_ms", k, rep * 3 + j,
				    isnan(ms) ? -1 : ms);
				sleep_ms(50);
				mfcw_read(&w);
				t0 = mono_ns();
				rc = run_in(rtr, del);
				ms = wait_idx(&w, CHANGE_IDX, false, t0, 5000);
				if (rc || mfc_has(rtr, SRC_ADDR, g))
					say("  del: exit %d, in MFC %d\n", rc,
					    mfc_has(rtr, SRC_ADDR, g));
				row("change", "10000", "del_ms", k, rep * 3 + j,
				    isnan(ms) ? -1 : ms);
			}
			/* a (*,G) prefix route: nothing shows in the MFC until
			 * a source sends, so the ctl command's own time (its
			 * exec floor included) is the figure */
			for (int j = 0; j < 3; j++) {
				const char *add[] = { d.ctl,   "-u",
						      d.sock,  "add",
						      "wlan0", STAR_PREFIX,
						      "usb0",  NULL };
				const char *del[] = { d.ctl,   "-u",
						      d.sock,  NULL,
						      "wlan0", STAR_PREFIX,
						      NULL };
				uint64_t t0;
				int rc;

				del[3] = k == ROUTER_MCROUTED ? "del" :
								"remove";
				t0 = mono_ns();
				rc = run_in(rtr, add);
				row("change", "10000", "star_add_ms", k,
				    rep * 3 + j,
				    rc ? -1 : (double)(mono_ns() - t0) / 1e6);
				t0 = mono_ns();
				rc = run_in(rtr, del);
				row("change", "10000", "star_del_ms", k,
				    rep * 3 + j,
				    rc ? -1 : (double)(mono_ns() - t0) / 1e6);
			}
			dmn_stop(&d);
			for (int t = 0; t < 2000 && mfc_resolved(rtr) > 0; t++)
				sleep_ms(5);
		}
	}
	mfcw_close(&w);
	free(conf);
	lab_down(lab);
}
