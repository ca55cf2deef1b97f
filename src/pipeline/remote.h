/* One incoming stream, on the receive worker: SSRC binding, jitter buffer,
 * Opus decoder with FEC and PLC, clock-drift control, reception statistics.
 * Decoded audio goes to the real-time side through the feed's ring; the node
 * itself is made and removed by the main thread when `generation` and
 * `wanted` say so. */
#ifndef CALLBRIDGE_REMOTE_H
#define CALLBRIDGE_REMOTE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>


#include "audio/opus-decoder.h"
#include "config/config.h"
#include "jitter/jitter-buffer.h"
#include "jitter/rate-control.h"
#include "node/remote-node.h"
#include "rtp/rtp-source.h"

/* Counters the main thread reads for the stats file and status. */
struct cb_remote_stats {
	atomic_uint_fast64_t packets;
	atomic_uint_fast64_t bytes;
	atomic_uint_fast64_t lost;
	atomic_uint_fast64_t late;
	atomic_uint_fast64_t duplicates;
	atomic_uint_fast64_t concealed;
	atomic_uint_fast64_t fec_recovered;
	atomic_uint_fast64_t red_recovered;	/* frames rebuilt from RFC 2198 copies */
	atomic_uint_fast64_t fec_empty;		/* FEC slots without FEC (CELT-only): PLC */
	atomic_uint_fast64_t auth_failures;
	atomic_uint_fast64_t underruns;
	atomic_uint_fast64_t trimmed;		/* frames left out to take an excess down: silent
						 * ones, and those an underrun's silence stood in for */
	atomic_uint_fast32_t jitter_us;
	atomic_uint_fast32_t depth_ms;
	atomic_uint_fast32_t target_ms;
	atomic_int_fast32_t drift_ppm;		/* the drift control's rate, (factor - 1) * 1e6 */
	atomic_uint_fast32_t ring_us;		/* decoded, waiting for the node, at the last top-up */
	atomic_uint_fast32_t ssrc;
	atomic_uint_fast32_t first_seq;		/* where counting started */
	atomic_uint_fast32_t highest_seq;	/* extended, as in receiver reports */
	atomic_uint_fast32_t audio_level;	/* RFC 6464 -dBov the peer reports, 127 unknown */
	atomic_bool voice;			/* its V flag */
};

#define CB_REMOTE_LATE_WINDOWS 4

struct cb_remote {
	/* set at bridge creation, and by a reload with the workers paused */
	struct cb_remote_config config;	/* name empty for a slot kept for unknown SSRCs */
	bool configured;

	/* worker side */
	bool active;
	uint32_t ssrc;
	uint32_t channels;
	uint32_t payload_type;
	uint64_t last_packet_ns;
	struct cb_address from;
	uint32_t input;			/* the receive input (session) it arrives on */
	/* A remote that is its own session (WHEP) takes what arrives on that
	 * input, whatever the SSRC; -1: any input (udp, ice). Main thread
	 * writes it while the receive worker is paused or not started. */
	int bound_input;
	struct cb_jitter_buffer *jitter_buffer;
	struct cb_opus_decoder *decoder;
	struct cb_rate_control rate_control;
	uint64_t last_rate_update_ns;
	struct cb_remote_feed *feed;	/* this activation's, of feeds[] */
	uint64_t served_ns;		/* start of the last cycle a top-up was for */
	/* The two worst late wake-ups per window (one per stall: see
	 * note_lateness()), worst first. */
	uint64_t late[CB_REMOTE_LATE_WINDOWS][2];
	uint64_t late_start;
	uint64_t late_event_ns;		/* the last wake-up later than the lead */
	uint64_t planned_ns;		/* the top-up deadline planned last, 0 if none */
	/* No node plays the feed: nothing is taken (cb_remote_produce). */
	uint64_t cycles_seen;		/* the node's cycle count, as last looked at */
	uint64_t cycles_moved_ns;	/* when it last moved; 0: not since the activation */
	bool holding;			/* nothing taken since; the buffer starts over */
	bool was_silent;		/* the last frame decoded was silence */
	uint64_t excess_since_ns;	/* the latency stood above its target from then */
	uint32_t excess_target;		/* ... against this target (samples) */
	uint64_t underruns_seen;	/* the feed's underrun_frames, as last looked at */
	uint32_t skip_owed;		/* frames an underrun's silence stood in for */
	struct cb_rtp_source source;
	uint64_t fec_plc;		/* FEC slots whose packet had no FEC (CELT-only) */
	float pcm[5760 * 2];		/* the longest Opus frame, 120 ms */

