/* The PipeWire graph's cycle timing, as a node's real-time process callback
 * saw it, for a worker thread that wants to run at a fixed phase of the
 * graph: the send worker right after a track's cycle has pushed its audio,
 * the receive worker right before a remote's cycle pulls.
 *
 * The callback only stores what spa_io_position already says (plain atomic
 * stores: no syscall, no lock, nothing a worker can make it wait for); the
 * worker turns that into absolute deadlines for clock_nanosleep()/ppoll(). A
 * worker that sees no fresh cycle (no graph running, node not linked yet)
 * falls back to its own fixed period. */
#ifndef CALLBRIDGE_CYCLE_CLOCK_H
#define CALLBRIDGE_CYCLE_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <spa/node/io.h>

struct cb_cycle_clock {
	atomic_uint_fast64_t nsec;	/* CLOCK_MONOTONIC start of the last cycle */
	atomic_uint_fast64_t next_nsec;	/* the driver's estimate of the next one */
	atomic_uint_fast64_t count;	/* cycles published: bumped after the node's work */
};

/* Real-time side: at the end of the process callback (after the audio is
 * pushed or pulled), so that a worker seeing `count` move sees the audio. */
static inline void cb_cycle_clock_publish(struct cb_cycle_clock *c,
					  const struct spa_io_position *pos)
{
	if (pos == NULL)
		return;
	atomic_store_explicit(&c->nsec, pos->clock.nsec, memory_order_relaxed);
	atomic_store_explicit(&c->next_nsec, pos->clock.next_nsec, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->count, 1, memory_order_release);
}

/* Worker side: the start of the next graph cycle after now_ns, or false if
 * the clock is stale (no cycle within the last 100 ms: the node is not
 * running, the worker must use its own timing). */
static inline bool cb_cycle_clock_next(const struct cb_cycle_clock *c, uint64_t now_ns,
				       uint64_t *next_ns, uint64_t *period_ns)
{
	uint64_t nsec = atomic_load_explicit(&c->nsec, memory_order_relaxed);
	uint64_t next = atomic_load_explicit(&c->next_nsec, memory_order_relaxed);
	uint64_t period;

	if (nsec == 0 || next <= nsec || now_ns > nsec + 100000000ull)
		return false;
	period = next - nsec;
	/* A cycle that is due but not yet published: extrapolate. */
	while (next + period / 2 < now_ns)
		next += period;
	*next_ns = next;
	*period_ns = period;
	return true;
}

static inline uint64_t cb_cycle_clock_count(const struct cb_cycle_clock *c)
{
	return atomic_load_explicit(&c->count, memory_order_acquire);
}

#endif
