// SPDX-License-Identifier: MIT
/*
 * Privilege drop: become USER[:GROUP] and keep only the capabilities
 * multicast routing needs (CAP_NET_ADMIN for MRT_*, CAP_NET_RAW for the
 * raw IGMP/ICMPv6 sockets).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "daemon.h"

int drop_privs(const char *spec, char *err, size_t errlen)
{
	char user[64], *colon;
	const char *group = NULL;
	struct passwd *pw;
	gid_t gid;
	cap_value_t keep[] = { CAP_NET_ADMIN, CAP_NET_RAW };
	cap_t caps;
	int rc;

	snprintf(user, sizeof(user), "%s", spec);
	colon = strchr(user, ':');
	if (colon) {
		*colon = '\0';
		group = colon + 1;
	}
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "no such user: %s", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			snprintf(err, errlen, "no such group: %s", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0 ||
	    setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		snprintf(err, errlen, "cannot become %s: %s", spec,
			 strerror(errno));
		return -1;
	}
	caps = cap_init();
	if (!caps) {
		snprintf(err, errlen, "cap_init: %s", strerror(errno));
		return -1;
	}
	rc = cap_set_flag(caps, CAP_PERMITTED, 2, keep, CAP_SET) ||
	     cap_set_flag(caps, CAP_EFFECTIVE, 2, keep, CAP_SET) ||
	     cap_set_proc(caps);
	cap_free(caps);
	prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
	if (rc) {
		snprintf(err, errlen, "cannot keep capabilities: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}
