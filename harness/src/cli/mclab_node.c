// SPDX-License-Identifier: MIT
/*
 * mclab: inside a lab's nodes, "exec", "shell" and "status" (addresses,
 * the router's VIFs, MFC and mc_forwarding).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mclab.h"

int mclab_cmd_exec(int argc, char **argv)
{
	struct lab *lab;
	int i = 1, rc;

	if (argc < 3)
		mclab_die("usage: mclab exec NODE -- CMD...");
	lab = mclab_attach(NULL);
	i = 2;
	if (!strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		mclab_die("usage: mclab exec NODE -- CMD...");
	setenv("MCLAB_NODE", argv[1], 1);
	rc = node_exec_tty(mclab_node_or_die(lab, argv[1]),
			   (const char *const *)argv + i);
	mclab_detach(lab);
	return rc < 0 ? 1 : rc;
}

int mclab_cmd_shell(int argc, char **argv)
{
	struct lab *lab;
	const char *sh = getenv("SHELL");
	char ps1[128];
	int rc;

	if (argc != 2)
		mclab_die("usage: mclab shell NODE");
	lab = mclab_attach(NULL);
	if (!node_can(mclab_node_or_die(lab, argv[1]), NODE_CAP_TTY))
		mclab_die("%s is a %s node: no terminal to give (mclab qemu "
			  "console for the emulated Pi's; mclab exec %s -- CMD "
			  "runs a command there)",
			  argv[1], node_ops_of(lab_node(lab, argv[1]))->name,
			  argv[1]);
	setenv("MCLAB_NODE", argv[1], 1);
	snprintf(ps1, sizeof(ps1), "[mclab %s] \\w\\$ ", argv[1]);
	setenv("PS1", ps1, 1);
	if (!sh || access(sh, X_OK))
		sh = "/bin/sh";
	if (strstr(sh, "bash"))
		rc = node_exec_tty(mclab_node_or_die(lab, argv[1]),
				   (const char *const[]){ sh, "--norc", "-i",
							  NULL });
	else
		rc = node_exec_tty(mclab_node_or_die(lab, argv[1]),
				   (const char *const[]){ sh, "-i", NULL });
	mclab_detach(lab);
	return rc < 0 ? 1 : rc;
}

static void print_status_router(struct lab *lab, const struct mclab_state *s,
				struct node *rtr)
{
	static const int fams[] = { AF_INET, AF_INET6 };

	printf("\nROUTER %s in %s (pid %d%s)\n",
	       s->router[0] ? s->router : "none started", rtr->name,
	       (int)s->router_pid,
	       s->router_pid && node_running(rtr, s->router_pid) ?
		       "" :
		       ", not running");
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

int mclab_cmd_status(int argc, char **argv)
{
	struct mclab_state s;
	struct lab *lab;
	const struct topo *t;

	(void)argc;
	(void)argv;
	lab = mclab_attach(&s);
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
	mclab_detach(lab);
	return 0;
}
