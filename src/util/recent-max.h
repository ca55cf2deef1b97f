/* The largest value seen lately: over the current window and the one
 * before it, so that what was seen stays visible for one to two windows
 * and then goes, however quiet it has been since.  Plain arithmetic on
 * CLOCK_MONOTONIC nanoseconds; one thread writes and reads it. */
#ifndef CALLBRIDGE_UTIL_RECENT_MAX_H
#define CALLBRIDGE_UTIL_RECENT_MAX_H

#include <stdint.h>

struct cb_recent_max {
	uint64_t window_ns;
	uint64_t start_ns;	/* of the current window */
	uint64_t max[2];	/* the current window's, the last one's */
};

static inline void cb_recent_max_init(struct cb_recent_max *m, uint64_t window_ns)
{
	*m = (struct cb_recent_max) { .window_ns = window_ns };
}

static inline void cb_recent_max_note(struct cb_recent_max *m, uint64_t now_ns, uint64_t value)
{
	if (now_ns - m->start_ns >= m->window_ns) {
		/* A window with nothing in it between: the last one is gone too. */
		m->max[1] = now_ns - m->start_ns >= 2 * m->window_ns ? 0 : m->max[0];
		m->max[0] = 0;
		m->start_ns = now_ns;
	}
	if (value > m->max[0])
		m->max[0] = value;
}

static inline uint64_t cb_recent_max_get(const struct cb_recent_max *m)
{
	return m->max[0] > m->max[1] ? m->max[0] : m->max[1];
}

#endif
