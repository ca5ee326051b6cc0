// SPDX-License-Identifier: MIT
/*
 * harness/tests/test_capture, the offline side of capture.c: a pcap file
 * of crafted frames read back, queried (counts, TTLs, sequence stats,
 * finds, waits, expectations), saved, and shown by tcpdump.
 */
#include <limits.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "capture_offline.h"
#include "pktbuild.h"

static char tmpdir[] = "/tmp/mclab-test-capture-XXXXXX";

static void write_pcap(const char *path)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	struct pcap_pkthdr h = { .ts = { 1700000000, 0 } };
	struct pb p;
	uint32_t s;

	assert_non_null(dead);
	d = pcap_dump_open(dead, path);
	assert_non_null(d);
	/* 10 UDP with TTL 9, seq 0..9 with 4 sent twice, 5 missing; one v3
	 * report; two echo requests TTL 10 */
	for (s = 0; s < 10; s++) {
		udp4_pkt(&p, 9, s == 5 ? 4 : s);
		h.caplen = h.len = (bpf_u_int32)p.n;
		h.ts.tv_usec = (suseconds_t)s;
		pcap_dump((u_char *)d, &h, p.b);
	}
	igmp3_report(&p, false);
	h.caplen = h.len = (bpf_u_int32)p.n;
	pcap_dump((u_char *)d, &h, p.b);
	for (s = 0; s < 2; s++) {
		icmp4_echo(&p, 8, 10, "192.0.2.2", "239.1.1.1");
		h.caplen = h.len = (bpf_u_int32)p.n;
		pcap_dump((u_char *)d, &h, p.b);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

void test_offline_queries(void **state)
{
	char in[PATH_MAX], out[PATH_MAX];
	struct cap_seq_stats st;
	struct pkt_match udp = { .proto = IPPROTO_UDP, .dst = "239.1.1.1" };
	const struct pkt_rec *r;
	struct cap *c;
	uint8_t ttls[4];
	char *txt;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	snprintf(in, sizeof(in), "%s/in.pcap", tmpdir);
	write_pcap(in);
	c = cap_open_offline(in);
	assert_non_null(c);
	r = cap_records(c, &n);
	assert_int_equal(n, 13);
	assert_int_equal(r[0].ttl, 9);
	assert_int_equal(cap_count(c, NULL), 13);
	assert_int_equal(cap_count(c, &udp), 10);
	assert_int_equal(cap_count(c, &(struct pkt_match){ .ttl = 9 }), 10);
	assert_int_equal(cap_count(c, &(struct pkt_match){ .ttl = 10 }), 2);
	assert_int_equal(cap_ttls(c, NULL, ttls, 4), 3);
	assert_int_equal(ttls[0], 1);
	assert_int_equal(ttls[1], 9);
	assert_int_equal(ttls[2], 10);
	assert_int_equal(cap_ttls(c, &udp, ttls, 4), 1);
	cap_seqs(c, &udp, 10, &st);
	assert_int_equal(st.matched, 10);
	assert_int_equal(st.dups, 1);
	assert_int_equal(st.missing, 1);
	assert_int_equal(st.out_of_range, 0);
	assert_int_equal(st.reordered, 0);
	assert_int_equal(cap_find(c, &(struct pkt_match){ .gm_ver = 3 }, 0),
			 10);
	assert_int_equal(cap_find(c, &(struct pkt_match){ .gm_ver = 3 }, 11),
			 -1);
	assert_true(cap_wait(c, &udp, 10, 1)); /* offline: no waiting */
	assert_false(cap_wait(c, &udp, 11, 1));
	assert_true(cap_expect(c, &udp, 10, "unit"));

	setenv("MCLAB_RESULTS", tmpdir, 1);
	assert_int_equal(cap_save(c, "unit/save me", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "unit_save_me.pcap"));
	txt = tcpdump_text(out);
	assert_non_null(txt);
	if (!strstr(txt, "ttl 9")) {
		print_message("# tcpdump said: %s\n", txt);
		fail();
	}
	assert_non_null(strstr(txt, "239.1.1.1"));
	free(txt);

	/* failure path: prints the diagnostics, returns false */
	assert_false(cap_expect(c, &udp, 9, "expected-failure"));
	cap_free(c);

	assert_null(cap_open_offline("/nonexistent/x.pcap"));
	assert_true(strlen(cap_error()) > 0);
}

int cleanup(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	if (strcmp(tmpdir + strlen(tmpdir) - 6, "XXXXXX")) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}
