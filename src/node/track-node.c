#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/audio-node.h"
#include "util/log.h"
#include "node/track-node.h"

/* 1.37 s at 48 kHz: room for a late media worker, far above the worker's
 * own backlog cap, so in normal operation the producer never drops; and
 * what a paused track can hold for its resume. */
#define RING_FRAMES 65536

static bool any_voice(struct cb_track_node *t)
{
	for (uint32_t v = 0; v < CB_TRACK_VOICES; v++)
		if (atomic_load_explicit(&t->voices[v].state, memory_order_relaxed) == CB_VOICE_PLAYING)
			return true;
	return false;
}

/* The live input plus every playing file, into the rings.  Without a file
 * the input goes straight in, as it always did.  in NULL is silence (a
 * missed cycle's), with the files over it. */
static void push_frames(struct cb_track_node *t, bool voice_on, const float *in, uint32_t frames)
{
	uint32_t n_rings = atomic_load_explicit(&t->n_rings, memory_order_acquire);
	struct cb_audio_ring *voice = NULL;

	/* Processed: everything goes to the voice ring alone, and the send
	 * worker fills the stream rings from its processor. */
	if (voice_on) {
		voice = &t->voice_ring;
		n_rings = 1;
	}

	if (!any_voice(t)) {
		for (uint32_t i = 0; i < n_rings; i++) {
			struct cb_audio_ring *r = voice ? voice : &t->rings[i];

			if (in != NULL)
				cb_audio_ring_push(r, in, frames);
			else
				cb_audio_ring_push_silence(r, frames);
		}
		return;
	}
	while (frames > 0) {
		uint32_t n = SPA_MIN(frames, (uint32_t)CB_TRACK_MIX_FRAMES);
		size_t samples = (size_t)n * t->config.channels;

		/* in NULL: the files over silence */
		if (in != NULL)
			memcpy(t->mix, in, samples * sizeof(float));
		else
			memset(t->mix, 0, samples * sizeof(float));
		for (uint32_t v = 0; v < CB_TRACK_VOICES; v++)
			cb_file_voice_mix(&t->voices[v], t->mix, t->voice_scratch, n);
		for (uint32_t i = 0; i < n_rings; i++)
			cb_audio_ring_push(voice ? voice : &t->rings[i], t->mix, n);
		if (in != NULL)
			in += samples;
		frames -= n;
	}
}

/* Frames the graph's clock moved on without this callback (its position
 * jumped: the node was not scheduled, or the whole graph was late), for
 * the voice ring only, as silence (with a playing file over it): the echo
 * canceller pairs that ring frame by frame with the far end's, which the
 * remote nodes keep on the same timeline (node/timeline.h).
 *
 * Not for the stream rings: what the graph did not run was not lost.
 * When a late graph skips a cycle its producers skip it too, and the next
 * buffer goes on where the last one ended.  Measured with pw-cat playing
 * a 440 Hz tone into a track (tests/integration/webrtc-reload.sh as it
 * was, 2 cores, quantum 256): the track saw its clock jump by 256 to 768
 * frames several times a run, and the tone in what aiortc decoded had
 * 16 and 26 holes in two runs, each followed by the tone exactly 256
 * frames behind where it would be had audio been cut: silence put in,
 * nothing missing.  Without the silence: 5 and 2 holes, those of pw-cat
 * itself missing a cycle (the graph then hands the track silence).  So a
 * stream's RTP timestamps count the frames it was given, as a sound
 * card's do, and the receiver's jitter buffer takes a graph that ran late
 * for the delay step it looks like. */
static void push_gap(struct cb_track_node *t, bool voice_on, uint32_t frames)
{
	if (frames > 0 && voice_on)
		push_frames(t, true, NULL, frames);
}

/* Where the voice ring's frames sit on the graph's timeline, for the
 * echo canceller's pairing with the far end (pipeline/voice-stage.c). */
static void stamp_voice(struct cb_track_node *t, bool voice_on)
{
	if (t->position && voice_on)
		cb_audio_ring_stamp(&t->voice_ring,
				    t->position->clock.position + t->position->clock.duration);
}

