// SPDX-License-Identifier: MIT
/*
 * lab_sweep(): what runs that died (a crash, SIGKILL) left behind, their
 * namespaces, the processes still in them and their state files.  Only
 * names "mcl-<pid>-..." whose pid is gone are touched.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "lab_int.h"

/* "mcl-<pid>-..." -> pid, or 0 when the name is not ours */
static pid_t ns_owner(const char *name)
{
	const char *p = name + strlen(LAB_PREFIX);
	char *end;
	long v;

	if (strncmp(name, LAB_PREFIX, strlen(LAB_PREFIX)))
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || end == p || (*end != '-' && *end != '.' && *end) ||
	    v <= 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* Kill the processes whose network namespace is the one at path. */
static void kill_ns_procs(const char *path)
{
	struct stat ns, st;
	DIR *d;
	struct dirent *de;

	if (stat(path, &ns) < 0)
		return;
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[64];
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
		if (stat(p, &st) == 0 && st.st_ino == ns.st_ino &&
		    st.st_dev == ns.st_dev) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, WNOHANG);
		}
	}
	closedir(d);
}

int lab_sweep(bool verbose)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;
	int removed = 0;

	if (d) {
		while ((de = readdir(d))) {
			pid_t owner = ns_owner(de->d_name);
			char path[sizeof(NETNS_RUN_DIR) + 256 + 2];

			if (!owner || owner == getpid() || pid_alive(owner))
				continue;
			snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s",
				 de->d_name);
			kill_ns_procs(path);
			lab_ns_remove_path(path);
			removed++;
			if (verbose)
				printf("removed namespace %s (owner %d is gone)\n",
				       de->d_name, (int)owner);
		}
		closedir(d);
	}
	d = opendir(LAB_STATE_DIR);
	if (d) {
		while ((de = readdir(d))) {
			pid_t owner = ns_owner(de->d_name);
			char path[sizeof(LAB_STATE_DIR) + 256 + 2];

			if (!owner || pid_alive(owner))
				continue;
			snprintf(path, sizeof(path), LAB_STATE_DIR "/%s",
				 de->d_name);
			if (unlink(path) == 0 && verbose)
				printf("removed state file %s\n", path);
		}
		closedir(d);
	}
	return removed;
}
