// SPDX-License-Identifier: MIT
/*
 * The control protocol decoder on any bytes, and the reply splitter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg_req r;
	char err[256], out[MSG_MAX + 2];
	const char *body;
	size_t blen;

	if (msg_decode((const char *)data, size, &r, err, sizeof(err)) ==
	    MSG_OK) {
		/* What decodes re-encodes to the same words. */
		struct msg_req again;
		int n = msg_encode(r.json, r.argc, r.argv, out, sizeof(out));

		if (n < 0 ||
		    msg_decode(out, (size_t)n, &again, err, sizeof(err)) !=
			    MSG_OK ||
		    again.argc != r.argc)
			abort();
		for (size_t i = 0; i < r.argc; i++)
			if (strcmp(again.argv[i], r.argv[i]))
				abort();
	}
	msg_reply((const char *)data, size, &body, &blen);
	return 0;
}
