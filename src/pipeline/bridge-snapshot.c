/* What control/ sees of a running bridge: the snapshot that status and the
 * stats file are rendered from, and the tracks a control key may name.
 * Main thread only.  Everything the workers count is read from their
 * atomics (relaxed: each value on its own is what matters, not a moment
 * all of them agree on), so filling never stops a worker. */
#include <stdio.h>
#include <string.h>

#include "pipeline/bridge-private.h"

#define LOAD(x) ((uint64_t)atomic_load_explicit(&(x), memory_order_relaxed))
#define BITRATE_WINDOW_NS 1000000000ull

/* Sound sent this recently keeps a track "playing": a voice's pauses
 * between words do not make it idle. */
#define AUDIBLE_HOLD_NS 300000000ull

static const char *track_state(struct cb_track_node *t, uint64_t now_ns)
{
	struct cb_track_state *s = &t->shared;
	uint64_t audible = LOAD(s->audible_ns);

	if (atomic_load(&s->interrupted))
		return "interrupted";
	if (atomic_load(&s->paused))
		return "paused";
	if (cb_track_node_playing_file(t) || (audible && now_ns - audible < AUDIBLE_HOLD_NS))
		return "playing";
	return "idle";
}

static void fill_track(struct cb_bridge *b, struct cb_snapshot_track *out,
		       struct cb_track_node *t, uint64_t now_ns)
{
	struct cb_track_state *s = &t->shared;
	uint32_t n_rings = atomic_load(&t->n_rings);

	*out = (struct cb_snapshot_track) {
		.state = track_state(t, now_ns),
		.level = atomic_load(&s->level),
		.speaking = atomic_load(&s->speaking),
		.paused = atomic_load(&s->paused),
		.ignore_audio_level = t->config.ignore_audio_level,
		.flushed_frames = LOAD(s->flushed_frames),
		.frames_in = LOAD(t->frames_in),
		/* Live, paused or not: what it holds for a resume. */
		.queued_ms = (uint32_t)SPA_MIN(cb_track_state_queued(s) * 1000 / 48000,
					       (uint64_t)UINT32_MAX),
		.dropped_frames = LOAD(s->dropped_frames),
		.played_rtp = s->played_rtp_end,
	};
	snprintf(out->name, sizeof(out->name), "%s", t->config.name);
	snprintf(out->played, sizeof(out->played), "%s", s->played);
	for (uint32_t j = 0; j < n_rings && j < CB_MAX_TRACK_STREAMS; j++)
		out->overrun_frames += LOAD(t->rings[j].overrun_frames);
	for (uint32_t v = 0; v < CB_TRACK_VOICES; v++)
		out->file_underrun_frames += LOAD(t->voices[v].underrun_frames);
	if (b->files_ready)
		cb_file_worker_error(&b->files, t, out->file_error, sizeof(out->file_error));
	out->voice_processing = atomic_load(&t->voice.processing);
	if (out->voice_processing) {
		out->echo_cancel = t->config.echo_cancel;
		out->gain_control = t->config.gain_control;
		out->echo_valid = atomic_load(&t->voice.echo_valid);
		out->erle_db = atomic_load(&t->voice.erle_cdb) / 100.0;
		out->echo_delay_ms = atomic_load(&t->voice.delay_ms);
		out->agc_gain_db = atomic_load(&t->voice.gain_cdb) / 100.0;
		out->voice = atomic_load(&t->voice.voice);
		out->voice_errors = LOAD(t->voice.errors);
	}
}

/* The window of stream s from the last tick, or a fresh one. */
static struct cb_bitrate_window window_of(const struct cb_bridge *b,
					   const struct cb_send_stream *s, uint64_t octets,
					   uint64_t now_ns)
{
	for (uint32_t i = 0; i < CB_MAX_STREAMS; i++) {
		const struct cb_bitrate_window *w = &b->bitrate[i];
		/* Fewer octets than at its start: a new stream where a freed
		 * one used to be. */
		if (w->stream == s && octets >= w->start_octets)
			return *w;
	}
	return (struct cb_bitrate_window) {
		.stream = s, .start_ns = now_ns, .start_octets = octets,
	};
}

static void fill_stream(struct cb_snapshot_stream *out, struct cb_send_stream *s,
			struct cb_bitrate_window *w, uint64_t now_ns)
{
	const struct cb_send_stream_stats *st = &s->stats;
	int64_t rtt_us = atomic_load(&s->feedback->rtt_us);

