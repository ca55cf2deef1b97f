/* What the main thread and the media worker share about one track, all
 * lock-free: the controls written through the call's metadata object
 * (pause, flush) and the level and voice activity the worker measures for
 * status.  The real-time thread never touches it. */
#ifndef CALLBRIDGE_TRACK_STATE_H
#define CALLBRIDGE_TRACK_STATE_H

#include <stdatomic.h>
#include <stdbool.h>

struct cb_track_state {
	/* main thread writes, worker reads */
	atomic_bool paused;
	atomic_uint flush_requests;	/* bumped once per flush */
	/* worker writes, main thread reads */
	atomic_uint level;		/* -dBov, 0..127 (127: silence) */
	atomic_bool speaking;
	atomic_uint_fast64_t flushed_frames;
};

static inline void cb_track_state_init(struct cb_track_state *s)
{
	atomic_init(&s->paused, false);
	atomic_init(&s->flush_requests, 0);
	atomic_init(&s->level, 127);
	atomic_init(&s->speaking, false);
	atomic_init(&s->flushed_frames, 0);
}

#endif
