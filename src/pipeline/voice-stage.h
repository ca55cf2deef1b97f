/* Voice processing on the send worker: per processed track, 10 ms blocks
 * from the track's voice ring through its processor (echo canceller
 * against the far end, noise suppression, AGC, high-pass) into the rings
 * its streams read.  The far end is what the remote nodes play, as they
 * play it: each remote node's callback copies its output into the remote's
 * echo ring, which this stage reads once and hands, mixed as each track
 * asks, to every canceller.
 *
 * Why on the send worker: it adds no wait of its own there (blocks on
 * the encoder's frame grid complete with the frames at ptime 10 and up;
 * below, the block waits up to 8 ms: bench/run-voice.sh), the worker
 * already wakes right after each graph cycle, and a reload already pauses
 * it, so settings change with nothing else to stop.  What it does add is
 * the library's own delay (8 ms echo canceller, 7 ms noise suppression,
 * 14 ms both, measured).  A call with no processed track never enters it. */
#ifndef CALLBRIDGE_VOICE_STAGE_H
#define CALLBRIDGE_VOICE_STAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "node/track-node.h"
#include "pipeline/remote.h"
#include "voice/apm.h"

struct cb_voice_stage {
	/* main thread, while the send worker is paused or not started */
	uint32_t n_tracks;
	struct cb_track_node **tracks;
	uint32_t n_remotes;
	struct cb_remote *remotes;
	uint32_t far_mask;		/* remote slots some track cancels */
	bool active;			/* some track is processed */
	/* send worker */
	bool flush_far;			/* drop what the echo rings held before */
	uint32_t lead;			/* the far end paired this many blocks early */
	uint32_t far_owed[CB_MAX_REMOTES];	/* read short (late): skipped when they come */
	uint64_t realigns;		/* far ends put back in place, since the last log line */
	uint64_t realign_frames;	/* ... by this many frames, either way */
	uint64_t realign_logged_ns;
	float far_blocks[CB_MAX_REMOTES][CB_APM_BLOCK];
	/* send worker writes: the stage's cost */
	atomic_uint_fast64_t blocks;
	atomic_uint_fast64_t busy_ns;
};

/* What a track's keys ask of its processor. */
void cb_voice_settings(const struct cb_track_config *tc, struct cb_apm_settings *s);

/* Main thread, before anything running is touched (may fail): the voice
 * ring and processor of a track whose config asks for processing. */
int cb_voice_prepare_track(struct cb_track_node *t, const struct cb_track_config *tc);

/* Main thread, send worker paused: every track's processing from its
 * config (t->config), the far end each cancels, and which remote nodes
 * copy out what they play. */
void cb_voice_stage_configure(struct cb_voice_stage *vs, struct cb_track_node **tracks,
			      uint32_t n_tracks, struct cb_remote *remotes, uint32_t n_remotes);

/* Main thread: a remote's node was just made; it copies its output for the
 * cancellers if they want it. */
void cb_voice_stage_attach_node(struct cb_voice_stage *vs, struct cb_remote *r);

/* Send worker, before the streams: every whole block waiting. */
void cb_voice_stage_run(struct cb_voice_stage *vs);

#endif
