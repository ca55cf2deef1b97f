/* One outgoing RTP stream: pulls a frame from each of its track rings, mixes
 * them, encodes with Opus and packs RTP.  It knows nothing of sockets or
 * SRTP; the worker hands its clear packets on, which lets the benchmark and
 * the tests drive it directly. */
#ifndef CALLBRIDGE_SEND_STREAM_H
#define CALLBRIDGE_SEND_STREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio/opus-encoder.h"
#include "config/config.h"
#include "audio/audio-ring.h"
#include "audio/levels.h"
#include "node/track-state.h"
#include "rtp/rtcp.h"
#include "rtp/rtp-session.h"

/* How far one track may run ahead of another before the stream stops waiting
 * for the laggard and pads it with silence (about 85 ms). */
#define CB_SEND_MAX_SKEW_FRAMES 4096
/* Audio older than this is dropped, so the queue between the graph and the
 * encoder stays bounded however long the call runs. */
#define CB_SEND_MAX_BACKLOG_FRAMES 8192
/* Whether the PipeWire graph feeds the stream's inputs. While it does not
 * (the daemon restarts), the stream carries silence paced by the monotonic
 * clock; once back, it returns to the graph's pace at the first whole frame. */
enum cb_send_pipewire {
	CB_SEND_PIPEWIRE_UP,
	CB_SEND_PIPEWIRE_AWAY,
	CB_SEND_PIPEWIRE_BACK,
};

struct cb_send_input {
	struct cb_audio_ring *ring;
	float gain;
	bool ignore_audio_level;

	/* Bound to its track (cb_send_stream_bind_track); NULL in tests that
	 * feed a bare ring. */
	struct cb_track_state *track;
	bool publishes;			/* the one input that reports the track's level */
	uint32_t ring_index;		/* which of the track's rings this is */
	unsigned int flushes_seen;
	/* interrupt: the last request seen, and whether what the ring holds
	 * up to the track's open_pos is still to be dropped */
	unsigned int interrupts_seen;
	bool in_interrupt;
	/* Frames held over a pause that playback continues from: readiness
	 * and the backlog cap count only what arrived beyond them, so held
	 * audio delays the track instead of being skipped or rushed out. */
	uint32_t held_frames;
	bool was_paused;
	struct cb_voice_activity voice;
};

/* Written by the send worker only; atomic so other threads may read them. */
struct cb_send_stream_stats {
	_Atomic uint64_t packets;
	_Atomic uint64_t octets;		/* payload octets, as RTCP counts them */
	_Atomic uint64_t frames;
	_Atomic uint64_t dtx_frames;		/* encoded but not sent */
	_Atomic uint64_t underrun_frames;	/* padded with silence */
	_Atomic uint64_t dropped_frames;	/* backlog trimmed */
};

struct cb_send_stream {
	struct cb_stream_config config;
	uint32_t frame;			/* samples per channel per packet */
	struct cb_opus_encoder *encoder;
	struct cb_address dest;		/* transports without a path of their own */
	uint32_t output;		/* which session carries it: the send worker's output */

	uint32_t ssrc;
	uint16_t sequence;
	uint32_t timestamp;		/* of the next packet */
	bool marker_next;

	uint32_t n_inputs;
	struct cb_send_input inputs[CB_MAX_TRACKS];
	float *mix;
	float *scratch;
	float *level_mix;		/* the tracks that count for the audio level */

	/* RFC 6464 level of the last frame, sent when audio_level_ext_id > 0. */
	int audio_level_ext_id;
	uint8_t audio_level;
	bool voice;

	/* For the sender report: where the last frame sat on both clocks. */
	uint32_t last_timestamp;
	uint64_t last_frame_ns;
	uint64_t next_frame_ns;		/* pacing when there are no inputs or no audio */
	atomic_int pipewire;		/* enum cb_send_pipewire, set by the main thread */

	struct cb_send_stream_stats stats;
	/* send worker: the reports that introduce the stream (its name in
	 * SDES) before its first packet and a second later */
	uint32_t intros;
	uint64_t intro_next_ns;
	/* What the peer reports about our SSRC: a slot of the session's RTP
	 * session once attached, else our own (tests, benchmarks). */
	struct cb_rtp_feedback *feedback;
	/* Its session's negotiated payload type and level id (main thread
	 * sets the pointer before the worker starts; NULL: as configured). */
	struct cb_rtp_session *rtp;
	struct cb_rtp_feedback own_feedback;
};

int cb_send_stream_new(struct cb_send_stream **out, const struct cb_stream_config *config,
		       uint32_t frame, const struct cb_address *dest);
void cb_send_stream_free(struct cb_send_stream *s);

/* A reload: whether `config` can apply to the running stream (same
 * channels, payload type and Opus application), and applying it: bitrate,
 * FEC, DTX, expected loss, complexity and destination change in place, the
 * SSRC and sequence carry on. Only while the worker is paused. */
bool cb_send_stream_can_update(const struct cb_send_stream *s,
			       const struct cb_stream_config *config);
int cb_send_stream_update(struct cb_send_stream *s, const struct cb_stream_config *config,
			  const struct cb_address *dest);

void cb_send_stream_set_pipewire(struct cb_send_stream *s, enum cb_send_pipewire state);

/* Inputs are rebuilt from the tracks on every reload; only while the
 * worker is paused. */
void cb_send_stream_clear_inputs(struct cb_send_stream *s);
int cb_send_stream_add_input(struct cb_send_stream *s, struct cb_audio_ring *ring,
			     float gain_db, bool ignore_audio_level);

/* Ties the input reading `ring` to its track's shared state (controls,
 * level, speaking).  `publishes`: this input reports the track's level
 * (once per track however many streams it feeds). */
void cb_send_stream_bind_track(struct cb_send_stream *s, struct cb_audio_ring *ring,
			       struct cb_track_state *track, uint32_t hangover_ms,
			       bool publishes);

/* True when a whole frame can be produced at now_ns (monotonic). */
bool cb_send_stream_ready(struct cb_send_stream *s, uint64_t now_ns);

/* Produces the next frame as a clear RTP packet in buf. Returns its size, 0
 * when DTX decided to send nothing, or a negative errno.  The marks whose
 * last frame it carries are noted; cb_send_stream_commit_marks, once the
 * packet is sent, reports them. */
int cb_send_stream_produce(struct cb_send_stream *s, uint64_t now_ns, uint8_t *buf, size_t cap);

/* After the last produced packet left: moves on every mark of the
 * stream's tracks that has now left in all of the track's streams.
 * Returns how many did. */
uint32_t cb_send_stream_commit_marks(struct cb_send_stream *s);

/* Appends SR + SDES for this stream to a compound packet. */
void cb_send_stream_write_report(struct cb_send_stream *s, struct cb_rtcp_writer *w,
				 uint64_t ntp_time, uint64_t now_ns, const char *cname);

#endif
