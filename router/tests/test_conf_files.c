// SPDX-License-Identifier: MIT
/*
 * Unit tests for the config parser's include: globs, relative folders,
 * loops, depth, unreadable files (through the in-memory conf_io), and
 * conf_load() on the real file system.
 */
#include <sys/stat.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_fixture.h"

static void test_include_glob(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/mcrouted.conf",
		  "phyint eth0\n"
		  "include mcrouted.d/*.conf\n"
		  "mroute from eth0 group 225.1.1.1 to eth1\n" },
		{ "/etc/mcrouted.d/10-b.conf", "phyint eth2 # b\n" },
		{ "/etc/mcrouted.d/02-a.conf",
		  "\n\nphyint eth1\ninclude sub/x.conf\n" },
		{ "/etc/mcrouted.d/sub/x.conf", "phyint eth9\n" },
		{ "/etc/mcrouted.d/readme.txt", "garbage\n" },
		{ "/etc/other.conf", "conntrack-flush off\n" },
	};
	struct conf c;

	(void)state;
	SET_FS(files);
	ok(&c, "include /etc/mcrouted.conf\ninclude /etc/other.conf\n"
	       "include /etc/none/*.conf # nothing matches: fine\n");
	assert_int_equal(c.n_phyints, 4);
	assert_string_equal(c.phyints[0].ifname, "eth0");
	assert_string_equal(c.phyints[1].ifname, "eth1");
	assert_string_equal(c.phyints[1].loc.file, "/etc/mcrouted.d/02-a.conf");
	assert_int_equal(c.phyints[1].loc.line, 3);
	assert_string_equal(c.phyints[2].ifname, "eth9");
	assert_string_equal(c.phyints[2].loc.file,
			    "/etc/mcrouted.d/sub/x.conf");
	assert_string_equal(c.phyints[3].ifname, "eth2");
	assert_int_equal(c.n_mroutes, 1);
	assert_string_equal(c.mroutes[0].loc.file, "/etc/mcrouted.conf");
	assert_int_equal(c.mroutes[0].loc.line, 3);
	assert_false(c.conntrack_flush);
	assert_int_equal(c.n_files, 6);
	assert_string_equal(c.files[0], "test.conf");
	/* loc.file points into files[] */
	for (size_t i = 0; i < c.n_phyints; i++) {
		bool found = false;

		for (size_t j = 0; j < c.n_files; j++)
			found |= c.phyints[i].loc.file == c.files[j];
		assert_true(found);
	}
	conf_free(&c);
}

static void test_include_relative(void **state)
{
	static const struct memfile files[] = {
		{ "main.conf", "include conf.d/*.conf\n" },
		{ "conf.d/a.conf", "include ../more.conf\n" },
		{ "more.conf", "phyint more0\n" },
		{ "/etc/we[ir]d/x.conf", "phyint weird0\n" },
		{ "/etc/wei/x.conf", "phyint wrong0\n" },
		{ "/etc/twice.conf", "phyint twice0\n" },
	};
	struct conf_error err;
	struct conf c;

	(void)state;
	SET_FS(files);
	/* no folder in the name: relative to the current folder */
	ok(&c, "include main.conf\n");
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].loc.file, "conf.d/../more.conf");
	conf_free(&c);

	/* the folder of the including file is escaped for glob */
	assert_int_equal(parse_named(&c, "/etc/we[ir]d/main.conf",
				     "include x.conf\n", &err),
			 0);
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].ifname, "weird0");
	conf_free(&c);

	/* the same file twice, not nested, is no loop */
	assert_int_equal(parse_named(&c, "/etc/main.conf",
				     "include twice.conf\ninclude twice.conf\n",
				     &err),
			 0);
	assert_int_equal(c.n_phyints, 1);
	assert_int_equal(c.phyints[0].loc.line, 1);
	assert_int_equal(c.n_files, 2); /* names are kept once */
	conf_free(&c);
}