static void on_process(void *data)
{
	struct cb_track_node *t = data;
	/* Once a cycle: the whole cycle goes one way, and one atomic load
	 * (it was up to four). */
	bool voice_on = atomic_load_explicit(&t->voice_on, memory_order_acquire);
	struct pw_buffer *b;
	struct spa_data *d;
	uint32_t offset, size, frames;

	/* The voice ring stays on the graph's timeline (push_gap). */
	push_gap(t, voice_on, cb_timeline_gap(&t->timeline, t->position));
	if ((b = pw_stream_dequeue_buffer(t->stream)) == NULL) {
		/* A cycle without a buffer: silence on the voice ring's
		 * timeline too.  Not in the stream rings: what did not come
		 * now may come with the next buffer, and a hole there would
		 * be a click the graph did not make. */
		if (t->position && voice_on)
			cb_audio_ring_push_silence(&t->voice_ring,
						   (uint32_t)t->position->clock.duration);
		stamp_voice(t, voice_on);
		return;
	}
	d = &b->buffer->datas[0];
	if (d->data != NULL && d->chunk != NULL) {
		offset = SPA_MIN(d->chunk->offset, d->maxsize);
		size = SPA_MIN(d->chunk->size, d->maxsize - offset);
		frames = size / t->frame_bytes;
		push_frames(t, voice_on, SPA_PTROFF(d->data, offset, const float), frames);
		atomic_fetch_add_explicit(&t->frames_in, frames, memory_order_relaxed);
	}
	pw_stream_queue_buffer(t->stream, b);
	stamp_voice(t, voice_on);
	/* The send worker wakes just after this, to encode without waiting. */
	cb_cycle_clock_publish(&t->cycle, t->position);
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct cb_track_node *t = data;
	if (id == SPA_IO_Position)
		t->position = size >= sizeof(struct spa_io_position) ? area : NULL;
}

static void on_state_changed(void *data, enum pw_stream_state old,
			     enum pw_stream_state state, const char *error)
{
	struct cb_track_node *t = data;

