/* A track: one PipeWire Audio/Sink node, `callbridge.<call>.<track>`, that any
 * app can play into.  Its process callback, on the real-time thread, only
 * copies what arrives into one ring per stream the track feeds. */
#ifndef CALLBRIDGE_TRACK_NODE_H
#define CALLBRIDGE_TRACK_NODE_H

#include <stdatomic.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "config/config.h"
#include "audio/audio-ring.h"
#include "node/cycle-clock.h"
#include "node/file-voice.h"
#include "node/track-state.h"
#include "node/timeline.h"
#include "voice/apm.h"

/* Frames the process callback mixes at a time: PipeWire's largest default
 * quantum; a larger buffer is mixed in pieces. */
#define CB_TRACK_MIX_FRAMES 8192

/* A track's voice processor and what it shows in status. */
struct cb_track_voice {
	/* send worker while it runs; main thread while it is paused */
	struct cb_apm *apm;		/* NULL: no processing */
	struct cb_apm_settings settings;
	bool far_all;			/* the far end: every remote ... */
	uint32_t far_mask;		/* ... or these remote slots (bit i: slot i) */
	uint64_t skip_to;		/* voice_ring audio before this is stale */
	bool aligned;			/* head found since the last start */
	uint32_t head;			/* frames to pass unprocessed, to the streams' grid */
	uint32_t blocks;
	float block[CB_APM_BLOCK * CB_APM_MAX_CHANNELS];
	float far_mix[CB_APM_BLOCK];
	/* send worker writes, main thread reads (status) */
	atomic_bool processing;
	atomic_bool echo_valid;
	atomic_int erle_cdb;		/* centi-dB */
	atomic_int delay_ms;
	atomic_int gain_cdb;
	atomic_bool voice;
	atomic_uint_fast64_t errors;	/* blocks the library refused */
};

struct cb_track_node {
	struct cb_track_config config;
	char call_name[CB_NAME_MAX + 1];
	char node_name[2 * CB_NAME_MAX + 16];
	uint32_t quantum_frames;
	struct pw_stream *stream;
	struct spa_hook stream_listener;
	uint32_t frame_bytes;
	/* rings[j] feeds config.streams[j]; a reload may change how many the
	 * process callback fills, so it reads the count once per cycle. */
	atomic_uint n_rings;
	struct cb_audio_ring rings[CB_MAX_TRACK_STREAMS];
	atomic_uint_fast64_t frames_in;
	atomic_int state;		/* enum pw_stream_state */
	struct spa_io_position *position;	/* real-time thread only */
	struct cb_cycle_clock cycle;	/* when the graph last pushed audio into the rings */
	struct cb_track_state shared;	/* controls and level, see track-state.h */
	/* Files playing into the track (file-voice.h); their rings are
	 * made with the node. */
	struct cb_file_voice voices[CB_TRACK_VOICES];
	float *mix;			/* real-time thread only: input + voices */
	float *voice_scratch;		/* real-time thread only */
	/* main thread bumps it when `play`s are stopped: a play asked for
	 * before cannot start after (pipeline/file-worker.c) */
	atomic_uint play_epoch;
	/* Why the last file did not play, "" when none failed; under the
	 * file worker's lock (pipeline/file-worker.c). */
	char file_error[256];
	uint64_t file_errors;		/* under the same lock */

	/* Voice processing (pipeline/voice-stage.c).  While voice_on (main
	 * thread writes, with the send worker paused) the process callback
	 * fills voice_ring instead of rings[], and the send worker moves it
	 * through the processor into rings[] in 10 ms blocks.  A track
	 * without processing has no ring and no processor: it pays nothing. */
	atomic_bool voice_on;
	struct cb_timeline timeline;		/* the process callback's */
	struct cb_audio_ring voice_ring;	/* made with the first processor */
	struct cb_track_voice voice;
};

/* Creates the rings and, when core is not NULL, the node. quantum_frames
 * asks the graph for a matching quantum (node.latency) so small ptimes stay
 * small end to end. */
int cb_track_node_new(struct cb_track_node **out, struct pw_core *core, const char *call_name,
		      const struct cb_track_config *config, uint32_t quantum_frames);
void cb_track_node_destroy(struct cb_track_node *t);

/* Whether a file plays into the track now (any thread). */
bool cb_track_node_playing_file(struct cb_track_node *t);

/* A reload that changes which streams the track feeds keeps its node, so
 * apps stay connected.  Prepare (main thread, may fail, touches nothing
 * running) makes sure n rings exist; set (send worker paused) has the
 * process callback fill rings[0..n) from its next cycle, a ring coming
 * back into use starting empty rather than with what it held. */
int cb_track_node_prepare_rings(struct cb_track_node *t, uint32_t n);
void cb_track_node_set_rings(struct cb_track_node *t, uint32_t n);

/* The graph's quantum as the track last saw it (its position area, read
 * from another thread: a value of some recent cycle), or what it asked for. */
uint32_t cb_track_node_quantum(struct cb_track_node *t);

/* Voice processing: prepare (main thread, may fail, touches nothing
 * running) makes the ring and a processor for `s` if it has none; apply
 * (send worker paused) sets it going, or stops it when `s` has nothing
 * on.  far_all/far_mask: the far end it cancels. */
int cb_track_node_prepare_voice(struct cb_track_node *t, const struct cb_apm_settings *s);
void cb_track_node_apply_voice(struct cb_track_node *t, const struct cb_apm_settings *s,
			       bool far_all, uint32_t far_mask);

/* The PipeWire side alone, for a PipeWire restart: the rings (and so what
 * the send streams read) outlive it. Main thread only. */
int cb_track_node_connect(struct cb_track_node *t, struct pw_core *core);
void cb_track_node_disconnect(struct cb_track_node *t);

#endif
