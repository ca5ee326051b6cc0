// SPDX-License-Identifier: MIT
/*
 * mclab: the lab at a terminal.  "mclab up" forks a keeper process that
 * owns the lab (its pid names the namespaces, "mcl-<pid>-<node>"), starts
 * the router and waits; "mclab down" asks it to tear everything down.  A
 * state file /run/mclab/<id>.state lets the other commands find the lab.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mclab.h"
#include "vm.h"

/* mclab_qemu.c: "mclab qemu ..." (the emulated Pi) and "mclab kconfig" */
int mclab_cmd_qemu(int argc, char **argv, const char *lab_opt);
int mclab_cmd_kconfig(int argc, char **argv);
int mclab_cmd_check(int argc, char **argv);
/* mclab_vm.c: "mclab preflight", "mclab vm ...", and lab commands taken
 * into the lab's VM on a kernel that cannot run the lab */
int mclab_cmd_preflight(int argc, char **argv);
int mclab_cmd_vm(int argc, char **argv);
int mclab_vm_forward(const char *cmd, int argc, char **argv, int *status);

#define STATE_DIR "/run/mclab"

static const char usage_text[] =
	"usage: mclab [--lab ID] COMMAND [ARGS]\n"
	"\n"
	"  up TOPO [--router mcrouted|smcroute|igmpproxy] [--config FILE]\n"
	"                          build topology TOPO (a name in topologies/ or a\n"
	"                          .topo path) and, with --router or --config, start\n"
	"                          the router under test in its router node\n"
	"  exec NODE -- CMD...     run CMD in NODE\n"
	"  shell NODE              an interactive shell in NODE\n"
	"  status                  nodes, addresses, router VIFs, MFC, mc_forwarding\n"
	"  ping NODE GROUP [--ttl N] [--count N] [--if IF]\n"
	"                          multicast ICMP echo from NODE, with the replies\n"
	"  send NODE GROUP [--ttl N] [--count N] [--port N] [--if IF]\n"
	"                          UDP datagrams with sequence numbers\n"
	"  join NODE GROUP [SOURCE] [--if IF] [--port N] [--count N] [--time SEC]\n"
	"                          a receiver that joins (ASM, or SSM with SOURCE)\n"
	"                          and counts what arrives\n"
	"  capture NODE IF [--count N] [--time SEC] [FILTER...]\n"
	"                          tcpdump-style lines of what crosses NODE's IF\n"
	"  down                    stop the router, delete every namespace\n"
	"  list                    the labs that are up\n"
	"  clean                   remove what dead runs left behind\n"
	"  bench TOPO [N]          median up+down time over N runs (default 21)\n"
	"  qemu up [--profile virt|raspi3b] [--topo TOPO] [--node NODE]\n"
	"          [--image IMG | --rootfs FS |\n"
	"           --kernel K [--dtb D] [--initrd I]]\n"
	"          [--config FILE | --no-router] [--append ARGS] [--login PROMPT]\n"
	"                          the emulated Pi as the router node\n"
	"  qemu console|down       its serial console; stop it (mclab qemu help)\n"
	"  check --image IMG [--board B] [--dtb D] [--login USER[:PW]]\n"
	"        [--topo TOPO] [--node NODE] [--timeout SEC] [-v]\n"
	"                          a user's SD card image as the router: its own\n"
	"                          kernel, init, router and config, under the field\n"
	"                          report's checks (mclab check --help)\n"
	"  kconfig [FILE|running|--image IMG]\n"
	"                          check a kernel config for multicast routing\n"
	"  preflight [-q] [--rootless]\n"
	"                          can this kernel run the lab, or does it go into\n"
	"                          the lab's VM (exit 0 / 10)\n"
	"  vm run [--timeout SEC] [--rw DIR]... [--kernel K] -- CMD...\n"
	"                          boot the lab's VM, run CMD in it, stop it\n"
	"  vm start|exec|status|console|stop\n"
	"                          the long-lived VM of 'mclab up' (mclab vm help)\n"
	"\n"
	"Options: --lab ID (or MCLAB_LAB) picks a lab when several are up.\n"
	"Environment: ROUTER, MCROUTED, MCLAB_RESULTS, MCLAB_TIMEOUT_MULT,\n"
	"MCLAB_VM=auto|always|never.\n"
	"See mclab(1).\n";

