// SPDX-License-Identifier: MIT
/*
 * Setting a booted guest up for the lab: the serial console login of an
 * image without our agent, its NICs renamed by MAC to the topology's
 * names, and the topology's addresses, routes and sysctls.  Everything
 * goes through qemu_exec() (agent or console).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "deadline.h"
#include "node_guest.h"
#include "qemu.h"
#include "topo.h"

/* ---- an image without our agent: its serial console --------------------- */

int qemu_login(struct qemu_vm *vm, const char *user, const char *password,
	       unsigned int timeout_ms, char *err, size_t errlen)
{
	struct console *c;

	if (vm->con)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c || console_open(c, vm->console_sock) < 0) {
		snprintf(err, errlen, "console %s: %s", vm->console_sock,
			 strerror(errno));
		free(c);
		return -1;
	}
	if (console_login(c, user, password ? password : "",
			  timeout_ms * timeout_mult(), err, errlen) < 0) {
		console_close(c);
		free(c);
		return -1;
	}
	vm->con = c;
	return 0;
}

/*
 * The emulated NICs come up under the kernel's names (usb0, usb1 from
 * cdc_ether on the Pi boards), not the image's (wlan0, usb0): load the
 * USB NIC drivers where they are modules, wait for every NIC's MAC, and
 * rename them by MAC in two steps (through temporary names, so that
 * usb0 -> wlan0 and usb1 -> usb0 cannot collide).
 */
int qemu_rename_nics(struct qemu_vm *vm, unsigned int timeout_ms, char *err,
		     size_t errlen)
{
	char cmd[2048], *out = NULL;
	size_t l = 0;
	int rc;

	if (!vm->nnics)
		return 0;
	l += (size_t)snprintf(
		cmd + l, sizeof(cmd) - l,
		"modprobe -q cdc_ether 2>/dev/null; modprobe -q rndis_host "
		"2>/dev/null; byaddr() { for d in /sys/class/net/*; do "
		"[ \"$(cat $d/address)\" = $1 ] && echo ${d##*/}; done; true; "
		"}; n=0; while :; do ok=1; for m in");
	for (int i = 0; i < vm->nnics; i++)
		l += (size_t)snprintf(cmd + l, sizeof(cmd) - l,
				      " 52:54:00:4d:43:%02x", i + 1);
	l += (size_t)snprintf(
		cmd + l, sizeof(cmd) - l,
		"; do [ -n \"$(byaddr $m)\" ] || ok=; done; [ -n \"$ok\" ] && "
		"break; n=$((n+1)); [ $n -lt %u ] || { echo NICs missing:; "
		"ls /sys/class/net; exit 3; }; sleep 0.1; done; set -e; ",
		timeout_ms / 100);
	for (int i = 0; i < vm->nnics; i++)
		l += (size_t)snprintf(
			cmd + l, sizeof(cmd) - l,
			"d=$(byaddr 52:54:00:4d:43:%02x); ip link set $d down; "
			"ip link set $d name mclabt%d; ",
			i + 1, i);
	for (int i = 0; i < vm->nnics; i++)
		l += (size_t)snprintf(cmd + l, sizeof(cmd) - l,
				      "%sip link set mclabt%d name %s; "
				      "ip link set %s up",
				      i ? "; " : "", i, vm->ifnames[i],
				      vm->ifnames[i]);
	if (l >= sizeof(cmd)) {
		snprintf(err, errlen, "too many NICs");
		return -1;
	}
	rc = qemu_exec(vm, timeout_ms + 5000, &out, "%s", cmd);
	if (rc != 0)
		snprintf(err, errlen, "renaming the NICs (exit %d): %s", rc,
			 out ? out : strerror(errno));
	free(out);
	return rc == 0 ? 0 : -1;
}

/* ---- configuration ---------------------------------------------------- */

/* IPv6 lines are skipped in a guest booted with ipv6.disable=1 */
#define V6_ONLY "[ ! -d /proc/sys/net/ipv6 ] || "

/* "ip addr add" for ifc's addresses on ifname to cmd[l..len); the new l. */
static size_t add_addrs(char *cmd, size_t l, size_t len,
			const struct topo_if *ifc, const char *ifname)
{
	char addr[INET6_ADDRSTRLEN + 8];

	for (int k = 0; ifc && k < ifc->naddrs && l < len; k++)
		l += (size_t)snprintf(
			cmd + l, len - l, "%sip addr add %s dev %s; ",
			ifc->addrs[k].family == AF_INET6 ? V6_ONLY : "",
			topo_addr_str(&ifc->addrs[k], addr, sizeof(addr)),
			ifname);
	return l;
}

