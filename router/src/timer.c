// SPDX-License-Identifier: MIT
/*
 * Binary heap of one-shot timers behind one timerfd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "timer.h"
#include "vec.h"

uint64_t timer_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int timers_init(struct timers *ts, bool with_fd)
{
	memset(ts, 0, sizeof(*ts));
	ts->fd = -1;
	ts->now = timer_mono_ns;
	if (with_fd) {
		ts->fd = timerfd_create(CLOCK_MONOTONIC,
					TFD_NONBLOCK | TFD_CLOEXEC);
		if (ts->fd < 0)
			return -1;
	}
	return 0;
}

void timers_free(struct timers *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		ts->heap[i]->slot = 0;
	free(ts->heap);
	if (ts->fd >= 0)
		close(ts->fd);
	ts->heap = NULL;
	ts->n = ts->cap = 0;
	ts->fd = -1;
}

void timer_init(struct timer *t, timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

static void heap_set(struct timers *ts, size_t i, struct timer *t)
{
	ts->heap[i] = t;
	t->slot = i + 1;
}

static void sift_up(struct timers *ts, size_t i)
{
	struct timer *t = ts->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (ts->heap[p]->when <= t->when)
			break;
		heap_set(ts, i, ts->heap[p]);
		i = p;
	}
	heap_set(ts, i, t);
}

static void sift_down(struct timers *ts, size_t i)
{
	struct timer *t = ts->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= ts->n)
			break;
		if (c + 1 < ts->n && ts->heap[c + 1]->when < ts->heap[c]->when)
			c++;
		if (t->when <= ts->heap[c]->when)
			break;
		heap_set(ts, i, ts->heap[c]);
		i = c;
	}
	heap_set(ts, i, t);
}

static void rearm_fd(struct timers *ts)
{
	struct itimerspec its;

	if (ts->fd < 0)
		return;
	memset(&its, 0, sizeof(its));
	if (ts->n) {
		uint64_t w = ts->heap[0]->when;

		if (w == 0)
			w = 1; /* 0 would disarm */
		its.it_value.tv_sec = (time_t)(w / 1000000000ull);
		its.it_value.tv_nsec = (long)(w % 1000000000ull);
	}
	timerfd_settime(ts->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void heap_remove(struct timers *ts, struct timer *t)
{
	size_t i = t->slot - 1;

	t->slot = 0;
	ts->n--;
	if (i != ts->n) {
		heap_set(ts, i, ts->heap[ts->n]);
		sift_down(ts, i);
		sift_up(ts, ts->heap[i]->slot - 1);
	}
}

int timer_arm_at(struct timers *ts, struct timer *t, uint64_t when)
{
	if (t->slot)
		heap_remove(ts, t);
	if (vec_grow(&ts->heap, ts->n, &ts->cap, sizeof(*ts->heap), 16))
		return -1;
	t->when = when;
	ts->heap[ts->n] = t;
	t->slot = ++ts->n;
	sift_up(ts, ts->n - 1);
	if (ts->heap[0] == t)
		rearm_fd(ts);
	return 0;
}

int timer_arm_ms(struct timers *ts, struct timer *t, uint64_t ms)
{
	return timer_arm_at(ts, t, ts->now() + ms * 1000000ull);
}

void timer_cancel(struct timers *ts, struct timer *t)
{
	if (!t->slot)
		return;
	heap_remove(ts, t);
	rearm_fd(ts);
}

void timers_run(struct timers *ts)
{
	uint64_t now = ts->now(), expirations;

	if (ts->fd >= 0) {
		ssize_t r = read(ts->fd, &expirations, sizeof(expirations));

		(void)r; /* EAGAIN when woken early is fine */
	}
	while (ts->n && ts->heap[0]->when <= now) {
		struct timer *t = ts->heap[0];

		heap_remove(ts, t);
		t->cb(t, t->arg);
	}
	rearm_fd(ts);
}

uint64_t timers_next(const struct timers *ts)
{
	uint64_t now;

	if (!ts->n)
		return UINT64_MAX;
	now = ts->now();
	return ts->heap[0]->when > now ? ts->heap[0]->when - now : 0;
}
