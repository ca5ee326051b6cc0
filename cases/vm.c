// SPDX-License-Identifier: MIT
/*
 * The lab's VM (harness/src/vm/vm.h), driven from this host as a user does:
 * MCLAB_VM=always really runs in the guest (uname -r there is our
 * kernel's, read from qemu/out/bzImage-vm's header, and not this host's)
 * and a suite passes there with its closing line intact; exit status,
 * stdout and stderr come back; a hung command is killed at its deadline
 * with the guest's last console lines; SIGTERM and Ctrl-C leave no qemu
 * behind; and the long-lived VM of "mclab up" runs the lab commands and
 * goes with the last "down".  The VM has no network device, so it makes no
 * tap: what could be left behind is its qemu and its state folder.
 *
 * ci/run-tests keeps this suite on the host, as it does cases/qemu.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"
#include "deadline.h"
#include "node.h"
#include "preflight.h"
#include "vm.h"

#define GROUP "225.1.2.3"

struct vfx {
	char skip[2048], fail[1024];
	char mclab[PATH_MAX + 8], cases[PATH_MAX], top[PATH_MAX];
	char kernel_release[128], host_release[128];
	char uniq[PATH_MAX]; /* a --rw folder only this run's VMs have */
};

static struct vfx V;

/* The release in a bzImage's setup header (boot protocol 2.00+). */
static int bzimage_release(const char *path, char *out, size_t len)
{
	unsigned char hdr[0x210];
	char ver[128];
	unsigned int off;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
	    !memcmp(hdr + 0x202, "HdrS", 4)) {
		off = (unsigned int)(hdr[0x20e] | hdr[0x20f] << 8) + 0x200;
		if (pread(fd, ver, sizeof(ver) - 1, off) > 0) {
			ver[sizeof(ver) - 1] = '\0';
			ver[strcspn(ver, " ")] = '\0';
			snprintf(out, len, "%s", ver);
			ok = 0;
		}
	}
	close(fd);
	return ok;
}

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int setup(void **state)
{
	char exe[PATH_MAX], err[512], miss[512];
	struct vm_opts o = { 0 };
	struct utsname u;
	struct pf_report r;
	const char *kernel, *top;
	ssize_t n;
	bool need_vm;

	*state = &V;
	memset(&V, 0, sizeof(V));
	{
		struct fx f;

		if (fx_needs(&f, NODE_CAP_HOST_FS,
			     "the lab's VM is booted from this host")) {
			snprintf(V.skip, sizeof(V.skip), "%s", f.skip);
			return 0;
		}
	}
	need_vm = preflight_running(false, &r);
	if (getenv("MCLAB_IN_VM")) {
		snprintf(V.skip, sizeof(V.skip),
			 "already in the lab's VM: this suite boots it");
		return 0;
	}
	if (geteuid() != 0) {
		snprintf(V.skip, sizeof(V.skip),
			 "the lab's VM needs root (it shares / over 9p)");
		return 0;
	}
	if (uname(&u) < 0 || strcmp(u.machine, "x86_64")) {
		snprintf(V.skip, sizeof(V.skip), "the lab's VM is x86_64");
		return 0;
	}
	snprintf(V.host_release, sizeof(V.host_release), "%s", u.release);
	top = vm_top();
	kernel = vm_kernel(&o, err, sizeof(err));
	if (!top || !kernel) {
		/* on a host that needs the VM its absence is a failure */
		snprintf(need_vm ? V.fail : V.skip, sizeof(V.fail), "%s",
			 top ? err : "no source tree found (MCLAB_TOP)");
		if (need_vm)
			snprintf(V.skip, sizeof(V.skip),
				 "%s; this kernel lacks %s", V.fail,
				 preflight_missing_str(&r, miss, sizeof(miss)));
		return 0;
	}
	snprintf(V.top, sizeof(V.top), "%s", top);
	if (bzimage_release(kernel, V.kernel_release,
			    sizeof(V.kernel_release)) < 0) {
		snprintf(V.fail, sizeof(V.fail), "%s: no bzImage header",
			 kernel);
		snprintf(V.skip, sizeof(V.skip), "%s", V.fail);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0'; /* BUILD/cases */
	snprintf(V.cases, sizeof(V.cases), "%s", exe);
	*strrchr(exe, '/') = '\0'; /* BUILD */
	snprintf(V.mclab, sizeof(V.mclab), "%s/mclab", exe);
	snprintf(V.uniq, sizeof(V.uniq), "/tmp/mclab-vmcase.XXXXXX");
	if (!mkdtemp(V.uniq))
		return -1;
	setenv("MCLAB_VM", "always", 1);
	return 0;
}

static int teardown(void **state)
{
	struct vfx *v = *state;
	char cmd[PATH_MAX + 16];

	if (v->uniq[0] && v->uniq[0] != 'X') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", v->uniq);
		if (system(cmd) != 0)
			print_message("# could not remove %s\n", v->uniq);
	}
	unsetenv("MCLAB_VM");
	return 0;
}

