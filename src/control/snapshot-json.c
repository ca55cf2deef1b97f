#include <stdio.h>

#include "control/snapshot-json.h"

void cb_snapshot_json_track(struct cb_json_out *o, const struct cb_snapshot_track *t, bool named)
{
	cb_json_open_object(o, NULL);
	if (named)
		cb_json_string(o, "name", t->name);
	cb_json_uint(o, "level", t->level);
	cb_json_bool(o, "speaking", t->speaking);
	cb_json_bool(o, "paused", t->paused);
	cb_json_string(o, "state", t->state ? t->state : "idle");
	cb_json_bool(o, "ignore_audio_level", t->ignore_audio_level);
	cb_json_uint(o, "flushed_frames", t->flushed_frames);
	cb_json_uint(o, "frames_in", t->frames_in);
	cb_json_uint(o, "queued_ms", t->queued_ms);
	cb_json_uint(o, "overrun_frames", t->overrun_frames);
	cb_json_uint(o, "dropped_frames", t->dropped_frames);
	if (t->played[0]) {
		cb_json_string(o, "played", t->played);
		cb_json_uint(o, "played_rtp", t->played_rtp);
	} else {
		cb_json_null(o, "played");
		cb_json_null(o, "played_rtp");
	}
	cb_json_uint(o, "file_underrun_frames", t->file_underrun_frames);
	if (t->file_error[0])
		cb_json_string(o, "file_error", t->file_error);
	else
		cb_json_null(o, "file_error");
	if (t->capture[0])
		cb_json_string(o, "capture", t->capture);
	else
		cb_json_null(o, "capture");
	/* Unknown or not processed is null, never a number. */
	cb_json_bool(o, "voice_processing", t->voice_processing);
	if (t->voice_processing && t->echo_cancel && t->echo_valid)
		cb_json_fixed(o, "erle_db", t->erle_db, 1);
	else
		cb_json_null(o, "erle_db");
	if (t->voice_processing && t->echo_cancel && t->echo_delay_ms >= 0)
		cb_json_int(o, "echo_delay_ms", t->echo_delay_ms);
	else
		cb_json_null(o, "echo_delay_ms");
	if (t->voice_processing && t->gain_control)
		cb_json_fixed(o, "agc_gain_db", t->agc_gain_db, 1);
	else
		cb_json_null(o, "agc_gain_db");
	if (t->voice_processing)
		cb_json_bool(o, "voice", t->voice);
	else
		cb_json_null(o, "voice");
	cb_json_close_object(o);
}

void cb_snapshot_json_stream(struct cb_json_out *o, const struct cb_snapshot_stream *s,
			     bool named)
{
	cb_json_open_object(o, NULL);
	if (named)
		cb_json_string(o, "name", s->name);
	cb_json_uint(o, "ssrc", s->ssrc);
	cb_json_uint(o, "packets", s->packets);
	cb_json_uint(o, "octets", s->octets);
	cb_json_uint(o, "bitrate", s->bitrate);
	cb_json_uint(o, "frames", s->frames);
	cb_json_uint(o, "dtx_frames", s->dtx_frames);
	cb_json_uint(o, "underrun_frames", s->underrun_frames);
	cb_json_uint(o, "dropped_frames", s->dropped_frames);
	cb_json_uint(o, "red_frames", s->red_frames);
	/* Unknown is null, never a number a script could take for a time. */
	if (s->has_rtt)
		cb_json_fixed(o, "rtt_ms", s->rtt_us / 1000.0, 1);
	else
		cb_json_null(o, "rtt_ms");
	cb_json_fixed(o, "peer_fraction_lost", s->peer_fraction_lost, 4);
	cb_json_int(o, "peer_cumulative_lost", s->peer_cumulative_lost);
	cb_json_uint(o, "peer_reports", s->peer_reports);
	cb_json_close_object(o);
}

