// SPDX-License-Identifier: MIT
/*
 * mcbench: mcrouted against its peers (smcrouted, igmpproxy) in the same
 * lab, alternating, every repetition a fresh daemon.  One CSV row per
 * measurement:  bench,param,metric,router,rep,value
 *
 *   mcbench [-r REPS] [-o CSV] BENCH...
 *     load N       (S,G) routes from the config: start -> all in the MFC
 *     change       one ctl add/del with 10k installed: command -> MFC
 *     reload       10k routes, 1% changed, SIGHUP: duration, loss at 1 kpps
 *     sources      1,000 new sources on a (*,G): latency, first-packet loss
 *     igmp         join -> first packet, leave -> last packet (proxy mode)
 *     churn SECS [RATE]  1,000 groups x 10 receivers, RATE changes/s:
 *                  CPU, RSS, forwarding state afterwards
 *     idle SECS    CPU and wake-ups of an idle daemon with 10k routes
 *     harness N    pi-router lab up and down
 *     qemu N [P]   image rebuild, boot to ready (virt, raspi3b); P: only that
 *
 * The MFC is watched through rtnetlink (RTNLGRP_IPV4_MROUTE: the kernel
 * announces every MFC add and delete), so no /proc polling competes with
 * the daemon for the CPU; the end state is verified in /proc/net/ip_mr_cache.
 * CPU time is /proc/PID/schedstat (ns; utime+stime of /proc/PID/stat counts
 * in 10 ms ticks), peak RSS is VmHWM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

FILE *csv;
int reps = 5;
const char *peer_name[] = { "mcrouted", "smcroute", "igmpproxy" };

static void usage(void)
{
	fputs("usage: mcbench [-r REPS] [-o CSV] BENCH [ARG]...\n"
	      "  load N | change | reload | sources [START_US [GAP_US]] |\n"
	      "  igmp | churn SECS [RATE] | idle SECS | harness RUNS |\n"
	      "  qemu RUNS [image|virt|raspi3b]\n",
	      stderr);
	exit(64);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int c;

	while ((c = getopt(argc, argv, "r:o:h")) != -1) {
		switch (c) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || reps < 1)
		usage();
	if (geteuid() != 0)
		die("needs root (network namespaces, the MFC)");
	csv = out ? fopen(out, "a") : stdout;
	if (!csv)
		die("%s: %s", out, strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	notify_open();
	lab_sweep(false);

	for (int i = optind; i < argc; i++) {
		const char *b = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		bool num = arg && arg[0] >= '0' && arg[0] <= '9';

		if (!strcmp(b, "load") && num) {
			bench_load((uint32_t)strtoul(arg, NULL, 10));
			i++;
		} else if (!strcmp(b, "change")) {
			bench_change();
		} else if (!strcmp(b, "reload")) {
			bench_reload();
		} else if (!strcmp(b, "sources")) {
			unsigned int s = 1000, g = 1000;

			if (num) {
				s = (unsigned int)atoi(arg);
				i++;
				if (i + 1 < argc && argv[i + 1][0] >= '0' &&
				    argv[i + 1][0] <= '9')
					g = (unsigned int)atoi(argv[++i]);
			}
			bench_sources(s, g);
		} else if (!strcmp(b, "igmp")) {
			bench_igmp(false);
			bench_igmp(true);
		} else if (!strcmp(b, "churn") && num) {
			unsigned int rate = 0;

			i++;
			if (i + 1 < argc && argv[i + 1][0] >= '0' &&
			    argv[i + 1][0] <= '9')
				rate = (unsigned int)atoi(argv[++i]);
			bench_churn((unsigned int)atoi(arg), rate);
		} else if (!strcmp(b, "idle") && num) {
			bench_idle((unsigned int)atoi(arg));
			i++;
		} else if (!strcmp(b, "qemu") && num) {
			const char *only = NULL;

			i++;
			if (i + 1 < argc && (!strcmp(argv[i + 1], "image") ||
					     !strcmp(argv[i + 1], "virt") ||
					     !strcmp(argv[i + 1], "raspi3b")))
				only = argv[++i];
			bench_qemu(atoi(arg), only);
		} else if (!strcmp(b, "harness") && num) {
			bench_harness(atoi(arg));
			i++;
		} else {
			usage();
		}
	}
	notify_close();
	if (csv != stdout)
		fclose(csv);
	return 0;
}