int qemu_configure(struct qemu_vm *vm, char *err, size_t errlen)
{
	const struct topo *t;
	char cmd[8192], addr[INET6_ADDRSTRLEN + 8];
	size_t l = 0;
	char *out = NULL;
	int rc;

	if (!vm->lab || !vm->node)
		return 0;
	t = vm->lab->topo;
	l += (size_t)snprintf(cmd + l, sizeof(cmd) - l, "set -e; ");
	for (int i = 0; i < vm->nnics; i++) {
		const struct topo_if *ifc =
			topo_find_if(t, vm->node->index, vm->ifnames[i]);

		l = add_addrs(cmd, l, sizeof(cmd), ifc, vm->ifnames[i]);
	}
	for (int k = 0; k < t->naddrs && l < sizeof(cmd); k++) {
		const struct topo_if *ifc = &t->addrs[k].ifc;

		if (ifc->node == vm->node->index)
			l = add_addrs(cmd, l, sizeof(cmd), ifc, ifc->ifname);
	}
	for (int k = 0; k < t->nsysctls && l < sizeof(cmd); k++) {
		const struct topo_sysctl *s = &t->sysctls[k];

		if (s->node != vm->node->index)
			continue;
		l += (size_t)snprintf(
			cmd + l, sizeof(cmd) - l, "%ssysctl -qw %s=%s; ",
			strncmp(s->key, "net.ipv6.", 9) ? "" : V6_ONLY, s->key,
			s->value);
	}
	for (int k = 0; k < t->nroutes && l < sizeof(cmd); k++) {
		const struct topo_route *r = &t->routes[k];
		char gw[INET6_ADDRSTRLEN + 8];

		if (r->node != vm->node->index)
			continue;
		if (r->dst.plen == 0)
			snprintf(addr, sizeof(addr), "default");
		else
			topo_addr_str(&r->dst, addr, sizeof(addr));
		l += (size_t)snprintf(cmd + l, sizeof(cmd) - l,
				      "%sip %s route add %s",
				      r->family == AF_INET6 ? V6_ONLY : "",
				      r->family == AF_INET6 ? "-6" : "", addr);
		if (r->has_gw && l < sizeof(cmd)) {
			inet_ntop(r->gw.family, r->gw.a.raw, gw, sizeof(gw));
			l += (size_t)snprintf(cmd + l, sizeof(cmd) - l,
					      " via %s", gw);
		}
		if (r->dev[0] && l < sizeof(cmd))
			l += (size_t)snprintf(cmd + l, sizeof(cmd) - l,
					      " dev %s", r->dev);
		if (l < sizeof(cmd))
			l += (size_t)snprintf(cmd + l, sizeof(cmd) - l, "; ");
	}
	if (l >= sizeof(cmd)) {
		snprintf(err, errlen, "configuration too long");
		return -1;
	}
	rc = qemu_exec(vm, 10000, &out, "%s", cmd);
	if (rc != 0) {
		snprintf(err, errlen, "guest config (exit %d): %s\n%s", rc, cmd,
			 out ? out : strerror(errno));
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

struct qemu_vm *qemu_up(const struct qemu_opts *o, char *err, size_t errlen)
{
	struct qemu_vm *vm = qemu_boot(o, err, errlen);

	if (!vm)
		return NULL;
	if (vm->agent >= 0) {
		if (qemu_configure(vm, err, errlen) < 0) {
			qemu_halt(vm);
			return NULL;
		}
		/* the cases count datagrams exactly: no netfilter module
		 * loading (and mcrouted needs conntrack netlink at start) */
		if (qemu_settled(vm, 15000) < 0) {
			snprintf(err, errlen,
				 "netfilter modules not loaded in the guest");
			qemu_halt(vm);
			return NULL;
		}
	}
	if (vm->node && lab_replace_node_vm(o->lab, vm->node, vm, true) < 0) {
		snprintf(err, errlen, "replace %s: %s", vm->node->name,
			 strerror(errno));
		qemu_halt(vm);
		return NULL;
	}
	return vm;
}
