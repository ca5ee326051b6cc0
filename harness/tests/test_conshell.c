// SPDX-License-Identifier: MIT
/*
 * Unit tests for conshell.c: the framed command, its output found in
 * console text as a busybox shell on a tty gives it back (the typed line
 * echoed, CR LF, output without a final newline, output arriving in
 * pieces, escape sequences), and the login prompts of a Buildroot getty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conshell.h"

#define M "QWERTYUIOPAS"

static void test_command(void **state)
{
	char line[256];
	int n;

	(void)state;
	n = cs_command(line, sizeof(line), M, "cat /proc/net/ip_mr_vif");
	assert_true(n > 0);
	assert_string_equal(line, "echo '" M "''S'; { cat /proc/net/ip_mr_vif "
				  "; } </dev/null 2>&1; echo '" M "''E'$?\n");
	/* the echoed line never holds a whole marker */
	assert_null(strstr(line, M "S"));
	assert_null(strstr(line, M "E"));
	assert_int_equal(cs_command(line, sizeof(line), M, "a\nb"), -1);
	assert_int_equal(cs_command(line, 20, M, "true"), -1);
}

static void expect(const char *console, const char *out, int status)
{
	struct cs_result r;
	char clean[1024];

	assert_int_equal(cs_parse(console, strlen(console), M, &r), 1);
	cs_clean(console + r.out_off, r.out_len, clean);
	assert_string_equal(clean, out);
	assert_int_equal(r.status, status);
	assert_int_equal(r.used, strlen(console) - strlen("# "));
}

static void test_parse(void **state)
{
	static const char echo[] =
		"echo '" M "''S'; { cat /proc/net/ip_mr_vif ; } </dev/null "
		"2>&1; echo '" M "''E'$?\r\n";
	char buf[2048];
	struct cs_result r;

	(void)state;
	snprintf(buf, sizeof(buf),
		 "%s" M "S\r\nInterface      BytesIn  PktsIn\r\n"
		 " 0 wlan0            0       0\r\n" M "E0\r\n# ",
		 echo);
	expect(buf,
	       "Interface      BytesIn  PktsIn\n"
	       " 0 wlan0            0       0\n",
	       0);
	/* no output, a failure */
	snprintf(buf, sizeof(buf), "%s" M "S\r\n" M "E1\r\n# ", echo);
	expect(buf, "", 1);
	/* output without a final newline; status 127 */
	snprintf(buf, sizeof(buf),
		 "%s" M "S\r\nsh: nosuch: not found" M "E127\r\n# ", echo);
	expect(buf, "sh: nosuch: not found", 127);
	/* an escape sequence and a wrapped echo before it: still found */
	snprintf(buf, sizeof(buf),
		 "\x1b[6n%.40s\r\n%s" M "S\n\x1b[1mbold\x1b[0m\n" M "E0\n# ",
		 echo, echo + 40);
	expect(buf, "bold\n", 0);

	/* pieces: nothing until the end marker's line is complete */
	snprintf(buf, sizeof(buf), "%s" M "S\r\nabc\r\n" M "E2", echo);
	assert_int_equal(cs_parse(buf, strlen(buf), M, &r), 0);
	strcat(buf, "5");
	assert_int_equal(cs_parse(buf, strlen(buf), M, &r), 0);
	strcat(buf, "\r");
	assert_int_equal(cs_parse(buf, strlen(buf), M, &r), 0);
	strcat(buf, "\n");
	assert_int_equal(cs_parse(buf, strlen(buf), M, &r), 1);
	assert_int_equal(r.status, 25);
	assert_int_equal(r.used, strlen(buf));
	/* only the echo: no start yet */
	assert_int_equal(cs_parse(echo, strlen(echo), M, &r), 0);
	/* a marker of another session is not ours */
	snprintf(buf, sizeof(buf), "ZZZZZZZZZZZZS\r\nx\r\nZZZZZZZZZZZZE0\r\n");
	assert_int_equal(cs_parse(buf, strlen(buf), M, &r), 0);
	/* "E" followed by no digits is output, not the end */
	snprintf(buf, sizeof(buf), "%s" M "S\r\n" M "Ex\r\n" M "E3\r\n# ",
		 echo);
	expect(buf, M "Ex\n", 3);
}

static void test_clean(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cs_clean("a\r\nb\rc\x07\td", 10, out), 7);
	assert_string_equal(out, "a\nb\nc\td");
	cs_clean("\x1b[0;32mgreen\x1b[0m\x1b"
		 "7x",
		 19, out);
	assert_string_equal(out, "greenx");
}

static void test_prompts(void **state)
{
	static const struct {
		const char *text;
		enum cs_prompt p;
	} t[] = {
		{ "Welcome to Buildroot\r\nbuildroot login: ", CS_LOGIN },
		{ "\r\n\r\nbuildroot login:", CS_LOGIN },
		{ "buildroot login: root\r\nPassword: ", CS_PASSWORD },
		{ "Password: \r\nLogin incorrect\r\nbuildroot login: ",
		  CS_INCORRECT },
		{ "\r\nPlease press Enter to activate this console. ",
		  CS_ACTIVATE },
		{ "buildroot login: root\r\n# ", CS_SHELL },
		{ "\x1b[1;32mpi@raspberrypi\x1b[0m:~ $ ", CS_SHELL },
		{ "[    2.317000] usb 1-1: new full-speed USB device\r\n",
		  CS_NOTHING },
		{ "Starting smcroute: OK\r\n", CS_NOTHING },
		{ "", CS_NOTHING },
		{ "#", CS_NOTHING },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (cs_prompt(t[i].text, strlen(t[i].text)) != t[i].p)
			fail_msg("'%s': %d, not %d", t[i].text,
				 cs_prompt(t[i].text, strlen(t[i].text)),
				 t[i].p);
}

static void test_marker(void **state)
{
	char a[CS_MARKER_LEN + 1], b[CS_MARKER_LEN + 1];

	(void)state;
	cs_marker(a, 1);
	cs_marker(b, 2);
	assert_int_equal(strlen(a), CS_MARKER_LEN);
	assert_string_not_equal(a, b);
	for (int i = 0; i < CS_MARKER_LEN; i++)
		assert_true(a[i] >= 'A' && a[i] <= 'Z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command), cmocka_unit_test(test_parse),
		cmocka_unit_test(test_clean),	cmocka_unit_test(test_prompts),
		cmocka_unit_test(test_marker),
	};

	return cmocka_run_group_tests_name("conshell", tests, NULL, NULL);
}
