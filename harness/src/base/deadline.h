/* SPDX-License-Identifier: MIT */
/*
 * Deadlines for every wait in the harness.  Timeouts given in milliseconds
 * are scaled by MCLAB_TIMEOUT_MULT (an integer, default 1) so that slow
 * runners (qemu under TCG, sanitizers, loaded CI) can stretch them all.
 */
#ifndef MCLAB_DEADLINE_H
#define MCLAB_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t mono_ns(void);

/* The deadline timeout_ms (scaled) from now, as a CLOCK_MONOTONIC ns value. */
uint64_t deadline_in(unsigned int timeout_ms);

/* Milliseconds left until deadline, 0 when passed (for poll()). */
int deadline_left_ms(uint64_t deadline);

bool deadline_passed(uint64_t deadline);

/* The MCLAB_TIMEOUT_MULT factor (>= 1). */
unsigned int timeout_mult(void);

/*
 * Call cond(arg) until it returns true or the deadline passes, polling every
 * step_ms (a wait for a condition no event announces, e.g. a proc file; no
 * fixed sleep stands in for the condition).  Returns true when cond held.
 */
bool wait_until(bool (*cond)(void *arg), void *arg, unsigned int timeout_ms,
		unsigned int step_ms);

/*
 * The same for a period that is part of what is tested (a pause shorter
 * than a kernel timeout, a window in which nothing may happen), so not
 * scaled by MCLAB_TIMEOUT_MULT.  Returns true when cond held within it.
 */
bool watch_for(bool (*cond)(void *arg), void *arg, unsigned int period_ms,
	       unsigned int step_ms);

#endif
