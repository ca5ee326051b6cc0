// SPDX-License-Identifier: MIT
/*
 * Decoding what the mroute sockets deliver (upcalls or packets).
 */
#include <stdint.h>

#include "kern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kern_upcall up;

	kern_parse_upcall(KF_V4, data, size, &up);
	kern_parse_upcall(KF_V6, data, size, &up);
	return 0;
}
