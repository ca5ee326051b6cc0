// SPDX-License-Identifier: MIT
/*
 * mclab check --image IMG: the regression run before flashing a user's
 * own SD card image (imgcheck.h).  The CLI side: options, the table, the
 * report paths, the exit status.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgcheck.h"
#include "piboard.h"

int mclab_cmd_check(int argc, char **argv);

static const char check_usage[] =
	"usage: mclab check --image sdcard.img [--board B] [--dtb D]\n"
	"                   [--login USER[:PASSWORD]] [--topo TOPO] [--node NODE]\n"
	"                   [--timeout SEC] [-v]\n"
	"\n"
	"Boots a Raspberry Pi SD card image (Buildroot's output/images/sdcard.img,\n"
	"32- or 64-bit) in qemu on the board its boot partition names, in place of\n"
	"the router of TOPO (default pi-router), logs in on its serial console\n"
	"(default root without a password), and runs the field report's checks\n"
	"against the image's own kernel, init, router and config: kernel options,\n"
	"the router its init starts, mc_forwarding, VIFs, the TTL sweep, every\n"
	"configured group and its ip_mr_cache entry, the image's mangle (TTL) and\n"
	"NAT rules.  The image is never written (checked by md5).\n"
	"Writes image.tap, junit.xml and report.md in the run's results folder.\n"
	"Exit: 0 every check passed, 1 a check failed, 2 the checks could not run.\n";

int mclab_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "board", required_argument, NULL, 'b' },
		{ "dtb", required_argument, NULL, 'd' },
		{ "login", required_argument, NULL, 'l' },
		{ "topo", required_argument, NULL, 't' },
		{ "node", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct img_check_opts o = { 0 };
	static struct img_report rep;
	char image[PATH_MAX], dtb[PATH_MAX], user[128] = "root", dir[600];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'd': {
			/* files by their whole path: the run may cd */
			char *real = c == 'i' ? image : dtb;

			if (!realpath(optarg, real)) {
				fprintf(stderr, "mclab check: %s: %m\n",
					optarg);
				return 2;
			}
			*(c == 'i' ? &o.image : &o.dtb) = real;
			break;
		}
		case 'b':
			o.board = optarg;
			break;
		case 'l': {
			char *colon;

			snprintf(user, sizeof(user), "%s", optarg);
			colon = strchr(user, ':');
			if (colon) {
				*colon = '\0';
				o.password = colon + 1;
			}
			break;
		}
		case 't':
			o.topo = optarg;
			break;
		case 'n':
			o.node = optarg;
			break;
		case 'T':
			o.boot_timeout_ms = (unsigned int)atoi(optarg) * 1000;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return 0;
		default:
			fputs(check_usage, stderr);
			return 2;
		}
	}
	if (!o.image || optind < argc) {
		fputs(check_usage, stderr);
		return 2;
	}
	if (o.board && !strstr(pi_board_names(), o.board)) {
		fprintf(stderr, "mclab check: --board is one of %s\n",
			pi_board_names());
		return 2;
	}
	o.user = user;
	printf("mclab check --image %s\n", o.image);
	fflush(stdout);
	rc = img_check(&o, &rep, dir, sizeof(dir));
	img_print(&rep, stdout);
	printf("  report: %s/report.md (image.tap, junit.xml)\n", dir);
	printf("%s\n", rc == 0 ? "PASS" : rc == 1 ? "FAIL" : "ERROR");
	return rc;
}
