// SPDX-License-Identifier: MIT
/*
 * The capture's packet parser on any bytes (the first byte picks the link
 * type), and its formatter on whatever it parsed.
 */
#include <stdint.h>
#include <pcap/dlt.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int lt[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
				  DLT_RAW };
	struct pkt_rec r;
	char buf[512];

	if (size < 1)
		return 0;
	if (pkt_parse(lt[data[0] % 4], data + 1, size - 1, size - 1, 0, &r) ==
	    0)
		pkt_format(&r, buf, sizeof(buf));
	pkt_parse_ip(data + 1, size - 1, &r);
	return 0;
}
