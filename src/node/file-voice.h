/* A file playing into a track: the track's `file` (voice 0, the bed) or
 * one `play` (voices 1..).  The file worker decodes into the voice's ring
 * ahead of time; the track's real-time callback adds what the ring holds
 * to the live input, so the file and the apps reach the streams as one
 * signal, with every control (pause, interrupt, mark) acting on both.
 *
 * Who owns a voice is its state, moved only as below, so neither side
 * ever needs a lock:
 *   FREE -> LOADING       file worker: opens the file, fills the ring
 *   LOADING -> PLAYING    file worker: the ring is primed (release)
 *   PLAYING -> DONE       real-time callback: the file ended and the ring
 *                         ran dry, or `cancel` was set
 *   DONE/LOADING -> FREE  file worker: closes the file
 * While PLAYING the ring is the worker's to fill and the callback's to
 * drain; in every other state the callback does not touch it. */
#ifndef CALLBRIDGE_FILE_VOICE_H
#define CALLBRIDGE_FILE_VOICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio/audio-ring.h"

#define CB_TRACK_VOICES 4		/* the bed and three `play`s at once */
#define CB_VOICE_BED 0
/* ~0.68 s at 48 kHz: what the worker keeps decoded ahead.  It tops up
 * every 10 ms, so a disk or decoder stall up to ~0.6 s goes unheard. */
#define CB_VOICE_RING_FRAMES 32768

enum cb_voice_state {
	CB_VOICE_FREE,
	CB_VOICE_LOADING,
	CB_VOICE_PLAYING,
	CB_VOICE_DONE,
};

struct cb_file_decoder;

struct cb_file_voice {
	struct cb_audio_ring ring;	/* file worker -> real-time callback */
	atomic_int state;		/* enum cb_voice_state */
	atomic_bool ending;		/* file worker: the last push is under way */
	atomic_bool ended;		/* file worker: nothing more will be pushed */
	atomic_bool cancel;		/* main or file worker: stop now */
	/* real-time callback writes, anyone reads */
	atomic_uint_fast64_t played_frames;
	atomic_uint_fast64_t underrun_frames;	/* the ring ran dry before the end */
	/* file worker only */
	struct cb_file_decoder *decoder;
};

/* Real-time side: adds up to `frames` frames of a PLAYING voice into mix
 * (interleaved, the ring's channels), using scratch; ends the voice when
 * its file is over or it was cancelled.  No locks, no allocation, no
 * system calls. */
static inline void cb_file_voice_mix(struct cb_file_voice *v, float *mix, float *scratch,
				     uint32_t frames)
{
	uint32_t got, samples;
	bool ended;

	if (atomic_load_explicit(&v->state, memory_order_acquire) != CB_VOICE_PLAYING)
		return;
	if (atomic_load_explicit(&v->cancel, memory_order_relaxed)) {
		atomic_store_explicit(&v->state, CB_VOICE_DONE, memory_order_release);
		return;
	}
	/* Read before pulling: a last push that lands after the pull is
	 * still taken next cycle. */
	ended = atomic_load_explicit(&v->ended, memory_order_acquire);
	got = cb_audio_ring_pull(&v->ring, scratch, frames);
	samples = got * v->ring.channels;
	for (uint32_t i = 0; i < samples; i++)
		mix[i] += scratch[i];
	atomic_fetch_add_explicit(&v->played_frames, got, memory_order_relaxed);
	if (got < frames) {
		if (ended)
			atomic_store_explicit(&v->state, CB_VOICE_DONE, memory_order_release);
		else if (!atomic_load_explicit(&v->ending, memory_order_relaxed))
			atomic_fetch_add_explicit(&v->underrun_frames, frames - got,
						  memory_order_relaxed);
	}
}

#endif
