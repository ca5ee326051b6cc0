// SPDX-License-Identifier: MIT
/*
 * mclab: traffic in a lab, "ping", "send", "join" and "capture".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mclab.h"

struct topts {
	int ttl;
	unsigned int count;
	unsigned int port;
	const char *ifname;
	unsigned int secs;
};

static int parse_topts(int argc, char **argv, int first, struct topts *o,
		       char ***rest)
{
	static const struct option opts[] = {
		{ "ttl", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "if", required_argument, NULL, 'i' },
		{ "time", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = first;
	while ((c = getopt_long(argc, argv, "+t:c:p:i:T:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->ttl = atoi(optarg);
			break;
		case 'c':
			o->count = (unsigned int)atoi(optarg);
			break;
		case 'p':
			o->port = (unsigned int)atoi(optarg);
			break;
		case 'i':
			o->ifname = optarg;
			break;
		case 'T':
			o->secs = (unsigned int)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (rest)
		*rest = argv + optind;
	return optind;
}

/*
 * NODE GROUP|IF, then the options: what follows them (at most max_rest
 * words, -1: any), or death with the usage.
 */
static char **parse_args(int argc, char **argv, struct topts *o, int max_rest,
			 const char *usage)
{
	char **rest = NULL;
	int n = 0;

	if (argc >= 3 && parse_topts(argc, argv, 3, o, &rest) >= 0)
		while (rest[n])
			n++;
	if (!rest || (max_rest >= 0 && n > max_rest))
		mclab_die("usage: mclab %s", usage);
	return rest;
}

static volatile sig_atomic_t join_stop;

static void join_signal(int sig)
{
	(void)sig;
	join_stop = 1;
}

/* The lab that is up, attached (in *lab), and its node name. */
static struct node *attach_node(const char *name, struct lab **lab)
{
	*lab = mclab_attach(NULL);
	return mclab_node_or_die(*lab, name);
}

/* --if, or else the node's first interface. */
static const char *node_if(struct lab *lab, struct node *n,
			   const struct topts *o)
{
	const struct topo_if *ifs[1];

	if (o->ifname)
		return o->ifname;
	if (topo_node_ifs(lab->topo, n->index, ifs, 1) < 1)
		mclab_die("node %s has no interface", n->name);
	return ifs[0]->ifname;
}

/* Where ping, send and join run: NODE (argv[1]) in the lab that is up,
 * and the interface, --if or the node's first. */
struct where {
	struct lab *lab;
	struct node *n;
	const char *ifname;
};

static struct where where_of(char **argv, const struct topts *o)
{
	struct where w;

	w.n = attach_node(argv[1], &w.lab);
	w.ifname = node_if(w.lab, w.n, o);
	return w;
}

/* SIGINT and SIGTERM set join_stop: the end of a join or a capture. */
static void stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = join_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int mclab_cmd_ping(int argc, char **argv)
{
	struct topts o = { .ttl = 1, .count = 3 };
	struct mping_opts mo;
	struct mping_result res;
	struct where w;
	int rc;

	parse_args(argc, argv, &o, -1,
		   "ping NODE GROUP [--ttl N] [--count N] [--if IF]");
	w = where_of(argv, &o);
	mo = (struct mping_opts){ .netns = w.n->ns,
				  .ifname = w.ifname,
				  .group = argv[2],
				  .ttl = o.ttl,
				  .count = o.count,
				  .interval_ms = 200,
				  .timeout_ms = 1000 };
	printf("PING %s from %s:%s, TTL %d, %u requests\n", mo.group, w.n->name,
	       mo.ifname, mo.ttl, mo.count);
	rc = mping_run(&mo, &res);
	if (rc < 0)
		mclab_die("ping: %s", strerror(-rc));
	for (unsigned int i = 0; i < res.nreply; i++) {
		char src[INET6_ADDRSTRLEN];

		inet_ntop(res.reply[i].family, &res.reply[i].src, src,
			  sizeof(src));
		printf("reply from %s: seq=%u ttl=%u time=%.3f ms\n", src,
		       res.reply[i].seq, res.reply[i].ttl,
		       (double)res.reply[i].rtt_ns / 1e6);
	}
	printf("%u sent, %u replies from %u hosts\n", res.sent, res.nreply,
	       mping_sources(&res, NULL, 0));
	mping_result_free(&res);
	mclab_detach(w.lab);
	return 0;
}