/* The field report's config (smcroute.conf on the Pi). */
static const char default_conf[] =
	"# the field report's /etc/smcroute.conf\n"
	"mgroup from wlan0 group 225.1.2.3\n"
	"mroute from wlan0 group 225.1.2.3 to usb0\n";

static const char *lab_opt;

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
								...)
{
	va_list ap;

	fputs("mclab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- state files -------------------------------------------------- */

struct state {
	char id[64];
	pid_t pid;
	char topo[PATH_MAX];
	char router[32];
	pid_t router_pid;
	char router_node[32];
	char router_sock[512];
	char router_conf[512];
	char router_log[512];
	char results[512];
};

static void state_path(const char *id, char *out, size_t len)
{
	snprintf(out, len, STATE_DIR "/%s.state", id);
}

static int state_write(const struct state *s)
{
	char path[256], tmp[300];
	FILE *f;

	if (mkdir_p(STATE_DIR, 0755) < 0)
		return -1;
	state_path(s->id, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "id %s\npid %d\ntopo %s\nresults %s\n", s->id, (int)s->pid,
		s->topo, s->results);
	if (s->router[0])
		fprintf(f,
			"router %s\nrouter_pid %d\nrouter_node %s\n"
			"router_sock %s\nrouter_conf %s\nrouter_log %s\n",
			s->router, (int)s->router_pid, s->router_node,
			s->router_sock, s->router_conf, s->router_log);
	if (fclose(f) < 0)
		return -1;
	return rename(tmp, path);
}

static int state_read(const char *path, struct state *s)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	memset(s, 0, sizeof(*s));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ' ');

		if (!v)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
#define S(k, f)               \
	if (!strcmp(line, k)) \
		snprintf(s->f, sizeof(s->f), "%s", v);
		S("id", id);
		S("topo", topo);
		S("router", router);
		S("router_node", router_node);
		S("router_sock", router_sock);
		S("router_conf", router_conf);
		S("router_log", router_log);
		S("results", results);
#undef S
		if (!strcmp(line, "pid"))
			s->pid = atoi(v);
		if (!strcmp(line, "router_pid"))
			s->router_pid = atoi(v);
	}
	fclose(f);
	return s->id[0] ? 0 : -1;
}

static bool alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* Labs up: fills up to max states, returns how many. */
static int states_list(struct state *out, int max)
{
	DIR *d = opendir(STATE_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char path[512];
		size_t l = strlen(de->d_name);

		if (l < 7 || strcmp(de->d_name + l - 6, ".state"))
			continue;
		snprintf(path, sizeof(path), STATE_DIR "/%s", de->d_name);
		if (state_read(path, &out[n]) == 0 && alive(out[n].pid))
			n++;
	}
	closedir(d);
	return n;
}

static void find_lab(struct state *s)
{
	struct state all[32];
	const char *want = lab_opt ? lab_opt : getenv("MCLAB_LAB");
	int n = states_list(all, 32), i;

	if (want) {
		for (i = 0; i < n; i++)
			if (!strcmp(all[i].id, want)) {
				*s = all[i];
				return;
			}
		die("no lab '%s' is up (mclab list)", want);
	}
	if (n == 0)
		die("no lab is up (mclab up TOPO)");
	if (n > 1)
		die("%d labs are up: pick one with --lab ID (mclab list)", n);
	*s = all[0];
}

static struct lab *attach(const struct state *s)
{
	char err[TOPO_ERR_MAX];
	struct topo *t = topo_load(s->topo, err, sizeof(err));
	struct lab *lab;

	if (!t)
		die("%s", err);
	lab = lab_attach(t, s->id, err, sizeof(err));
	if (!lab)
		die("%s", err);
	return lab;
}

