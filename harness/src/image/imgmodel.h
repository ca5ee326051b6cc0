/* SPDX-License-Identifier: MIT */
/*
 * What a user's SD card image says its router should do, read from the
 * text the image gives back over its console (pure: text in, struct out,
 * for unit tests): which daemon its init starts and with which config,
 * its mangle table's TTL rules and what they make of a datagram's TTL on
 * the way across, and its NAT rules.  mclab check --image (imgcheck.c)
 * derives its expectations from these.
 */
#ifndef MCLAB_IMGMODEL_H
#define MCLAB_IMGMODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

enum img_daemon {
	IMG_NO_DAEMON = 0,
	IMG_SMCROUTED,
	IMG_MCROUTED,
	IMG_MROUTED,
	IMG_IGMPPROXY,
};

struct img_router {
	enum img_daemon daemon;
	char script[128]; /* the init script that starts it */
	char conf[128]; /* the config file it reads (-f, else its default) */
	bool conf_given; /* conf came from the script's -f/-c */
};

const char *img_daemon_name(enum img_daemon d); /* "smcrouted", ... */
/* "/etc/smcroute.conf", ...: where the daemon reads its config by default */
const char *img_daemon_conf(enum img_daemon d);

/*
 * The router an image's init starts.  scripts: the init scripts in the
 * order init runs them, each as a line "==> PATH" and then its text (what
 * "for f in /etc/init.d/S??*; do echo "==> $f"; cat "$f"; done" prints).
 * The first script that runs a known daemon (smcrouted, mcrouted,
 * mrouted, igmpproxy: as a command word, not in a comment) wins.  0 with
 * *r filled, -1 when none does.
 */
int img_find_router(const char *scripts, struct img_router *r);

enum img_ttl_op { IMG_TTL_SET = 1, IMG_TTL_INC, IMG_TTL_DEC };

/* A TTL target rule of the mangle table (iptables -t mangle -S) */
struct img_ttl_rule {
	char chain[16]; /* PREROUTING, FORWARD or POSTROUTING */
	char in[IFNAMSIZ], out[IFNAMSIZ]; /* "" when any; may end in '+' */
	uint32_t dst, dmask; /* -d, host order; mask 0: any */
	enum img_ttl_op op;
	int val;
	char text[200]; /* the rule as iptables printed it */
};

/*
 * The TTL rules of "iptables -t mangle -S" output, up to max.  Rules with
 * matches the model does not know (negations, -m, -s, -p...) are counted
 * in *unmodelled and left out.  Returns how many rules were kept.
 */
int img_parse_mangle(const char *text, struct img_ttl_rule *r, int max,
		     int *unmodelled);

/*
 * The TTL a datagram sent with TTL sent to group (host order) arrives
 * with after crossing from in to out, as the kernel does it: mangle
 * PREROUTING (-i), then ipmr's threshold test (forwarded when TTL >
 * threshold, 1 by default), the decrement, then FORWARD (-i, -o) and
 * POSTROUTING (-o).  0 when it does not cross.
 */
int img_ttl_expect(const struct img_ttl_rule *r, int n, const char *in,
		   const char *out, uint32_t group, int sent, int threshold);

/* A source NAT rule of "iptables -t nat -S" (MASQUERADE or SNAT) */
struct img_nat_rule {
	char out[IFNAMSIZ]; /* -o, "" when any */
	char target[16];
	char text[200];
};
int img_parse_nat(const char *text, struct img_nat_rule *r, int max);

#endif
