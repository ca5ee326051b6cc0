/* SPDX-License-Identifier: MIT */
/*
 * Kernel configuration check ("mclab kconfig"): does a kernel have what a
 * multicast router on a Pi needs?  The field report's list (IP multicast
 * routing, IPv6 and its multicast routing, the TTL target with mangle,
 * NAT) plus what mcrouted uses (multiple tables, conntrack netlink).
 *
 * The parser and the check are pure (text in, struct out) for unit tests;
 * kconfig_load() reads a file (.gz through gzip -dc), "running"
 * (/proc/config.gz, then /boot/config-$(uname -r)), or an SD card image
 * (the boot partition's config file, or the kernel's embedded IKCONFIG).
 */
#ifndef MCLAB_KCONFIG_H
#define MCLAB_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum kc_value {
	KC_MISSING = 0, /* "is not set" or absent */
	KC_MODULE, /* =m */
	KC_BUILTIN, /* =y */
};

struct kconfig; /* a parsed config: symbol -> value */

/* Parse .config text ("CONFIG_X=y", "# CONFIG_X is not set").  NULL: ENOMEM. */
struct kconfig *kconfig_parse(const char *text);
void kconfig_free(struct kconfig *kc);
/* Value of a symbol, with or without the CONFIG_ prefix. */
enum kc_value kconfig_get(const struct kconfig *kc, const char *sym);
/* Number of symbols parsed (set to y, m, or anything else). */
size_t kconfig_count(const struct kconfig *kc);

enum kc_need {
	KC_REQUIRED, /* a miss: the router cannot work (exit non-zero) */
	KC_WANTED, /* a miss: a feature or a field-report step breaks */
};

/* One line of the report. */
struct kc_item {
	const char *what; /* short name */
	const char *syms[3]; /* any one of these will do (NULL-terminated) */
	enum kc_need need;
	const char *breaks; /* what breaks without it */
};

struct kc_result {
	const struct kc_item *item;
	enum kc_value value; /* the best of its symbols */
	const char *sym; /* the symbol that gave it (or the first) */
};

/* The checklist; n receives its length. */
const struct kc_item *kconfig_items(size_t *n);
/*
 * Check kc against the list; out has room for every item.  smcroute: its
 * IPv6 needs become required (smcroute exits without them; the field
 * report's error).  Returns the number of required items missing.
 */
int kconfig_check(const struct kconfig *kc, bool smcroute,
		  struct kc_result *out);
/* "y", "m" or "missing". */
const char *kconfig_value_name(enum kc_value v);

/*
 * Read a config: a path (plain or .gz), "running", or with image set, an
 * SD card image.  Returns malloc'ed text or NULL with the reason in err;
 * from says where it came from.
 */
char *kconfig_load(const char *what, bool image, char *from, size_t fromlen,
		   char *err, size_t errlen);

#endif
