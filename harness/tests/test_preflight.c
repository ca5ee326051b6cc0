// SPDX-License-Identifier: MIT
/*
 * Unit tests for the preflight's decision (preflight.c) on sample configs:
 * Debian 12's amd64 kernel (everything, mostly modules: run here), the CI
 * machine's kernel (no multicast routing: the VM), a stripped one, the
 * /proc probes for a kernel without a readable config, and MCLAB_VM.
 * Also the lab VM's control protocol (vmproto.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "preflight.h"
#include "vmproto.h"

static struct kconfig *load(const char *name)
{
	char path[512], from[600], err[600];
	char *text;
	struct kconfig *kc;

	snprintf(path, sizeof(path), FIXTURES "/%s", name);
	text = kconfig_load(path, false, from, sizeof(from), err, sizeof(err));
	if (!text)
		fail_msg("%s", err);
	kc = kconfig_parse(text);
	free(text);
	assert_non_null(kc);
	return kc;
}

static bool missing(const struct pf_report *r, const char *sym)
{
	for (size_t i = 0; i < r->n_missing; i++)
		if (!strcmp(r->missing[i]->syms[0], sym))
			return true;
	return false;
}

static void test_debian(void **state)
{
	struct kconfig *kc = load("kconfig.debian-6.1-amd64.gz");
	struct pf_report r = { 0 };

	(void)state;
	assert_true(kconfig_count(kc) > 5000);
	assert_int_equal(preflight_check(kc, false, &r), 0);
	assert_int_equal(preflight_check(kc, true, &r), 0);
	assert_false(preflight_use_vm(VM_AUTO, &r));
	assert_true(preflight_use_vm(VM_ALWAYS, &r));
	assert_false(preflight_use_vm(VM_NEVER, &r));
	kconfig_free(kc);
}

static void test_ci_host(void **state)
{
	struct kconfig *kc = load("kconfig.host-6.18-fc.gz");
	struct pf_report r = { 0 };
	char buf[512];

	(void)state;
	assert_int_equal(preflight_check(kc, false, &r), 4);
	assert_true(missing(&r, "IP_MROUTE"));
	assert_true(missing(&r, "IP_MROUTE_MULTIPLE_TABLES"));
	assert_true(missing(&r, "IPV6_MROUTE"));
	assert_true(missing(&r, "IPV6_MROUTE_MULTIPLE_TABLES"));
	/* what it has: namespaces, veth, bridge, netfilter */
	assert_false(missing(&r, "NET_NS"));
	assert_false(missing(&r, "NF_CT_NETLINK"));
	assert_string_equal(
		preflight_missing_str(&r, buf, sizeof(buf)),
		"CONFIG_IP_MROUTE CONFIG_IP_MROUTE_MULTIPLE_TABLES "
		"CONFIG_IPV6_MROUTE CONFIG_IPV6_MROUTE_MULTIPLE_TABLES");
	assert_true(preflight_use_vm(VM_AUTO, &r));
	assert_true(preflight_use_vm(VM_ALWAYS, &r));
	assert_false(preflight_use_vm(VM_NEVER, &r));
	kconfig_free(kc);
}

static void test_stripped(void **state)
{
	/* a container runner's kernel: routing, no netns, TTL only by the
	 * legacy name, no conntrack netlink, no user namespaces */
	static const char text[] = "CONFIG_IP_MULTICAST=y\n"
				   "CONFIG_IP_MROUTE=y\n"
				   "CONFIG_IP_MROUTE_MULTIPLE_TABLES=y\n"
				   "CONFIG_IPV6=y\n"
				   "CONFIG_IPV6_MROUTE=m\n"
				   "CONFIG_IPV6_MROUTE_MULTIPLE_TABLES=y\n"
				   "# CONFIG_NET_NS is not set\n"
				   "CONFIG_VETH=m\n"
				   "CONFIG_BRIDGE=y\n"
				   "CONFIG_PACKET=y\n"
				   "CONFIG_NFT_COMPAT=m\n"
				   "CONFIG_IP_NF_TARGET_TTL=m\n"
				   "CONFIG_IP6_NF_TARGET_HL=m\n"
				   "CONFIG_NF_CONNTRACK=y\n"
				   "CONFIG_NF_NAT=y\n"
				   "CONFIG_IP_NF_TARGET_MASQUERADE=m\n";
	struct kconfig *kc = kconfig_parse(text);
	struct pf_report r = { 0 };

	(void)state;
	assert_int_equal(preflight_check(kc, false, &r), 2);
	assert_true(missing(&r, "NET_NS"));
	assert_true(missing(&r, "NF_CT_NETLINK"));
	/* the rootless path needs user namespaces too */
	assert_int_equal(preflight_check(kc, true, &r), 3);
	assert_true(missing(&r, "USER_NS"));
	kconfig_free(kc);
	/* nothing known at all: everything is missing */
	assert_int_equal(preflight_check(NULL, false, &r), 17);
}

