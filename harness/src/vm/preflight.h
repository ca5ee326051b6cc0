/* SPDX-License-Identifier: MIT */
/*
 * The preflight: can the lab run on this kernel?  Before make check, make
 * check-cases, make lab and mclab up, the running kernel is checked for
 * what the case suites and the lab need (multicast routing with multiple
 * tables for IPv4 and IPv6, network namespaces, veth, bridges, the TTL/HL
 * targets, conntrack with netlink, NAT, and user namespaces for the
 * rootless path).  When something is missing the run goes into the lab's
 * VM (harness/src/vm/vm.c), whose kernel has all of it; MCLAB_VM says
 * whether that may happen (auto), must (always) or must not (never).
 *
 * The check is pure (a parsed config in, a report out) for unit tests;
 * preflight_running() reads the running kernel's config (kconfig_load
 * "running"), and where there is none, probes what /proc shows.
 */
#ifndef MCLAB_PREFLIGHT_H
#define MCLAB_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "kconfig.h"

struct pf_item {
	const char *what; /* short name */
	const char *syms[3]; /* any one of these will do */
	bool rootless_only; /* needed only when not root */
	const char *probe; /* a /proc path that exists iff built, or NULL */
};

#define PREFLIGHT_MAX 32

struct pf_report {
	size_t n_missing;
	const struct pf_item *missing[PREFLIGHT_MAX];
	bool probed; /* no config could be read: /proc was probed */
	char from[256]; /* where the config came from */
};

/* The checklist; n receives its length. */
const struct pf_item *preflight_items(size_t *n);

/* Check kc (NULL: nothing known) for the lab.  Returns r->n_missing. */
size_t preflight_check(const struct kconfig *kc, bool rootless,
		       struct pf_report *r);

/*
 * A config text made from probes, for a kernel whose config cannot be
 * read: "CONFIG_X=y" for each item with a probe path that exists
 * (exists(path) true), "# CONFIG_X is not set" for one that does not.
 * Items without a probe are taken as present.  Returns buf.
 */
char *preflight_probe_text(bool (*exists)(const char *path), char *buf,
			   size_t len);

/* The running kernel; returns r->n_missing. */
size_t preflight_running(bool rootless, struct pf_report *r);

/* "CONFIG_IP_MROUTE CONFIG_IPV6_MROUTE" (the first symbol of each miss). */
char *preflight_missing_str(const struct pf_report *r, char *buf, size_t len);

enum vm_mode {
	VM_AUTO, /* the VM when the preflight fails */
	VM_ALWAYS, /* the VM even on a kernel that has everything */
	VM_NEVER, /* never: run here, failing with the reason */
};

/* MCLAB_VM=auto|always|never (unset or empty: auto); -1 when invalid. */
int vm_mode_from_env(void);
const char *vm_mode_name(enum vm_mode m);

/* Whether to run in the VM: mode, and the report of the kernel here. */
static inline bool preflight_use_vm(enum vm_mode m, const struct pf_report *r)
{
	return m == VM_ALWAYS || (m == VM_AUTO && r->n_missing);
}

#endif
