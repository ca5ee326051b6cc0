// SPDX-License-Identifier: MIT
/*
 * Deadlines scaled by MCLAB_TIMEOUT_MULT.
 */
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "deadline.h"

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

unsigned int timeout_mult(void)
{
	const char *s = getenv("MCLAB_TIMEOUT_MULT");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v >= 1 && v <= 1000 ? (unsigned int)v : 1;
}

uint64_t deadline_in(unsigned int timeout_ms)
{
	return mono_ns() + (uint64_t)timeout_ms * timeout_mult() * 1000000ull;
}

int deadline_left_ms(uint64_t deadline)
{
	uint64_t now = mono_ns();

	if (now >= deadline)
		return 0;
	return (int)((deadline - now + 999999) / 1000000);
}

bool deadline_passed(uint64_t deadline)
{
	return mono_ns() >= deadline;
}

static bool wait_to(bool (*cond)(void *arg), void *arg, uint64_t deadline,
		    unsigned int step_ms)
{
	for (;;) {
		int left;

		if (cond(arg))
			return true;
		left = deadline_left_ms(deadline);
		if (left == 0)
			return cond(arg);
		poll(NULL, 0, left < (int)step_ms ? left : (int)step_ms);
	}
}

bool wait_until(bool (*cond)(void *arg), void *arg, unsigned int timeout_ms,
		unsigned int step_ms)
{
	return wait_to(cond, arg, deadline_in(timeout_ms), step_ms);
}

bool watch_for(bool (*cond)(void *arg), void *arg, unsigned int period_ms,
	       unsigned int step_ms)
{
	return wait_to(cond, arg, mono_ns() + (uint64_t)period_ms * 1000000ull,
		       step_ms);
}
