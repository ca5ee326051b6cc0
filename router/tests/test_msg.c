// SPDX-License-Identifier: MIT
/*
 * Control protocol codec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "msg.h"

static struct msg_req req;
static char err[256];

static int dec(const char *s)
{
	return msg_decode(s, strlen(s), &req, err, sizeof(err));
}

static void test_roundtrip(void **state)
{
	char *argv[] = { "add", "wlan0", "192.0.2.2", "225.1.2.3", "usb0" };
	char out[MSG_MAX + 2];
	int n;

	(void)state;
	n = msg_encode(true, 5, argv, out, sizeof(out));
	assert_int_equal(
		n, (int)strlen("-j add wlan0 192.0.2.2 225.1.2.3 usb0\n"));
	assert_string_equal(out, "-j add wlan0 192.0.2.2 225.1.2.3 usb0\n");
	assert_int_equal(msg_decode(out, (size_t)n, &req, err, sizeof(err)),
			 MSG_OK);
	assert_true(req.json);
	assert_int_equal(req.argc, 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(req.argv[i], argv[i]);
	assert_null(req.argv[5]);
}

static void test_incomplete_and_spaces(void **state)
{
	(void)state;
	assert_int_equal(dec("show rou"), MSG_INCOMPLETE);
	assert_int_equal(dec("  show   routes \n"), MSG_OK);
	assert_int_equal(req.argc, 2);
	assert_false(req.json);
	assert_string_equal(req.argv[1], "routes");
}

static void test_bad(void **state)
{
	char big[MSG_MAX + 10];

	(void)state;
	assert_int_equal(dec("\n"), MSG_BAD);
	assert_string_equal(err, "empty request");
	assert_int_equal(dec("-j\n"), MSG_BAD);
	assert_int_equal(dec("show\troutes\n"), MSG_BAD);
	assert_string_equal(err, "byte 0x09 at offset 4 is not allowed");
	assert_int_equal(msg_decode("sh\0w\n", 5, &req, err, sizeof(err)),
			 MSG_BAD);
	assert_int_equal(dec("show\nshow\n"), MSG_BAD);
	assert_string_equal(err, "one request per connection");
	memset(big, 'a', sizeof(big));
	assert_int_equal(msg_decode(big, sizeof(big), &req, err, sizeof(err)),
			 MSG_BAD);
	assert_string_equal(err, "request longer than 4096 bytes");
	big[MSG_MAX + 5] = '\n';
	assert_int_equal(msg_decode(big, MSG_MAX + 6, &req, err, sizeof(err)),
			 MSG_BAD);
}

static void test_too_many_words(void **state)
{
	char buf[MSG_MAX];
	size_t n = 0;

	(void)state;
	for (int i = 0; i <= MSG_MAX_WORDS; i++) {
		buf[n++] = 'x';
		buf[n++] = ' ';
	}
	buf[n - 1] = '\n';
	assert_int_equal(msg_decode(buf, n, &req, err, sizeof(err)), MSG_BAD);
	assert_string_equal(err, "more than 64 words");
}

static void test_encode_rejects(void **state)
{
	char out[64];
	char *tab[] = { "sh\tow" };
	char *empty[] = { "" };
	char *longw[] = {
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	};

	(void)state;
	assert_int_equal(msg_encode(false, 1, tab, out, sizeof(out)), -1);
	assert_int_equal(msg_encode(false, 1, empty, out, sizeof(out)), -1);
	assert_int_equal(msg_encode(false, 1, longw, out, sizeof(out)), -1);
	assert_int_equal(msg_encode(false, 0, tab, out, sizeof(out)), -1);
}

static void test_reply(void **state)
{
	const char *body;
	size_t len;

	(void)state;
	assert_int_equal(msg_reply("OK\nabc", 6, &body, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(body, "abc", 3);
	assert_int_equal(msg_reply("ERR no such route\n", 18, &body, &len), 1);
	assert_int_equal(len, 13);
	assert_memory_equal(body, "no such route", 13);
	assert_int_equal(msg_reply("OK", 2, &body, &len), -1);
	assert_int_equal(msg_reply("HELLO\n", 6, &body, &len), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_incomplete_and_spaces),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_many_words),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_reply),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