static void test_include_errors(void **state)
{
	static const struct memfile files[] = {
		{ "/etc/self.conf", "phyint eth0\ninclude self.conf\n" },
		{ "/etc/dot.conf", "include ./dot.conf\n" },
		{ "/etc/a.conf", "include b.conf\n" },
		{ "/etc/b.conf", "\n  include /etc/a.conf\n" },
		{ "/etc/bad.conf",
		  "phyint eth0\nmroute from eth0 group 225.1.1.1\n" },
		{ "/etc/secret.conf", NULL },
		{ "/etc/d1.conf", "include d2.conf" },
		{ "/etc/d2.conf", "include d3.conf" },
		{ "/etc/d3.conf", "include d4.conf" },
		{ "/etc/d4.conf", "include d5.conf" },
		{ "/etc/d5.conf", "include d6.conf" },
		{ "/etc/d6.conf", "include d7.conf" },
		{ "/etc/d7.conf", "include d8.conf" },
		{ "/etc/d8.conf", "include d9.conf" },
		{ "/etc/d9.conf", "phyint deep0" },
		{ "/etc/star.conf", "include *.conf\n" },
	};
	struct conf_error err;
	struct conf c;
	char msg[CONF_ERR_MAX];

	(void)state;
	SET_FS(files);
	fails("include",
	      "test.conf:1:1: include: expected a file name or glob pattern");
	fails("include a.conf b.conf",
	      "test.conf:1:16: unexpected 'b.conf' after the include pattern");
	fails_named(
		"/etc/main.conf", "\n include nope.conf",
		"/etc/main.conf:2:10: cannot include '/etc/nope.conf': No such file or directory");
	fails_named(
		"/etc/main.conf", "include /nope/x\\*.conf",
		"/etc/main.conf:1:9: cannot include '/nope/x\\*.conf': No such file or directory");
	fails_named(
		"/etc/main.conf", "include secret.conf",
		"/etc/main.conf:1:9: cannot read '/etc/secret.conf': Permission denied");
	fails_named(
		"/etc/main.conf", "include glob-fails/*.conf",
		"/etc/main.conf:1:9: cannot expand '/etc/glob-fails/*.conf': Permission denied");
	fails_named(
		"/etc/self.conf", "include self.conf",
		"/etc/self.conf:1:9: include loop: '/etc/self.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include self.conf",
		"/etc/self.conf:2:9: include loop: '/etc/self.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include dot.conf",
		"/etc/dot.conf:1:9: include loop: '/etc/./dot.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include a.conf",
		"/etc/b.conf:2:11: include loop: '/etc/a.conf' is already being read");
	fails_named(
		"/etc/main.conf", "include star.conf",
		"/etc/b.conf:2:11: include loop: '/etc/a.conf' is already being read");
	fails_named("/etc/main.conf", "include bad.conf",
		    "/etc/bad.conf:2:1: mroute: missing 'to OIF [OIF ...]'");

	/* depth: main -> d2 .. d9 is 8 levels, fine; d1 makes it 9 */
	assert_int_equal(
		parse_named(&c, "/etc/main.conf", "include d2.conf", &err), 0);
	assert_int_equal(c.n_phyints, 1);
	assert_string_equal(c.phyints[0].loc.file, "/etc/d9.conf");
	conf_free(&c);
	snprintf(
		msg, sizeof(msg),
		"/etc/d8.conf:1:9: include nested too deeply (more than %d levels) at '/etc/d9.conf'",
		CONF_MAX_INCLUDE_DEPTH);
	fails_named("/etc/main.conf", "include d1.conf", msg);

	/* long and odd file names are cut from the left and escaped */
	{
		char name[400], dd[108], want[CONF_ERR_MAX];

		memset(name, 'd', sizeof(name));
		memcpy(name + sizeof(name) - 11,
		       "/\x01"
		       "bad.conf",
		       11);
		memset(dd, 'd', 107);
		dd[107] = '\0';
		/* 120 bytes once escaped: 107 + 1 + 4 + 8 */
		snprintf(
			want, sizeof(want),
			"...%s/\\x01bad.conf:1:1: unknown directive 'x' " DIRECTIVES,
			dd);
		fails_named(name, "x", want);
	}

	/* no io: include refused */
	conf_init(&c);
	assert_int_equal(conf_parse(&c, "x.conf", "include y", 9, NULL, &err),
			 -1);
	assert_string_equal(
		err.msg,
		"x.conf:1:1: include is not possible here (no file access)");
	conf_free(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_conf_load(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX", path[256], sub[256], msg[600];
	struct conf_error err;
	struct conf c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/conf.d", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/conf.d/20-b.conf", dir);
	write_file(path, "phyint eth2\n");
	snprintf(path, sizeof(path), "%s/conf.d/10-a.conf", dir);
	write_file(path, "phyint eth1\n");
	snprintf(path, sizeof(path), "%s/conf.d/notes.txt", dir);
	write_file(path, "junk\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	write_file(path, "phyint eth0\ninclude conf.d/*.conf\n"
			 "include conf.d/none-*.conf\n"
			 "mroute from eth0 group 225.1.1.1 to eth1 eth2\n");

	conf_init(&c);
	if (conf_load(&c, path, &err))
		print_error("%s\n", err.msg);
	assert_int_equal(c.n_phyints, 3);
	assert_string_equal(c.phyints[1].ifname, "eth1");
	assert_string_equal(c.phyints[2].ifname, "eth2");
	snprintf(msg, sizeof(msg), "%s/conf.d/20-b.conf", dir);
	assert_string_equal(c.phyints[2].loc.file, msg);
	assert_int_equal(c.n_mroutes, 1);
	conf_free(&c);

	/* a folder is not a file */
	snprintf(path, sizeof(path), "%s/dir.conf", dir);
	write_file(path, "include conf.d\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(msg, sizeof(msg),
		 "%s:1:9: cannot read '%s/conf.d': Is a directory", path, dir);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	/* a missing file, top level and included */
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(msg, sizeof(msg),
		 "%s:0:0: cannot read: No such file or directory", path);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	snprintf(path, sizeof(path), "%s/inc.conf", dir);
	write_file(path, "include missing.conf\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(
		msg, sizeof(msg),
		"%s:1:9: cannot include '%s/missing.conf': No such file or directory",
		path, dir);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	/* loop through the real file system */
	snprintf(path, sizeof(path), "%s/loop.conf", dir);
	write_file(path, "include loop.conf\n");
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, &err), -1);
	snprintf(msg, sizeof(msg),
		 "%s:1:9: include loop: '%s' is already being read", path,
		 path);
	assert_string_equal(err.msg, msg);
	conf_free(&c);

	snprintf(msg, sizeof(msg), "rm -rf '%s'", dir);
	assert_int_equal(system(msg), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_include_glob),
	cmocka_unit_test(test_include_relative),
	cmocka_unit_test(test_include_errors),
	cmocka_unit_test(test_conf_load),
};

int main(void)
{
	return cmocka_run_group_tests_name("conf_files", tests, NULL, NULL);
}
