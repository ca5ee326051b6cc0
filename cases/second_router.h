/* SPDX-License-Identifier: MIT */
/*
 * A second router under test in the lab of a struct fx (cases/chain's r2,
 * cases/igmp's querier election): started in another node with its own
 * config, stopped by the group's teardown before the lab goes down.
 */
#ifndef CASES_SECOND_ROUTER_H
#define CASES_SECOND_ROUTER_H

#include "common.h"

/*
 * Start the router under test in another node of the lab than the one
 * fx_up() used, with its own config.  The reason is printed on failure.
 */
bool start_other(struct fx *f, struct router *r, const char *node,
		 const char *conf);
/* A group's teardown with a second router r: stopped (when *up), then f. */
void fx_down_other(struct fx *f, struct router *r, bool *up);

#endif
