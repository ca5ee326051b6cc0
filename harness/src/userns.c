// SPDX-License-Identifier: MIT
/*
 * Rootless: a user + net + mount namespace where the caller is root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "userns.h"

static bool rootless;

bool mclab_rootless(void)
{
	return rootless;
}

static int write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static const char *why_disabled(void)
{
	static char buf[160];
	FILE *f;
	int v = -1;

	f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "re");
	if (f) {
		if (fscanf(f, "%d", &v) == 1 && v == 0) {
			fclose(f);
			return "kernel.unprivileged_userns_clone=0 (sysctl -w kernel.unprivileged_userns_clone=1, or run as root)";
		}
		fclose(f);
	}
	f = fopen("/proc/sys/user/max_user_namespaces", "re");
	if (f) {
		if (fscanf(f, "%d", &v) == 1 && v == 0) {
			fclose(f);
			return "user.max_user_namespaces=0 (raise it, or run as root)";
		}
		fclose(f);
	}
	f = fopen("/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
		  "re");
	if (f) {
		if (fscanf(f, "%d", &v) == 1 && v == 1) {
			fclose(f);
			return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1), run as root";
		}
		fclose(f);
	}
	snprintf(buf, sizeof(buf), "%s (run as root)", strerror(errno));
	return buf;
}

/*
 * A private tmpfs on /run (this mount namespace only) with netns/ and
 * mclab/ in it: the user cannot write the real /run.
 */
static int private_run(void)
{
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") <
	    0)
		return -1;
	if (mkdir("/run/netns", 0755) < 0 && errno != EEXIST)
		return -1;
	if (mkdir("/run/mclab", 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int mclab_become_root(char *err, size_t errlen)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (geteuid() == 0)
		return 0;
	/* after a setuid() from root the process is not dumpable, and its
	 * /proc/self/uid_map not writable by itself */
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) < 0) {
		snprintf(err, errlen,
			 "not root and user namespaces disabled: %s",
			 why_disabled());
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)uid);
	if (write_proc("/proc/self/uid_map", map) < 0)
		goto fail;
	if (write_proc("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		goto fail;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
	if (write_proc("/proc/self/gid_map", map) < 0)
		goto fail;
	if (mount("", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	if (private_run() < 0)
		goto fail;
	rootless = true;
	return 0;
fail:
	snprintf(err, errlen, "rootless setup failed: %s", strerror(errno));
	return -1;
}
