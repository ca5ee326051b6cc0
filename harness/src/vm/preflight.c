// SPDX-License-Identifier: MIT
/*
 * The preflight: what the lab needs of the kernel it runs on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preflight.h"

static const struct pf_item items[] = {
	{ "IPv4 multicast", { "IP_MULTICAST" }, false, "/proc/net/igmp" },
	{ "IPv4 multicast routing",
	  { "IP_MROUTE" },
	  false,
	  "/proc/net/ip_mr_vif" },
	{ "IPv4 multicast routing tables",
	  { "IP_MROUTE_MULTIPLE_TABLES" },
	  false,
	  NULL },
	{ "IPv6", { "IPV6" }, false, "/proc/net/if_inet6" },
	{ "IPv6 multicast routing",
	  { "IPV6_MROUTE" },
	  false,
	  "/proc/net/ip6_mr_vif" },
	{ "IPv6 multicast routing tables",
	  { "IPV6_MROUTE_MULTIPLE_TABLES" },
	  false,
	  NULL },
	{ "network namespaces", { "NET_NS" }, false, "/proc/self/ns/net" },
	{ "veth", { "VETH" }, false, NULL },
	{ "bridge", { "BRIDGE" }, false, NULL },
	{ "packet sockets (capture)", { "PACKET" }, false, "/proc/net/packet" },
	{ "iptables", { "IP_NF_IPTABLES", "NFT_COMPAT" }, false, NULL },
	{ "TTL target",
	  { "NETFILTER_XT_TARGET_HL", "IP_NF_TARGET_TTL" },
	  false,
	  NULL },
	{ "HL target",
	  { "NETFILTER_XT_TARGET_HL", "IP6_NF_TARGET_HL" },
	  false,
	  NULL },
	{ "connection tracking",
	  { "NF_CONNTRACK" },
	  false,
	  "/proc/sys/net/netfilter/nf_conntrack_max" },
	{ "conntrack netlink", { "NF_CT_NETLINK" }, false, NULL },
	{ "NAT", { "NF_NAT" }, false, NULL },
	{ "MASQUERADE",
	  { "NETFILTER_XT_TARGET_MASQUERADE", "IP_NF_TARGET_MASQUERADE" },
	  false,
	  NULL },
	{ "user namespaces", { "USER_NS" }, true, "/proc/self/ns/user" },
};

#define N_ITEMS (sizeof(items) / sizeof(items[0]))

const struct pf_item *preflight_items(size_t *n)
{
	*n = N_ITEMS;
	return items;
}

size_t preflight_check(const struct kconfig *kc, bool rootless,
		       struct pf_report *r)
{
	r->n_missing = 0;
	for (size_t i = 0; i < N_ITEMS; i++) {
		const struct pf_item *it = &items[i];
		bool have = false;

		if (it->rootless_only && !rootless)
			continue;
		for (int k = 0; k < 3 && it->syms[k] && !have; k++)
			have = kconfig_get(kc, it->syms[k]) != KC_MISSING;
		if (!have && r->n_missing < PREFLIGHT_MAX)
			r->missing[r->n_missing++] = it;
	}
	return r->n_missing;
}

char *preflight_probe_text(bool (*exists)(const char *path), char *buf,
			   size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_ITEMS; i++) {
		const struct pf_item *it = &items[i];
		bool have = !it->probe || exists(it->probe);
		int w;

		/* an item known only by probe stands for all its symbols */
		for (int k = 0; k < 3 && it->syms[k]; k++) {
			w = have ? snprintf(buf + off, len - off,
					    "CONFIG_%s=y\n", it->syms[k]) :
				   snprintf(buf + off, len - off,
					    "# CONFIG_%s is not set\n",
					    it->syms[k]);
			if (w < 0 || (size_t)w >= len - off)
				return buf;
			off += (size_t)w;
		}
	}
	return buf;
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

size_t preflight_running(bool rootless, struct pf_report *r)
{
	char err[512], probe[4096];
	char *text;
	struct kconfig *kc;

	memset(r, 0, sizeof(*r));
	text = kconfig_load("running", false, r->from, sizeof(r->from), err,
			    sizeof(err));
	if (!text) {
		r->probed = true;
		snprintf(r->from, sizeof(r->from), "probes of /proc (%.200s)",
			 err);
		text = strdup(preflight_probe_text(path_exists, probe,
						   sizeof(probe)));
	}
	kc = text ? kconfig_parse(text) : NULL;
	free(text);
	preflight_check(kc, rootless, r);
	kconfig_free(kc);
	return r->n_missing;
}

char *preflight_missing_str(const struct pf_report *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_missing; i++) {
		int w = snprintf(buf + off, len - off, "%sCONFIG_%s",
				 i ? " " : "", r->missing[i]->syms[0]);

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return buf;
}

int vm_mode_from_env(void)
{
	const char *v = getenv("MCLAB_VM");

	if (!v || !*v || !strcmp(v, "auto"))
		return VM_AUTO;
	if (!strcmp(v, "always"))
		return VM_ALWAYS;
	if (!strcmp(v, "never"))
		return VM_NEVER;
	return -1;
}

const char *vm_mode_name(enum vm_mode m)
{
	return m == VM_ALWAYS ? "always" : m == VM_NEVER ? "never" : "auto";
}