	/* shared with the main thread */
	char name[CB_NAME_MAX + 1];
	atomic_uint generation;		/* bumped on every activation */
	atomic_bool wanted;
	struct cb_remote_feed feeds[2];	/* shared with the real-time thread */
	atomic_uint feed_index;		/* the one the node of `generation` uses */
	struct cb_remote_stats stats;

	/* The far end for the tracks' echo cancellers (voice-stage.c): what
	 * the node plays, downmixed to mono by its callback while a track
	 * wants it (main thread hands the node this ring, or NULL); the send
	 * worker reads it.  Made the first time a track wants it. */
	struct cb_audio_ring echo_ring;
	bool echo_wanted;		/* main thread */

	/* main thread only */
	struct cb_remote_node *node;
	unsigned int node_generation;
};

/* config NULL: a slot for SSRCs that no [remote] claims, as
 * cb_remote_unconfigure leaves it. */
int cb_remote_init(struct cb_remote *r, const struct cb_remote_config *config);
/* Makes a slot one for unclaimed SSRCs again: no [remote] of its own, and
 * exactly the [remote] defaults of the key table (cb_config_default_remote),
 * whatever it was before.  The receive worker must not be running. */
void cb_remote_unconfigure(struct cb_remote *r);
void cb_remote_clear(struct cb_remote *r);

/* Binds the remote to an SSRC and starts it, on a feed no node is using.
 * -EBUSY when both feeds still have nodes (two activations within one pass of
 * the main thread): the caller drops the packet, the next one retries. */
int cb_remote_activate(struct cb_remote *r, uint32_t ssrc, uint32_t channels, uint64_t now_ns);
void cb_remote_deactivate(struct cb_remote *r, const char *why);

/* An authenticated, parsed RTP packet for this remote. */
void cb_remote_receive(struct cb_remote *r, uint16_t seq, uint32_t timestamp,
		       const uint8_t *payload, size_t len, uint64_t now_ns);

/* Main thread: the feed the node of the current activation must use. */
static inline struct cb_remote_feed *cb_remote_current_feed(struct cb_remote *r)
{
	return &r->feeds[atomic_load_explicit(&r->feed_index, memory_order_acquire) & 1];
}

/* An RFC 2198 redundant copy of packet seq, carried in a later packet
 * that cb_remote_receive has just taken: fills its hole if still open. */
void cb_remote_receive_redundant(struct cb_remote *r, uint16_t seq, uint32_t timestamp,
				 const uint8_t *payload, size_t len);

/* Keeps the feed's ring topped up and the resampler rate current. While
 * the node runs, this tops up once per graph cycle, CB_REMOTE_LEAD_NS before
 * the cycle (calls before then do nothing); otherwise on every call, for a
 * worker that calls every fallback_ns. Returns when it wants the next call. */
uint64_t cb_remote_produce(struct cb_remote *r, uint64_t now_ns, uint64_t fallback_ns);

void cb_remote_publish_stats(struct cb_remote *r);

/* Takes the peer's RFC 6464 audio level, when the packet carries one, into
 * the stats (remote-level.c). */
struct cb_rtp_packet;
void cb_remote_note_audio_level(struct cb_remote *r, const struct cb_rtp_packet *pkt);

#endif
