/* The call at one moment, as status and the stats file show it: plain
 * data, copied by the main thread out of the bridge's objects and the
 * counters the workers publish as atomics (pipeline/bridge-snapshot.c).
 * Both outputs render it with the same writer (snapshot-json.h), so they
 * cannot disagree, and nothing here points into the objects it was read
 * from, so control/ knows nothing of pipeline/.  Main thread only; the
 * bridge keeps one and refills it in place on its timer. */
#ifndef CALLBRIDGE_SNAPSHOT_H
#define CALLBRIDGE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "endpoint/endpoint.h"
#include "transport/transport.h"

/* From the track's cb_track_state (the send worker writes level, speaking
 * and flushed_frames; the main thread paused) and its node (the real-time
 * thread counts frames_in and the rings' overruns). */
struct cb_snapshot_track {
	char name[CB_NAME_MAX + 1];
	/* "idle", "playing" (a file plays, or it sent sound in the last
	 * 300 ms), "paused", "interrupted"; a static string */
	const char *state;
	uint32_t level;			/* -dBov, 0..127 (127: silence) */
	bool speaking;			/* with hangover */
	bool paused;
	bool ignore_audio_level;	/* its configuration */
	uint64_t flushed_frames;
	uint64_t frames_in;		/* from the graph */
	uint32_t queued_ms;		/* taken in, not yet encoded: what a pause holds */
	uint64_t overrun_frames;	/* dropped at full rings, over every stream it feeds */
	uint64_t dropped_frames;	/* flushed, interrupted, over the backlog cap */
	char played[64];		/* the last mark that has left, "" none yet */
	uint32_t played_rtp;		/* RTP time just past its last frame (first stream) */
	uint64_t file_underrun_frames;	/* a file's ring ran dry: the disk was too slow */
	char file_error[256];		/* why the last file failed, "" none */
	/* capture: "linked:NODE" or "waiting:TARGET"; "" without capture. */
	char capture[CB_TARGET_MAX + 16];
	/* Voice processing (pipeline/voice-stage.c): whether it runs, and
	 * what the processor found: ERLE once the canceller has heard the far
	 * end for a second (echo_valid), the far end's delay, the level change
	 * over voice (the AGC's gain), voice present. */
	bool voice_processing;
	bool echo_cancel;
	bool echo_valid;
	double erle_db;
	int32_t echo_delay_ms;
	bool gain_control;
	double agc_gain_db;
	bool voice;
	uint64_t voice_errors;
};

/* From the send stream's counters (send worker) and the peer's receiver
 * reports about its SSRC (receive worker). */
struct cb_snapshot_stream {
	char name[CB_NAME_MAX + 1];
	uint32_t ssrc;
	uint64_t packets;
	uint64_t octets;		/* payload, as RTCP counts them */
	uint64_t bitrate;		/* payload bit/s over the last whole second; 0 before one */
	uint64_t frames;
	uint64_t dtx_frames;
	uint64_t underrun_frames;
	uint64_t dropped_frames;
	uint64_t red_frames;		/* earlier frames carried again (RFC 2198) */
	bool has_rtt;			/* false until a report brings one */
	uint64_t rtt_us;
	double peer_fraction_lost;	/* 0..1, of the last report */
	int64_t peer_cumulative_lost;	/* signed, as RTCP carries it */
	uint64_t peer_reports;
};

/* From the remote's counters (receive worker) and its `wanted` flag. */
struct cb_snapshot_remote {
	char name[CB_NAME_MAX + 1];	/* empty: a free slot never used */
	bool configured;		/* a [remote] section, not a slot for unknown SSRCs */
	bool active;			/* bound to an SSRC; its node is wanted */
	uint32_t ssrc;
	uint32_t level;			/* the peer's RFC 6464 -dBov, 127 without one */
	bool voice;			/* its V flag */
	uint64_t packets;
	uint64_t bytes;			/* payload */
	uint32_t first_seq;		/* extended, where counting started */
	uint32_t highest_seq;
	uint64_t lost;
	uint64_t late;
	uint64_t duplicates;
	uint64_t concealed;
	uint64_t fec_recovered;
	uint64_t red_recovered;		/* frames played from RFC 2198 copies */
	uint64_t fec_empty;		/* FEC slots without FEC in the packet: concealed */
	uint64_t auth_failures;		/* of packets carrying its SSRC */
	uint64_t underrun_frames;
	uint64_t trimmed_frames;	/* silence left out to take an excess latency down */
	uint32_t jitter_us;
	uint32_t depth_ms;		/* jitter buffer */
	uint32_t target_ms;
	/* The drift control: how much faster (> 0) or slower than the
	 * sender's clock the node plays, in parts per million (within
	 * CB_RATE_CONTROL_MAX_DEVIATION), and the decoded audio waiting for the node: with depth_ms,
	 * where the receive latency sits. */
	int32_t drift_ppm;
	uint32_t ring_us;
	/* playback: "linked:NODE" or "waiting:TARGET"; "" without playback. */
	char playback[CB_TARGET_MAX + 16];
};

