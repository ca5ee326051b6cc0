// SPDX-License-Identifier: MIT
/*
 * The .topo parser on any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), err[TOPO_ERR_MAX];
	struct topo *t;

	if (!text)
		return 0;
	t = topo_parse(text, "fuzz.topo", err, sizeof(err));
	if (t)
		topo_free(t);
	else if (strncmp(err, "fuzz.topo:", 10))
		abort();
	free(text);
	return 0;
}