void cb_snapshot_json_remote(struct cb_json_out *o, const struct cb_snapshot_remote *r,
			     bool named)
{
	cb_json_open_object(o, NULL);
	if (named)
		cb_json_string(o, "name", r->name);
	cb_json_bool(o, "active", r->active);
	cb_json_uint(o, "ssrc", r->ssrc);
	cb_json_uint(o, "level", r->level);
	cb_json_bool(o, "voice", r->voice);
	cb_json_uint(o, "packets", r->packets);
	cb_json_uint(o, "bytes", r->bytes);
	cb_json_uint(o, "first_seq", r->first_seq);
	cb_json_uint(o, "highest_seq", r->highest_seq);
	cb_json_uint(o, "lost", r->lost);
	cb_json_uint(o, "late", r->late);
	cb_json_uint(o, "duplicates", r->duplicates);
	cb_json_uint(o, "concealed", r->concealed);
	cb_json_uint(o, "fec_recovered", r->fec_recovered);
	cb_json_uint(o, "red_recovered", r->red_recovered);
	cb_json_uint(o, "fec_empty", r->fec_empty);
	cb_json_uint(o, "auth_failures", r->auth_failures);
	cb_json_uint(o, "underrun_frames", r->underrun_frames);
	cb_json_uint(o, "trimmed_frames", r->trimmed_frames);
	cb_json_fixed(o, "jitter_ms", r->jitter_us / 1000.0, 2);
	cb_json_uint(o, "depth_ms", r->depth_ms);
	cb_json_uint(o, "target_ms", r->target_ms);
	cb_json_int(o, "drift_ppm", r->drift_ppm);
	cb_json_fixed(o, "ring_ms", r->ring_us / 1000.0, 2);
	if (r->playback[0])
		cb_json_string(o, "playback", r->playback);
	else
		cb_json_null(o, "playback");
	cb_json_close_object(o);
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

void cb_snapshot_json_transport(struct cb_json_out *o, const struct cb_snapshot *s)
{
	const struct cb_transport_info *i = &s->transport;
	char text[sizeof(i->pair_local) + sizeof(i->pair_remote) + 128];

	cb_json_open_object(o, NULL);
	if (cb_snapshot_is_ice(s)) {
		snprintf(text, sizeof(text), "ice %s", i->state_name);
		cb_json_string(o, "state", text);
	} else {
		cb_json_string(o, "state", i->kind);
	}
	cb_json_string(o, "local", i->local);
	cb_json_string(o, "srtp", s->srtp);
	if (i->has_pair) {
		snprintf(text, sizeof(text), "%s (%s) -> %s (%s), %s", i->pair_local,
			 or_unknown(i->pair_local_type), i->pair_remote,
			 or_unknown(i->pair_remote_type), or_unknown(i->pair_type));
		cb_json_string(o, "selected_pair", text);
	} else {
		cb_json_null(o, "selected_pair");
	}
	/* A DTLS layer: its role, the handshake's state, and the SRTP profile
	 * it agreed (RFC 5764), which then stands for the keyed suite. */
	if (i->has_dtls) {
		cb_json_open_object(o, "dtls");
		cb_json_string(o, "role", or_unknown(i->dtls_role));
		cb_json_string(o, "state", or_unknown(i->dtls_state));
		if (i->srtp_profile)
			cb_json_string(o, "srtp_profile", i->srtp_profile);
		else
			cb_json_null(o, "srtp_profile");
		cb_json_close_object(o);
	}
	cb_json_close_object(o);
}

void cb_snapshot_json_ice(struct cb_json_out *o, const struct cb_snapshot *s)
{
	const struct cb_transport_info *i = &s->transport;

	cb_json_open_object(o, NULL);
	cb_json_string(o, "state", i->state_name);
	cb_json_bool(o, "connected", i->state == CB_TRANSPORT_CONNECTED);
	if (i->has_pair) {
		cb_json_open_object(o, "selected_pair");
		cb_json_string(o, "local", i->pair_local);
		cb_json_string(o, "local_type", or_unknown(i->pair_local_type));
		cb_json_string(o, "remote", i->pair_remote);
		cb_json_string(o, "remote_type", or_unknown(i->pair_remote_type));
		cb_json_string(o, "type", or_unknown(i->pair_type));
		cb_json_close_object(o);
	} else {
		cb_json_null(o, "selected_pair");
	}
	cb_json_uint(o, "restarts", i->restarts);
	cb_json_uint(o, "turn_failures", i->turn_failures);
	cb_json_uint(o, "rx_packets", i->rx_datagrams);
	cb_json_uint(o, "tx_packets", i->tx_packets);
	cb_json_uint(o, "tx_not_connected", i->tx_not_ready);
	cb_json_uint(o, "tx_errors", i->tx_errors);
	cb_json_uint(o, "rx_queue_dropped", i->rx_queue_dropped);
	cb_json_close_object(o);
}

void cb_snapshot_json_endpoint(struct cb_json_out *o, const struct cb_snapshot *s)
{
	const struct cb_snapshot_endpoint *e = &s->endpoint;

	cb_json_open_object(o, NULL);
	cb_json_string(o, "url", e->base);
	cb_json_uint(o, "encoders", s->encoders);
	for (uint32_t i = 0; i < e->n_routes; i++) {
		cb_json_open_object(o, e->routes[i].name);
		cb_json_string(o, "path", e->routes[i].path);
		cb_json_string(o, "kind", e->routes[i].whep ? "whep" : "whip");
		cb_json_uint(o, e->routes[i].whep ? "viewers" : "publishers", e->routes[i].peers);
		cb_json_uint(o, "sessions_total", e->routes[i].sessions_total);
		cb_json_close_object(o);
	}
	cb_json_uint(o, "requests", e->counters.requests);
	cb_json_uint(o, "unauthorized", e->counters.unauthorized);
	cb_json_uint(o, "conflicts", e->counters.conflicts);
	cb_json_uint(o, "too_large", e->counters.too_large);
	cb_json_uint(o, "rate_limited", e->counters.rate_limited);
	cb_json_uint(o, "refused_offers", e->counters.refused_offers);
	cb_json_uint(o, "bad_patches", e->counters.bad_patches);
	cb_json_uint(o, "reaped", e->counters.reaped);
	cb_json_uint(o, "kicked", e->counters.kicked);
	cb_json_close_object(o);
}

void cb_snapshot_json_guest(struct cb_json_out *o, const struct cb_snapshot_guest *g, bool named)
{
	const struct cb_peer_info *p = &g->peer;

	cb_json_open_object(o, NULL);
	if (named)
		cb_json_string(o, "route", g->route);
	cb_json_string(o, "id", p->id);
	cb_json_string(o, "address", p->client);
	cb_json_string(o, "ice_state", p->state);
	if (p->pair[0])
		cb_json_string(o, "selected_pair", p->pair);
	else
		cb_json_null(o, "selected_pair");
	cb_json_string(o, "dtls_state", p->dtls);
	if (p->profile[0])
		cb_json_string(o, "srtp_profile", p->profile);
	else
		cb_json_null(o, "srtp_profile");
	cb_json_uint(o, "rx_datagrams", p->rx_datagrams);
	cb_json_uint(o, "tx_packets", p->tx_packets);
	cb_json_uint(o, "sent", p->fan_packets);
	cb_json_uint(o, "no_key", p->fan_no_key);
	cb_json_uint(o, "ice_restarts", p->restarts);
	cb_json_uint(o, "age_ms", p->age_ms);
	cb_json_close_object(o);
}

void cb_snapshot_json_session(struct cb_json_out *o, const struct cb_snapshot_session *s,
			      bool named)
{
	const struct cb_transport_info *i = &s->transport;
	char pair[sizeof(i->pair_local) + sizeof(i->pair_remote) + 64];

	cb_json_open_object(o, NULL);
	if (named)
		cb_json_string(o, "name", s->name);
	cb_json_string(o, "kind", or_unknown(s->kind));
	cb_json_string(o, "url", s->url);
	cb_json_string(o, "http_state", or_unknown(s->http_state));
	cb_json_uint(o, "http_status", s->http_status);
	cb_json_uint(o, "recoveries", s->recoveries);
	if (s->failure[0])
		cb_json_string(o, "failure", s->failure);
	else
		cb_json_null(o, "failure");
	cb_json_string(o, "ice_state", i->state_name);
	if (i->has_pair) {
		snprintf(pair, sizeof(pair), "%s (%s) -> %s (%s)", i->pair_local,
			 or_unknown(i->pair_local_type), i->pair_remote, or_unknown(i->pair_remote_type));
		cb_json_string(o, "selected_pair", pair);
	} else {
		cb_json_null(o, "selected_pair");
	}
	cb_json_string(o, "dtls_role", or_unknown(i->dtls_role));
	cb_json_string(o, "dtls_state", or_unknown(i->dtls_state));
	if (i->srtp_profile)
		cb_json_string(o, "srtp_profile", i->srtp_profile);
	else
		cb_json_null(o, "srtp_profile");
	cb_json_uint(o, "rx_datagrams", i->rx_datagrams);
	cb_json_uint(o, "rx_media", i->rx_media);
	cb_json_uint(o, "tx_packets", i->tx_packets);
	cb_json_uint(o, "tx_not_ready", i->tx_not_ready);
	cb_json_close_object(o);
}

void cb_snapshot_json_send(struct cb_json_out *o, const struct cb_snapshot *s)
{
	cb_json_open_object(o, NULL);
	cb_json_uint(o, "rtp_sent", s->send.rtp_sent);
	cb_json_uint(o, "rtcp_sent", s->send.rtcp_sent);
	cb_json_uint(o, "send_errors", s->send.send_errors);
	cb_json_uint(o, "protect_errors", s->send.protect_errors);
	cb_json_uint(o, "encode_errors", s->send.encode_errors);
	cb_json_uint(o, "no_key", s->send.no_key);
	cb_json_close_object(o);
}

void cb_snapshot_json_receive(struct cb_json_out *o, const struct cb_snapshot *s)
{
	const struct cb_snapshot_receive *r = &s->receive;

	if (!s->receiving) {
		cb_json_null(o, NULL);
		return;
	}
	cb_json_open_object(o, NULL);
	cb_json_uint(o, "datagrams", r->datagrams);
	cb_json_uint(o, "rtp", r->rtp);
	cb_json_uint(o, "rtcp", r->rtcp);
	cb_json_uint(o, "auth_failures", r->auth_failures);
	cb_json_uint(o, "malformed", r->malformed);
	cb_json_uint(o, "malformed_red", r->malformed_red);
	cb_json_uint(o, "unknown_payload_type", r->unknown_payload_type);
	cb_json_uint(o, "unknown_ssrc", r->unknown_ssrc);
	cb_json_uint(o, "oversized", r->oversized);
	cb_json_uint(o, "no_key", r->no_key);
	cb_json_uint(o, "read_wait_max_us", r->read_wait_max_us);
	cb_json_close_object(o);
}

/* The stats file's arrays: `"key": [`, then each element on a line of its
 * own, as the file has always been laid out. */
static void open_array(struct cb_json_out *o, const char *key, bool *first)
{
	cb_json_raw(o, "  \"%s\": [", key);
	*first = true;
}

static void next_element(struct cb_json_out *o, bool *first)
{
	cb_json_raw(o, "%s\n    ", *first ? "" : ",");
	*first = false;
}

static void close_array(struct cb_json_out *o, bool first)
{
	cb_json_raw(o, "%s],\n", first ? "" : "\n  ");
}

void cb_snapshot_json_document(struct cb_json_out *o, const struct cb_snapshot *s)
{
	bool first;

	cb_json_raw(o, "{\n  \"call\": ");
	cb_json_string(o, NULL, s->call_name);
	cb_json_raw(o, ",\n");

	open_array(o, "tracks", &first);
	for (uint32_t i = 0; i < s->n_tracks; i++) {
		next_element(o, &first);
		cb_snapshot_json_track(o, &s->tracks[i], true);
	}
	close_array(o, first);

	open_array(o, "streams", &first);
	for (uint32_t i = 0; i < s->n_streams; i++) {
		next_element(o, &first);
		cb_snapshot_json_stream(o, &s->streams[i], true);
	}
	close_array(o, first);

	open_array(o, "remotes", &first);
	for (uint32_t i = 0; i < s->n_remotes; i++) {
		if (!cb_snapshot_remote_shown(&s->remotes[i]))
			continue;
		next_element(o, &first);
		cb_snapshot_json_remote(o, &s->remotes[i], true);
	}
	close_array(o, first);

	if (s->n_sessions) {
		open_array(o, "sessions", &first);
		for (uint32_t i = 0; i < s->n_sessions; i++) {
			next_element(o, &first);
			cb_snapshot_json_session(o, &s->sessions[i], true);
		}
		close_array(o, first);
	}

	if (s->endpoint.present) {
		cb_json_raw(o, "  \"endpoint\": ");
		cb_snapshot_json_endpoint(o, s);
		cb_json_raw(o, ",\n");
		open_array(o, "guests", &first);
		for (uint32_t i = 0; i < s->endpoint.n_guests; i++) {
			next_element(o, &first);
			cb_snapshot_json_guest(o, &s->endpoint.guests[i], true);
		}
		close_array(o, first);
	}

	cb_json_raw(o, "  \"send\": ");
	cb_snapshot_json_send(o, s);
	cb_json_raw(o, ",\n");
	if (cb_snapshot_is_ice(s)) {
		cb_json_raw(o, "  \"ice\": ");
		cb_snapshot_json_ice(o, s);
		cb_json_raw(o, ",\n");
	}
	cb_json_raw(o, "  \"receive\": ");
	cb_snapshot_json_receive(o, s);
	cb_json_raw(o, "\n}\n");
}
