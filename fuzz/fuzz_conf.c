// SPDX-License-Identifier: MIT
/*
 * The config parser on any bytes: never crashes, never leaks, and what it
 * accepts prints back to text that parses to an equal config.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c, again;
	struct conf_error err;
	char *text = fuzz_text(data, size), *printed = NULL;
	size_t plen = 0;
	FILE *f;

	if (!text)
		return 0;
	conf_init(&c);
	if (conf_parse(&c, "fuzz.conf", text, size, NULL, &err) == 0) {
		f = open_memstream(&printed, &plen);
		conf_print(&c, f);
		fclose(f);
		conf_init(&again);
		if (conf_parse(&again, "fuzz.conf", printed, plen, NULL,
			       &err) != 0 ||
		    !conf_equal(&c, &again))
			abort();
		conf_free(&again);
		free(printed);
	} else if (strncmp(err.msg, "fuzz.conf:", 10)) {
		abort(); /* every error names file:line:col */
	}
	conf_free(&c);
	free(text);
	return 0;
}
