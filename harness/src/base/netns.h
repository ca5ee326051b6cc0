/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving named network namespaces (/run/netns/NAME, the ones
 * "ip netns" knows) from the calling thread, without forking "ip netns exec".
 */
#ifndef MCLAB_NETNS_H
#define MCLAB_NETNS_H

#define NETNS_RUN_DIR "/run/netns"

/* Open /run/netns/NAME.  Returns an fd (O_CLOEXEC) or -1 with errno. */
int netns_open(const char *name);

/*
 * Switch the calling thread into namespace NAME.  *saved receives an fd for
 * the namespace we came from; pass it to netns_leave().  Returns 0 or -1.
 */
int netns_enter(const char *name, int *saved);
int netns_enter_fd(int nsfd, int *saved);
/* Go back to the saved namespace and close it.  Returns 0 or -1. */
int netns_leave(int saved);
/*
 * netns_leave(), keeping errno as it was (the caller's own result's), or
 * _exit(70) when the thread cannot get back: never keep running in the
 * wrong namespace.
 */
void netns_return(int saved);

/*
 * Create a socket of the given type inside namespace NAME and return it;
 * the calling thread stays where it was.  -1 with errno on error.
 */
int netns_socket(const char *name, int domain, int type, int protocol);

#endif