int mclab_cmd_send(int argc, char **argv)
{
	struct topts o = { .ttl = 1, .count = 10, .port = 5000 };
	struct udp_tx_opts uo;
	struct udp_tx_stats st;
	struct where w;
	int rc;

	parse_args(
		argc, argv, &o, -1,
		"send NODE GROUP [--ttl N] [--count N] [--port N] [--if IF]");
	w = where_of(argv, &o);
	uo = (struct udp_tx_opts){ .netns = w.n->ns,
				   .ifname = w.ifname,
				   .group = argv[2],
				   .dport = (uint16_t)o.port,
				   .sport = (uint16_t)o.port,
				   .ttl = o.ttl,
				   .count = o.count ? o.count : 1,
				   .pps = 100 };
	rc = udp_send(&uo, &st);
	if (rc < 0)
		mclab_die("send: %s", strerror(-rc));
	printf("sent %lu UDP datagrams %s:%s -> %s port %u, TTL %d (seq 0..%lu)\n",
	       st.sent, w.n->name, uo.ifname, uo.group, o.port, o.ttl,
	       st.sent ? st.sent - 1 : 0);
	mclab_detach(w.lab);
	return st.errors ? 1 : 0;
}

/*
 * Join a group in a node (a receiver that stays a member), count what
 * arrives, and say so at the end: after --count datagrams, --time seconds,
 * or SIGINT/SIGTERM.
 */
int mclab_cmd_join(int argc, char **argv)
{
	struct topts o = { .port = 5000 };
	struct rx_opts ro;
	struct rx_stats st;
	struct where w;
	struct node *n;
	struct rx *rx;
	char **rest;
	uint64_t deadline;

	rest = parse_args(
		argc, argv, &o, 1,
		"join NODE GROUP [SOURCE] [--if IF] [--port N] [--count N] [--time SEC]");
	w = where_of(argv, &o);
	n = w.n;
	ro = (struct rx_opts){ .netns = n->ns,
			       .ifname = w.ifname,
			       .group = argv[2],
			       .source = rest[0],
			       .port = (uint16_t)o.port };
	stop_on_signals();
	rx = rx_start(&ro);
	if (!rx)
		mclab_die("join %s on %s:%s: %s", ro.group, n->name, ro.ifname,
			  strerror(errno));
	printf("%s:%s joined %s%s%s, port %u\n", n->name, ro.ifname, ro.group,
	       ro.source ? " source " : "", ro.source ? ro.source : "", o.port);
	fflush(stdout);
	deadline = o.secs ? deadline_in(o.secs * 1000) : UINT64_MAX;
	while (!join_stop && !deadline_passed(deadline) &&
	       !(o.count && rx_count(rx) >= o.count))
		rx_wait_count(rx, o.count ? o.count : ULONG_MAX, 100);
	rx_stop(rx);
	rx_get_stats(rx, 0, 0, &st);
	printf("%s:%s received %lu datagrams for %s", n->name, ro.ifname,
	       st.count, ro.group);
	if (st.ttl_min >= 0)
		printf(", TTL %d..%d", st.ttl_min, st.ttl_max);
	printf("\n");
	rx_free(rx);
	mclab_detach(w.lab);
	return 0;
}

int mclab_cmd_capture(int argc, char **argv)
{
	struct topts o = { 0 };
	char filter[1024] = "", **rest;
	struct lab *lab;
	struct node *n;

	rest = parse_args(
		argc, argv, &o, -1,
		"capture NODE IF [--count N] [--time SEC] [FILTER...]");
	for (; *rest; rest++) {
		size_t l = strlen(filter);

		snprintf(filter + l, sizeof(filter) - l, "%s%s", l ? " " : "",
			 *rest);
	}
	n = attach_node(argv[1], &lab);
	if (!o.count && !o.secs) {
		/* live: tcpdump inside the node */
		const char *av[16];
		int i = 0, rc;

		av[i++] = "tcpdump";
		av[i++] = "-l";
		av[i++] = "-v";
		av[i++] = "-n";
		av[i++] = "-i";
		av[i++] = argv[2];
		if (filter[0])
			av[i++] = filter;
		av[i] = NULL;
		rc = node_exec_tty(n, av);
		mclab_detach(lab);
		return rc == 130 ? 0 : rc;
	}
	{
		struct cap *c =
			cap_start(n->ns, argv[2], filter[0] ? filter : NULL);
		char path[PATH_MAX], *text;
		uint64_t deadline;

		if (!c)
			mclab_die("capture %s:%s: %s", n->name, argv[2],
				  cap_error());
		/* Ready: every packet from now on is captured. */
		fprintf(stderr, "capturing on %s:%s\n", n->name, argv[2]);
		stop_on_signals();
		deadline = mono_ns() +
			   (uint64_t)(o.secs ? o.secs : 3600) * 1000000000ull;
		while (!join_stop && mono_ns() < deadline &&
		       !cap_wait(c, NULL, o.count ? o.count : (size_t)-1,
				 100 / timeout_mult()))
			;
		cap_stop(c);
		if (cap_save(c, "mclab-capture", path, sizeof(path)) < 0)
			mclab_die("cannot save the capture");
		text = tcpdump_text(path);
		printf("%s", text ? text : "");
		fprintf(stderr, "%zu packets, saved in %s\n",
			cap_count(c, NULL), path);
		free(text);
		cap_free(c);
	}
	mclab_detach(lab);
	return 0;
}