/* FX_CHECK (common.h) works on this struct: it has skip and fail */

static void show(const char *what, const struct node_result *r)
{
	print_message("# %s: exit %d%s\n# stdout: %.2000s\n# stderr: %.2000s\n",
		      what, r->exit_code, r->timed_out ? " (timed out)" : "",
		      r->out ? r->out : "", r->err ? r->err : "");
}

/* mclab vm run --timeout SEC [--rw v->uniq] -- sh -c CMD, collected */
static void vm_run(struct vfx *v, struct node_result *r, const char *secs,
		   bool rw, const char *cmd)
{
	const char *argv[12] = { v->mclab, "vm", "run", "--timeout", secs };
	int n = 5;

	if (rw) {
		argv[n++] = "--rw";
		argv[n++] = v->uniq;
	}
	argv[n++] = "--";
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = cmd;
	argv[n] = NULL;
	assert_int_equal(host_exec(argv, 320000, r), 0);
	show(cmd, r);
}

/* Does a process with needle in its command line exist? (pid out) */
static bool proc_with(const char *needle, pid_t *pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char path[300], buf[8192];
		ssize_t n;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[n] = '\0';
		if (strstr(buf, needle)) {
			found = true;
			if (pid)
				*pid = (pid_t)atoi(e->d_name);
		}
	}
	closedir(d);
	return found;
}

/* A qemu-system-x86_64 whose shares include v->uniq. */
static bool our_qemu(const char *uniq, pid_t *pid)
{
	char needle[PATH_MAX + 16];

	snprintf(needle, sizeof(needle), "path=%s,", uniq);
	return proc_with(needle, pid);
}

static bool no_qemu(void *arg)
{
	return !our_qemu(arg, NULL);
}

static void test_always_runs_in_guest(void **state)
{
	struct vfx *v = *state;
	struct node_result r;

	FX_CHECK(v);
	vm_run(v, &r, "300", false, "uname -r");
	assert_int_equal(r.exit_code, 0);
	chomp(r.out);
	print_message("# host %s, guest %s, bzImage-vm %s\n", v->host_release,
		      r.out, v->kernel_release);
	assert_string_equal(r.out, v->kernel_release);
	assert_string_not_equal(r.out, v->host_release);
	node_result_free(&r);
}

static void test_suite_passes_in_guest(void **state)
{
	struct vfx *v = *state;
	struct node_result r;
	char run_tests[PATH_MAX + 16], results[PATH_MAX + 16],
		suite[PATH_MAX + 16], kfile[PATH_MAX + 64], rel[128] = "";
	const char *line;
	unsigned int passed = 0, failed = 1, skipped = 1;
	const char *res = getenv("MCLAB_RESULTS");
	FILE *f;

	FX_CHECK(v);
	snprintf(run_tests, sizeof(run_tests), "%s/ci/run-tests", v->top);
	snprintf(results, sizeof(results), "%s/vm-case", res ? res : "results");
	snprintf(suite, sizeof(suite), "%s/mgroup", v->cases);
	{
		/* ROUTER and SANITIZE of an outer run are not this case's */
		const char *argv[] = { "env",	  "-u",
				       "ROUTER",  "MCLAB_VM=always",
				       run_tests, "--results",
				       results,	  "--",
				       suite,	  NULL };

		assert_int_equal(host_exec(argv, 900000, &r), 0);
	}
	show("MCLAB_VM=always ci/run-tests -- cases/mgroup", &r);
	assert_int_equal(r.exit_code, 0);
	/* the closing line (the last "N passed, N failed, N skipped"),
	 * unchanged from the guest's */
	for (line = r.out; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		unsigned int p, fl, sk;

		if (sscanf(line, "%u passed, %u failed, %u skipped", &p, &fl,
			   &sk) == 3) {
			passed = p;
			failed = fl;
			skipped = sk;
		}
	}
	assert_true(passed > 0);
	assert_int_equal(failed, 0);
	assert_int_equal(skipped, 0);
	/* the guest's run wrote the kernel it ran on */
	snprintf(kfile, sizeof(kfile), "%s/latest/kernel.vm", results);
	f = fopen(kfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(rel, sizeof(rel), f));
	fclose(f);
	chomp(rel);
	print_message("# suite ran on %s (host %s)\n", rel, v->host_release);
	assert_string_equal(rel, v->kernel_release);
	assert_string_not_equal(rel, v->host_release);
	node_result_free(&r);
}

