// SPDX-License-Identifier: MIT
/*
 * Rootless: a user + net + mount namespace where the caller is root.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

static bool rootless;

bool mclab_rootless(void)
{
	return rootless;
}

/* Why unshare(CLONE_NEWUSER) failed with errno: the sysctl that says no. */
static const char *why_disabled(void)
{
	static const struct {
		const char *path;
		int no; /* the value that forbids it */
		const char *why;
	} knobs[] = {
		{ "/proc/sys/kernel/unprivileged_userns_clone", 0,
		  "kernel.unprivileged_userns_clone=0 (sysctl -w kernel.unprivileged_userns_clone=1, or run as root)" },
		{ "/proc/sys/user/max_user_namespaces", 0,
		  "user.max_user_namespaces=0 (raise it, or run as root)" },
		{ "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1,
		  "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1), run as root" },
	};
	static char buf[160];
	int e = errno;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		FILE *f = fopen(knobs[i].path, "re");
		int v = -1;

		if (!f)
			continue;
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
		if (v == knobs[i].no)
			return knobs[i].why;
	}
	snprintf(buf, sizeof(buf), "%s (run as root)", strerror(e));
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
	if (mclab_write_file("/proc/self/uid_map", map) < 0)
		goto fail;
	if (mclab_write_file("/proc/self/setgroups", "deny") < 0 &&
	    errno != ENOENT)
		goto fail;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
	if (mclab_write_file("/proc/self/gid_map", map) < 0)
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