	*out = (struct cb_snapshot_stream) {
		.ssrc = s->ssrc,
		.packets = LOAD(st->packets),
		.octets = LOAD(st->octets),
		.frames = LOAD(st->frames),
		.dtx_frames = LOAD(st->dtx_frames),
		.underrun_frames = LOAD(st->underrun_frames),
		.dropped_frames = LOAD(st->dropped_frames),
		.red_frames = LOAD(st->red_frames),
		.has_rtt = rtt_us >= 0,
		.rtt_us = rtt_us >= 0 ? (uint64_t)rtt_us : 0,
		.peer_fraction_lost = LOAD(s->feedback->fraction_lost) / 256.0,
		.peer_cumulative_lost = (int64_t)atomic_load(&s->feedback->cumulative_lost),
		.peer_reports = LOAD(s->feedback->reports),
	};
	snprintf(out->name, sizeof(out->name), "%s", s->config.name);
	if (now_ns - w->start_ns >= BITRATE_WINDOW_NS) {
		w->bitrate = (out->octets - w->start_octets) * 8ull * 1000000000ull /
			     (now_ns - w->start_ns);
		w->start_ns = now_ns;
		w->start_octets = out->octets;
	}
	out->bitrate = w->bitrate;
}

static void fill_streams(struct cb_bridge *b, struct cb_snapshot *snap, uint64_t now_ns)
{
	struct cb_bitrate_window next[CB_MAX_STREAMS] = { 0 };

	/* Windows follow their stream however a reload reordered them. */
	for (uint32_t i = 0; i < b->n_streams; i++) {
		struct cb_send_stream *s = b->streams[i];
		next[i] = window_of(b, s, LOAD(s->stats.octets), now_ns);
		fill_stream(&snap->streams[i], s, &next[i], now_ns);
	}
	snap->n_streams = b->n_streams;
	memcpy(b->bitrate, next, sizeof(next));
}

static void fill_remote(struct cb_snapshot_remote *out, struct cb_remote *r)
{
	const struct cb_remote_stats *st = &r->stats;

	*out = (struct cb_snapshot_remote) {
		.configured = r->configured,
		.active = atomic_load(&r->wanted),
		.ssrc = (uint32_t)LOAD(st->ssrc),
		.level = (uint32_t)LOAD(st->audio_level),
		.voice = atomic_load(&st->voice),
		.packets = LOAD(st->packets),
		.bytes = LOAD(st->bytes),
		.first_seq = (uint32_t)LOAD(st->first_seq),
		.highest_seq = (uint32_t)LOAD(st->highest_seq),
		.lost = LOAD(st->lost),
		.late = LOAD(st->late),
		.duplicates = LOAD(st->duplicates),
		.concealed = LOAD(st->concealed),
		.fec_recovered = LOAD(st->fec_recovered),
		.red_recovered = LOAD(st->red_recovered),
		.fec_empty = LOAD(st->fec_empty),
		.auth_failures = LOAD(st->auth_failures),
		.underrun_frames = LOAD(st->underruns),
		.trimmed_frames = LOAD(st->trimmed),
		.jitter_us = (uint32_t)LOAD(st->jitter_us),
		.depth_ms = (uint32_t)LOAD(st->depth_ms),
		.target_ms = (uint32_t)LOAD(st->target_ms),
		.drift_ppm = (int32_t)LOAD(st->drift_ppm),
		.ring_us = (uint32_t)LOAD(st->ring_us),
	};
	/* A configured remote's name is the main thread's own; an unknown
	 * SSRC's slot is named by the receive worker when it activates it, so
	 * take that name from the SSRC it published instead of reading a
	 * string the worker may be rewriting. */
	if (r->configured)
		snprintf(out->name, sizeof(out->name), "%s", r->name);
	else if (out->ssrc != 0 || out->packets > 0 || out->auth_failures > 0)
		snprintf(out->name, sizeof(out->name), "%08x", out->ssrc);
	else
		out->name[0] = '\0';
}

