// SPDX-License-Identifier: MIT
/*
 * The target backend: the router node as a namespace or as a VM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu.h"
#include "target.h"

#define MAX_VMS 8

/* snprintf whose truncation is checked (and so not warned about) */
#define SNP(buf, ...)                                          \
	do {                                                   \
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= \
		    (int)sizeof(buf))                          \
			buf[sizeof(buf) - 2] = '~';            \
	} while (0)

static struct {
	const struct lab *lab;
	const struct node *node;
	struct qemu_vm *vm;
} vms[MAX_VMS];

int target_kind_from_env(void)
{
	const char *t = getenv("TARGET");

	if (!t || !*t || !strcmp(t, "netns"))
		return TARGET_NETNS;
	if (!strcmp(t, "qemu-virt") || !strcmp(t, "qemu"))
		return TARGET_QEMU_VIRT;
	if (!strcmp(t, "qemu-raspi3b"))
		return TARGET_QEMU_RASPI3B;
	return -1;
}

const char *target_kind_name(enum target_kind k)
{
	return k == TARGET_QEMU_VIRT	? "qemu-virt" :
	       k == TARGET_QEMU_RASPI3B ? "qemu-raspi3b" :
					  "netns";
}

static enum qemu_profile profile_of(enum target_kind k)
{
	return k == TARGET_QEMU_RASPI3B ? QEMU_RASPI3B : QEMU_VIRT;
}

const char *target_available(enum target_kind k)
{
	if (k == TARGET_NETNS)
		return NULL;
	return qemu_available(profile_of(k));
}

struct qemu_vm *target_vm(const struct node *n)
{
	if (!n)
		return NULL;
	for (int i = 0; i < MAX_VMS; i++)
		if (vms[i].vm && vms[i].node == n)
			return vms[i].vm;
	return NULL;
}

int target_lab_up(struct lab *lab, enum target_kind k, char *err, size_t errlen)
{
	struct qemu_opts o = { 0 };
	struct qemu_vm *vm;
	int slot = -1;

	if (k == TARGET_NETNS)
		return 0;
	for (int i = 0; i < MAX_VMS && slot < 0; i++)
		if (!vms[i].vm)
			slot = i;
	if (slot < 0) {
		snprintf(err, errlen, "too many VMs");
		return -1;
	}
	o.profile = profile_of(k);
	o.lab = lab;
	o.timeout_ms = 30000;
	vm = qemu_boot(&o, err, errlen);
	if (!vm)
		return -1;
	if (qemu_configure(vm, err, errlen) < 0) {
		qemu_halt(vm);
		return -1;
	}
	/* the cases count datagrams exactly: no netfilter module loading */
	if (qemu_settled(vm, 15000) < 0) {
		snprintf(err, errlen,
			 "netfilter modules not loaded in the guest");
		qemu_halt(vm);
		return -1;
	}
	vms[slot].lab = lab;
	vms[slot].node = vm->node;
	vms[slot].vm = vm;
	return 0;
}

void target_lab_down(struct lab *lab)
{
	for (int i = 0; i < MAX_VMS; i++)
		if (vms[i].vm && vms[i].lab == lab) {
			qemu_halt(vms[i].vm);
			memset(&vms[i], 0, sizeof(vms[i]));
		}
}