	atomic_store(&t->state, (int)state);
	if (state == PW_STREAM_STATE_ERROR)
		pw_log_error("track %s: node error: %s", t->config.name, error ? error : "unknown");
	else
		pw_log_debug("track %s: %s -> %s", t->config.name,
			     pw_stream_state_as_string(old), pw_stream_state_as_string(state));
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

int cb_track_node_connect(struct cb_track_node *t, struct pw_core *core)
{
	struct pw_properties *props;
	char description[256];
	int res;

	if (t->stream)
		return 0;
	snprintf(description, sizeof(description), "Call %s: %s", t->call_name, t->config.name);
	props = cb_audio_node_properties("Audio/Sink", "Playback", t->node_name, description,
					 t->call_name, t->quantum_frames);
	if (props == NULL)
		return -errno;
	pw_properties_set(props, "callbridge.track", t->config.name);

	t->stream = pw_stream_new(core, t->node_name, props);
	if (t->stream == NULL)
		return -errno;
	pw_stream_add_listener(t->stream, &t->stream_listener, &stream_events, t);

	res = cb_audio_node_connect(t->stream, PW_DIRECTION_INPUT, t->config.channels);
	if (res < 0)
		cb_track_node_disconnect(t);
	return res;
}

void cb_track_node_disconnect(struct cb_track_node *t)
{
	if (t->stream == NULL)
		return;
	/* pw_stream_destroy takes the node off the data loop before it
	 * returns, so the process callback is not running and will not run
	 * again: the rings are ours alone afterwards. */
	spa_hook_remove(&t->stream_listener);
	pw_stream_destroy(t->stream);
	t->stream = NULL;
	atomic_store(&t->state, (int)PW_STREAM_STATE_UNCONNECTED);
}

int cb_track_node_new(struct cb_track_node **out, struct pw_core *core, const char *call_name,
		      const struct cb_track_config *config, uint32_t quantum_frames)
{
	struct cb_track_node *t;
	int res;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->config = *config;
	cb_track_state_init(&t->shared);
	t->shared.rings = t->rings;
	t->shared.n_rings = &t->n_rings;
	t->mix = calloc((size_t)CB_TRACK_MIX_FRAMES * config->channels, sizeof(float));
	t->voice_scratch = calloc((size_t)CB_TRACK_MIX_FRAMES * config->channels, sizeof(float));
	if (t->mix == NULL || t->voice_scratch == NULL) {
		res = -ENOMEM;
		goto error;
	}
	for (uint32_t v = 0; v < CB_TRACK_VOICES; v++) {
		atomic_init(&t->voices[v].state, CB_VOICE_FREE);
		if ((res = cb_audio_ring_init(&t->voices[v].ring, config->channels,
					      CB_VOICE_RING_FRAMES)) < 0)
			goto error;
	}
	t->frame_bytes = config->channels * sizeof(float);
	t->quantum_frames = quantum_frames;
	snprintf(t->call_name, sizeof(t->call_name), "%s", call_name);
	snprintf(t->node_name, sizeof(t->node_name), "callbridge.%s.%s", call_name, config->name);

	if ((res = cb_track_node_prepare_rings(t, config->n_streams)) < 0)
		goto error;
	atomic_init(&t->n_rings, config->n_streams);

	if (core && (res = cb_track_node_connect(t, core)) < 0)
		goto error;

	*out = t;
	return 0;

error:
	cb_track_node_destroy(t);
	return res;
}

int cb_track_node_prepare_rings(struct cb_track_node *t, uint32_t n)
{
	int res;

	if (n > CB_MAX_TRACK_STREAMS)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (t->rings[i].data == NULL &&
		    (res = cb_audio_ring_init(&t->rings[i], t->config.channels, RING_FRAMES)) < 0)
			return res;
	return 0;
}

void cb_track_node_set_rings(struct cb_track_node *t, uint32_t n)
{
	uint32_t old = atomic_load_explicit(&t->n_rings, memory_order_relaxed);

	/* Unfilled while out of use, such a ring holds audio from back then;
	 * dropping it is the consumer's move, safe beside the producer. */
	for (uint32_t i = old; i < n; i++)
		cb_audio_ring_skip(&t->rings[i], cb_audio_ring_avail(&t->rings[i]));
	atomic_store_explicit(&t->n_rings, n, memory_order_release);
}

void cb_track_node_destroy(struct cb_track_node *t)
{
	if (t == NULL)
		return;
	cb_track_node_disconnect(t);
	for (uint32_t i = 0; i < CB_MAX_TRACK_STREAMS; i++)
		cb_audio_ring_clear(&t->rings[i]);
	/* The file worker has let go of the voices (their decoders) first. */
	for (uint32_t v = 0; v < CB_TRACK_VOICES; v++)
		cb_audio_ring_clear(&t->voices[v].ring);
	cb_audio_ring_clear(&t->voice_ring);
	cb_apm_free(t->voice.apm);
	free(t->mix);
	free(t->voice_scratch);
	free(t);
}

bool cb_track_node_playing_file(struct cb_track_node *t)
{
	for (uint32_t v = 0; v < CB_TRACK_VOICES; v++) {
		int st = atomic_load(&t->voices[v].state);
		if (st == CB_VOICE_LOADING || st == CB_VOICE_PLAYING)
			return true;
	}
	return false;
}

int cb_track_node_prepare_voice(struct cb_track_node *t, const struct cb_apm_settings *s)
{
	int res;

	/* Why nothing here for a track without processing: it then has no
	 * processor, no voice ring, and its callback copies straight into the
	 * stream rings as before; what it does more is one atomic load
	 * (voice_on) and the timeline's two additions a cycle.  The send
	 * worker's voice stage returns at once when no track is processed,
	 * and a remote node copies no far end unless a track cancels it.  A
	 * track whose processing a reload turns off keeps its processor (the
	 * canceller keeps what it learnt if it comes back) but runs none of
	 * it. */
	if (!cb_apm_settings_active(s))
		return 0;
	if (t->voice_ring.data == NULL &&
	    (res = cb_audio_ring_init(&t->voice_ring, t->config.channels, RING_FRAMES)) < 0)
		return res;
	if (t->voice.apm == NULL)
		return cb_apm_new(&t->voice.apm, s);
	return 0;
}

void cb_track_node_apply_voice(struct cb_track_node *t, const struct cb_apm_settings *s,
			       bool far_all, uint32_t far_mask)
{
	struct cb_track_voice *v = &t->voice;
	bool on = cb_apm_settings_active(s) && v->apm != NULL;
	bool was = atomic_load_explicit(&t->voice_on, memory_order_relaxed);

	if (on) {
		/* Not fatal: the processor keeps what it had. */
		if (cb_apm_update(v->apm, s) < 0)
			pw_log_warn("track %s: voice processing settings not all taken",
				    t->config.name);
		v->settings = *s;
		v->far_all = far_all;
		v->far_mask = far_mask;
		/* What the ring held from an earlier time on is stale. */
		if (!was) {
			v->skip_to = atomic_load(&t->voice_ring.written_frames);
			v->aligned = false;
		}
	}
	atomic_store_explicit(&v->processing, on, memory_order_relaxed);
	atomic_store_explicit(&t->voice_on, on, memory_order_release);
}

uint32_t cb_track_node_quantum(struct cb_track_node *t)
{
	struct spa_io_position *pos = t->position;

	if (pos != NULL && pos->clock.duration > 0 && pos->clock.duration <= 8192)
		return (uint32_t)pos->clock.duration;
	return t->quantum_frames;
}
