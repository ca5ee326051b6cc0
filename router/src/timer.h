/* SPDX-License-Identifier: MIT */
/*
 * One-shot timers on CLOCK_MONOTONIC, kept in a binary heap and driven by a
 * single timerfd that the main loop polls.  The clock is injectable so the
 * IGMP/MLD state machines can be unit-tested without waiting.
 */
#ifndef MCR_TIMER_H
#define MCR_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer;
typedef void (*timer_cb)(struct timer *t, void *arg);

struct timer {
	uint64_t when; /* ns, CLOCK_MONOTONIC (or the injected clock) */
	timer_cb cb;
	void *arg;
	size_t slot; /* heap index + 1, 0 when not armed */
};

struct timers {
	struct timer **heap;
	size_t n, cap;
	int fd; /* timerfd, or -1 when driven by hand (tests) */
	uint64_t (*now)(void);
};

uint64_t timer_mono_ns(void);

/* fd: create a timerfd when true. */
int timers_init(struct timers *ts, bool with_fd);
void timers_free(struct timers *ts);

void timer_init(struct timer *t, timer_cb cb, void *arg);
int timer_arm_at(struct timers *ts, struct timer *t, uint64_t when);
int timer_arm_ms(struct timers *ts, struct timer *t, uint64_t ms);
void timer_cancel(struct timers *ts, struct timer *t);
static inline bool timer_armed(const struct timer *t)
{
	return t->slot != 0;
}

/* Run every expired timer; call when the timerfd is readable. */
void timers_run(struct timers *ts);
/* ns until the next timer, or UINT64_MAX. */
uint64_t timers_next(const struct timers *ts);

#endif
