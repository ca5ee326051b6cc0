// SPDX-License-Identifier: MIT
/*
 * The /proc parsers on any text (the first byte picks the parser).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	struct mr_vif *v = NULL;
	struct mr_mfc *m = NULL;
	struct igmp_group *g = NULL;
	long l;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 7) {
	case 0:
		proc_parse_mr_vif(text, AF_INET, &v);
		break;
	case 1:
		proc_parse_mr_vif(text, AF_INET6, &v);
		break;
	case 2:
		proc_parse_mr_mfc(text, AF_INET, &m);
		break;
	case 3:
		proc_parse_mr_mfc(text, AF_INET6, &m);
		break;
	case 4:
		proc_parse_igmp(text, &g);
		break;
	case 5:
		proc_parse_igmp6(text, &g);
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