char *target_shell_join(const char *const argv[])
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; argv[i]; i++) {
		len += 3; /* quotes and a space */
		for (const char *c = argv[i]; *c; c++)
			len += *c == '\'' ? 4 : 1;
	}
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (int i = 0; argv[i]; i++) {
		if (i)
			*p++ = ' ';
		*p++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

int target_exec(struct qemu_vm *vm, const char *const argv[],
		unsigned int timeout_ms, struct node_result *r)
{
	char *cmd, *out = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	/* "sh -c TEXT" (node_sh) goes over as TEXT */
	if (argv[0] && argv[1] && argv[2] && !argv[3] &&
	    (!strcmp(argv[0], "/bin/sh") || !strcmp(argv[0], "sh")) &&
	    !strcmp(argv[1], "-c"))
		cmd = strdup(argv[2]);
	else
		cmd = target_shell_join(argv);
	if (!cmd)
		return -1;
	rc = qemu_exec(vm, timeout_ms, &out, "%s", cmd);
	free(cmd);
	if (rc < 0 && errno != ETIMEDOUT) {
		free(out);
		return -1;
	}
	r->exit_code = rc < 0 ? -1 : rc;
	r->timed_out = rc == 124 || rc < 0;
	r->out = out ? out : strdup("");
	r->out_len = strlen(r->out);
	r->err = strdup(""); /* the agent merges stderr into stdout */
	r->err_len = 0;
	return r->out && r->err ? 0 : -1;
}

int target_router_start(struct router *r, enum router_kind kind, struct node *n,
			const char *conf_text, const char *const *extra_args,
			unsigned int timeout_ms, char *err, size_t errlen)
{
	struct qemu_vm *vm = target_vm(n);
	enum qemu_daemon which = kind == ROUTER_SMCROUTE ? QEMU_SMCROUTED :
							   QEMU_MCROUTED;
	const struct qemu_router_paths *p = qemu_router_paths(which);
	char extra[1024] = "", *text;
	size_t l = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->node = n;
	if (!vm) {
		snprintf(err, errlen, "%s is not a VM", n->name);
		return -1;
	}
	if (kind != ROUTER_MCROUTED && kind != ROUTER_SMCROUTE) {
		snprintf(err, errlen, "the Pi image has no %s",
			 router_kind_name(kind));
		return -1;
	}
	for (int i = 0; extra_args && extra_args[i] && l < sizeof(extra); i++)
		l += (size_t)snprintf(extra + l, sizeof(extra) - l, " '%s'",
				      extra_args[i]);
	/* what the cases may look at: guest paths, and qemu's pid (a host
	 * process that lives as long as the router can) */
	snprintf(r->bin, sizeof(r->bin),
		 which == QEMU_SMCROUTED ? "smcrouted" : "mcrouted");
	snprintf(r->ctl, sizeof(r->ctl),
		 which == QEMU_SMCROUTED ? "smcroutectl" : "mcroutectl");
	snprintf(r->sock, sizeof(r->sock), "%s", p->sock);
	SNP(r->conf, "%s/tmp-%s-%s.conf", n->lab->results, n->name, r->bin);
	snprintf(r->pidfile, sizeof(r->pidfile), "%s", p->pidfile);
	SNP(r->log, "%s/console.log", vm->log_dir);
	text = kind == ROUTER_SMCROUTE ? router_conf_smcroute(conf_text) :
					 strdup(conf_text);
	if (!text) {
		snprintf(err, errlen, "config: %s", strerror(errno));
		return -1;
	}
	{
		/* a copy on the host, for the reports */
		FILE *f = fopen(r->conf, "we");

		if (f) {
			fputs(text, f);
			fclose(f);
		}
	}
	rc = qemu_router_start_as(vm, which, text, extra, timeout_ms, err,
				  errlen);
	free(text);
	if (rc < 0)
		return -1;
	r->pid = vm->pid;
	return 0;
}

int target_router_stop(struct router *r)
{
	struct qemu_vm *vm = target_vm(r->node);

	r->pid = 0;
	return vm ? qemu_router_stop(vm) : -1;
}

int target_router_write_conf(struct router *r, const char *conf_text)
{
	struct qemu_vm *vm = target_vm(r->node);
	char *text;
	int rc;

	if (!vm)
		return -1;
	text = r->kind == ROUTER_SMCROUTE ? router_conf_smcroute(conf_text) :
					    strdup(conf_text);
	if (!text)
		return -1;
	rc = qemu_router_write_conf(vm, text);
	free(text);
	return rc;
}

int target_router_signal(struct router *r, int sig)
{
	struct qemu_vm *vm = target_vm(r->node);

	return vm ? qemu_router_signal(vm, sig) : -1;
}

bool target_router_running(const struct router *r)
{
	struct qemu_vm *vm = target_vm(r->node);

	return vm && r->pid > 0 && qemu_router_running(vm);
}
