// SPDX-License-Identifier: MIT
/*
 * mclab: a lab's life, "up" (the keeper), "down", "list", "clean" and
 * "bench" (up+down timed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mclab.h"
#include "vm.h"

int mclab_cmd_up(int argc, char **argv)
{
	/* without --config: the field report's config (smcroute.conf on
	 * the Pi) */
	static const char default_conf[] =
		"# the field report's /etc/smcroute.conf\n"
		"mgroup from wlan0 group 225.1.2.3\n"
		"mroute from wlan0 group 225.1.2.3 to usb0\n";
	static const struct option opts[] = {
		{ "router", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *router = NULL, *config = NULL, *topo_arg;
	char err[4096], topo_path[PATH_MAX];
	int c, p[2], kind = -1;
	char *conf_text = NULL;
	struct topo *t;
	pid_t pid;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			router = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		default:
			fputs(mclab_usage_text, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1)
		mclab_die("usage: mclab up TOPO [--router R] [--config FILE]");
	topo_arg = argv[optind];
	t = topo_load(topo_arg, err, sizeof(err));
	if (!t)
		mclab_die("%s", err);
	/* the state keeps an absolute path to the file that was found */
	{
		char e2[64];
		struct topo *t2;

		snprintf(topo_path, sizeof(topo_path), "%s", topo_arg);
		if (!strchr(topo_arg, '/') &&
		    (strlen(topo_arg) < 5 ||
		     strcmp(topo_arg + strlen(topo_arg) - 5, ".topo")))
			snprintf(topo_path, sizeof(topo_path),
				 "topologies/%s.topo", topo_arg);
		if (!realpath(topo_path, err))
			snprintf(err, sizeof(err), "%s", topo_arg);
		snprintf(topo_path, sizeof(topo_path), "%s", err);
		t2 = topo_load(topo_path, e2, sizeof(e2));
		if (!t2)
			snprintf(topo_path, sizeof(topo_path), "%s", topo_arg);
		topo_free(t2);
	}
	if (router || config) {
		kind = router ? router_kind_parse(router) :
				router_kind_from_env();
		if (kind < 0)
			mclab_die(
				"unknown router '%s' (mcrouted, smcroute, igmpproxy)",
				router ? router : getenv("ROUTER"));
		if (topo_router_index(t) < 0)
			mclab_die("%s has no node with the router role",
				  t->name);
		if (config) {
			conf_text = mclab_read_file(config);
			if (!conf_text)
				mclab_die("%s: %s", config, strerror(errno));
		} else {
			conf_text = strdup(default_conf);
		}
		{
			char bin[PATH_MAX];
			const char *why =
				router_available(kind, bin, sizeof(bin));

			if (why)
				mclab_die("%s", why);
		}
	}
	lab_sweep(false);
	if (pipe(p) < 0)
		mclab_die("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		mclab_die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* the keeper */
		struct mclab_state s;
		struct router r;
		struct lab *lab;
		sigset_t set;
		int sig;

		close(p[0]);
		mclab_keeper_signals(&set);
		lab = lab_up(t, NULL, err, sizeof(err));
		if (!lab) {
			dprintf(p[1], "%s", err);
			_exit(1);
		}
		memset(&s, 0, sizeof(s));
		memset(&r, 0, sizeof(r));
		snprintf(s.id, sizeof(s.id), "%s", lab->id);
		s.pid = getpid();
		snprintf(s.topo, sizeof(s.topo), "%s", topo_path);
		snprintf(s.results, sizeof(s.results), "%s", lab->results);
		if (kind >= 0) {
			if (router_start(&r, (enum router_kind)kind,
					 lab_router(lab), conf_text, NULL,
					 10000, err, sizeof(err)) < 0) {
				lab_down(lab);
				dprintf(p[1], "%s", err);
				_exit(1);
			}
			mclab_state_router(&s, &r);
		}
		if (mclab_state_write(&s) < 0) {
			dprintf(p[1], "state file: %s", strerror(errno));
			lab_down(lab);
			_exit(1);
		}
		dprintf(p[1], "ok %.1f", (double)lab->up_ns / 1e6);
		close(p[1]);
		{
			int fd = open("/dev/null", O_RDWR);

			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		do
			sig = sigwaitinfo(&set, NULL);
		while (sig < 0 && errno == EINTR);
		if (kind >= 0)
			router_stop(&r, 5000);
		lab_down(lab);
		mclab_state_path(s.id, err, sizeof(err));
		unlink(err);
		_exit(0);
	}
	close(p[1]);
	{
		char msg[4096] = "";
		ssize_t n = read(p[0], msg, sizeof(msg) - 1);
		char id[64];

		close(p[0]);
		if (n > 0)
			msg[n] = '\0';
		if (strncmp(msg, "ok", 2)) {
			waitpid(pid, NULL, 0);
			mclab_die("%s", n > 0 ? msg : "the lab keeper died");
		}
		snprintf(id, sizeof(id), LAB_PREFIX "%d", (int)pid);
		printf("lab %s up: %s in %s ms, namespaces %s-*\n", id, t->name,
		       msg + 3, id);
		if (kind >= 0)
			printf("router %s running in %s\n",
			       router_kind_name((enum router_kind)kind),
			       t->nodes[topo_router_index(t)].name);
		printf("try:  mclab status | mclab exec %s -- ip addr | mclab shell %s | mclab down\n",
		       t->nodes[0].name, t->nodes[0].name);
	}
	topo_free(t);
	free(conf_text);
	return 0;
}

int mclab_cmd_down(int argc, char **argv)
{
	struct mclab_state s;
	uint64_t deadline;

	(void)argc;
	(void)argv;
	mclab_find_lab(&s);
	kill(s.pid, SIGTERM);
	deadline = deadline_in(10000);
	while (mclab_alive(s.pid) && !deadline_passed(deadline))
		poll(NULL, 0, 2);
	if (mclab_alive(s.pid)) {
		kill(s.pid, SIGKILL);
		while (mclab_alive(s.pid) &&
		       !deadline_passed(deadline + 2000000000ull))
			poll(NULL, 0, 2);
		lab_sweep(true);
	}
	printf("lab %s down\n", s.id);
	return 0;
}

/* -q: print nothing, exit 1 when no lab is up */
int mclab_cmd_list(int argc, char **argv)
{
	struct mclab_state all[32];
	int n = mclab_states_list(all, 32);

	if (argc > 1 && !strcmp(argv[1], "-q"))
		return n ? 0 : 1;
	if (!n) {
		printf("no lab is up\n");
		return 0;
	}
	printf("%-16s %-8s %-20s %s\n", "LAB", "KEEPER", "TOPOLOGY", "ROUTER");
	for (int i = 0; i < n; i++) {
		const char *b = strrchr(all[i].topo, '/');

		printf("%-16s %-8d %-20s %s\n", all[i].id, (int)all[i].pid,
		       b ? b + 1 : all[i].topo,
		       all[i].router[0] ? all[i].router : "-");
	}
	return 0;
}

int mclab_cmd_clean(int argc, char **argv)
{
	int n = lab_sweep(true), v = getenv("MCLAB_IN_VM") ? 0 : vm_sweep();

	(void)argc;
	(void)argv;
	printf("%d namespace%s removed", n, n == 1 ? "" : "s");
	if (v)
		printf(", %d dead VM%s stopped", v, v == 1 ? "" : "s");
	printf("\n");
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int mclab_cmd_bench(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 21;
	uint64_t *up, *down, *all;
	char err[TOPO_ERR_MAX];

	if (argc < 2 || runs < 1)
		mclab_die("usage: mclab bench TOPO [N]");
	up = calloc((size_t)runs, sizeof(*up));
	down = calloc((size_t)runs, sizeof(*down));
	all = calloc((size_t)runs, sizeof(*all));
	if (!up || !down || !all)
		mclab_die("out of memory");
	for (int i = 0; i < runs; i++) {
		struct topo *t = topo_load(argv[1], err, sizeof(err));
		uint64_t t0, t1;
		struct lab *lab;

		if (!t)
			mclab_die("%s", err);
		t0 = mono_ns();
		lab = lab_up(t, NULL, err, sizeof(err));
		if (!lab)
			mclab_die("%s", err);
		t1 = mono_ns();
		lab_down(lab);
		up[i] = t1 - t0;
		down[i] = mono_ns() - t1;
		all[i] = up[i] + down[i];
	}
	qsort(up, (size_t)runs, sizeof(*up), cmp_u64);
	qsort(down, (size_t)runs, sizeof(*down), cmp_u64);
	qsort(all, (size_t)runs, sizeof(*all), cmp_u64);
	printf("%s over %d runs (median, min, max in ms):\n", argv[1], runs);
	printf("  up       %7.2f %7.2f %7.2f\n", (double)up[runs / 2] / 1e6,
	       (double)up[0] / 1e6, (double)up[runs - 1] / 1e6);
	printf("  down     %7.2f %7.2f %7.2f\n", (double)down[runs / 2] / 1e6,
	       (double)down[0] / 1e6, (double)down[runs - 1] / 1e6);
	printf("  up+down  %7.2f %7.2f %7.2f\n", (double)all[runs / 2] / 1e6,
	       (double)all[0] / 1e6, (double)all[runs - 1] / 1e6);
	free(up);
	free(down);
	free(all);
	return 0;
}