/* The send worker's counters. */
struct cb_snapshot_send {
	uint64_t rtp_sent;
	uint64_t rtcp_sent;
	uint64_t send_errors;
	uint64_t protect_errors;
	uint64_t encode_errors;
	uint64_t no_key;		/* dropped: no keys yet */
};

/* The receive worker's counters, with what the transports' demux dropped
 * (neither RTP nor RTCP, nobody to take it) in datagrams and malformed:
 * that is how they were counted before the demux existed. */
struct cb_snapshot_receive {
	uint64_t datagrams;
	uint64_t rtp;
	uint64_t rtcp;
	uint64_t auth_failures;
	uint64_t malformed;
	uint64_t malformed_red;		/* of those, RED payloads that do not parse */
	uint64_t read_wait_max_us;	/* longest a datagram waited to be read, lately */
	uint64_t unknown_payload_type;
	uint64_t unknown_ssrc;
	uint64_t oversized;
	uint64_t no_key;
};

/* transport = webrtc: one WHIP or WHEP session (whip/whip-session.h). */
#define CB_SNAPSHOT_MAX_SESSIONS (CB_MAX_STREAMS + CB_MAX_REMOTES)
#define CB_SNAPSHOT_URL_MAX 2048

struct cb_snapshot_session {
	char name[CB_NAME_MAX + 1];	/* the stream or remote it carries */
	const char *kind;		/* "whip", "whep" */
	char url[CB_SNAPSHOT_URL_MAX];	/* without its query */
	const char *http_state;		/* "posting", "active", "retrying", "failed", "ended" */
	unsigned int http_status;	/* the last answer's, 0 before one */
	char failure[200];		/* the last, until keys flow again; "" when none */
	uint32_t recoveries;		/* new sessions after a break */
	struct cb_transport_info transport;	/* ICE state and pair, DTLS, counters */
};

/* [endpoint]: browsers at callbridge's own WHIP/WHEP paths. */
#define CB_SNAPSHOT_ENDPOINT_ROUTES 16
#define CB_SNAPSHOT_GUESTS 64
struct cb_snapshot_guest {
	char route[CB_NAME_MAX + 1];	/* the remote or stream */
	struct cb_peer_info peer;
};

struct cb_snapshot_endpoint {
	bool present;
	char base[128];			/* https://ADDR:PORT */
	struct cb_endpoint_counters counters;
	uint32_t n_routes;
	struct {
		char path[CB_ENDPOINT_PATH];
		char name[CB_NAME_MAX + 1];
		bool whep;
		uint32_t peers;
		uint64_t sessions_total;
	} routes[CB_SNAPSHOT_ENDPOINT_ROUTES];
	uint32_t n_guests;		/* every route's peers, in route order */
	struct cb_snapshot_guest guests[CB_SNAPSHOT_GUESTS];
};

struct cb_snapshot {
	char call_name[CB_NAME_MAX + 1];
	char srtp[32];			/* the suite's name */
	/* The call's transport as cb_transport_describe() tells it; its
	 * pointers are to static strings.  kind NULL: no transport (yet). */
	struct cb_transport_info transport;

	uint32_t n_tracks;
	struct cb_snapshot_track tracks[CB_MAX_TRACKS];
	uint32_t n_streams;
	struct cb_snapshot_stream streams[CB_MAX_STREAMS];
	/* Every slot, configured or not; cb_snapshot_remote_shown() says
	 * which are worth showing. */
	uint32_t n_remotes;
	struct cb_snapshot_remote remotes[CB_MAX_REMOTES];

	/* webrtc only; 0 with udp and ice. */
	uint32_t n_sessions;
	struct cb_snapshot_session sessions[CB_SNAPSHOT_MAX_SESSIONS];

	/* Opus encoders running: one per stream, however many sessions or
	 * viewers each stream goes to. */
	uint32_t encoders;
	struct cb_snapshot_endpoint endpoint;

	struct cb_snapshot_send send;
	bool receiving;			/* false: no receive path, receive is unset */
	struct cb_snapshot_receive receive;
};

/* A [remote], or a slot for an unknown SSRC once something arrived for it
 * (a packet, or one that failed authentication). */
static inline bool cb_snapshot_remote_shown(const struct cb_snapshot_remote *r)
{
	return r->name[0] != '\0' &&
	       (r->configured || r->packets > 0 || r->auth_failures > 0);
}

static inline bool cb_snapshot_is_ice(const struct cb_snapshot *s)
{
	return s->transport.kind != NULL && strcmp(s->transport.kind, "ice") == 0;
}

#endif
