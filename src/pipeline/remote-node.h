/* A remote stream's PipeWire Audio/Source node,
 * `callbridge.<call>.remote.<name>`.  Its process callback, on the real-time
 * thread, only copies decoded audio out of a lock-free ring that the receive
 * worker fills, and hands the worker's clock-drift correction to the
 * adapter's resampler (SPA_IO_RateMatch). */
#ifndef CALLBRIDGE_REMOTE_NODE_H
#define CALLBRIDGE_REMOTE_NODE_H

#include <stdatomic.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "audio/audio-ring.h"

/* What the worker and the real-time callback share. It outlives the node so
 * a remote that comes back reuses it. */
struct cb_remote_feed {
	struct cb_audio_ring ring;
	_Atomic double rate;			/* resampler rate, 1.0 = none */
	atomic_uint_fast32_t quantum;		/* frames the graph asked for last */
	atomic_uint_fast64_t frames_out;
	atomic_uint_fast64_t underrun_frames;	/* silence played for want of audio */
	atomic_bool primed;			/* the worker has started filling */
};

struct cb_remote_node {
	char node_name[2 * 32 + 32];
	uint32_t channels;
	struct cb_remote_feed *feed;
	struct pw_stream *stream;
	struct spa_hook stream_listener;
	struct spa_io_rate_match *rate_match;
};

int cb_remote_node_new(struct cb_remote_node **out, struct pw_core *core, const char *call_name,
		       const char *remote_name, uint32_t channels, uint32_t quantum_frames,
		       struct cb_remote_feed *feed);
void cb_remote_node_destroy(struct cb_remote_node *n);

#endif
