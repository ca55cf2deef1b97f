/* The far end a remote node plays, tapped for the echo cancellers, on the
 * graph's clock.
 *
 * Why resample: a remote node runs rate-matched (drift control,
 * pipeline/remote.c); it hands PipeWire's adapter `requested` frames a
 * cycle, which the adapter stretches to the quantum.  What leaves the
 * bridge, and what the microphone hears, is the quantum: a tap of the
 * requested frames runs on the remote's clock, and against the track's
 * frames it drifts by the rate correction (a catching-up jitter buffer
 * asks for up to a percent: 10 ms a second).  A canceller paired block by
 * block with the track loses the echo within a second.  So the tap
 * stretches it the same way, linearly.  At a ratio of exactly one it is a
 * copy; otherwise linear interpolation errs by at most (2 pi f / 48000)^2
 * / 8 of a component's amplitude: 0.2 % at 1 kHz (-53 dB, measured in
 * tests/unit/node/test-far-tap.c), 2.6 % at 3.5 kHz (-32 dB), below the
 * 20 dB the canceller is asked for.
 *
 * Real-time safe: the process callback calls it; a buffer on the stack,
 * no allocation, no lock. */
#ifndef CALLBRIDGE_NODE_FAR_TAP_H
#define CALLBRIDGE_NODE_FAR_TAP_H

#include <stdint.h>

#include "audio/audio-ring.h"

struct cb_far_tap {
	/* the process callback only */
	float prev;		/* the last input frame (mono) of the previous cycle */
	double pos;		/* where the next output frame falls, in input frames after prev */
};

/* `frames` interleaved frames of `channels` the node played, as `out`
 * frames of the graph (the quantum), mono, into ring. */
void cb_far_tap_push(struct cb_far_tap *tap, struct cb_audio_ring *ring, const float *data,
		     uint32_t frames, uint32_t channels, uint32_t out);

#endif