static void fill_receive(struct cb_bridge *b, struct cb_snapshot_receive *out)
{
	const struct cb_receive_stats *r = &b->receiver.stats;
	uint64_t not_media = 0;

	/* What a transport's demux dropped (not RTP or RTCP, nobody to take
	 * it) counts as a malformed datagram, as before the demux. */
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i])
			not_media += LOAD(b->sessions[i]->transport->counters.rx_dropped);
	*out = (struct cb_snapshot_receive) {
		.datagrams = LOAD(r->datagrams) + not_media,
		.rtp = LOAD(r->rtp),
		.rtcp = LOAD(r->rtcp),
		.auth_failures = LOAD(r->auth_failures),
		.malformed = LOAD(r->malformed) + not_media,
		.malformed_red = LOAD(r->malformed_red),
		.unknown_payload_type = LOAD(r->unknown_payload_type),
		.unknown_ssrc = LOAD(r->unknown_ssrc),
		.oversized = LOAD(r->oversized),
		.no_key = LOAD(r->no_key),
		.read_wait_max_us = LOAD(r->read_wait_max_us),
	};
}

/* webrtc: each WHIP/WHEP session, by the stream or remote it carries. */
static void fill_sessions(struct cb_bridge *b, struct cb_snapshot *snap)
{
	snap->n_sessions = 0;
	for (uint32_t i = 0; i < b->n_sessions && snap->n_sessions < CB_SNAPSHOT_MAX_SESSIONS; i++) {
		struct cb_call_session *cs = b->sessions[i];
		struct cb_snapshot_session *o = &snap->sessions[snap->n_sessions];
		struct cb_whip_info info;

		if (cs == NULL || cs->whip == NULL)
			continue;
		cb_whip_session_info(cs->whip, &info);
		snprintf(o->name, sizeof(o->name), "%s", cs->name);
		o->kind = info.kind;
		snprintf(o->url, sizeof(o->url), "%s", info.url);
		o->http_state = info.http_state;
		o->http_status = info.http_status;
		o->recoveries = info.recoveries;
		snprintf(o->failure, sizeof(o->failure), "%s", info.failure);
		cb_transport_describe(cs->transport, &o->transport);
		snap->n_sessions++;
	}
}

void cb_bridge_fill_snapshot(struct cb_bridge *b, struct cb_snapshot *snap, uint64_t now_ns)
{
	const struct cb_send_worker_stats *send = &b->worker.stats;

	snprintf(snap->call_name, sizeof(snap->call_name), "%s", b->config.call.name);
	snprintf(snap->srtp, sizeof(snap->srtp), "%s", cb_srtp_suite_name(b->config.call.srtp));
	memset(&snap->transport, 0, sizeof(snap->transport));
	/* udp and ice: the one session; webrtc: the first in a slot. */
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i]) {
			cb_transport_describe(b->sessions[i]->transport, &snap->transport);
			break;
		}

	fill_sessions(b, snap);
	cb_bridge_fill_endpoint(b, snap);
	for (uint32_t i = 0; i < b->n_tracks; i++) {
		fill_track(b, &snap->tracks[i], b->tracks[i], now_ns);
		cb_bridge_capture_state(b, &b->tracks[i]->config, snap->tracks[i].capture,
					sizeof(snap->tracks[i].capture));
	}
	snap->n_tracks = b->n_tracks;
	fill_streams(b, snap, now_ns);
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		fill_remote(&snap->remotes[i], &b->remotes[i]);
		if (b->remotes[i].configured)
			cb_bridge_playback_state(b, &b->remotes[i].config,
						 snap->remotes[i].playback,
						 sizeof(snap->remotes[i].playback));
	}
	snap->n_remotes = b->n_remotes;

	snap->send = (struct cb_snapshot_send) {
		.rtp_sent = LOAD(send->rtp_sent),
		.rtcp_sent = LOAD(send->rtcp_sent),
		.send_errors = LOAD(send->send_errors),
		.protect_errors = LOAD(send->protect_errors),
		.encode_errors = LOAD(send->encode_errors),
		.no_key = LOAD(send->no_key),
	};
	snap->receiving = b->receiving;
	if (b->receiving)
		fill_receive(b, &snap->receive);
	else
		memset(&snap->receive, 0, sizeof(snap->receive));
}

struct cb_track_state *cb_bridge_track_at(void *data, uint32_t index, const char **name)
{
	struct cb_bridge *b = data;

	if (index >= b->n_tracks)
		return NULL;
	*name = b->tracks[index]->config.name;
	return &b->tracks[index]->shared;
}
