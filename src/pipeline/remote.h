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

#include <opus/opus.h>

#include "config/config.h"
#include "jitter/jitter-buffer.h"
#include "jitter/rate-control.h"
#include "pipeline/remote-node.h"
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
	atomic_uint_fast64_t auth_failures;
	atomic_uint_fast64_t underruns;
	atomic_uint_fast32_t jitter_us;
	atomic_uint_fast32_t depth_ms;
	atomic_uint_fast32_t target_ms;
	atomic_uint_fast32_t ssrc;
	atomic_uint_fast32_t first_seq;		/* where counting started */
	atomic_uint_fast32_t highest_seq;	/* extended, as in receiver reports */
	atomic_uint_fast32_t audio_level;	/* RFC 6464 -dBov the peer reports, 127 unknown */
	atomic_bool voice;			/* its V flag */
};

struct cb_remote {
	/* set once at bridge creation */
	struct cb_remote_config config;	/* name empty for a slot kept for unknown SSRCs */
	bool configured;

	/* worker side */
	bool active;
	uint32_t ssrc;
	uint32_t channels;
	uint32_t payload_type;
	uint64_t last_packet_ns;
	struct cb_address from;
	struct cb_jitter_buffer *jitter_buffer;
	OpusDecoder *decoder;
	struct cb_rate_control rate_control;
	uint64_t last_rate_update_ns;
	struct cb_rtp_source source;
	float pcm[5760 * 2];		/* the longest Opus frame, 120 ms */

	/* shared with the main thread */
	char name[CB_NAME_MAX + 1];
	atomic_uint generation;		/* bumped on every activation */
	atomic_bool wanted;
	struct cb_remote_feed feed;	/* shared with the real-time thread */
	struct cb_remote_stats stats;

	/* main thread only */
	struct cb_remote_node *node;
	unsigned int node_generation;
};

int cb_remote_init(struct cb_remote *r, const struct cb_remote_config *config);
void cb_remote_clear(struct cb_remote *r);

/* Binds the remote to an SSRC and starts it. */
int cb_remote_activate(struct cb_remote *r, uint32_t ssrc, uint32_t channels, uint64_t now_ns);
void cb_remote_deactivate(struct cb_remote *r, const char *why);

/* An authenticated, parsed RTP packet for this remote. */
void cb_remote_receive(struct cb_remote *r, uint16_t seq, uint32_t timestamp,
		       const uint8_t *payload, size_t len, uint64_t now_ns);

/* Keeps the feed's ring topped up and the resampler rate current. */
void cb_remote_produce(struct cb_remote *r, uint64_t now_ns, uint32_t wake_period_samples);

void cb_remote_publish_stats(struct cb_remote *r);

/* Takes the peer's RFC 6464 audio level, when the packet carries one, into
 * the stats (remote-level.c). */
struct cb_rtp_packet;
void cb_remote_note_audio_level(struct cb_remote *r, const struct cb_rtp_packet *pkt);

#endif
