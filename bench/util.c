// SPDX-License-Identifier: MIT
/*
 * mcbench: output rows, clocks, route groups and configs, /proc readings.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "bench.h"

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mcbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void row(const char *bench, const char *param, const char *metric,
	 enum router_kind k, int rep, double v)
{
	fprintf(csv, "%s,%s,%s,%s,%d,%.6g\n", bench, param, metric,
		peer_name[k], rep, v);
	fflush(csv);
	say("  %-8s %-8s %-9s rep %d  %-16s %.6g\n", bench, param, peer_name[k],
	    rep, metric, v);
}

/* ---- groups ---- */

/* Route i is (192.0.2.2, 239.A.B.C) with A.B.C = 1 + i in base 256. */
void grp_of(uint32_t i, char *buf, size_t len)
{
	uint32_t g = (239u << 24) | ((i + 1) & 0xffffffu);

	snprintf(buf, len, "%u.%u.%u.%u", g >> 24, (g >> 16) & 255,
		 (g >> 8) & 255, g & 255);
}

long idx_of_grp(uint32_t grp_host)
{
	if (grp_host >> 24 != 239u || !(grp_host & 0xffffffu))
		return -1;
	return (long)(grp_host & 0xffffffu) - 1;
}

/* Config with routes [from, to) plus [from2, to2). */
char *conf_routes(uint32_t from, uint32_t to, uint32_t from2, uint32_t to2)
{
	size_t cap = (size_t)(to - from + to2 - from2) * 72 + 256, len = 0;
	char *t = malloc(cap), g[32];

	if (!t)
		die("out of memory");
	len += (size_t)snprintf(t, cap,
				"# mcbench: %u (S,G) routes\n"
				"phyint wlan0 enable\nphyint usb0 enable\n",
				to - from + to2 - from2);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t a = pass ? from2 : from, b = pass ? to2 : to;

		for (uint32_t i = a; i < b; i++) {
			grp_of(i, g, sizeof(g));
			len += (size_t)snprintf(
				t + len, cap - len,
				"mroute from wlan0 source " SRC_ADDR
				" group %s to usb0\n",
				g);
		}
	}
	return t;
}

/* ---- /proc ----------------------------------------------------------- */

double proc_cpu_ms(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return (double)ns / 1e6;
}

/* A "Key:   N kB" or "key: N" line of /proc/PID/status. */
double proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	double v = NAN;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtod(line + kl + 1, NULL);
			break;
		}
	fclose(f);
	return v;
}

double proc_wakeups(pid_t pid)
{
	return proc_status(pid, "voluntary_ctxt_switches") +
	       proc_status(pid, "nonvoluntary_ctxt_switches");
}

/* Resolved entries of the node's IPv4 MFC (from /proc). */
long mfc_resolved(struct node *n)
{
	char *text = NULL;
	size_t len;
	long cnt = 0;

	if (node_read_file(n, "/proc/net/ip_mr_cache", &text, &len))
		return -1;
	for (char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		unsigned int g, o;
		int iif;

		if (sscanf(p + 1, "%x %x %d", &g, &o, &iif) == 3 && iif >= 0)
			cnt++;
	}
	free(text);
	return cnt;
}

bool mfc_has(struct node *n, const char *src, const char *grp)
{
	struct mr_mfc *m = NULL;
	int cnt = proc_read_mr_mfc(n, AF_INET, &m);
	const struct mr_mfc *e = cnt > 0 ? mr_mfc_find_str(m, cnt, src, grp) :
					   NULL;
	bool ok = e && !e->unresolved && e->iif >= 0;

	free(m);
	return ok;
}
