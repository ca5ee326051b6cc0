// SPDX-License-Identifier: MIT
/*
 * The registry of what this process created: namespaces and processes,
 * removed and killed when their lab goes down, at exit and on SIGINT,
 * SIGTERM and SIGHUP.  Fixed arrays, so the signal handler can walk them
 * safely.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "lab_int.h"

#define REG_MAX_NS 512
#define REG_MAX_PID 512

struct reg_ns {
	volatile sig_atomic_t used;
	pid_t owner;
	char path[LAB_NS_PATH_MAX];
};

struct reg_pid {
	volatile sig_atomic_t used;
	pid_t owner;
	pid_t pid;
	const struct lab *lab;
};

static struct reg_ns reg_ns[REG_MAX_NS];
static struct reg_pid reg_pid[REG_MAX_PID];
static bool reg_installed;

void lab_ns_remove_path(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* Kill a process (its process group too) and reap it: async-signal-safe. */
static void reg_kill(struct reg_pid *p)
{
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->used = 0;
}

/* Async-signal-safe: kill(), waitpid(), umount2(), unlink() only. */
static void reg_cleanup_all(void)
{
	pid_t self = getpid();
	int i;

	for (i = 0; i < REG_MAX_PID; i++) {
		if (reg_pid[i].used && reg_pid[i].owner == self)
			reg_kill(&reg_pid[i]);
	}
	for (i = 0; i < REG_MAX_NS; i++) {
		if (!reg_ns[i].used || reg_ns[i].owner != self)
			continue;
		lab_ns_remove_path(reg_ns[i].path);
		reg_ns[i].used = 0;
	}
}

static void reg_signal(int sig)
{
	reg_cleanup_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void lab_reg_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	if (reg_installed)
		return;
	reg_installed = true;
	atexit(reg_cleanup_all);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reg_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* leave an ignored signal ignored (nohup) */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void lab_reg_add_ns(const char *path)
{
	int i;

	lab_reg_install();
	for (i = 0; i < REG_MAX_NS; i++) {
		if (reg_ns[i].used)
			continue;
		snprintf(reg_ns[i].path, sizeof(reg_ns[i].path), "%s", path);
		reg_ns[i].owner = getpid();
		reg_ns[i].used = 1;
		return;
	}
}

void lab_reg_del_ns(const char *path)
{
	int i;

	for (i = 0; i < REG_MAX_NS; i++)
		if (reg_ns[i].used && !strcmp(reg_ns[i].path, path))
			reg_ns[i].used = 0;
}

void lab_track_pid(struct lab *lab, pid_t pid)
{
	int i;

	lab_reg_install();
	for (i = 0; i < REG_MAX_PID; i++) {
		if (reg_pid[i].used)
			continue;
		reg_pid[i].pid = pid;
		reg_pid[i].lab = lab;
		reg_pid[i].owner = getpid();
		reg_pid[i].used = 1;
		return;
	}
}

void lab_untrack_pid(pid_t pid)
{
	int i;

	for (i = 0; i < REG_MAX_PID; i++)
		if (reg_pid[i].used && reg_pid[i].pid == pid &&
		    reg_pid[i].owner == getpid())
			reg_pid[i].used = 0;
}

void lab_reg_kill_procs(const struct lab *lab)
{
	int i;

	for (i = 0; i < REG_MAX_PID; i++)
		if (reg_pid[i].used && reg_pid[i].lab == lab &&
		    reg_pid[i].owner == getpid())
			reg_kill(&reg_pid[i]);
}
