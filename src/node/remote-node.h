/* A remote stream's PipeWire Audio/Source node,
 * `callbridge.<call>.remote.<name>`.  Its process callback, on the real-time
 * thread, only copies decoded audio out of a lock-free ring that the receive
 * worker fills, and hands the worker's clock-drift correction to the
 * adapter's resampler (SPA_IO_RateMatch). */
#ifndef CALLBRIDGE_REMOTE_NODE_H
#define CALLBRIDGE_REMOTE_NODE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "audio/audio-ring.h"
#include "node/far-tap.h"
#include "node/timeline.h"
#include "node/cycle-clock.h"

/* Who may touch a feed's ring layout: nobody but its node's real-time
 * callback while a node is attached; the receive worker only while it holds
 * it for laying it out for a new activation. */
enum cb_feed_owner {
	CB_FEED_FREE,
	CB_FEED_LAYOUT,		/* the receive worker is re-initialising it */
	CB_FEED_ATTACHED,	/* a node exists on it (main thread) */
};

/* What the worker and the real-time callback share. A remote has two and
 * alternates between them on every activation, so that a node of the last
 * activation that the main thread has not removed yet never sees its ring
 * re-laid out under it. */
struct cb_remote_feed {
	struct cb_audio_ring ring;
	_Atomic double rate;			/* resampler rate, 1.0 = none */
	atomic_uint_fast32_t quantum;		/* frames the graph asked for last */
	atomic_uint_fast64_t frames_out;
	atomic_uint_fast64_t underrun_frames;	/* silence played for want of audio */
	atomic_bool primed;			/* the worker has started filling */
	atomic_int owner;			/* enum cb_feed_owner */
	struct cb_cycle_clock cycle;		/* when the node last pulled */
};

/* Main thread: a node takes the feed (false while the worker lays it out or
 * another node has it), and gives it back once its callback can no longer
 * run. */
static inline bool cb_remote_feed_attach(struct cb_remote_feed *feed)
{
	int expected = CB_FEED_FREE;
	return atomic_compare_exchange_strong(&feed->owner, &expected, CB_FEED_ATTACHED);
}

static inline void cb_remote_feed_detach(struct cb_remote_feed *feed)
{
	atomic_store_explicit(&feed->owner, CB_FEED_FREE, memory_order_release);
}

struct cb_remote_node {
	char node_name[2 * 32 + 32];
	uint32_t channels;
	struct cb_remote_feed *feed;
	struct pw_stream *stream;
	struct spa_hook stream_listener;
	struct spa_io_rate_match *rate_match;
	struct spa_io_position *position;
	bool attached;				/* holds feed->owner */
	/* Where the callback also copies what it plays, mono, for the
	 * tracks' echo cancellers; NULL: nobody wants it (main thread sets
	 * it, the callback reads it). */
	_Atomic(struct cb_audio_ring *) echo_ring;
	struct cb_far_tap far_tap;		/* the callback's */
	struct cb_timeline timeline;		/* the callback's */
};

/* Fails with -EBUSY if the feed is being laid out or has a node already:
 * try again later. */
int cb_remote_node_new(struct cb_remote_node **out, struct pw_core *core, const char *call_name,
		       const char *remote_name, uint32_t channels, uint32_t quantum_frames,
		       struct cb_remote_feed *feed);
void cb_remote_node_destroy(struct cb_remote_node *n);

#endif