static struct node *node_or_die(struct lab *lab, const char *name)
{
	struct node *n = lab_node(lab, name);

	if (!n || n->is_switch) {
		fprintf(stderr, "mclab: no node '%s'; nodes:", name);
		for (int i = 0; i < lab->nnodes; i++)
			fprintf(stderr, " %s", lab->nodes[i].name);
		fputc('\n', stderr);
		exit(1);
	}
	return n;
}

/* ---- up / down ---------------------------------------------------- */

static int cmd_up(int argc, char **argv)
{
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
			fputs(usage_text, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1)
		die("usage: mclab up TOPO [--router R] [--config FILE]");
	topo_arg = argv[optind];
	t = topo_load(topo_arg, err, sizeof(err));
	if (!t)
		die("%s", err);
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
			die("unknown router '%s' (mcrouted, smcroute, igmpproxy)",
			    router ? router : getenv("ROUTER"));
		if (topo_router_index(t) < 0)
			die("%s has no node with the router role", t->name);
		if (config) {
			conf_text = mclab_read_file(config);
			if (!conf_text)
				die("%s: %s", config, strerror(errno));
		} else {
			conf_text = strdup(default_conf);
		}
		{
			char bin[PATH_MAX];
			const char *why =
				router_available(kind, bin, sizeof(bin));

			if (why)
				die("%s", why);
		}
	}
	lab_sweep(false);
	if (pipe(p) < 0)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* the keeper */
		struct state s;
		struct router r;
		struct lab *lab;
		sigset_t set;
		int sig;

		close(p[0]);
		setsid();
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
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
			snprintf(s.router, sizeof(s.router), "%s",
				 router_kind_name(r.kind));
			s.router_pid = r.pid;
			snprintf(s.router_node, sizeof(s.router_node), "%s",
				 r.node->name);
			snprintf(s.router_sock, sizeof(s.router_sock), "%s",
				 r.sock);
			snprintf(s.router_conf, sizeof(s.router_conf), "%s",
				 r.conf);
			snprintf(s.router_log, sizeof(s.router_log), "%s",
				 r.log);
		}
		if (state_write(&s) < 0) {
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
		state_path(s.id, err, sizeof(err));
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
			die("%s", n > 0 ? msg : "the lab keeper died");
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

static int cmd_down(void)
{
	struct state s;
	uint64_t deadline;

	find_lab(&s);
	kill(s.pid, SIGTERM);
	deadline = deadline_in(10000);
	while (alive(s.pid) && !deadline_passed(deadline))
		poll(NULL, 0, 2);
	if (alive(s.pid)) {
		kill(s.pid, SIGKILL);
		while (alive(s.pid) &&
		       !deadline_passed(deadline + 2000000000ull))
			poll(NULL, 0, 2);
		lab_sweep(true);
	}
	printf("lab %s down\n", s.id);
	return 0;
}

/* -q: print nothing, exit 1 when no lab is up */
static int cmd_list(int argc, char **argv)
{
	struct state all[32];
	int n = states_list(all, 32);

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

/* ---- exec / shell ------------------------------------------------- */

static int cmd_exec(int argc, char **argv)
{
	struct state s;
	struct lab *lab;
	int i = 1, rc;

	if (argc < 3)
		die("usage: mclab exec NODE -- CMD...");
	find_lab(&s);
	lab = attach(&s);
	i = 2;
	if (!strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		die("usage: mclab exec NODE -- CMD...");
	setenv("MCLAB_NODE", argv[1], 1);
	rc = node_exec_tty(node_or_die(lab, argv[1]),
			   (const char *const *)argv + i);
	lab_detach(lab);
	return rc < 0 ? 1 : rc;
}

static int cmd_shell(int argc, char **argv)
{
	struct state s;
	struct lab *lab;
	const char *sh = getenv("SHELL");
	char ps1[128];
	int rc;

	if (argc != 2)
		die("usage: mclab shell NODE");
	find_lab(&s);
	lab = attach(&s);
	setenv("MCLAB_NODE", argv[1], 1);
	snprintf(ps1, sizeof(ps1), "[mclab %s] \\w\\$ ", argv[1]);
	setenv("PS1", ps1, 1);
	if (!sh || access(sh, X_OK))
		sh = "/bin/sh";
	if (strstr(sh, "bash"))
		rc = node_exec_tty(node_or_die(lab, argv[1]),
				   (const char *const[]){ sh, "--norc", "-i",
							  NULL });
	else
		rc = node_exec_tty(node_or_die(lab, argv[1]),
				   (const char *const[]){ sh, "-i", NULL });
	lab_detach(lab);
	return rc < 0 ? 1 : rc;
}

/* ---- status ------------------------------------------------------- */

static void print_status_router(struct lab *lab, const struct state *s,
				struct node *rtr)
{
	static const int fams[] = { AF_INET, AF_INET6 };

	printf("\nROUTER %s in %s (pid %d%s)\n",
	       s->router[0] ? s->router : "none started", rtr->name,
	       (int)s->router_pid,
	       s->router_pid && alive(s->router_pid) ? "" : ", not running");
	for (int f = 0; f < 2; f++) {
		struct mr_vif *v;
		struct mr_mfc *m;
		struct mc_fwd *fw;
		int nv = proc_read_mr_vif(rtr, fams[f], &v);
		int nm = proc_read_mr_mfc(rtr, fams[f], &m);
		int nf = proc_read_mc_forwarding_list(rtr, fams[f], &fw);
		const char *fam = fams[f] == AF_INET ? "IPv4" : "IPv6";

		printf("%s mc_forwarding:", fam);
		for (int i = 0; i < nf; i++)
			if (strcmp(fw[i].ifname, "default"))
				printf(" %s=%d", fw[i].ifname, fw[i].value);
		printf("\n");
		free(fw);
		if (nv > 0) {
			printf("  %-4s %-10s %10s %8s %10s %8s\n",
			       fams[f] == AF_INET ? "VIF" : "MIF", "INTERFACE",
			       "BYTES IN", "PKTS IN", "BYTES OUT", "PKTS OUT");
			for (int i = 0; i < nv; i++)
				printf("  %-4d %-10s %10llu %8llu %10llu %8llu\n",
				       v[i].vif, v[i].name,
				       (unsigned long long)v[i].bytes_in,
				       (unsigned long long)v[i].pkts_in,
				       (unsigned long long)v[i].bytes_out,
				       (unsigned long long)v[i].pkts_out);
		}
		if (nm > 0) {
			printf("  %-21s %-17s %-6s %6s %8s %5s %s\n", "SOURCE",
			       "GROUP", "IIF", "PKTS", "BYTES", "WRONG",
			       "OIFS:TTL");
			for (int i = 0; i < nm; i++) {
				char src[INET6_ADDRSTRLEN],
					grp[INET6_ADDRSTRLEN];
				char oifs[128] = "", iif[IFNAMSIZ + 2];
				const struct mr_vif *in =
					mr_vif_by_index(v, nv, m[i].iif);

				inet_ntop(fams[f], &m[i].origin, src,
					  sizeof(src));
				inet_ntop(fams[f], &m[i].group, grp,
					  sizeof(grp));
				snprintf(iif, sizeof(iif), "%s",
					 m[i].unresolved ? "unres" :
					 in		 ? in->name :
							   "?");
				for (int k = 0; k < m[i].noifs; k++) {
					const struct mr_vif *o = mr_vif_by_index(
						v, nv, m[i].oifs[k].vif);
					size_t l = strlen(oifs);

					snprintf(oifs + l, sizeof(oifs) - l,
						 "%s%s:%d", k ? " " : "",
						 o ? o->name : "?",
						 m[i].oifs[k].ttl);
				}
				printf("  %-21s %-17s %-6s %6llu %8llu %5llu %s\n",
				       src, grp, iif,
				       (unsigned long long)m[i].pkts,
				       (unsigned long long)m[i].bytes,
				       (unsigned long long)m[i].wrong_if, oifs);
			}
		} else if (nv > 0) {
			printf("  (no MFC entries)\n");
		}
		free(v);
		free(m);
	}
	(void)lab;
}

static int cmd_status(void)
{
	struct state s;
	struct lab *lab;
	const struct topo *t;

	find_lab(&s);
	lab = attach(&s);
	t = lab->topo;
	printf("LAB %s  topology %s  keeper %d\n", s.id, t->name, (int)s.pid);
	printf("results %s\n\n", s.results);
	printf("%-8s %-9s %-8s %s\n", "NODE", "ROLE", "IF", "ADDRESSES");
	for (int i = 0; i < t->nnodes; i++) {
		const struct topo_if *ifs[32];
		int n = topo_node_ifs(t, i, ifs, 32);
		unsigned int r = t->nodes[i].roles;
		const char *role = r & TOPO_ROLE_ROUTER	  ? "router" :
				   r & TOPO_ROLE_SENDER	  ? "sender" :
				   r & TOPO_ROLE_RECEIVER ? "receiver" :
							    "host";

		for (int k = 0; k < n && k < 32; k++) {
			char line[256] = "", a[64];

			for (int j = 0; j < ifs[k]->naddrs; j++) {
				size_t l = strlen(line);

				snprintf(line + l, sizeof(line) - l, "%s%s",
					 j ? " " : "",
					 topo_addr_str(&ifs[k]->addrs[j], a,
						       sizeof(a)));
			}
			printf("%-8s %-9s %-8s %s\n", k ? "" : t->nodes[i].name,
			       k ? "" : role, ifs[k]->ifname, line);
		}
	}
	for (int i = 0; i < t->nlans; i++) {
		printf("lan %-8s", t->lans[i].name);
		for (int k = 0; k < t->lans[i].nmembers; k++)
			printf(" %s:%s",
			       t->nodes[t->lans[i].members[k].node].name,
			       t->lans[i].members[k].ifname);
		printf("\n");
	}
	for (int i = 0; i < t->nnodes; i++)
		if (t->nodes[i].roles & TOPO_ROLE_ROUTER)
			print_status_router(lab, &s, &lab->nodes[i]);
	lab_detach(lab);
	return 0;
}

/* ---- traffic ------------------------------------------------------ */

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

/* The node's first interface, the default for sending. */
static const char *first_if(struct lab *lab, struct node *n)
{
	const struct topo_if *ifs[1];

	if (topo_node_ifs(lab->topo, n->index, ifs, 1) < 1)
		die("node %s has no interface", n->name);
	return ifs[0]->ifname;
}

static int cmd_ping(int argc, char **argv)
{
	struct topts o = { .ttl = 1, .count = 3 };
	struct mping_opts mo;
	struct mping_result res;
	struct state s;
	struct lab *lab;
	struct node *n;
	int rc;

	if (argc < 3 || parse_topts(argc, argv, 3, &o, NULL) < 0)
		die("usage: mclab ping NODE GROUP [--ttl N] [--count N] [--if IF]");
	find_lab(&s);
	lab = attach(&s);
	n = node_or_die(lab, argv[1]);
	memset(&mo, 0, sizeof(mo));
	mo.netns = n->ns;
	mo.ifname = o.ifname ? o.ifname : first_if(lab, n);
	mo.group = argv[2];
	mo.ttl = o.ttl;
	mo.count = o.count;
	mo.interval_ms = 200;
	mo.timeout_ms = 1000;
	printf("PING %s from %s:%s, TTL %d, %u requests\n", mo.group, n->name,
	       mo.ifname, mo.ttl, mo.count);
	rc = mping_run(&mo, &res);
	if (rc < 0)
		die("ping: %s", strerror(-rc));
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
	lab_detach(lab);
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	struct topts o = { .ttl = 1, .count = 10, .port = 5000 };
	struct udp_tx_opts uo;
	struct udp_tx_stats st;
	struct state s;
	struct lab *lab;
	struct node *n;
	int rc;

	if (argc < 3 || parse_topts(argc, argv, 3, &o, NULL) < 0)
		die("usage: mclab send NODE GROUP [--ttl N] [--count N] [--port N] [--if IF]");
	find_lab(&s);
	lab = attach(&s);
	n = node_or_die(lab, argv[1]);
	memset(&uo, 0, sizeof(uo));
	uo.netns = n->ns;
	uo.ifname = o.ifname ? o.ifname : first_if(lab, n);
	uo.group = argv[2];
	uo.dport = (uint16_t)o.port;
	uo.sport = (uint16_t)o.port;
	uo.ttl = o.ttl;
	uo.count = o.count ? o.count : 1;
	uo.pps = 100;
	rc = udp_send(&uo, &st);
	if (rc < 0)
		die("send: %s", strerror(-rc));
	printf("sent %lu UDP datagrams %s:%s -> %s port %u, TTL %d (seq 0..%lu)\n",
	       st.sent, n->name, uo.ifname, uo.group, o.port, o.ttl,
	       st.sent ? st.sent - 1 : 0);
	lab_detach(lab);
	return st.errors ? 1 : 0;
}

static volatile sig_atomic_t join_stop;

static void join_signal(int sig)
{
	(void)sig;
	join_stop = 1;
}

/*
 * Join a group in a node (a receiver that stays a member), count what
 * arrives, and say so at the end: after --count datagrams, --time seconds,
 * or SIGINT/SIGTERM.
 */
static int cmd_join(int argc, char **argv)
{
	struct topts o = { .port = 5000 };
	struct rx_opts ro;
	struct rx_stats st;
	struct sigaction sa;
	struct state s;
	struct lab *lab;
	struct node *n;
	struct rx *rx;
	char **rest;
	uint64_t deadline;

	if (argc < 3 || parse_topts(argc, argv, 3, &o, &rest) < 0 ||
	    (rest[0] && rest[1]))
		die("usage: mclab join NODE GROUP [SOURCE] [--if IF] [--port N] [--count N] [--time SEC]");
	find_lab(&s);
	lab = attach(&s);
	n = node_or_die(lab, argv[1]);
	memset(&ro, 0, sizeof(ro));
	ro.netns = n->ns;
	ro.ifname = o.ifname ? o.ifname : first_if(lab, n);
	ro.group = argv[2];
	ro.source = rest[0];
	ro.port = (uint16_t)o.port;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = join_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rx = rx_start(&ro);
	if (!rx)
		die("join %s on %s:%s: %s", ro.group, n->name, ro.ifname,
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
	lab_detach(lab);
	return 0;
}

static int cmd_capture(int argc, char **argv)
{
	struct topts o = { 0 };
	char filter[1024] = "", **rest;
	struct state s;
	struct lab *lab;
	struct node *n;

	if (argc < 3 || parse_topts(argc, argv, 3, &o, &rest) < 0)
		die("usage: mclab capture NODE IF [--count N] [--time SEC] [FILTER...]");
	for (; *rest; rest++) {
		size_t l = strlen(filter);

		snprintf(filter + l, sizeof(filter) - l, "%s%s", l ? " " : "",
			 *rest);
	}
	find_lab(&s);
	lab = attach(&s);
	n = node_or_die(lab, argv[1]);
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
		lab_detach(lab);
		return rc == 130 ? 0 : rc;
	}
	{
		struct cap *c =
			cap_start(n->ns, argv[2], filter[0] ? filter : NULL);
		char path[PATH_MAX], *text;

		struct sigaction sa;
		uint64_t deadline;

		if (!c)
			die("capture %s:%s: %s", n->name, argv[2], cap_error());
		/* Ready: every packet from now on is captured. */
		fprintf(stderr, "capturing on %s:%s\n", n->name, argv[2]);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = join_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		deadline = mono_ns() +
			   (uint64_t)(o.secs ? o.secs : 3600) * 1000000000ull;
		while (!join_stop && mono_ns() < deadline &&
		       !cap_wait(c, NULL, o.count ? o.count : (size_t)-1,
				 100 / timeout_mult()))
			;
		cap_stop(c);
		if (cap_save(c, "mclab-capture", path, sizeof(path)) < 0)
			die("cannot save the capture");
		text = tcpdump_text(path);
		printf("%s", text ? text : "");
		fprintf(stderr, "%zu packets, saved in %s\n",
			cap_count(c, NULL), path);
		free(text);
		cap_free(c);
	}
	lab_detach(lab);
	return 0;
}

/* ---- bench -------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_bench(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 21;
	uint64_t *up, *down, *all;
	char err[TOPO_ERR_MAX];

	if (argc < 2 || runs < 1)
		die("usage: mclab bench TOPO [N]");
	up = calloc((size_t)runs, sizeof(*up));
	down = calloc((size_t)runs, sizeof(*down));
	all = calloc((size_t)runs, sizeof(*all));
	if (!up || !down || !all)
		die("out of memory");
	for (int i = 0; i < runs; i++) {
		struct topo *t = topo_load(argv[1], err, sizeof(err));
		uint64_t t0, t1;
		struct lab *lab;

		if (!t)
			die("%s", err);
		t0 = mono_ns();
		lab = lab_up(t, NULL, err, sizeof(err));
		if (!lab)
			die("%s", err);
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

int main(int argc, char **argv)
{
	char err[512], self[PATH_MAX];
	char **all_argv = argv;
	int all_argc = argc, status;
	const char *cmd;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v")) {
			printf("mclab %s\n", VERSION);
			return 0;
		}
		if (!strcmp(argv[1], "--lab") && argc > 2) {
			lab_opt = argv[2];
			argv += 2;
			argc -= 2;
			continue;
		}
		fputs(usage_text, stderr);
		return 2;
	}
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	cmd = argv[1];
	argv++;
	argc--;
	if (!strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "preflight"))
		return mclab_cmd_preflight(argc, argv);
	if (!strcmp(cmd, "vm"))
		return mclab_cmd_vm(argc, argv);
	/* the same command in the lab's VM, when the lab lives there */
	{
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = '\0';
			all_argv[0] = self;
		}
	}
	if (mclab_vm_forward(cmd, all_argc, all_argv, &status))
		return status;
	if (geteuid() != 0) {
		/* a user's lab lives in its own namespaces, for this process
		 * only: up/exec/down across invocations need root */
		if (strcmp(cmd, "bench") && strcmp(cmd, "clean") &&
		    strcmp(cmd, "kconfig"))
			die("not root: labs that outlive one command need root (sudo mclab %s); 'mclab bench' runs rootless",
			    cmd);
		if (mclab_become_root(err, sizeof(err)) < 0)
			die("%s", err);
	}
	if (!strcmp(cmd, "up"))
		return cmd_up(argc, argv);
	if (!strcmp(cmd, "down"))
		return cmd_down();
	if (!strcmp(cmd, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc, argv);
	if (!strcmp(cmd, "shell"))
		return cmd_shell(argc, argv);
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "ping"))
		return cmd_ping(argc, argv);
	if (!strcmp(cmd, "send"))
		return cmd_send(argc, argv);
	if (!strcmp(cmd, "join"))
		return cmd_join(argc, argv);
	if (!strcmp(cmd, "capture"))
		return cmd_capture(argc, argv);
	if (!strcmp(cmd, "clean")) {
		int n = lab_sweep(true),
		    v = getenv("MCLAB_IN_VM") ? 0 : vm_sweep();

		printf("%d namespace%s removed", n, n == 1 ? "" : "s");
		if (v)
			printf(", %d dead VM%s stopped", v, v == 1 ? "" : "s");
		printf("\n");
		return 0;
	}
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc, argv);
	if (!strcmp(cmd, "qemu"))
		return mclab_cmd_qemu(argc, argv, lab_opt);
	if (!strcmp(cmd, "kconfig"))
		return mclab_cmd_kconfig(argc, argv);
	if (!strcmp(cmd, "check"))
		return mclab_cmd_check(argc, argv);
	die("unknown command '%s' (mclab --help)", cmd);
}
