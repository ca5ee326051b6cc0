// SPDX-License-Identifier: MIT
/*
 * mclab check --image's parsers of what a user's image prints (imgmodel.c)
 * on any text: its init scripts, iptables -t mangle -S and -t nat -S (the
 * first byte picks the parser; the mangle rules found are then run
 * through the TTL model for every TTL).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "imgmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_router r;
	struct img_ttl_rule t[8];
	struct img_nat_rule nat[8];
	char *text;
	int n, un;
	uint8_t pick;

	text = fuzz_pick(data, size, &pick);
	if (!text)
		return 0;
	switch (pick % 3) {
	case 0:
		img_find_router(text, &r);
		break;
	case 1:
		n = img_parse_mangle(text, t, 8, &un);
		for (int ttl = 0; ttl <= 255; ttl++)
			img_ttl_expect(t, n, "wlan0", "usb0", 0xe1010203u, ttl,
				       pick % 16);
		break;
	default:
		img_parse_nat(text, nat, 8);
		break;
	}
	free(text);
	return 0;
}
