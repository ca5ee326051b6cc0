// SPDX-License-Identifier: MIT
/*
 * mcbench 6: the harness: pi-router up and down.
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

void bench_harness(int runs)
{
	say("harness: pi-router up and down, %d runs\n", runs);
	for (int i = 0; i < runs; i++) {
		char err[TOPO_ERR_MAX];
		struct topo *t = topo_load("pi-router", err, sizeof(err));
		uint64_t t0, t1, t2;
		struct lab *lab;

		if (!t)
			die("%s", err);
		t0 = mono_ns();
		lab = lab_up(t, NULL, err, sizeof(err));
		if (!lab)
			die("%s", err);
		t1 = mono_ns();
		lab_down(lab);
		t2 = mono_ns();
		row("harness", "pi-router", "up_ms", ROUTER_MCROUTED, i,
		    (double)(t1 - t0) / 1e6);
		row("harness", "pi-router", "down_ms", ROUTER_MCROUTED, i,
		    (double)(t2 - t1) / 1e6);
		row("harness", "pi-router", "updown_ms", ROUTER_MCROUTED, i,
		    (double)(t2 - t0) / 1e6);
	}
}