static void test_status_and_output_come_back(void **state)
{
	struct vfx *v = *state;
	struct node_result r;

	FX_CHECK(v);
	vm_run(v, &r, "300", false,
	       "echo to-stdout; echo to-stderr >&2; exit 7");
	assert_int_equal(r.exit_code, 7);
	assert_non_null(strstr(r.out, "to-stdout"));
	assert_null(strstr(r.out, "to-stderr"));
	assert_non_null(strstr(r.err, "to-stderr"));
	node_result_free(&r);
}

static void test_hung_vm_killed_at_deadline(void **state)
{
	struct vfx *v = *state;
	struct node_result r;
	uint64_t t0 = mono_ns();

	FX_CHECK(v);
	vm_run(v, &r, "10", true,
	       "echo hung-here >/dev/console; exec sleep 3600");
	print_message("# ended after %.1f s\n", (double)(mono_ns() - t0) / 1e9);
	assert_false(r.timed_out); /* mclab's own deadline, not ours */
	assert_int_equal(r.exit_code, 124);
	/* the guest's last console lines, with what the command wrote */
	assert_non_null(strstr(r.err, "hung-here"));
	assert_false(our_qemu(v->uniq, NULL));
	node_result_free(&r);
}

static bool path_exists(void *arg)
{
	return access(arg, F_OK) == 0;
}

