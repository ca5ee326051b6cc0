/* SPDX-License-Identifier: MIT */
/*
 * mclab check --image: the field report's checks run against a user's
 * own SD card image, with its own kernel, init, router and config, and
 * nothing of ours inside.
 *
 * The image boots in qemu on the board its boot partition names
 * (piboard.c: raspi0, raspi2b or raspi3b), through a copy (-snapshot;
 * the image file is never written), wired in place of the router of a
 * lab (pi-router by default: snd -- wlan0:rtr:usb0 -- rcv).  The harness
 * logs in on its serial console, renames the emulated NICs to the
 * lab's names by MAC, gives them the lab's addresses, and restarts the
 * router the image's init started, so that it sees wlan0 and usb0.
 * Then, with the expectations derived from the image's own config
 * (router/src/conf.c reads smcroute.conf and mcrouted.conf) and its own
 * mangle and NAT rules (imgmodel.c):
 *
 *   boot             login prompt on the console, board and kernel
 *   kernel options   /proc/config.gz, else the image's IKCONFIG, else
 *                    what /proc shows (it says which)
 *   router           the daemon its init runs, running after the restart
 *   config           the daemon's config parsed (file:line:col errors)
 *   mc_forwarding    1 for the router and every routed interface
 *   VIFs             every interface the config routes has a VIF
 *   TTL sweep        TTLs 1..255 across the first route: what arrives and
 *                    with which TTL, as the mangle rules and the threshold
 *                    say (TTL 1 never crosses unless a rule raises it)
 *   route ...        every configured group crosses to every outbound
 *                    interface, and ip_mr_cache shows (S,G) iif -> oifs
 *   mangle ...       each TTL rule takes effect on the traffic it matches
 *   NAT ...          a unicast flow leaves with the router's address
 *   image unchanged  the image's md5 before and after
 */
#ifndef MCLAB_IMGCHECK_H
#define MCLAB_IMGCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "imgreport.h"

struct img_check_opts {
	const char *image; /* the SD card image (absolute path) */
	const char *board, *dtb; /* --board, --dtb, or NULL */
	const char *user, *password; /* the login; NULL: root, none */
	const char *topo; /* the lab, NULL: pi-router */
	const char *node; /* the node the image replaces, NULL: the router */
	unsigned int boot_timeout_ms; /* 0: 120 s (scaled) */
	bool verbose; /* progress on stderr */
};

/*
 * Run every check.  Returns 0 when all passed (skips allowed), 1 when a
 * check failed, 2 when the checks could not run at all (no lab, a bad
 * option); rep holds the rows and dir (dirlen) the results folder.
 */
int img_check(const struct img_check_opts *o, struct img_report *rep, char *dir,
	      size_t dirlen);

#endif
