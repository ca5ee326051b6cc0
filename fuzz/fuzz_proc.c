// SPDX-License-Identifier: MIT
/*
 * The /proc parsers on any text (the first byte picks the parser).
 */
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	struct mr_vif *v = NULL;
	struct mr_mfc *m = NULL;
	struct igmp_group *g = NULL;
	long l;
	uint8_t pick;
	int family;

	text = fuzz_pick(data, size, &pick);
	if (!text)
		return 0;
	/* 0 1: VIFs, 2 3: MFC, 4 5: groups (even IPv4, odd IPv6), 6: int */
	pick %= 7;
	family = pick % 2 ? AF_INET6 : AF_INET;
	switch (pick / 2) {
	case 0:
		proc_parse_mr_vif(text, family, &v);
		break;
	case 1:
		proc_parse_mr_mfc(text, family, &m);
		break;
	case 2:
		if (family == AF_INET6)
			proc_parse_igmp6(text, &g);
		else
			proc_parse_igmp(text, &g);
		break;
	default:
		proc_parse_int(text, &l);
		break;
	}
	free(v);
	free(m);
	free(g);
	free(text);
	return 0;
}
