// SPDX-License-Identifier: MIT
/*
 * A second router under test in a suite's lab (second_router.h).
 */
#include "second_router.h"

bool start_other(struct fx *f, struct router *r, const char *node,
		 const char *conf)
{
	char err[1024];
	struct node *n = lab_node(f->lab, node);

	if (!n) {
		print_message("# no node %s in the topology\n", node);
		return false;
	}
	if (router_start(r, f->kind, n, conf, NULL, T_READY, err,
			 sizeof(err))) {
		print_message("# router_start in %s: %s\n", node, err);
		return false;
	}
	return true;
}

void fx_down_other(struct fx *f, struct router *r, bool *up)
{
	if (*up)
		router_stop(r, 3000);
	*up = false;
	fx_down(f);
}