/* run "mclab vm run" in the background, signal it once its command runs */
static void signal_leaves_nothing(struct vfx *v, int sig, bool group)
{
	char started[PATH_MAX + 16], cmd[2 * PATH_MAX];
	int code = -1;
	pid_t pid, qemu = 0;

	FX_CHECK(v);
	snprintf(started, sizeof(started), "%s/started-%d", v->uniq, sig);
	snprintf(cmd, sizeof(cmd), "touch %s; exec sleep 3600", started);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		dup2(null, 0);
		dup2(null, 1);
		execl(v->mclab, v->mclab, "vm", "run", "--timeout", "600",
		      "--rw", v->uniq, "--", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	if (!wait_until(path_exists, started, 180000, 20)) {
		kill(pid, SIGKILL);
		proc_wait(pid, 5000, &code);
		fail_msg("the guest's command did not start in time");
	}
	assert_true(our_qemu(v->uniq, &qemu));
	print_message("# %s to %s %d (qemu %d)\n", strsignal(sig),
		      group ? "the process group of" : "mclab", (int)pid,
		      (int)qemu);
	assert_int_equal(kill(group ? -pid : pid, sig), 0);
	assert_int_equal(proc_wait(pid, 60000, &code), 0);
	print_message("# mclab exited %d\n", code);
	assert_int_equal(code, 128 + sig);
	/* qemu is gone with it (bounded: it is reaped by the keeper) */
	assert_true(wait_until(no_qemu, v->uniq, 10000, 20));
	assert_int_not_equal(kill(qemu, 0), 0);
	unlink(started);
}

static void test_sigterm_leaves_nothing(void **state)
{
	signal_leaves_nothing(*state, SIGTERM, false);
}

static void test_ctrl_c_leaves_nothing(void **state)
{
	signal_leaves_nothing(*state, SIGINT, true);
}

/* mclab [--lab ID] ARGS... (NULL-terminated): forwarded into the VM */
static int lab(struct vfx *v, struct node_result *r, const char *lab_id, ...)
{
	const char *argv[16] = { v->mclab };
	const char *a;
	int n = 1;
	va_list ap;

	if (lab_id) {
		argv[n++] = "--lab";
		argv[n++] = lab_id;
	}
	va_start(ap, lab_id);
	while ((a = va_arg(ap, const char *)) && n < 15)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return host_exec(argv, 300000, r);
}

static bool has_line(void *arg)
{
	const char **a = arg;
	char buf[4096] = "";
	FILE *f = fopen(a[0], "r");
	bool yes;

	if (!f)
		return false;
	yes = fread(buf, 1, sizeof(buf) - 1, f) > 0 && strstr(buf, a[1]);
	fclose(f);
	return yes;
}

static void test_lab_in_long_lived_vm(void **state)
{
	struct vfx *v = *state;
	struct node_result r;
	char conf[PATH_MAX + 16], id[64] = "", joinlog[PATH_MAX + 16];
	char link[PATH_MAX], vmdir[PATH_MAX] = "";
	bool had_vm;
	int code = -1;
	pid_t join;
	FILE *f;

	FX_CHECK(v);
	had_vm = readlink(VM_LAB_LINK, link, sizeof(link) - 1) > 0;
	/* A config in /tmp, which the guest has of its own: the up that
	 * starts the VM shares its folder.  A VM already up (another run's
	 * lab) would refuse it, so then it goes into the results. */
	if (had_vm)
		snprintf(conf, sizeof(conf), "%s/vm-router.conf",
			 getenv("MCLAB_RESULTS") ? getenv("MCLAB_RESULTS") :
						   "results");
	else
		snprintf(conf, sizeof(conf), "%s/router.conf", v->uniq);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
		"mgroup from wlan0 group %s\n"
		"mroute from wlan0 group %s to usb0\n",
		GROUP, GROUP);
	fclose(f);
	assert_int_equal(lab(v, &r, NULL, "up", "pi-router", "--router",
			     "mcrouted", "--config", conf, NULL),
			 0);
	show("mclab up pi-router --config FILE", &r);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(sscanf(r.out, "lab %63s up", id), 1);
	node_result_free(&r);
	{
		ssize_t n = readlink(VM_LAB_LINK, vmdir, sizeof(vmdir) - 1);

		assert_true(n > 0);
		vmdir[n] = '\0';
	}
	assert_int_equal(
		lab(v, &r, id, "exec", "rtr", "--", "uname", "-r", NULL), 0);
	chomp(r.out);
	assert_string_equal(r.out, v->kernel_release);
	node_result_free(&r);

	/* a receiver behind usb0, then TTL 10 from snd across the router */
	snprintf(joinlog, sizeof(joinlog), "%s/join.log", v->uniq);
	join = fork();
	assert_true(join >= 0);
	if (join == 0) {
		int fd = open(joinlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(v->mclab, v->mclab, "--lab", id, "join", "rcv", GROUP,
		      "--port", "5000", "--count", "5", "--time", "120",
		      (char *)NULL);
		_exit(127);
	}
	{
		const char *a[] = { joinlog, "joined" };

		assert_true(wait_until(has_line, a, 60000, 20));
	}
	assert_int_equal(lab(v, &r, id, "send", "snd", GROUP, "--ttl", "10",
			     "--count", "5", "--port", "5000", NULL),
			 0);
	show("mclab send snd --ttl 10 --count 5", &r);
	assert_int_equal(r.exit_code, 0);
	node_result_free(&r);
	{
		/* the receiver stops at 5 (or its --time) and says so */
		const char *a[] = { joinlog, "received" };
		char buf[1024] = "", *at;
		unsigned long got = 0;

		assert_true(wait_until(has_line, a, 120000, 20));
		assert_int_equal(proc_wait(join, 10000, &code), 0);
		f = fopen(joinlog, "r");
		assert_non_null(f);
		if (!fread(buf, 1, sizeof(buf) - 1, f))
			buf[0] = '\0';
		fclose(f);
		print_message("# %s", buf);
		at = strstr(buf, "received ");
		assert_non_null(at);
		got = strtoul(at + 9, NULL, 10);
		assert_true(got >= 5);
		assert_non_null(strstr(buf, "TTL 9..9"));
	}
	assert_int_equal(lab(v, &r, id, "status", NULL), 0);
	show("mclab status", &r);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "wlan0"));
	node_result_free(&r);
	assert_int_equal(lab(v, &r, id, "down", NULL), 0);
	assert_int_equal(r.exit_code, 0);
	node_result_free(&r);
	/* the last lab's down stops a VM this case started */
	if (!had_vm) {
		assert_false(vm_alive(vmdir));
		assert_int_equal(access(VM_LAB_LINK, F_OK), -1);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_always_runs_in_guest),
		cmocka_unit_test(test_suite_passes_in_guest),
		cmocka_unit_test(test_status_and_output_come_back),
		cmocka_unit_test(test_hung_vm_killed_at_deadline),
		cmocka_unit_test(test_sigterm_leaves_nothing),
		cmocka_unit_test(test_ctrl_c_leaves_nothing),
		cmocka_unit_test(test_lab_in_long_lived_vm),
	};

	return cmocka_run_group_tests_name("vm", t, setup, teardown);
}
