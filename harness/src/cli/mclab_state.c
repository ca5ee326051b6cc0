// SPDX-License-Identifier: MIT
/*
 * mclab: the labs that are up.  Each keeper writes a state file,
 * STATE_DIR/<id>.state ("key value" lines); the other commands find the
 * lab there (--lab ID, MCLAB_LAB or the only one) and attach to it.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mclab.h"

void mclab_state_path(const char *id, char *out, size_t len)
{
	snprintf(out, len, STATE_DIR "/%s.state", id);
}

void mclab_state_router(struct mclab_state *s, const struct router *r)
{
	SNP(s->router, "%s", router_kind_name(r->kind));
	s->router_pid = r->pid; /* as its node sees it */
	SNP(s->router_node, "%s", r->node->name);
	SNP(s->router_sock, "%s", r->sock);
	SNP(s->router_conf, "%s", r->conf);
	SNP(s->router_log, "%s", r->log);
}

int mclab_state_write(const struct mclab_state *s)
{
	char path[256], tmp[300];
	FILE *f;

	if (mkdir_p(STATE_DIR, 0755) < 0)
		return -1;
	mclab_state_path(s->id, path, sizeof(path));
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

static int state_read(const char *path, struct mclab_state *s)
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

bool mclab_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int mclab_states_list(struct mclab_state *out, int max)
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
		if (state_read(path, &out[n]) == 0 && mclab_alive(out[n].pid))
			n++;
	}
	closedir(d);
	return n;
}

void mclab_find_lab(struct mclab_state *s)
{
	struct mclab_state all[32];
	const char *want = mclab_lab_opt ? mclab_lab_opt : getenv("MCLAB_LAB");
	int n = mclab_states_list(all, 32), i;

	if (want) {
		for (i = 0; i < n; i++)
			if (!strcmp(all[i].id, want)) {
				*s = all[i];
				return;
			}
		mclab_die("no lab '%s' is up (mclab list)", want);
	}
	if (n == 0)
		mclab_die("no lab is up (mclab up TOPO)");
	if (n > 1)
		mclab_die("%d labs are up: pick one with --lab ID (mclab list)",
			  n);
	*s = all[0];
}

struct lab *mclab_attach(struct mclab_state *s)
{
	char err[TOPO_ERR_MAX];
	struct mclab_state own;
	struct topo *t;
	struct lab *lab;

	if (!s)
		s = &own;
	mclab_find_lab(s);
	t = topo_load(s->topo, err, sizeof(err));
	if (!t)
		mclab_die("%s", err);
	lab = lab_attach(t, s->id, err, sizeof(err));
	if (!lab)
		mclab_die("%s", err);
	/* a node another process holds (mclab qemu up's VM): its forwarder */
	mclab_qemu_attach(lab);
	return lab;
}

void mclab_detach(struct lab *lab)
{
	lab_restore_nodes(lab);
	lab_detach(lab);
}

struct node *mclab_node_or_die(struct lab *lab, const char *name)
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

void mclab_keeper_signals(sigset_t *set)
{
	setsid();
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigprocmask(SIG_BLOCK, set, NULL);
}
