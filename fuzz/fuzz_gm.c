// SPDX-License-Identifier: MIT
/*
 * IGMP/MLD: the packet parser and, behind it, the router state machine,
 * the proxy merge and the proxy's upstream side (its state follows the
 * merge; queries go to it too), fed a stream of packets.  The first byte
 * of each chunk picks the protocol, the next two its length; the clock
 * moves a little between packets so that timers fire too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gm.h"
#include "gm_pkt.h"
#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t now_ns;
static struct proxy px[GM_NPROTO];

static uint64_t clk(void)
{
	return now_ns;
}

static int f_send(void *ctx, struct gm_if *gif, const struct inet_addr *dst,
		  const uint8_t *msg, size_t len)
{
	struct gm_msg m;
	struct gm_meta6 meta = { gif->addr, *dst, 1, true };

	(void)ctx;
	/* what we send must parse (MLD: checksum left to the kernel) */
	if (gif->proto == GM_MLD)
		gm_parse_mld(msg, len, &meta, &m);
	return 0;
}

static void f_changed(void *ctx, struct gm_if *gif, const struct inet_addr *grp)
{
	const struct gm_group *g = gm_group_find(gif, grp);
	struct inet_addr *srcs = NULL;
	size_t n = 0;
	bool ex;

	(void)ctx;
	if (!proxy_merge(&g, 1, &ex, &srcs, &n)) {
		proxy_set(&px[gif->proto], grp, ex, srcs, n);
		free(srcs);
	}
}

static const struct gm_ops ops = { f_send, f_changed };

static int f_psend(void *ctx, struct proxy *p, const struct inet_addr *dst,
		   const uint8_t *msg, size_t len)
{
	/* IGMP v3/v2/v1 reports and leaves, MLD v2/v1 reports and dones */
	static const uint8_t types[] = { 0x22, 0x16, 0x17, 0x12, 143, 131, 132 };

	(void)ctx, (void)p, (void)dst;
	/* what the proxy sends is one of them */
	if (!len || !memchr(types, msg[0], sizeof(types)))
		abort();
	return 0;
}

static const struct proxy_ops pops = { f_psend };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timers ts;
	struct gm_if gif[GM_NPROTO];
	struct gm_cfg cfg;
	struct inet_addr me[GM_NPROTO];

	now_ns = 1000000000ull;
	timers_init(&ts, false);
	ts.now = clk;
	gm_cfg_defaults(&cfg);
	cfg.max_groups = 64;
	addr_parse("198.51.100.10", &me[GM_IGMP]);
	addr_parse("fe80::10", &me[GM_MLD]);
	for (int p = 0; p < GM_NPROTO; p++) {
		proxy_init(&px[p], (enum gm_proto)p, "wlan0", &cfg, &ts, &pops,
			   NULL);
		gm_if_init(&gif[p], (enum gm_proto)p, "usb0", 2, &me[p], &cfg,
			   &ts, &ops, NULL);
		gm_if_start(&gif[p]);
	}
	while (size >= 3) {
		enum gm_proto p = data[0] & 1 ? GM_MLD : GM_IGMP;
		size_t len = (size_t)(data[1] << 8 | data[2]);
		struct gm_msg m;
		enum gm_drop d;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (p == GM_IGMP) {
			d = gm_parse_ipv4(data, len, &m);
		} else {
			struct gm_meta6 meta = { { 0 }, { 0 }, 1, true };

			addr_parse("fe80::1", &meta.src);
			addr_parse("ff02::16", &meta.dst);
			d = gm_parse_mld(data, len, &meta, &m);
		}
		if (d == GM_OK) {
			gm_if_input(&gif[p], &m);
			/* the same query from upstream (odd first bytes) */
			if (m.type == GM_QUERY && data[-3] & 2)
				proxy_query(&px[p], &m);
		}
		now_ns += (uint64_t)(len ? data[len - 1] : 1) * 50000000ull;
		data += len;
		size -= len;
		timers_run(&ts);
	}
	for (int p = 0; p < GM_NPROTO; p++) {
		gm_if_stop(&gif[p]);
		proxy_stop(&px[p], true);
	}
	timers_free(&ts);
	return 0;
}
