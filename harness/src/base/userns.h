/* SPDX-License-Identifier: MIT */
/*
 * Rootless runs: an ordinary user re-enters in a new user + network +
 * mount namespace where it is uid 0, with private tmpfs mounts for
 * /run/netns and /run/mclab, so that labs are built exactly as for root.
 * Call it first thing in main(), while the process has one thread.
 */
#ifndef MCLAB_USERNS_H
#define MCLAB_USERNS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Root already: nothing to do, returns 0.  Otherwise unshare the three
 * namespaces and map the caller's uid/gid to 0; returns 0, or -1 with a
 * clear reason in err ("not root and user namespaces disabled: ...").
 */
int mclab_become_root(char *err, size_t errlen);
/* True after mclab_become_root() entered a user namespace. */
bool mclab_rootless(void);

#endif
