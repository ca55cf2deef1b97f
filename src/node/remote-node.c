#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/node/io.h>

#include "node/audio-node.h"
#include "util/log.h"
#include "node/remote-node.h"

/* Frames the graph ran without this node (a missed cycle, a cycle without
 * a buffer): the graph played silence for them, so the audio queued for
 * them is dropped, and the playout stays on the graph's clock.  Kept, it
 * would play a quantum later from then on, for every such cycle: seen in
 * tests/integration/voice.sh (2 cores, quantum 128), the latency held
 * 30 ms over its goal with the rate controller at its +0.3% limit.  And
 * silence on the far end's timeline, for the echo canceller. */
static void missed(struct cb_remote_node *n, struct cb_audio_ring *echo, uint32_t frames)
{
	if (frames == 0)
		return;
	if (echo)
		cb_audio_ring_push_silence(echo, frames);
	if (atomic_load_explicit(&n->feed->primed, memory_order_relaxed))
		cb_audio_ring_skip(&n->feed->ring, frames);
}

/* Where the far end's frames sit on the graph's timeline, for the echo
 * canceller's pairing with the near end (pipeline/voice-stage.c). */
static void stamp_far(struct cb_remote_node *n, struct cb_audio_ring *echo)
{
	if (echo && n->position)
		cb_audio_ring_stamp(echo, n->position->clock.position + n->position->clock.duration);
}

/* A cycle the node plays nothing in. */
static void far_silence(struct cb_remote_node *n, struct cb_audio_ring *echo)
{
	if (n->position)
		missed(n, echo, (uint32_t)n->position->clock.duration);
}

static void on_process(void *data)
{
	struct cb_remote_node *n = data;
	struct cb_remote_feed *feed = n->feed;
	struct pw_buffer *b;
	struct spa_data *d;
	uint32_t frame_bytes = n->channels * sizeof(float), want, got;
	/* The far end's ring for the cancellers, once a cycle (a reload
	 * changes it only while the send worker is paused). */
	struct cb_audio_ring *echo = atomic_load_explicit(&n->echo_ring, memory_order_acquire);

	/* The rings stay on the graph's timeline (node/timeline.h). */
	missed(n, echo, cb_timeline_gap(&n->timeline, n->position));
	if ((b = pw_stream_dequeue_buffer(n->stream)) == NULL) {
		far_silence(n, echo);
		stamp_far(n, echo);
		return;
	}
	d = &b->buffer->datas[0];
	if (d->data == NULL) {
		far_silence(n, echo);
		goto done;
	}

	want = d->maxsize / frame_bytes;
	/* With rate matching the adapter says how much input it needs. */
	if (b->requested > 0 && b->requested < want)
		want = (uint32_t)b->requested;
	atomic_store_explicit(&feed->quantum, want, memory_order_relaxed);

	got = cb_audio_ring_pull(&feed->ring, d->data, want);
	if (got < want) {
		memset(SPA_PTROFF(d->data, got * frame_bytes, void), 0, (want - got) * frame_bytes);
		if (atomic_load_explicit(&feed->primed, memory_order_relaxed))
			atomic_fetch_add_explicit(&feed->underrun_frames, want - got,
						  memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&feed->frames_out, want, memory_order_relaxed);
	/* The quantum: what the adapter makes of `want`. */
	if (echo)
		cb_far_tap_push(&n->far_tap, echo, d->data, want, n->channels,
				n->position ? (uint32_t)n->position->clock.duration : want);
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)frame_bytes;
	d->chunk->size = want * frame_bytes;

	if (n->rate_match) {
		n->rate_match->rate = atomic_load_explicit(&feed->rate, memory_order_relaxed);
		SPA_FLAG_SET(n->rate_match->flags, SPA_IO_RATE_MATCH_FLAG_ACTIVE);
	}
done:
	pw_stream_queue_buffer(n->stream, b);
	stamp_far(n, echo);
	/* The receive worker tops the ring up just before the next one. */
	cb_cycle_clock_publish(&feed->cycle, n->position);
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct cb_remote_node *n = data;
	if (id == SPA_IO_RateMatch)
		n->rate_match = size >= sizeof(struct spa_io_rate_match) ? area : NULL;
	else if (id == SPA_IO_Position)
		n->position = size >= sizeof(struct spa_io_position) ? area : NULL;
}

static void on_state_changed(void *data, enum pw_stream_state old,
			     enum pw_stream_state state, const char *error)
{
	struct cb_remote_node *n = data;
	if (state == PW_STREAM_STATE_ERROR)
		pw_log_error("%s: node error: %s", n->node_name, error ? error : "unknown");
	else
		pw_log_debug("%s: %s -> %s", n->node_name, pw_stream_state_as_string(old),
			     pw_stream_state_as_string(state));
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

int cb_remote_node_new(struct cb_remote_node **out, struct pw_core *core, const char *call_name,
		       const char *remote_name, uint32_t channels, uint32_t quantum_frames,
		       struct cb_remote_feed *feed)
{
	struct cb_remote_node *n;
	struct pw_properties *props;
	char description[256];
	int res;

	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	n->channels = channels;
	n->feed = feed;
	if (!cb_remote_feed_attach(feed)) {
		free(n);
		return -EBUSY;
	}
	n->attached = true;
	snprintf(n->node_name, sizeof(n->node_name), "callbridge.%s.remote.%s", call_name,
		 remote_name);
	snprintf(description, sizeof(description), "Call %s: %s", call_name, remote_name);

	props = cb_audio_node_properties("Audio/Source", "Capture", n->node_name, description,
					 call_name, quantum_frames);
	if (props == NULL) {
		res = -errno;
		goto error;
	}
	pw_properties_set(props, "callbridge.remote", remote_name);

	n->stream = pw_stream_new(core, n->node_name, props);
	if (n->stream == NULL) {
		res = -errno;
		goto error;
	}
	pw_stream_add_listener(n->stream, &n->stream_listener, &stream_events, n);

	res = cb_audio_node_connect(n->stream, PW_DIRECTION_OUTPUT, channels);
	if (res < 0)
		goto error;
	*out = n;
	return 0;

error:
	cb_remote_node_destroy(n);
	return res;
}

void cb_remote_node_destroy(struct cb_remote_node *n)
{
	if (n == NULL)
		return;
	if (n->stream) {
		spa_hook_remove(&n->stream_listener);
		/* Removes the node from the data loop: its callback has run for
		 * the last time when this returns. */
		pw_stream_destroy(n->stream);
	}
	if (n->attached)
		cb_remote_feed_detach(n->feed);
	free(n);
}
