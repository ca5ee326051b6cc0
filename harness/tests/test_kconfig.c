// SPDX-License-Identifier: MIT
/*
 * Unit tests for the kernel config check (kconfig.c): the parser on
 * crafted text, a stripped Pi config (Buildroot's defconfig without the
 * field report's additions), and the Debian arm64 kernel's config that
 * qemu/ unpacks (skipped when "make -C qemu image" has not run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kconfig.h"

static void test_parse(void **state)
{
	static const char text[] = "#\n# Automatically generated file\n"
				   "CONFIG_IP_MULTICAST=y\n"
				   "  CONFIG_IP_MROUTE=m\n"
				   "# CONFIG_IPV6 is not set\n"
				   "CONFIG_LOCALVERSION=\"-v8\"\n"
				   "CONFIG_HZ=250\n"
				   "CONFIG_YES_NOT=yes\n"
				   "CONFIG_BROKEN\n"
				   "CONFIG_LAST=m";
	struct kconfig *kc = kconfig_parse(text);

	(void)state;
	assert_non_null(kc);
	assert_int_equal(kconfig_get(kc, "IP_MULTICAST"), KC_BUILTIN);
	assert_int_equal(kconfig_get(kc, "CONFIG_IP_MULTICAST"), KC_BUILTIN);
	assert_int_equal(kconfig_get(kc, "IP_MROUTE"), KC_MODULE);
	assert_int_equal(kconfig_get(kc, "IPV6"), KC_MISSING);
	assert_int_equal(kconfig_get(kc, "LOCALVERSION"), KC_MISSING);
	assert_int_equal(kconfig_get(kc, "HZ"), KC_MISSING);
	assert_int_equal(kconfig_get(kc, "YES_NOT"), KC_MISSING);
	assert_int_equal(kconfig_get(kc, "BROKEN"), KC_MISSING);
	assert_int_equal(kconfig_get(kc, "LAST"), KC_MODULE);
	assert_int_equal(kconfig_get(kc, "NOPE"), KC_MISSING);
	assert_int_equal(kconfig_count(kc), 7);
	kconfig_free(kc);
	kc = kconfig_parse("");
	assert_non_null(kc);
	assert_int_equal(kconfig_get(kc, "IP_MROUTE"), KC_MISSING);
	kconfig_free(kc);
}

static const struct kc_result *find(const struct kc_result *r, size_t n,
				    const char *sym)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].item->syms[0], sym))
			return &r[i];
	fail_msg("no item %s", sym);
	return NULL;
}

/* A Pi kernel as the field report found it: multicast, no mroute, no IPv6 */
static const char stripped[] = "CONFIG_NET=y\n"
			       "CONFIG_INET=y\n"
			       "CONFIG_IP_MULTICAST=y\n"
			       "# CONFIG_IP_MROUTE is not set\n"
			       "# CONFIG_IPV6 is not set\n"
			       "CONFIG_NETFILTER=y\n"
			       "CONFIG_NF_CONNTRACK=m\n"
			       "CONFIG_NF_NAT=m\n"
			       "CONFIG_IP_NF_IPTABLES=m\n"
			       "CONFIG_IP_NF_NAT=m\n"
			       "CONFIG_IP_NF_TARGET_MASQUERADE=m\n"
			       "# CONFIG_IP_NF_MANGLE is not set\n";

static void test_stripped(void **state)
{
	struct kconfig *kc = kconfig_parse(stripped);
	size_t n;
	const struct kc_item *items = kconfig_items(&n);
	struct kc_result *r = calloc(n, sizeof(*r));

	(void)state;
	(void)items;
	assert_non_null(kc);
	assert_non_null(r);
	/* mcrouted: one required miss (IP_MROUTE) */
	assert_int_equal(kconfig_check(kc, false, r), 1);
	assert_int_equal(find(r, n, "IP_MULTICAST")->value, KC_BUILTIN);
	assert_int_equal(find(r, n, "IP_MROUTE")->value, KC_MISSING);
	assert_int_equal(find(r, n, "IPV6")->value, KC_MISSING);
	assert_non_null(strstr(find(r, n, "IPV6")->item->breaks, "Errno(97)"));
	assert_int_equal(find(r, n, "NETFILTER_XT_TARGET_HL")->value,
			 KC_MISSING);
	assert_int_equal(find(r, n, "IP_NF_MANGLE")->value, KC_MISSING);
	/* MASQUERADE through the older symbol */
	assert_int_equal(find(r, n, "NETFILTER_XT_TARGET_MASQUERADE")->value,
			 KC_MODULE);
	assert_string_equal(find(r, n, "NETFILTER_XT_TARGET_MASQUERADE")->sym,
			    "IP_NF_TARGET_MASQUERADE");
	/* smcroute also needs IPv6 and its multicast routing */
	assert_int_equal(kconfig_check(kc, true, r), 3);
	kconfig_free(kc);
	free(r);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[sz] = '\0';
	fclose(f);
	return buf;
}

/* Debian's arm64 kernel (what the qemu image boots) has it all. */
static void test_debian_arm64(void **state)
{
	char *text = slurp("qemu/out/config");
	struct kconfig *kc;
	size_t n;
	struct kc_result *r;

	(void)state;
	if (!text) {
		print_message(
			"# SKIP reason: no qemu/out/config (make -C qemu image)\n");
		skip();
	}
	kc = kconfig_parse(text);
	assert_non_null(kc);
	assert_true(kconfig_count(kc) > 5000);
	kconfig_items(&n);
	r = calloc(n, sizeof(*r));
	assert_non_null(r);
	assert_int_equal(kconfig_check(kc, true, r), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(r[i].value, KC_MISSING);
	assert_int_equal(find(r, n, "IP_MROUTE")->value, KC_BUILTIN);
	assert_int_equal(find(r, n, "IPV6_MROUTE")->value, KC_BUILTIN);
	assert_int_equal(find(r, n, "IP_MROUTE_MULTIPLE_TABLES")->value,
			 KC_BUILTIN);
	assert_int_equal(find(r, n, "NETFILTER_XT_TARGET_HL")->value,
			 KC_MODULE);
	assert_string_equal(find(r, n, "NETFILTER_XT_TARGET_HL")->sym,
			    "NETFILTER_XT_TARGET_HL");
	free(r);
	kconfig_free(kc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_debian_arm64),
	};

	return cmocka_run_group_tests_name("kconfig", tests, NULL, NULL);
}