static const char *const absent[] = { "/proc/net/ip_mr_vif",
				      "/proc/net/ip6_mr_vif", NULL };

static bool fake_exists(const char *path)
{
	for (int i = 0; absent[i]; i++)
		if (!strcmp(path, absent[i]))
			return false;
	return true;
}

static void test_probe(void **state)
{
	char buf[4096];
	struct kconfig *kc;
	struct pf_report r = { 0 };

	(void)state;
	kc = kconfig_parse(preflight_probe_text(fake_exists, buf, sizeof(buf)));
	assert_int_equal(kconfig_get(kc, "IP_MROUTE"), KC_MISSING);
	assert_int_equal(kconfig_get(kc, "NET_NS"), KC_BUILTIN);
	assert_int_equal(preflight_check(kc, true, &r), 2);
	assert_true(missing(&r, "IP_MROUTE"));
	assert_true(missing(&r, "IPV6_MROUTE"));
	kconfig_free(kc);
}

static void test_vm_mode(void **state)
{
	(void)state;
	unsetenv("MCLAB_VM");
	assert_int_equal(vm_mode_from_env(), VM_AUTO);
	setenv("MCLAB_VM", "", 1);
	assert_int_equal(vm_mode_from_env(), VM_AUTO);
	setenv("MCLAB_VM", "always", 1);
	assert_int_equal(vm_mode_from_env(), VM_ALWAYS);
	setenv("MCLAB_VM", "never", 1);
	assert_int_equal(vm_mode_from_env(), VM_NEVER);
	setenv("MCLAB_VM", "sometimes", 1);
	assert_int_equal(vm_mode_from_env(), -1);
	unsetenv("MCLAB_VM");
}

static void test_vmproto_frames(void **state)
{
	unsigned char buf[64];
	struct vmp_frame f;

	(void)state;
	vmp_header(buf, 'O', 0x1234, 3);
	memcpy(buf + VMP_HDR, "abc", 3);
	/* short reads ask for more, at every length */
	for (size_t n = 0; n < VMP_HDR + 3; n++)
		assert_int_equal(vmp_parse(buf, n, &f), 0);
	assert_int_equal(vmp_parse(buf, VMP_HDR + 3, &f), VMP_HDR + 3);
	assert_int_equal(f.type, 'O');
	assert_int_equal(f.sid, 0x1234);
	assert_int_equal(f.len, 3);
	assert_memory_equal(f.payload, "abc", 3);
	/* not a frame: bad magic, unknown type, a payload too long */
	buf[0] = 'x';
	assert_int_equal(vmp_parse(buf, VMP_HDR + 3, &f), -1);
	vmp_header(buf, 'z', 1, 0);
	assert_int_equal(vmp_parse(buf, VMP_HDR, &f), -1);
	vmp_header(buf, 'I', 1, VMP_MAX_PAYLOAD + 1);
	assert_int_equal(vmp_parse(buf, VMP_HDR, &f), -1);
	vmp_header(buf, 'I', 1, 0); /* empty stdin: EOF */
	assert_int_equal(vmp_parse(buf, VMP_HDR, &f), VMP_HDR);
	assert_int_equal(f.len, 0);
}

static void test_vmproto_req(void **state)
{
	struct vmp_req r = { 0 }, d;
	char buf[512];
	long n;

	(void)state;
	r.tty = 1;
	r.rows = 24;
	r.cols = 80;
	r.cwd = "/work/main";
	r.envp[r.envc++] = "PATH=/usr/bin:/bin";
	r.envp[r.envc++] = "A=b=c";
	r.argv[r.argc++] = "sh";
	r.argv[r.argc++] = "-c";
	r.argv[r.argc++] = "echo 'x y'";
	n = vmp_req_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(vmp_req_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.tty, 1);
	assert_int_equal(d.rows, 24);
	assert_int_equal(d.cols, 80);
	assert_string_equal(d.cwd, "/work/main");
	assert_int_equal(d.envc, 2);
	assert_string_equal(d.envp[1], "A=b=c");
	assert_null(d.envp[2]);
	assert_int_equal(d.argc, 3);
	assert_string_equal(d.argv[2], "echo 'x y'");
	assert_null(d.argv[3]);
	/* too small a buffer */
	assert_int_equal(vmp_req_encode(&r, buf, 20), -1);
	/* malformed: no argument, an unknown key, a string cut short */
	memcpy(buf, "tty=0\0", 6);
	assert_int_equal(vmp_req_decode(buf, 6, &d), -1);
	memcpy(buf, "arg=ls\0bad=1\0", 13);
	assert_int_equal(vmp_req_decode(buf, 13, &d), -1);
	memcpy(buf, "arg=ls", 6);
	assert_int_equal(vmp_req_decode(buf, 6, &d), -1);
	memcpy(buf, "noequals\0", 9);
	assert_int_equal(vmp_req_decode(buf, 9, &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian),
		cmocka_unit_test(test_ci_host),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_vm_mode),
		cmocka_unit_test(test_vmproto_frames),
		cmocka_unit_test(test_vmproto_req),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
