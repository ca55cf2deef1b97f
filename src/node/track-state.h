/* What the main thread and the media worker share about one track, all
 * lock-free: the controls written through the call's metadata object
 * (pause, flush, interrupt, open, mark), the level and voice activity the
 * worker measures for status, and the marks on their way out.  The
 * real-time thread never touches it. */
#ifndef CALLBRIDGE_TRACK_STATE_H
#define CALLBRIDGE_TRACK_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio/audio-ring.h"
#include "config/config.h"

#define CB_TRACK_MAX_MARKS 16
#define CB_MARK_ID_MAX 64	/* bytes of a mark's id, with its NUL */

/* `mark <id>`: everything the track's rings held when it was set.  The
 * main thread fills a slot and publishes it (marks_tail); the send worker
 * sets a ring's bit once the packet carrying that ring's last frame before
 * the mark has been sent, and when every bit is set moves marks_done on;
 * the main thread then reports it and may reuse the slot. */
struct cb_track_mark {
	/* main thread, before publishing */
	char id[CB_MARK_ID_MAX];
	uint32_t n_rings;
	uint64_t pos[CB_MAX_TRACK_STREAMS];	/* each ring's written_frames then */
	/* send worker, before marks_done moves past it */
	uint32_t passed;			/* bit j: ring j's part has left */
	uint32_t ssrc;				/* the first stream's */
	uint32_t rtp_end;			/* RTP time just past the last frame */
};

struct cb_track_state {
	/* main thread writes, worker reads */
	atomic_bool paused;
	atomic_uint flush_requests;	/* bumped once per flush */
	/* interrupt: bumped, then interrupted set; open: open_pos written,
	 * then interrupted cleared (release).  The worker drops everything
	 * each ring holds up to open_pos, and while interrupted everything. */
	atomic_uint interrupt_requests;
	atomic_bool interrupted;
	uint64_t open_pos[CB_MAX_TRACK_STREAMS];
	struct cb_track_mark marks[CB_TRACK_MAX_MARKS];
	atomic_uint marks_tail;		/* main: marks set */
	/* worker writes, main thread reads */
	atomic_uint marks_done;		/* worker: marks passed */
	atomic_uint level;		/* -dBov, 0..127 (127: silence) */
	atomic_bool speaking;
	atomic_uint_fast64_t flushed_frames;
	/* Everything the worker threw away: flushes, interrupts, and audio
	 * beyond the backlog cap. */
	atomic_uint_fast64_t dropped_frames;
	atomic_uint_fast64_t audible_ns;	/* when it last sent a frame that was not silence */

	/* Set once by the track's node: its rings, whose positions marks
	 * and open take (any thread reads the counters). */
	struct cb_audio_ring *rings;
	const atomic_uint *n_rings;

	/* main thread only */
	unsigned int marks_reported;
	char played[CB_MARK_ID_MAX];	/* the last mark reported, "" before one */
	uint32_t played_ssrc;
	uint32_t played_rtp_end;
};

static inline void cb_track_state_init(struct cb_track_state *s)
{
	atomic_init(&s->paused, false);
	atomic_init(&s->flush_requests, 0);
	atomic_init(&s->interrupt_requests, 0);
	atomic_init(&s->interrupted, false);
	atomic_init(&s->marks_tail, 0);
	atomic_init(&s->marks_done, 0);
	atomic_init(&s->level, 127);
	atomic_init(&s->speaking, false);
	atomic_init(&s->flushed_frames, 0);
	atomic_init(&s->dropped_frames, 0);
	atomic_init(&s->audible_ns, 0);
	s->rings = NULL;
	s->n_rings = NULL;
	s->marks_reported = 0;
	s->played[0] = '\0';
}

/* The rings in use now, for the main thread. */
static inline uint32_t cb_track_state_rings(const struct cb_track_state *s)
{
	uint32_t n = s->n_rings ? atomic_load(s->n_rings) : 0;

	return n < CB_MAX_TRACK_STREAMS ? n : CB_MAX_TRACK_STREAMS;
}

/* Audio the worker has not taken yet, in frames of the first ring (what
 * a pause holds, what a voice bot still has queued). */
static inline uint64_t cb_track_state_queued(const struct cb_track_state *s)
{
	uint64_t w, r;

	if (cb_track_state_rings(s) == 0)
		return 0;
	r = atomic_load(&s->rings[0].read_frames);
	w = atomic_load(&s->rings[0].written_frames);
	return w > r ? w - r : 0;
}

#endif
