// SPDX-License-Identifier: MIT
/*
 * TARGET=...: which backend the router node gets (node.h), and bringing
 * it up: nothing for netns; qemu_up() and lab_replace_node() for a VM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu.h"
#include "node_guest.h"
#include "target.h"

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

const struct node_ops *target_ops(enum target_kind k)
{
	return k == TARGET_NETNS ? &node_netns_ops : &node_vm_ops;
}

int target_lab_up(struct lab *lab, enum target_kind k, char *err, size_t errlen)
{
	struct qemu_opts o = { 0 };

	if (k == TARGET_NETNS)
		return 0;
	o.profile = profile_of(k);
	o.lab = lab;
	o.timeout_ms = 30000;
	return qemu_up(&o, err, errlen) ? 0 : -1;
}

void target_lab_down(struct lab *lab)
{
	lab_restore_nodes(lab);
}
